/**
 * "<Provider> Rate Limits": whose windows these are, the bars, and buttons to switch the
 * active account. When the conversation on screen was served by another account than the one
 * new requests go to (a binding, a proactive switch), both are named, each with its bars.
 * Buttons say used %, limit state and reset ("100 % used · until 11:52") and keep the user's order.
 */
import RefreshCw from 'lucide-solid/icons/refresh-cw';
import { createSignal, For, Show } from 'solid-js';
import { PROVIDER_LIMITS_TITLES, type ProviderID } from '../../../../shared/domain';
import type { AccountViewDTO } from '../../../../shared/ipc';
import { formatClock } from '../../../../shared/usage-format';
import { switchButtonText } from '../../lib/account-status';
import { useAppState } from '../../lib/app-state';
import { Button } from '../../ui/button';
import { UsageWindows } from '../usage/usage-windows';
import { AccountForecastLine, PoolForecastLine } from '../forecast/forecast-lines';

export function ProviderLimits(props: { providerID: ProviderID; conversationRecordID?: string | undefined }) {
  const app = useAppState();
  const view = () => app.provider(props.providerID);
  const active = () => view()?.accounts.find((a) => a.isActive) ?? view()?.accounts[0];
  const served = () => (props.conversationRecordID ? view()?.accounts.find((a) => a.id === props.conversationRecordID) : undefined);
  const differ = () => served() !== undefined && active() !== undefined && served()!.id !== active()!.id;
  const notice = () => app.limited().find((n) => n.providerID === props.providerID);
  const [busy, setBusy] = createSignal(false);
  const headingId = () => `limits-${props.providerID}`;
  const forecast = () => app.forecast(props.providerID);
  const accountForecast = (id: string) => forecast()?.accounts.find((f) => f.recordID === id);

  async function refresh() {
    setBusy(true);
    await app.refreshUsage(props.providerID);
    setBusy(false);
  }

  return (
    <section aria-labelledby={headingId()} class="flex flex-col gap-3" data-testid="provider-limits" data-provider={props.providerID}>
      <div class="flex items-center justify-between">
        <h2 id={headingId()} class="text-xs font-semibold uppercase tracking-wide text-muted">
          {PROVIDER_LIMITS_TITLES[props.providerID]}
        </h2>
        <Button size="icon" variant="ghost" aria-label="Refresh usage" onClick={() => void refresh()} disabled={busy()}>
          <RefreshCw size={14} aria-hidden="true" class={busy() ? 'animate-spin' : ''} />
        </Button>
      </div>
      <Show when={notice()}>
        {(n) => (
          <p class="rounded-md bg-warn-soft px-2 py-1.5 text-xs font-medium text-warn" data-testid="limits-limited">
            All accounts limited
            {n().until !== undefined ? ` · the first frees up at ${formatClock(n().until!, app.now())}` : ''}
          </p>
        )}
      </Show>
      <Show when={active()} fallback={<p class="text-xs text-muted">No account for this provider.</p>}>
        {(acc) => (
          <>
            <Show when={differ() && served()}>
              {(conv) => (
                <div class="flex flex-col gap-2" data-testid="limits-conversation">
                  <AccountLine account={conv()} testid="limits-conversation-account" prefix="This conversation: " />
                  <UsageWindows usage={conv().usage} now={app.now()} emptyText="No numbers yet for this account." />
                  <AccountForecastLine forecast={accountForecast(conv().id)} now={app.now()} />
                </div>
              )}
            </Show>
            <div class="flex flex-col gap-2" data-testid="limits-active">
              <AccountLine account={acc()} testid={differ() ? 'limits-new-account' : 'limits-account'} prefix={differ() ? 'New requests: ' : ''} />
              <UsageWindows
                usage={acc().usage}
                now={app.now()}
                emptyText="No numbers yet: they arrive with the next request through the gateway."
              />
              <AccountForecastLine forecast={accountForecast(acc().id)} now={app.now()} />
            </div>
            <PoolForecastLine forecast={forecast()} now={app.now()} />
          </>
        )}
      </Show>
      <Show when={(view()?.accounts.length ?? 0) > 1}>
        <div role="group" aria-label="Switch account" class="flex flex-col gap-1.5" data-testid="account-switch">
          <span class="text-[11px] font-medium text-muted">Switch account</span>
          <div class="flex flex-wrap gap-1.5">
            <For each={view()?.accounts ?? []}>{(a) => <SwitchButton providerID={props.providerID} account={a} />}</For>
          </div>
        </div>
      </Show>
    </section>
  );
}

function AccountLine(props: { account: AccountViewDTO; testid: string; prefix: string }) {
  return (
    <p class="text-xs">
      <span class="font-medium" data-testid={props.testid}>
        {props.prefix}
        {props.account.label}
      </span>
      <Show when={props.account.email && props.account.email !== props.account.label}>
        <span class="text-muted"> · {props.account.email}</span>
      </Show>
    </p>
  );
}

/**
 * Not `disabled` when active: a disabled button drops keyboard focus the moment it is pressed.
 * A limited account stays switchable (the user may know better) but looks limited and says so.
 */
function SwitchButton(props: { providerID: ProviderID; account: AccountViewDTO }) {
  const app = useAppState();
  const info = () => switchButtonText(props.account, app.now());
  const tone = () =>
    props.account.isActive
      ? 'border-accent bg-accent-soft text-fg'
      : info().limited
        ? 'border-warn/60 border-dashed bg-warn-soft text-fg'
        : 'border-line bg-surface text-fg hover:bg-surface-2';
  return (
    <button
      type="button"
      class={`flex min-w-0 flex-col items-start rounded-md border px-2.5 py-1 text-left text-xs focus-visible:outline-2 focus-visible:outline-focus disabled:cursor-not-allowed disabled:opacity-60 ${tone()}`}
      aria-pressed={props.account.isActive}
      disabled={props.account.status.kind === 'needs-reauth'}
      onClick={() => {
        if (!props.account.isActive) void app.setActive(props.providerID, props.account.id);
      }}
      data-testid="switch-account"
      data-account-id={props.account.id}
      data-limited={info().limited ? 'true' : 'false'}
    >
      {/* The name comes from the content (visible text and the name must agree): hidden words fill it in. */}
      <span class="max-w-full truncate font-medium">
        <span class="sr-only">{props.account.isActive ? 'Active account ' : 'Switch to '}</span>
        {props.account.label}
      </span>
      <span class={`tabular-nums ${info().limited ? 'text-warn' : 'text-muted'}`}>
        <span class="sr-only"> (</span>
        {info().text}
        <span class="sr-only">{info().limited && !props.account.isActive ? '; requests go to the other accounts until then)' : ')'}</span>
      </span>
    </button>
  );
}
