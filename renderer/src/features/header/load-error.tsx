/**
 * The first load failed: say why (wrong key, Rotary not reachable…) and offer to try again.
 * Once it succeeds the window's first control takes the focus "Try again" had.
 */
import type { ErrorCode } from '../../../../shared/ipc';
import { useAppState } from '../../lib/app-state';
import { firstControlIn } from '../../ui/focus-next';
import { LoadFailed } from '../../ui/load-failed';

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
  const error = () => {
    const l = app.load();
    return l.kind === 'error' ? l : undefined;
  };
  return (
    <div class="flex flex-1 items-start justify-center p-8">
      <LoadFailed
        heading
        class="max-w-lg shadow-sm"
        testid="load-error"
        title={titles[error()?.code ?? 'internal'] ?? 'Rotary could not load its data'}
        message={error()?.message ?? ''}
        hint={hints[error()?.code ?? 'internal']}
        retry={app.reload}
        focusNext={() => firstControlIn(document.querySelector('main'))}
      />
    </div>
  );
}
