/** Top bar: gateway status (opens the client settings), Settings button with its shortcut. */
import Settings from 'lucide-solid/icons/settings';
import { createSignal, Show } from 'solid-js';
import { useAppState } from '../../lib/app-state';
import { Button } from '../../ui/button';
import { Dialog } from '../../ui/dialog';
import { isMac } from '../../lib/shortcut-format';
import { GatewayClientSettings } from './gateway-connect';

/** `error`: the status could not be read (a wrong key, the core failing): the reason and a retry, not the loading look. */
type GatewayState = 'loading' | 'error' | 'up' | 'stopped' | 'down';

const dotClass: Record<GatewayState, string> = {
  loading: 'bg-muted',
  error: 'bg-danger',
  up: 'bg-ok',
  stopped: 'bg-danger',
  down: 'bg-danger',
};

export function AppHeader() {
  const app = useAppState();
  const [connectOpen, setConnectOpen] = createSignal(false);
  const gw = () => app.gateway();
  const host = () => {
    const g = gw();
    return g?.url ? new URL(g.url).host : g?.port ? `port ${g.port}` : '';
  };
  // Not answering beats whatever the last status said: that status may be seconds old.
  const state = (): GatewayState => {
    if (!app.reachable()) return 'down';
    const g = gw();
    if (!g) return app.gatewayError() ? 'error' : 'loading';
    return g.running ? 'up' : 'stopped';
  };
  const statusText = () => {
    switch (state()) {
      case 'down':
        return `Gateway not reachable${host() ? ` on ${host()}` : ''}`;
      case 'loading':
        return 'Gateway…';
      case 'error':
        return `Gateway status not read: ${app.gatewayError()}`;
      case 'up':
        return `Gateway on ${host()}`;
      case 'stopped':
        // The banner under the header says why (and offers the restart); the tooltip repeats it.
        return 'Gateway stopped';
    }
  };

  return (
    <header class="flex h-12 shrink-0 items-center justify-between gap-4 border-b border-line bg-surface px-4">
      <div class="flex min-w-0 items-center gap-3">
        <span class="text-sm font-semibold tracking-tight">Rotary</span>
        <button
          type="button"
          class="inline-flex min-w-0 max-w-full items-center gap-2 rounded-full border border-line px-3 py-1 text-xs hover:bg-surface-2 focus-visible:outline-2 focus-visible:outline-focus"
          onClick={() => (state() === 'error' ? void app.reloadGateway() : setConnectOpen(true))}
          aria-haspopup={state() === 'error' ? undefined : 'dialog'}
          data-testid="gateway-status"
          data-state={state()}
          title={
            state() === 'error'
              ? `${statusText()} (press to try again)`
              : state() === 'stopped' && gw()?.error
                ? `Gateway stopped: ${gw()!.error}`
                : 'Client settings for this gateway'
          }
        >
          <span class={`h-2 w-2 shrink-0 rounded-full ${dotClass[state()]}`} aria-hidden="true" />
          <span class={`truncate ${state() === 'down' || state() === 'stopped' || state() === 'error' ? 'font-medium text-danger' : ''}`}>{statusText()}</span>
          <Show when={state() === 'up'}>
            <span class="hidden text-muted sm:inline">· Connect a tool</span>
          </Show>
          <Show when={state() === 'error'}>
            <span class="shrink-0 text-muted">· Try again</span>
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
