/**
 * Outside a dialog nothing catches the keyboard focus when the focused element is removed
 * ("Retry now" once the gateway answers, "Try again" once the data is there): it drops to the
 * page body. `focusNextOnRemoval` is a ref callback for the element that goes; if the focus was
 * inside it, the element `next` names takes the focus once the view that replaces it is drawn.
 */
import { onCleanup } from 'solid-js';
import { FOCUSABLE } from './focus-keeper';

export function focusNextOnRemoval(next: () => HTMLElement | null | undefined): (el: HTMLElement) => void {
  return (el) =>
    onCleanup(() => {
      if (!el.contains(document.activeElement)) return;
      queueMicrotask(() => next()?.focus());
    });
}

/** The first control shown inside `scope` (hidden panes of a small window skipped). */
export function firstControlIn(scope: Element | null | undefined): HTMLElement | undefined {
  return [...(scope?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])].find((el) => el.getClientRects().length > 0);
}
