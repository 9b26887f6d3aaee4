/** Top bar: gateway status (opens the client settings), Settings button with its shortcut. */
import Settings from 'lucide-solid/icons/settings';
import { createSignal, Show } from 'solid-js';
import { useAppState } from '../../lib/app-state';
import { Button } from '../../ui/button';
import { Dialog } from '../../ui/dialog';
import { GatewayClientSettings } from './gateway-connect';

export const isMac = () => /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

export function AppHeader() {
  const app = useAppState();
  const [connectOpen, setConnectOpen] = createSignal(false);
  const gw = () => app.gateway();
  const statusText = () => {
    const g = gw();
    if (!g) return 'Gateway…';
    if (g.running) return `Gateway on ${g.url ? new URL(g.url).host : `port ${g.port}`}`;
    return g.error ? `Gateway stopped: ${g.error}` : 'Gateway stopped';
  };

  return (
    <header class="flex h-12 shrink-0 items-center justify-between gap-4 border-b border-line bg-surface px-4">
      <div class="flex items-center gap-3">
        <span class="text-sm font-semibold tracking-tight">Rotary</span>
        <button
          type="button"
          class="inline-flex items-center gap-2 rounded-full border border-line px-3 py-1 text-xs hover:bg-surface-2 focus-visible:outline-2 focus-visible:outline-focus"
          onClick={() => setConnectOpen(true)}
          aria-haspopup="dialog"
          data-testid="gateway-status"
          title="Client settings for this gateway"
        >
          <span
            class={`h-2 w-2 rounded-full ${gw()?.running ? 'bg-ok' : gw() ? 'bg-danger' : 'bg-muted'}`}
            aria-hidden="true"
          />
          <span>{statusText()}</span>
          <Show when={gw()?.running}>
            <span class="text-muted">· Connect a tool</span>
          </Show>
        </button>
      </div>
      <Button
        variant="ghost"
        size="sm"
        onClick={() => app.settings.show()}
        aria-keyshortcuts={isMac() ? 'Meta+,' : 'Control+,'}
        title={`Settings (${isMac() ? '⌘,' : 'Ctrl+,'})`}
      >
        <Settings size={16} aria-hidden="true" /> Settings
      </Button>
      <Dialog
        open={connectOpen()}
        onOpenChange={setConnectOpen}
        title="Connect a tool to the gateway"
        description={gw()?.url}
        size="lg"
      >
        <div class="p-5">
          <GatewayClientSettings />
        </div>
      </Dialog>
    </header>
  );
}
