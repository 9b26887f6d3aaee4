/**
 * A lucide icon drawn once and cloned: lucide-solid builds every icon through Dynamic, a For
 * over its paths and a props split, which adds up to ~250 icons in Provider Detail's 50 rows.
 * For icons whose props never change (aria-hidden decoration in a row) one template per icon
 * and size is enough; `cloneNode` is what Solid's own templates do.
 */
import type { LucideIcon, LucideProps } from 'lucide-solid';
import { createRoot } from 'solid-js';

/** Returns a function giving a fresh copy of `<Icon {...props} aria-hidden="true" />` per call. */
export function staticIcon(Icon: LucideIcon, props: Omit<LucideProps, 'aria-hidden'>): () => SVGSVGElement {
  let template: SVGSVGElement | undefined;
  return () => {
    template ??= createRoot((dispose) => {
      const el = Icon({ ...props, 'aria-hidden': 'true' });
      dispose();
      if (!(el instanceof SVGSVGElement)) throw new Error('staticIcon: the icon did not render an <svg>');
      return el;
    });
    return template.cloneNode(true) as SVGSVGElement;
  };
}
