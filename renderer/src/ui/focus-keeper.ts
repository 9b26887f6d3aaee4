/**
 * Keeps keyboard focus inside an open dialog when the focused element goes away — removed
 * (a tab switch, "Switch" hiding itself, the last account deleted) or disabled — which moves
 * focus to <body>; Kobalte's trap only pulls back focus that moves to another element. Then focus goes to the dialog's
 * preferred element for its current view (`[data-dialog-focus]`: a heading, the search field),
 * else the selected tab, else the first focusable element. A nested confirmation
 * (`role="alertdialog"`) owns focus while it is open.
 */
export const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])';

function lost(container: HTMLElement): boolean {
  const active = document.activeElement;
  if (!active || active === document.body) return true;
  if (!active.isConnected || (active as HTMLButtonElement).disabled) return true;
  return !container.contains(active) && !active.closest('[role="alertdialog"],[role="dialog"]');
}

export function keepFocusInside(container: HTMLElement): () => void {
  let frame = 0;
  const check = () => {
    frame = 0;
    if (!container.isConnected || !lost(container)) return;
    const target =
      container.querySelector<HTMLElement>('[data-dialog-focus]') ??
      container.querySelector<HTMLElement>('[role="tab"][aria-selected="true"]') ??
      container.querySelector<HTMLElement>(FOCUSABLE);
    target?.focus();
  };
  // A frame later: the view that replaces the removed element is rendered by then.
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(check);
  };
  // Chromium (Electron's engine, and the web UI's supported browser) sends focusout when the
  // focused element is removed or disabled; relatedTarget null = focus is going nowhere. No
  // MutationObserver on the subtree: with 50 accounts it cost hundreds of ms per view switch.
  const onFocusOut = (e: FocusEvent) => {
    if (e.relatedTarget === null) schedule();
  };
  document.addEventListener('focusout', onFocusOut);
  return () => {
    document.removeEventListener('focusout', onFocusOut);
    if (frame) cancelAnimationFrame(frame);
  };
}
