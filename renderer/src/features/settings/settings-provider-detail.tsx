/**
 * One provider's accounts: who is active, each account's health, usage and forecast, rename,
 * Switch, Disable/Enable (out of rotation without removing it), remove (with confirmation) and
 * "Add account"; below them the usage history (charts,
 * the weekly waste). Removing the last account returns to Providers.
 */
import ArrowDown from 'lucide-solid/icons/arrow-down';
import ArrowUp from 'lucide-solid/icons/arrow-up';
import GripVertical from 'lucide-solid/icons/grip-vertical';
import Plus from 'lucide-solid/icons/plus';
import RefreshCw from 'lucide-solid/icons/refresh-cw';
import X from 'lucide-solid/icons/x';
import { createEffect, createMemo, createSignal, For, on, Show } from 'solid-js';
import { PROVIDER_NAMES, type ProviderID } from '../../../../shared/domain';
import type { AccountViewDTO } from '../../../../shared/ipc';
import { formatClock } from '../../../../shared/usage-format';
import { accountStatusText, accountTitle, coolingUntil, familyLimitTexts, type StatusTone } from '../../lib/account-status';
import { useAppState } from '../../lib/app-state';
import { ConfirmDialog } from '../../ui/alert-dialog';
import { Button, buttonClass } from '../../ui/button';
import { Spinner } from '../../ui/spinner';
import { staticIcon } from '../../ui/static-icon';
import { notify } from '../../ui/toast';
import { AccountForecastLine, PoolForecastLine } from '../forecast/forecast-lines';
import { UsageHistory } from '../history/usage-history';
import { UsageWindows } from '../usage/usage-windows';
import { AccountRename } from './settings-account-rename';
import { LoginFlow } from './settings-login';

// Per row: plain buttons styled by buttonClass, not ui/Button, and cloned icons, not lucide
// components: each Kobalte Button and lucide icon costs a context, a props split and a
// polymorphic wrapper, and 50 rows hold hundreds of them (the 50-account bench, issue 5).
// The rows have content-visibility: auto, so the browser lays out and paints only those near
// the screen; contain-intrinsic-size guesses the height of the others ("auto" keeps a row's
// real height once drawn), and they stay in the DOM and the accessibility tree.
const gripIcon = staticIcon(GripVertical, { size: 14 });
const upIcon = staticIcon(ArrowUp, { size: 12 });
const downIcon = staticIcon(ArrowDown, { size: 12 });
const removeIcon = staticIcon(X, { size: 16 });
const moveClass =
  'inline-flex h-5 w-5 items-center justify-center rounded-md text-muted hover:bg-surface-2 hover:text-fg focus-visible:outline-2 focus-visible:outline-focus';

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
  const forecast = () => app.forecast(props.providerID);
  // One lookup table per forecast, not a search per row (50 rows in the bench).
  const forecastOf = createMemo(() => new Map((forecast()?.accounts ?? []).map((a) => [a.recordID, a])));
  const [adding, setAdding] = createSignal(false);
  const [pendingRemove, setPendingRemove] = createSignal<AccountViewDTO>();
  const [removing, setRemoving] = createSignal(false);
  const [switching, setSwitching] = createSignal<string>();
  const [refreshing, setRefreshing] = createSignal(false);
  const [clearing, setClearing] = createSignal<string>();
  const [toggling, setToggling] = createSignal<string>();
  let addButton: HTMLButtonElement | undefined;
  let loginSection: HTMLElement | undefined;
  let removedJustNow = false;
  const rowEls = new Map<string, HTMLLIElement>();
  /** Where the account's token goes away from, named as it is (not "keychain" for the file backend). */
  const secretPlace = () => {
    const store = app.info()?.secretStore;
    if (store === 'file') return 'Rotary’s secrets file';
    if (store === 'encrypted-file') return 'Rotary’s encrypted secrets file';
    if (store === 'keychain') return 'the system keychain';
    return 'where Rotary keeps it';
  };

  function startAdding() {
    setAdding(true);
    // The button hides while the login runs (one "Add account" on screen): focus goes into the login.
    loginSection?.focus();
  }

  function stopAdding() {
    setAdding(false);
    addButton?.focus();
  }

  // "Add provider" → this tab with the login already running.
  createEffect(
    on(
      () => props.providerID,
      (id) => {
        setAdding(app.settings.takePendingLogin() === id);
        if (adding()) queueMicrotask(() => loginSection?.focus());
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
    // This view goes with the last account; the dialog then focuses the provider search (ui/focus-keeper.ts).
    if (res.remaining === 0) app.settings.setTab('providers');
  }

  // The user's order (also the rotation order): drag a row by its handle, or its arrow buttons.
  const moveButtons = new Map<string, HTMLButtonElement>();
  const [dragging, setDragging] = createSignal<string>();

  async function move(id: string, to: number) {
    const ids = accounts().map((a) => a.id);
    const from = ids.indexOf(id);
    if (from < 0 || to < 0 || to >= ids.length || to === from) return;
    ids.splice(from, 1);
    ids.splice(to, 0, id);
    return app.reorder(props.providerID, ids);
  }

  async function moveByKey(id: string, delta: -1 | 1) {
    const from = accounts().findIndex((a) => a.id === id);
    const done = move(id, from + delta);
    // Moving the row in the DOM blurs the button that moved it: give focus back to it.
    queueMicrotask(() => moveButtons.get(`${id}:${delta}`)?.focus());
    await done;
  }

  // The pressed button goes away (Switch on the now active account, Clear cooldown on a cleared
  // one): focus the account's row, which stays.
  const focusRow = (id: string) => rowEls.get(id)?.focus();

  async function switchTo(account: AccountViewDTO) {
    setSwitching(account.id);
    const ok = await app.setActive(props.providerID, account.id);
    setSwitching(undefined);
    if (ok) focusRow(account.id);
  }

  async function toggleDisabled(account: AccountViewDTO) {
    const disable = account.status.kind !== 'disabled';
    setToggling(account.id);
    const ok = await app.setDisabled(props.providerID, account.id, disable);
    setToggling(undefined);
    if (!ok) return;
    notify('success', disable ? `${account.label} is out of rotation` : `${account.label} takes requests again`, disable ? 'The gateway skips it until you enable it.' : undefined);
    // The pressed button changes its name (Disable ↔ Enable): keep focus on the row that stays.
    focusRow(account.id);
  }

  async function clearCooldown(account: AccountViewDTO) {
    setClearing(account.id);
    if (await app.clearCooldown(props.providerID, account.id)) {
      notify('success', `${account.label} can take requests again`);
      focusRow(account.id);
    }
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
          <h2 class="text-base font-semibold outline-none" tabindex="-1" data-dialog-focus>
            {PROVIDER_NAMES[props.providerID]}
          </h2>
          <p class="text-xs text-muted">
            {accounts().length === 1 ? '1 account' : `${accounts().length} accounts`} · the gateway uses the active
            one and, on a rate limit, rotates to the next in this order (drag or arrows to change it).
          </p>
          <PoolForecastLine forecast={forecast()} now={app.now()} />
        </div>
        <div class="flex gap-2">
          <Show when={accounts().length > 0}>
            <Button size="sm" variant="secondary" onClick={() => void refresh()} disabled={refreshing()}>
              <RefreshCw size={14} aria-hidden="true" class={refreshing() ? 'animate-spin' : ''} /> Refresh usage
            </Button>
          </Show>
          <Show when={!adding()}>
            <Button ref={addButton} size="sm" variant="primary" onClick={startAdding}>
              <Plus size={14} aria-hidden="true" /> Add account
            </Button>
          </Show>
        </div>
      </div>

      <Show when={adding()}>
        <LoginFlow providerID={props.providerID} now={app.now()} onClose={stopAdding} sectionRef={(el) => (loginSection = el)} />
      </Show>

      <Show when={!app.pool()}>
        <Spinner label="Loading the accounts…" />
      </Show>

      <Show when={app.pool() && accounts().length === 0 && !adding()}>
        <p class="rounded-lg border border-dashed border-line p-6 text-center text-sm text-muted">
          No {PROVIDER_NAMES[props.providerID]} accounts yet. Choose “Add account” to log in.
        </p>
      </Show>

      <ul class="flex flex-col gap-2" aria-label={`${PROVIDER_NAMES[props.providerID]} accounts`}>
        <For each={accounts()}>
          {(account) => {
            const title = () => accountTitle(account);
            const status = () => accountStatusText(account.status, app.now(), account.usage);
            const until = () => coolingUntil(account, app.now());
            return (
              <li
                ref={(el) => rowEls.set(account.id, el)}
                tabindex="-1"
                onDragOver={(e) => {
                  if (dragging() && dragging() !== account.id) e.preventDefault();
                }}
                onDrop={(e) => {
                  e.preventDefault();
                  const id = dragging();
                  setDragging(undefined);
                  if (id) void move(id, accounts().findIndex((a) => a.id === account.id));
                }}
                class={`rounded-lg border p-3 outline-offset-2 [content-visibility:auto] [contain-intrinsic-size:auto_10rem] ${account.isActive ? 'border-accent bg-accent-soft/30' : 'border-line bg-surface'} ${dragging() === account.id ? 'opacity-50' : ''}`}
                data-testid="account-row"
                data-account-id={account.id}
                data-active={account.isActive ? 'true' : 'false'}
                aria-label={account.label}
              >
                <div class="flex items-start justify-between gap-3">
                  <div class="flex shrink-0 flex-col items-center" role="group" aria-label={`Order of ${account.label}`}>
                    <span
                      draggable="true"
                      class="cursor-grab rounded p-0.5 text-muted hover:bg-surface-2"
                      title="Drag to change the order (also the rotation order)"
                      data-testid="drag-handle"
                      onDragStart={(e) => {
                        setDragging(account.id);
                        e.dataTransfer?.setData('text/plain', account.id);
                        if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
                      }}
                      onDragEnd={() => setDragging(undefined)}
                    >
                      {gripIcon()}
                    </span>
                    <button
                      ref={(el) => moveButtons.set(`${account.id}:-1`, el)}
                      type="button"
                      class={moveClass}
                      aria-label={`Move ${account.label} up`}
                      onClick={() => void moveByKey(account.id, -1)}
                    >
                      {upIcon()}
                    </button>
                    <button
                      ref={(el) => moveButtons.set(`${account.id}:1`, el)}
                      type="button"
                      class={moveClass}
                      aria-label={`Move ${account.label} down`}
                      onClick={() => void moveByKey(account.id, 1)}
                    >
                      {downIcon()}
                    </button>
                  </div>
                  <div class="min-w-0 flex-1">
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
                      <button
                        type="button"
                        class={buttonClass('secondary', 'sm')}
                        onClick={() => void clearCooldown(account)}
                        disabled={clearing() !== undefined}
                        aria-label={`Clear cooldown of ${account.label}`}
                      >
                        Clear cooldown
                      </button>
                    </Show>
                    {/* A disabled account takes no requests: Enable it first (disabling the active one hands "active" on). */}
                    <Show when={!account.isActive && account.status.kind !== 'disabled'}>
                      <button
                        type="button"
                        class={buttonClass('secondary', 'sm')}
                        onClick={() => void switchTo(account)}
                        disabled={switching() !== undefined}
                        title={until() ? `Becomes active now, takes requests from ${formatClock(until()!, app.now())}` : undefined}
                      >
                        {/* Named by its content, hidden words included: switching to a cooling account makes it active, but it serves only once free. */}
                        Switch<span class="sr-only"> to {account.label}</span>
                        <Show when={until()}>
                          {(t) => (
                            <>
                              {` · from ${formatClock(t(), app.now())}`}
                              <span class="sr-only">
                                {`: it is rate-limited until ${formatClock(t(), app.now())}; requests go to the other accounts until then`}
                              </span>
                            </>
                          )}
                        </Show>
                      </button>
                    </Show>
                    <button
                      type="button"
                      class={buttonClass('secondary', 'sm')}
                      onClick={() => void toggleDisabled(account)}
                      disabled={toggling() !== undefined}
                      title={account.status.kind === 'disabled' ? 'Put it back into rotation' : 'Keep the account but send it no requests'}
                    >
                      {account.status.kind === 'disabled' ? 'Enable' : 'Disable'}
                      <span class="sr-only"> {account.label}</span>
                    </button>
                    <button
                      type="button"
                      class={buttonClass('ghost', 'icon', 'text-muted hover:text-danger')}
                      aria-label={`Remove ${account.label}`}
                      onClick={() => setPendingRemove(account)}
                    >
                      {removeIcon()}
                    </button>
                  </div>
                </div>
                <div class="mt-3">
                  <UsageWindows
                    usage={account.usage}
                    now={app.now()}
                    columns={3}
                    emptyText="No usage numbers yet: they arrive with the next request or “Refresh usage”."
                  />
                  <AccountForecastLine forecast={forecastOf().get(account.id)} now={app.now()} />
                </div>
              </li>
            );
          }}
        </For>
      </ul>

      <Show when={accounts().length > 0}>
        <UsageHistory providerID={props.providerID} accountCount={accounts().length} />
      </Show>

      <ConfirmDialog
        open={pendingRemove() !== undefined}
        onOpenChange={(open) => !open && !removing() && setPendingRemove(undefined)}
        title={`Remove ${pendingRemove()?.label ?? 'account'}?`}
        description={
          <>
            Rotary forgets this {PROVIDER_NAMES[props.providerID]} account and deletes its token from {secretPlace()}. You
            can add it again later by logging in.
          </>
        }
        confirmLabel="Remove"
        busy={removing()}
        onConfirm={() => void confirmRemove()}
        focusAfterClose={() => {
          if (!removedJustNow) return false;
          removedJustNow = false;
          // The X that opened it went with its account.
          if (!addButton?.isConnected) return false;
          addButton.focus();
          return true;
        }}
      />
    </div>
  );
}
