/** "Connect a tool": one-click setup per tool (tool-setup.tsx), then the copy-ready settings (Claude Code, Codex CLI, opencode, SDKs). */
import { For, Match, Show, Switch } from 'solid-js';
import { GATEWAY_KEY_PLACEHOLDER } from '../../../../shared/ipc';
import { useApi } from '../../lib/api';
import { useAppState, type LoadState } from '../../lib/app-state';
import { CopyButton } from '../../ui/copy-button';
import { firstControlIn } from '../../ui/focus-next';
import { LoadFailed } from '../../ui/load-failed';
import { Spinner } from '../../ui/spinner';
import { notify } from '../../ui/toast';
import { ToolSetup } from './tool-setup';

const errorOf = (load: LoadState) => (load.kind === 'error' ? load.message : '');

export function GatewayClientSettings() {
  const app = useAppState();
  const api = useApi();
  const clients = () => app.gateway()?.clients ?? [];
  let root: HTMLDivElement | undefined;

  async function copy(clientID: Parameters<typeof api.gateway.copySettings>[0]['clientID']): Promise<boolean> {
    const res = await api.gateway.copySettings({ clientID });
    if (!res.ok) {
      notify('error', 'Could not copy', res.error.message);
      return false;
    }
    return res.value.copied;
  }

  return (
    <div ref={root} class="flex flex-col gap-4" data-testid="client-settings">
      <Switch>
        <Match when={!app.gateway() && (app.gatewayError() ?? errorOf(app.load()))}>
          {(message) => (
            <LoadFailed
              testid="client-settings-error"
              title="The gateway settings could not be read."
              message={message()}
              retry={app.reloadGateway}
              focusNext={() => firstControlIn(root)}
            />
          )}
        </Match>
        <Match when={!app.gateway()}>
          <Spinner label="Reading the gateway settings…" />
        </Match>
        <Match when={!app.gateway()?.running}>
          <p class="text-sm text-muted">The gateway is not running, so there is nothing to point a tool at yet.</p>
        </Match>
      </Switch>
      <Show when={app.gateway()?.running}>
        <ToolSetup />
        <h3 class="text-sm font-medium">Or copy the settings</h3>
      </Show>
      <p class="text-xs text-muted">
        Point a tool at the gateway with these settings. “Copy” puts them on the clipboard with your gateway key in
        place of <code class="font-mono">{GATEWAY_KEY_PLACEHOLDER}</code>.
      </p>
      <For each={clients()}>
        {(c) => (
          <section class="flex flex-col gap-1.5" aria-label={c.title}>
            <div class="flex items-center justify-between gap-2">
              <h3 class="text-sm font-medium">
                {c.title} <span class="text-xs font-normal text-muted">· {c.format}</span>
              </h3>
              <CopyButton ariaLabel={`Copy ${c.title} settings`} copy={() => copy(c.clientID)} />
            </div>
            {/* Focusable: a long line scrolls sideways, and keyboard users must be able to scroll it too. */}
            <pre tabindex="0" aria-label={`${c.title} settings`} class="overflow-x-auto rounded-md border border-line bg-bg p-3 font-mono text-xs leading-relaxed">
              {c.text}
            </pre>
            <Show when={c.note}>
              <p class="text-xs text-muted">{c.note}</p>
            </Show>
          </section>
        )}
      </For>
    </div>
  );
}
