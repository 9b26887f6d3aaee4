/**
 * A button's async action that ignores presses while it runs. `busy` is for `aria-busy`, never
 * `disabled`: disabling the focused button drops the keyboard focus to the page body.
 */
import { createSignal, type Accessor } from 'solid-js';

export function createBusyAction(action: () => Promise<unknown>): { busy: Accessor<boolean>; run: () => Promise<void> } {
  const [busy, setBusy] = createSignal(false);
  return {
    busy,
    async run() {
      if (busy()) return;
      setBusy(true);
      try {
        await action();
      } finally {
        setBusy(false);
      }
    },
  };
}
