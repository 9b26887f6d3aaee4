/**
 * One provider's accounts: who is active, each account's health and usage, rename, Switch, remove
 * (with confirmation) and "Add account". Removing the last account returns to Providers.
 */
import Plus from 'lucide-solid/icons/plus';
import RefreshCw from 'lucide-solid/icons/refresh-cw';
import X from 'lucide-solid/icons/x';
import { createEffect, createSignal, For, on, Show } from 'solid-js';
import { PROVIDER_NAMES, type ProviderID } from '../../../../shared/domain';
import type { AccountViewDTO } from '../../../../shared/ipc';
import { accountStatusText, accountTitle, familyLimitTexts, type StatusTone } from '../../lib/account-status';
import { useAppState } from '../../lib/app-state';
import { ConfirmDialog } from '../../ui/alert-dialog';
import { Button } from '../../ui/button';
import { notify } from '../../ui/toast';
import { UsageWindows } from '../usage/usage-windows';
import { AccountRename } from './settings-account-rename';
import { LoginFlow } from './settings-login';

const toneClass: Record<StatusTone, string> = {
  ok: 'text-ok',
  cooling: 'text-warn',
  error: 'text-danger',
  muted: 'text-muted',
};

export function SettingsProviderDetail(props: { providerID: ProviderID }) {
  const app = useAppState();
  const view = () => app.provider(props.providerID);
  const accounts = () => view()?.accounts ?? [];
  const [adding, setAdding] = createSignal(false);
  const [pendingRemove, setPendingRemove] = createSignal<AccountViewDTO>();
  const [removing, setRemoving] = createSignal(false);
  const [switching, setSwitching] = createSignal<string>();
  const [refreshing, setRefreshing] = createSignal(false);
  const [clearing, setClearing] = createSignal<string>();
  let addButton: HTMLButtonElement | undefined;
  let removedJustNow = false;

  // "Add provider" → this tab with the login already running.
  createEffect(
    on(
      () => props.providerID,
      (id) => {
        setAdding(app.settings.takePendingLogin() === id);
        // Opening the view asks for fresh numbers; the poller skips accounts polled moments ago.
        if (app.provider(id)?.accounts.length) void app.refreshUsage(id, true);
      },
    ),
  );

  async function confirmRemove() {
    const account = pendingRemove();
    if (!account) return;
    setRemoving(true);
    const res = await app.removeAccount(props.providerID, account.id);
    setRemoving(false);
    setPendingRemove(undefined);
    if (!res) return;
    removedJustNow = true;
    notify('success', `Removed ${account.label}`, res.remaining === 0 ? 'No accounts left for this provider.' : undefined);
    if (res.remaining === 0) app.settings.setTab('providers');
  }

  async function switchTo(account: AccountViewDTO) {
    setSwitching(account.id);
    await app.setActive(props.providerID, account.id);
    setSwitching(undefined);
  }

  async function clearCooldown(account: AccountViewDTO) {
    setClearing(account.id);
    if (await app.clearCooldown(props.providerID, account.id)) notify('success', `${account.label} can take requests again`);
    setClearing(undefined);
  }

  async function refresh() {
    setRefreshing(true);
    await app.refreshUsage(props.providerID);
    setRefreshing(false);
  }

  return (
    <div class="flex flex-col gap-4" data-testid="provider-detail">
      <div class="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h2 class="text-base font-semibold">{PROVIDER_NAMES[props.providerID]}</h2>
          <p class="text-xs text-muted">
            {accounts().length === 1 ? '1 account' : `${accounts().length} accounts`} · the gateway uses the active
            one and rotates to the next on a rate limit.
          </p>
        </div>
        <div class="flex gap-2">
          <Show when={accounts().length > 0}>
            <Button size="sm" variant="secondary" onClick={() => void refresh()} disabled={refreshing()}>
              <RefreshCw size={14} aria-hidden="true" class={refreshing() ? 'animate-spin' : ''} /> Refresh usage
            </Button>
          </Show>
          <Button ref={addButton} size="sm" variant="primary" onClick={() => setAdding(true)} disabled={adding()}>
            <Plus size={14} aria-hidden="true" /> Add account
          </Button>
        </div>
      </div>

      <Show when={adding()}>
        <LoginFlow providerID={props.providerID} now={app.now()} onClose={() => setAdding(false)} />
      </Show>

      <Show when={accounts().length === 0 && !adding()}>
        <p class="rounded-lg border border-dashed border-line p-6 text-center text-sm text-muted">
          No {PROVIDER_NAMES[props.providerID]} accounts yet. Choose “Add account” to log in.
        </p>
      </Show>

      <ul class="flex flex-col gap-2" aria-label={`${PROVIDER_NAMES[props.providerID]} accounts`}>
        <For each={accounts()}>
          {(account) => {
            const title = () => accountTitle(account);
            const status = () => accountStatusText(account.status, app.now());
            return (
              <li
                class={`rounded-lg border p-3 ${account.isActive ? 'border-accent bg-accent-soft/30' : 'border-line bg-surface'}`}
                data-testid="account-row"
                data-account-id={account.id}
                data-active={account.isActive ? 'true' : 'false'}
                aria-label={account.label}
              >
                <div class="flex items-start justify-between gap-3">
                  <div class="min-w-0">
                    <div class="flex flex-wrap items-center gap-2">
                      <AccountRename providerID={props.providerID} account={account} title={title().title} />
                      <Show when={account.isActive}>
                        <span
                          class="rounded-full bg-accent px-2 py-0.5 text-[10px] font-semibold uppercase tracking-wide text-accent-fg"
                          data-testid="active-badge"
                        >
                          Active
                        </span>
                      </Show>
                    </div>
                    <Show when={title().subtitle}>
                      <p class="truncate text-xs text-muted">{title().subtitle}</p>
                    </Show>
                    <p class={`mt-0.5 text-xs ${toneClass[status().tone]}`} data-testid="account-status">
                      {status().text}
                    </p>
                    <For each={familyLimitTexts(account.health.scopedCooldowns, app.now())}>
                      {(text) => (
                        <p class={`text-xs ${toneClass.cooling}`} data-testid="account-family-limit">
                          {text}
                        </p>
                      )}
                    </For>
                  </div>
                  <div class="flex shrink-0 items-center gap-1">
                    <Show when={account.status.kind === 'cooling' || familyLimitTexts(account.health.scopedCooldowns, app.now()).length > 0}>
                      <Button
                        size="sm"
                        variant="secondary"
                        onClick={() => void clearCooldown(account)}
                        disabled={clearing() !== undefined}
                        aria-label={`Clear the cooldown of ${account.label}`}
                      >
                        Clear cooldown
                      </Button>
                    </Show>
                    <Show when={!account.isActive}>
                      <Button
                        size="sm"
                        variant="secondary"
                        onClick={() => void switchTo(account)}
                        disabled={switching() !== undefined}
                        aria-label={`Switch to ${account.label}`}
                      >
                        Switch
                      </Button>
                    </Show>
                    <Button
                      size="icon"
                      variant="ghost"
                      class="text-muted hover:text-danger"
                      aria-label={`Remove ${account.label}`}
                      onClick={() => setPendingRemove(account)}
                    >
                      <X size={16} aria-hidden="true" />
                    </Button>
                  </div>
                </div>
                <div class="mt-3">
                  <UsageWindows
                    usage={account.usage}
                    now={app.now()}
                    columns={3}
                    emptyText="No usage numbers yet: they arrive with the next request or “Refresh usage”."
                  />
                </div>
              </li>
            );
          }}
        </For>
      </ul>

      <ConfirmDialog
        open={pendingRemove() !== undefined}
        onOpenChange={(open) => !open && !removing() && setPendingRemove(undefined)}
        title={`Remove ${pendingRemove()?.label ?? 'account'}?`}
        description={
          <>
            Rotary forgets this {PROVIDER_NAMES[props.providerID]} account and deletes its token from the keychain. You
            can add it again later by logging in.
          </>
        }
        confirmLabel="Remove"
        busy={removing()}
        onConfirm={() => void confirmRemove()}
        focusAfterClose={() => {
          if (!removedJustNow) return false;
          removedJustNow = false;
          addButton?.focus();
          return true;
        }}
      />
    </div>
  );
}
