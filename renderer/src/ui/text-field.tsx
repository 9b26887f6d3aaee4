/** Labelled text input: Kobalte TextField (label/description/error wired with ARIA). */
import { TextField as KTextField } from '@kobalte/core/text-field';
import { Show, type JSX } from 'solid-js';

export interface TextFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  description?: string;
  error?: string | undefined;
  type?: 'text' | 'search' | 'url' | 'password';
  autofocus?: boolean;
  /** Hide the label visually (still read by screen readers). */
  hideLabel?: boolean;
  onKeyDown?: JSX.EventHandler<HTMLInputElement, KeyboardEvent>;
  class?: string;
  spellcheck?: boolean;
  /** The element a dialog focuses when the focused one disappears (see ui/focus-keeper.ts). */
  dialogFocus?: boolean;
  /** The native input, for callers that must focus or select it (an inline editor opening). */
  inputRef?: (el: HTMLInputElement) => void;
}

export function TextField(props: TextFieldProps) {
  return (
    <KTextField
      value={props.value}
      onChange={props.onChange}
      validationState={props.error ? 'invalid' : 'valid'}
      class={`flex flex-col gap-1 ${props.class ?? ''}`}
    >
      <KTextField.Label class={props.hideLabel ? 'sr-only' : 'text-xs font-medium text-fg'}>{props.label}</KTextField.Label>
      <KTextField.Input
        ref={props.inputRef}
        type={props.type ?? 'text'}
        placeholder={props.placeholder}
        autofocus={props.autofocus}
        spellcheck={props.spellcheck ?? false}
        autocomplete="off"
        data-dialog-focus={props.dialogFocus ? '' : undefined}
        onKeyDown={props.onKeyDown}
        class="h-9 rounded-md border border-line bg-bg px-3 text-sm text-fg placeholder:text-muted
               focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-focus
               data-[invalid]:border-danger"
      />
      <Show when={props.description && !props.error}>
        <KTextField.Description class="text-xs text-muted">{props.description}</KTextField.Description>
      </Show>
      <KTextField.ErrorMessage class="text-xs text-danger" role="alert" data-testid="field-error">{props.error}</KTextField.ErrorMessage>
    </KTextField>
  );
}
