/**
 * A load that failed, wherever data is loaded (the window's first load, the request list, the
 * usage history, the settings): the reason and "Try again" — never an empty list or a spinner
 * that stays. When a retry succeeds the box goes; if it had the keyboard focus, `focusNext`
 * (the loaded view's first control) takes it.
 */
import TriangleAlert from 'lucide-solid/icons/triangle-alert';
import { Show } from 'solid-js';
import { createBusyAction } from './busy-action';
import { Button } from './button';
import { focusNextOnRemoval } from './focus-next';

export interface LoadFailedProps {
  title: string;
  /** The reason, as the core or the transport wrote it for the user. */
  message: string;
  hint?: string;
  retry: () => Promise<unknown>;
  /** Takes the focus when a retry succeeds and this box goes while it had the focus. */
  focusNext: () => HTMLElement | null | undefined;
  testid: string;
  /** The whole window's error: its title is a heading. */
  heading?: boolean;
  /** In a dialog: "Try again" is where the focus goes while this shows (`data-dialog-focus`). */
  dialogFocus?: boolean;
  class?: string;
}

export function LoadFailed(props: LoadFailedProps) {
  const retry = createBusyAction(() => props.retry());
  return (
    <div
      ref={focusNextOnRemoval(() => props.focusNext())}
      role="alert"
      class={`flex gap-3 rounded-xl border border-danger/40 bg-surface p-4 text-sm ${props.class ?? ''}`}
      data-testid={props.testid}
    >
      <TriangleAlert size={20} aria-hidden="true" class="shrink-0 text-danger" />
      <div class="flex min-w-0 flex-col items-start gap-2">
        <Show when={props.heading} fallback={<p class="font-semibold">{props.title}</p>}>
          <h2 class="text-base font-semibold">{props.title}</h2>
        </Show>
        <p>{props.message}</p>
        <Show when={props.hint}>{(hint) => <p class="text-muted">{hint()}</p>}</Show>
        <Button size="sm" variant="primary" aria-busy={retry.busy()} onClick={() => void retry.run()} data-dialog-focus={props.dialogFocus ? '' : undefined}>
          Try again
        </Button>
      </div>
    </div>
  );
}
