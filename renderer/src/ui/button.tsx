/**
 * The one button: Kobalte Button (keyboard + ARIA) with the house variants. `buttonClass` gives
 * the same look to a plain `<button>` where a list draws many (Provider Detail's 50 rows): on a
 * native button Kobalte adds only data attributes, at the cost of a context and a polymorphic
 * wrapper each.
 */
import { Button as KButton } from '@kobalte/core/button';
import { splitProps, type ComponentProps, type JSX } from 'solid-js';

export type ButtonVariant = 'primary' | 'secondary' | 'ghost' | 'danger';
export type ButtonSize = 'sm' | 'md' | 'icon';

const base =
  'inline-flex items-center justify-center gap-1.5 rounded-md font-medium whitespace-nowrap select-none ' +
  'transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-focus ' +
  'disabled:opacity-50 disabled:cursor-not-allowed cursor-pointer';

const variants: Record<ButtonVariant, string> = {
  primary: 'bg-accent text-accent-fg hover:brightness-110',
  secondary: 'bg-surface text-fg border border-line hover:bg-surface-2',
  ghost: 'text-fg hover:bg-surface-2',
  danger: 'bg-danger text-danger-fg hover:brightness-110',
};

const sizes: Record<ButtonSize, string> = {
  sm: 'h-7 px-2.5 text-xs',
  md: 'h-9 px-3.5 text-sm',
  icon: 'h-7 w-7 p-0',
};

export type ButtonProps = Omit<ComponentProps<typeof KButton>, 'class'> & {
  variant?: ButtonVariant;
  size?: ButtonSize;
  class?: string;
  children?: JSX.Element;
};

/** The classes of a house button, for a plain `<button type="button">`. */
export function buttonClass(variant: ButtonVariant = 'secondary', size: ButtonSize = 'md', extra = ''): string {
  return `${base} ${variants[variant]} ${sizes[size]} ${extra}`;
}

export function Button(props: ButtonProps) {
  const [local, rest] = splitProps(props, ['variant', 'size', 'class']);
  return <KButton {...rest} class={buttonClass(local.variant, local.size, local.class)} />;
}
