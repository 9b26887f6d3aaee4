/**
 * "<Provider> Rate Limits": the active account's windows in the Context Breakdown style, plus
 * buttons to switch the active account when the provider has several.
 */
import RefreshCw from 'lucide-solid/icons/refresh-cw';
import { createSignal, For, Show } from 'solid-js';
import type { ProviderID } from '../../../../shared/domain';
import { useAppState } from '../../lib/app-state';
import { Button } from '../../ui/button';
import { displayPercent } from '../../ui/usage-metrics';
import { UsageWindows } from '../usage/usage-windows';
import { limitsTitle } from './context-metrics';

export function ProviderLimits(props: { providerID: ProviderID }) {
  const app = useAppState();
  const view = () => app.provider(props.providerID);
  const active = () => view()?.accounts.find((a) => a.isActive) ?? view()?.accounts[0];
  const [busy, setBusy] = createSignal(false);
  const headingId = () => `limits-${props.providerID}`;
  // Creation order, not pool order: buttons must not jump around under the pointer after a switch.
  const switchOrder = () => [...(view()?.accounts ?? [])].sort((a, b) => a.createdAt - b.createdAt || a.label.localeCompare(b.label));

  async function refresh() {
    setBusy(true);
    await app.refreshUsage(props.providerID);
    setBusy(false);
  }

  return (
    <section aria-labelledby={headingId()} class="flex flex-col gap-3" data-testid="provider-limits" data-provider={props.providerID}>
      <div class="flex items-center justify-between">
        <h2 id={headingId()} class="text-xs font-semibold uppercase tracking-wide text-muted">
          {limitsTitle(props.providerID)}
        </h2>
        <Button size="icon" variant="ghost" aria-label="Refresh usage" onClick={() => void refresh()} disabled={busy()}>
          <RefreshCw size={14} aria-hidden="true" class={busy() ? 'animate-spin' : ''} />
        </Button>
      </div>
      <Show when={active()} fallback={<p class="text-xs text-muted">No account for this provider.</p>}>
        {(acc) => (
          <>
            <p class="text-xs">
              <span class="font-medium" data-testid="limits-account">
                {acc().label}
              </span>
              <Show when={acc().email && acc().email !== acc().label}>
                <span class="text-muted"> · {acc().email}</span>
              </Show>
            </p>
            <UsageWindows
              usage={acc().usage}
              now={app.now()}
              emptyText="No numbers yet: they arrive with the next request through the gateway."
            />
          </>
        )}
      </Show>
      <Show when={(view()?.accounts.length ?? 0) > 1}>
        <div role="group" aria-label="Switch account" class="flex flex-col gap-1.5" data-testid="account-switch">
          <span class="text-[11px] font-medium text-muted">Switch account</span>
          <div class="flex flex-wrap gap-1.5">
            <For each={switchOrder()}>
              {(a) => {
                const five = () => a.usage?.windows.find((w) => w.key === 'five_hour' || w.key === 'primary');
                return (
                  <Button
                    size="sm"
                    variant={a.isActive ? 'primary' : 'secondary'}
                    aria-pressed={a.isActive}
                    aria-label={`${a.isActive ? 'Active account' : 'Switch to'} ${a.label}`}
                    disabled={a.isActive || a.status.kind === 'needs-reauth'}
                    class="disabled:opacity-100"
                    onClick={() => void app.setActive(props.providerID, a.id)}
                    data-testid="switch-account"
                    data-account-id={a.id}
                  >
                    {a.label}
                    <Show when={five()}>
                      {(w) => <span class="tabular-nums opacity-75">{displayPercent(w().percentUsed)}%</span>}
                    </Show>
                  </Button>
                );
              }}
            </For>
          </div>
        </div>
      </Show>
    </section>
  );
}
