/** The first load failed: say why (wrong key, Rotary not reachable…) and offer to try again. */
import TriangleAlert from 'lucide-solid/icons/triangle-alert';
import { createSignal, Show } from 'solid-js';
import type { ErrorCode } from '../../../../shared/ipc';
import { useAppState } from '../../lib/app-state';
import { Button } from '../../ui/button';

const titles: Partial<Record<ErrorCode, string>> = {
  unauthorized: 'Rotary did not accept this page’s key',
  forbidden: 'Rotary refused this page',
  unavailable: 'Rotary is not reachable',
};

const hints: Partial<Record<ErrorCode, string>> = {
  unauthorized: 'Open the link that `rotary gateway --ui` prints again: the key in it changes when the gateway’s key does.',
  unavailable: 'Start it again with `rotary gateway --ui`, then try again.',
};

export function LoadError() {
  const app = useAppState();
  const [busy, setBusy] = createSignal(false);
  const error = () => {
    const l = app.load();
    return l.kind === 'error' ? l : undefined;
  };
  return (
    <div class="flex flex-1 items-start justify-center p-8">
      <div role="alert" class="flex max-w-lg gap-3 rounded-xl border border-danger/40 bg-surface p-5 text-sm shadow-sm" data-testid="load-error">
        <TriangleAlert size={20} aria-hidden="true" class="shrink-0 text-danger" />
        <div class="flex flex-col gap-2">
          <h2 class="text-base font-semibold">{titles[error()?.code ?? 'internal'] ?? 'Rotary could not load its data'}</h2>
          <p>{error()?.message}</p>
          <Show when={hints[error()?.code ?? 'internal']}>{(hint) => <p class="text-muted">{hint()}</p>}</Show>
          <div>
            <Button
              size="sm"
              variant="primary"
              disabled={busy()}
              onClick={async () => {
                setBusy(true);
                await app.reload();
                setBusy(false);
              }}
            >
              Try again
            </Button>
          </div>
        </div>
      </div>
    </div>
  );
}
