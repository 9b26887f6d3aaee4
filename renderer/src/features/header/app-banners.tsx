/**
 * Persistent banners under the header: the gateway not answering (with "Retry now"; it also
 * recovers by itself), the gateway process stopped (Electron, where it runs in a process of its
 * own: restarting by itself, or given up after repeated crashes with "Restart the gateway") and,
 * per provider, "all accounts limited" — one banner each, updated in
 * place, gone once an account can take requests again.
 */
import Clock from 'lucide-solid/icons/clock';
import Unplug from 'lucide-solid/icons/unplug';
import { Show } from 'solid-js';
import { useAppState } from '../../lib/app-state';
import { noticeDetail, noticeTitle, type LimitedNotice } from '../../lib/limited-notice';
import { createBusyAction } from '../../ui/busy-action';
import { Button } from '../../ui/button';
import { focusNextOnRemoval } from '../../ui/focus-next';

/** A banner's button goes once the gateway answers again; if it had the focus, the gateway status takes it (not the page body). */
const focusGatewayStatus = () => document.querySelector<HTMLElement>('[data-testid=gateway-status]');

export function GatewayDownBanner() {
  const app = useAppState();
  return (
    <Show when={!app.reachable()}>
      <div role="alert" class="flex flex-wrap items-center gap-3 border-b border-danger/40 bg-danger-soft px-4 py-2 text-sm text-danger" data-testid="gateway-down">
        <Unplug size={16} aria-hidden="true" class="shrink-0" />
        <p class="min-w-0 flex-1">
          <strong class="font-semibold">The gateway is not answering.</strong> Tools pointed at it get no answer either. Rotary
          retries by itself every few seconds.
        </p>
        <span ref={focusNextOnRemoval(focusGatewayStatus)} class="contents">
          <Button size="sm" variant="secondary" onClick={() => app.retryConnection()}>
            Retry now
          </Button>
        </span>
      </div>
    </Show>
  );
}

export function GatewayStoppedBanner() {
  const app = useAppState();
  const restart = createBusyAction(() => app.restartGateway());
  return (
    <Show when={app.reachable() && app.gateway() && !app.gateway()!.running}>
      <div
        role="alert"
        class="flex flex-wrap items-center gap-3 border-b border-danger/40 bg-danger-soft px-4 py-2 text-sm text-danger"
        data-testid="gateway-stopped"
      >
        <Unplug size={16} aria-hidden="true" class="shrink-0" />
        <p class="min-w-0 flex-1">
          <strong class="font-semibold">The gateway stopped.</strong> {app.gateway()?.error}
        </p>
        <Show when={app.gateway()?.restartable}>
          <span ref={focusNextOnRemoval(focusGatewayStatus)} class="contents">
            <Button size="sm" variant="secondary" aria-busy={restart.busy()} onClick={() => void restart.run()}>
              {restart.busy() ? 'Starting…' : 'Restart the gateway'}
            </Button>
          </span>
        </Show>
      </div>
    </Show>
  );
}

export function LimitedBanner(props: { notice: LimitedNotice }) {
  const app = useAppState();
  const accounts = () => app.provider(props.notice.providerID)?.accounts ?? [];
  return (
    <div role="status" class="flex items-start gap-3 border-b border-warn/40 bg-warn-soft px-4 py-2 text-sm text-fg" data-testid="limited-banner" data-provider={props.notice.providerID}>
      <Clock size={16} aria-hidden="true" class="mt-0.5 shrink-0 text-warn" />
      <p class="min-w-0 flex-1">
        <strong class="font-semibold">{noticeTitle(props.notice, accounts())}</strong>
        <span class="text-muted"> · {noticeDetail(props.notice, app.now())}</span>
      </p>
    </div>
  );
}
