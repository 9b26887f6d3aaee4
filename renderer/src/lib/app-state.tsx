/**
 * Server data the whole window shares: the pool view, connected/supported providers, gateway
 * status, recent conversations and app info. Loaded over the api, then kept current by pushed
 * events merged with `reconcile` (so rows keep their identity and only changed bars redraw).
 * Components read accessors and call named actions; nobody else writes the store.
 */
import { createContext, createSignal, onCleanup, useContext, type Accessor, type JSX } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import type { ConversationSummary, RequestEntry } from '../../../shared/activity';
import type { ProviderID } from '../../../shared/domain';
import type { ForecastView, ProviderForecast, RotationSettingsView, UsageHistoryView } from '../../../shared/forecast';
import {
  MAX_REQUESTS_PER_CALL,
  type AppInfo,
  type ErrorCode,
  type GatewayStatus,
  type LoginSession,
  type Notice,
  type PoolView,
  type ProviderAccounts,
  type ProvidersView,
  type Result,
} from '../../../shared/ipc';
import { notify } from '../ui/toast';
import { usePlatform } from './api';
import { noticeFromEvent, noticeIsOver, type LimitedNotice } from './limited-notice';

interface State {
  pool: PoolView | undefined;
  providers: ProvidersView | undefined;
  gateway: GatewayStatus | undefined;
  /** Why the last `gateway:status` failed (cleared by the next answer): the header says it, not "Gateway…". */
  gatewayError: string | undefined;
  conversations: ConversationSummary[];
  info: AppInfo | undefined;
  /** The first load: every view shows its own loading / error state until it is `ready`. */
  load: LoadState;
  /** All-limited notices, one per provider (the banner), newest event wins. */
  limited: LimitedNotice[];
  /** False while the gateway does not answer (web transport: the event stream or a call failed). */
  reachable: boolean;
  /** Forecasts of every connected provider (issue 15), re-read as usage changes. */
  forecast: ForecastView | undefined;
  rotation: RotationSettingsView | undefined;
  /** Why the last `settings:get` failed: Settings → Rotation says it instead of loading forever. */
  rotationError: string | undefined;
}

export type LoadState = { kind: 'loading' } | { kind: 'ready' } | { kind: 'error'; code: ErrorCode; message: string };

export type SettingsTab = 'providers' | 'detail' | 'rotation' | 'about';

export interface AppState {
  pool: Accessor<PoolView | undefined>;
  providers: Accessor<ProvidersView | undefined>;
  provider: (providerID: ProviderID) => ProviderAccounts | undefined;
  gateway: Accessor<GatewayStatus | undefined>;
  gatewayError: Accessor<string | undefined>;
  /** Read the gateway status again (the header's retry when it could not be read). */
  reloadGateway: () => Promise<void>;
  conversations: Accessor<ConversationSummary[]>;
  info: Accessor<AppInfo | undefined>;
  load: Accessor<LoadState>;
  /** Load everything again (the error state's "Try again", the gateway coming back). */
  reload: () => Promise<void>;
  limited: Accessor<LimitedNotice[]>;
  reachable: Accessor<boolean>;
  /** Reconnect now instead of at the next automatic retry. */
  retryConnection: () => void;
  /** Start a gateway process that Rotary gave up restarting (`gateway.restartable`); false when it could not. */
  restartGateway: () => Promise<boolean>;
  /** Ticks every 15 s so countdowns and ages move. */
  now: Accessor<number>;
  /** Bumped when everything was re-read (reconnect, retry): open views re-read too. */
  reloadSeq: Accessor<number>;
  /** Every finished request as it arrives (the open conversation appends it instead of re-reading). */
  onRequest: (listener: (entry: RequestEntry) => void) => () => void;
  /** Oldest first, up to the activity log's whole conversation; a failure is the view's error state. */
  loadRequests: (conversationID: string) => Promise<Result<RequestEntry[]>>;
  setActive: (providerID: ProviderID, recordID: string) => Promise<boolean>;
  removeAccount: (providerID: ProviderID, recordID: string) => Promise<{ remaining: number } | undefined>;
  /** Let a cooling-down account take requests again now (the user knows better than the reset time). */
  clearCooldown: (providerID: ProviderID, recordID: string) => Promise<boolean>;
  /** Take an account out of rotation without removing it (the gateway skips it, the poller leaves it), or back in. */
  setDisabled: (providerID: ProviderID, recordID: string, disabled: boolean) => Promise<boolean>;
  /** The user's order of a provider's accounts (also the rotation order). Shown at once; undone if the core refuses. */
  reorder: (providerID: ProviderID, orderedIDs: string[]) => Promise<boolean>;
  /** Rename an account; `label` must not be blank (the core rejects it, the form checks first). */
  relabel: (providerID: ProviderID, recordID: string, label: string) => Promise<boolean>;
  /** `quiet`: an automatic refresh (a view opened); failures show in the snapshot, not as a toast. */
  refreshUsage: (providerID?: ProviderID, quiet?: boolean) => Promise<void>;
  onLogin: (listener: (session: LoginSession) => void) => () => void;
  /** One provider's forecast (burn rates, "limit reached at", how long the pool lasts). */
  forecast: (providerID: ProviderID) => ProviderForecast | undefined;
  /** Provider Detail's charts and weekly waste, read when asked (not kept in the store). */
  loadUsageHistory: (providerID: ProviderID) => Promise<Result<UsageHistoryView>>;
  /** The rotation policy and the forecast lead time (Settings → Rotation). */
  rotation: Accessor<RotationSettingsView | undefined>;
  rotationError: Accessor<string | undefined>;
  reloadRotation: () => Promise<void>;
  setRotation: (change: Partial<RotationSettingsView['stored']>) => Promise<boolean>;
  settings: {
    open: Accessor<boolean>;
    tab: Accessor<SettingsTab>;
    providerID: Accessor<ProviderID | undefined>;
    /** Provider whose "Add account" flow should start when its detail opens. */
    pendingLogin: Accessor<ProviderID | undefined>;
    show: (tab?: SettingsTab, providerID?: ProviderID) => void;
    setOpen: (open: boolean) => void;
    setTab: (tab: SettingsTab) => void;
    openProvider: (providerID: ProviderID, startLogin?: boolean) => void;
    takePendingLogin: () => ProviderID | undefined;
  };
}

const AppStateContext = createContext<AppState>();

/** Notices the gateway-stopped banner shows itself (header/app-banners.tsx): no toast repeats them. */
const BANNER_NOTICES = new Set(['gateway-restarting', 'gateway-gave-up', 'gateway-start-failed']);

export function useAppState(): AppState {
  const state = useContext(AppStateContext);
  if (!state) throw new Error('useAppState() outside <AppStateProvider>');
  return state;
}

export function AppStateProvider(props: { children: JSX.Element }) {
  const platform = usePlatform();
  const api = platform.api;
  const [state, setState] = createStore<State>({
    pool: undefined,
    providers: undefined,
    gateway: undefined,
    gatewayError: undefined,
    conversations: [],
    info: undefined,
    load: { kind: 'loading' },
    limited: [],
    reachable: platform.connection?.up() ?? true,
    forecast: undefined,
    rotation: undefined,
    rotationError: undefined,
  });
  const [now, setNow] = createSignal(Date.now());
  const [reloadSeq, setReloadSeq] = createSignal(0);
  const requestListeners = new Set<(entry: RequestEntry) => void>();
  const [settingsOpen, setSettingsOpen] = createSignal(false);
  const [settingsTab, setSettingsTab] = createSignal<SettingsTab>('providers');
  const [settingsProvider, setSettingsProvider] = createSignal<ProviderID | undefined>();
  const [pendingLogin, setPendingLogin] = createSignal<ProviderID | undefined>();

  const clock = setInterval(() => {
    setNow(Date.now());
    dropOverNotices();
    // Time alone moves a forecast (an idle account slows down).
    if (Date.now() - forecastReadAt > 60_000) forecastChanged();
  }, 15_000);
  onCleanup(() => clearInterval(clock));

  function applyPool(view: PoolView) {
    setState('pool', reconcile(view, { merge: true }));
    dropOverNotices();
  }

  /** A notice ends when its provider has an account that can take requests again. */
  function dropOverNotices() {
    const t = Date.now();
    const at = state.pool?.at ?? 0;
    const keep = state.limited.filter(
      (n) => !noticeIsOver(n, { at, accounts: state.pool?.providers.find((p) => p.providerID === n.providerID)?.accounts ?? [] }, t),
    );
    if (keep.length !== state.limited.length) setState('limited', keep);
  }

  function upsertNotice(notice: LimitedNotice) {
    const i = state.limited.findIndex((n) => n.providerID === notice.providerID);
    // In place: the banner element stays, only its text changes.
    if (i >= 0) setState('limited', i, reconcile(notice));
    else setState('limited', state.limited.length, notice);
  }

  function failed(result: Result<unknown>, title: string): boolean {
    if (result.ok) return false;
    notify('error', title, result.error.message);
    return true;
  }

  async function loadProviders() {
    const res = await api.providers.list();
    if (res.ok) setState('providers', reconcile(res.value, { merge: true }));
  }

  async function loadConversations() {
    const res = await api.activity.conversations({ limit: 100 });
    if (res.ok) setState('conversations', reconcile(res.value, { merge: true }));
  }

  async function loadGateway() {
    const res = await api.gateway.status();
    if (res.ok) setState('gateway', reconcile(res.value, { merge: true }));
    setState('gatewayError', res.ok ? undefined : res.error.message);
  }

  // Forecasts follow the usage numbers, which change with every request: re-read at most every 5 s.
  let forecastTimer: ReturnType<typeof setTimeout> | undefined;
  let forecastReadAt = 0;
  async function loadForecast() {
    forecastReadAt = Date.now();
    const res = await api.usage.forecast();
    if (res.ok) setState('forecast', reconcile(res.value, { merge: true }));
  }
  function forecastChanged() {
    if (forecastTimer) return;
    forecastTimer = setTimeout(() => {
      forecastTimer = undefined;
      void loadForecast();
    }, Math.max(250, 5000 - (Date.now() - forecastReadAt)));
  }

  async function loadRotation() {
    const res = await api.settings.get();
    if (res.ok) setState('rotation', res.value);
    setState('rotationError', res.ok ? undefined : res.error.message);
  }

  async function loadAll() {
    // The header reads the gateway status even when the rest fails (it says why, not "Gateway…").
    const gateway = loadGateway();
    const [pool, info] = await Promise.all([api.accounts.list(), api.app.info()]);
    if (!pool.ok) {
      // Keep what is on screen when a reload fails; only a first load shows the error state.
      if (state.load.kind !== 'ready') setState('load', { kind: 'error', code: pool.error.code, message: pool.error.message });
      return;
    }
    applyPool(pool.value);
    if (info.ok) setState('info', info.value);
    await Promise.all([loadProviders(), loadConversations(), gateway, loadForecast(), loadRotation()]);
    setState('load', { kind: 'ready' });
    setReloadSeq((n) => n + 1);
  }

  // Activity arrives in bursts (a streaming client, a rotation storm); re-read at most every 250 ms.
  let convTimer: ReturnType<typeof setTimeout> | undefined;
  function conversationsChanged() {
    if (convTimer) return;
    convTimer = setTimeout(() => {
      convTimer = undefined;
      void loadConversations();
    }, 250);
  }

  const offPool = api.onPool((view) => {
    applyPool(view);
    void loadProviders();
    // Every request changes the pool (usage, health); this also catches activity sent while the
    // event stream was (re)connecting, since the stream opens with a pool view.
    conversationsChanged();
    forecastChanged();
  });
  const offActivity = api.onActivity((event) => {
    if (event.kind === 'request') {
      conversationsChanged();
      for (const l of requestListeners) l(event.entry);
      // A request that got through proves an account is free again, whatever the pool view says yet.
      if (event.entry.status >= 200 && event.entry.status < 300) {
        setState('limited', (list) => list.filter((n) => n.providerID !== event.entry.providerID));
      }
    } else if (event.kind === 'rotation') conversationsChanged();
    // One banner per provider, updated in place: no toast per refused request.
    else if (event.kind === 'all-limited') upsertNotice(noticeFromEvent(event, Date.now()));
    else if (event.kind === 'needs-reauth') notify('error', `${event.label} needs to log in again`, 'Open Settings → Providers to log in again.');
    else if (event.kind === 'limit-forecast') notify('info', `${event.warning.label} runs out soon`, event.warning.message);
    else if (event.kind === 'account-freed') notify('success', event.freed.message);
  });
  const offNotice = api.onNotice((notice: Notice) => {
    // The gateway process restarting, back, or given up: the header and its banner follow at once.
    if (notice.code?.startsWith('gateway-')) void loadGateway();
    // A gateway given up on has its own banner with the same words and the restart button.
    if (notice.code && BANNER_NOTICES.has(notice.code)) return;
    notify(notice.level === 'error' ? 'error' : 'info', notice.message);
  });
  // Back from an outage: everything may have changed meanwhile (and the first load may have failed).
  const offConnection = platform.connection?.onChange((up) => {
    setState('reachable', up);
    if (up) void loadAll();
  });
  const gatewayTimer = setInterval(() => void loadGateway(), 10_000);
  onCleanup(() => {
    offPool();
    offActivity();
    offNotice();
    offConnection?.();
    clearInterval(gatewayTimer);
    if (convTimer) clearTimeout(convTimer);
    if (forecastTimer) clearTimeout(forecastTimer);
  });
  void loadAll();

  const value: AppState = {
    pool: () => state.pool,
    providers: () => state.providers,
    provider: (id) => state.pool?.providers.find((p) => p.providerID === id),
    gateway: () => state.gateway,
    gatewayError: () => state.gatewayError,
    reloadGateway: loadGateway,
    conversations: () => state.conversations,
    info: () => state.info,
    load: () => state.load,
    reload: loadAll,
    limited: () => state.limited,
    reachable: () => state.reachable,
    retryConnection() {
      platform.connection?.retry();
      void loadGateway();
    },
    now,
    reloadSeq,
    onRequest(listener) {
      requestListeners.add(listener);
      return () => void requestListeners.delete(listener);
    },
    async loadRequests(conversationID) {
      const res = await api.activity.requests({ conversationID, limit: MAX_REQUESTS_PER_CALL });
      // Oldest first whatever order the core sends (the table reads top to bottom in time).
      return res.ok ? { ok: true, value: [...res.value].sort((a, b) => a.at - b.at) } : res;
    },
    async restartGateway() {
      const res = await api.gateway.restart();
      if (failed(res, 'Could not restart the gateway')) return false;
      if (res.ok) setState('gateway', reconcile(res.value, { merge: true }));
      return true;
    },
    async setActive(providerID, recordID) {
      const res = await api.accounts.setActive({ providerID, recordID });
      if (failed(res, 'Could not switch account')) return false;
      if (res.ok && state.pool) {
        const i = state.pool.providers.findIndex((p) => p.providerID === providerID);
        if (i >= 0) setState('pool', 'providers', i, reconcile(res.value, { merge: true }));
      }
      return true;
    },
    async removeAccount(providerID, recordID) {
      const res = await api.accounts.remove({ providerID, recordID });
      if (failed(res, 'Could not remove account') || !res.ok) return undefined;
      // The pool event follows; re-read now so the list is right even if events are down.
      const pool = await api.accounts.list();
      if (pool.ok) applyPool(pool.value);
      await loadProviders();
      return res.value;
    },
    async clearCooldown(providerID, recordID) {
      const res = await api.accounts.clearCooldown({ providerID, recordID });
      if (failed(res, 'Could not clear the cooldown')) return false;
      // The pool event follows; re-read now so the row is right even if events are down.
      const pool = await api.accounts.list();
      if (pool.ok) applyPool(pool.value);
      return true;
    },
    async setDisabled(providerID, recordID, disabled) {
      const res = await api.accounts.setDisabled({ providerID, recordID, disabled });
      if (failed(res, disabled ? 'Could not disable the account' : 'Could not enable the account')) return false;
      // The pool event follows; re-read now so the row is right even if events are down.
      const pool = await api.accounts.list();
      if (pool.ok) applyPool(pool.value);
      return true;
    },
    async reorder(providerID, orderedIDs) {
      const i = state.pool?.providers.findIndex((p) => p.providerID === providerID) ?? -1;
      if (i >= 0) {
        const byID = new Map(state.pool!.providers[i]!.accounts.map((a) => [a.id, a]));
        const moved = orderedIDs.map((id) => byID.get(id)).filter((a) => a !== undefined);
        if (moved.length === byID.size) setState('pool', 'providers', i, 'accounts', moved);
      }
      const res = await api.accounts.reorder({ providerID, orderedIDs });
      if (failed(res, 'Could not change the order')) {
        const pool = await api.accounts.list();
        if (pool.ok) applyPool(pool.value);
        return false;
      }
      if (res.ok && i >= 0) setState('pool', 'providers', i, reconcile(res.value, { merge: true }));
      return true;
    },
    async relabel(providerID, recordID, label) {
      const res = await api.accounts.relabel({ providerID, recordID, label });
      if (failed(res, 'Could not rename the account')) return false;
      // The pool event follows; re-read now so the row is right even if events are down.
      const pool = await api.accounts.list();
      if (pool.ok) applyPool(pool.value);
      return true;
    },
    async refreshUsage(providerID, quiet) {
      const res = await api.usage.refresh(providerID ? { providerID } : {});
      if (!res.ok) {
        if (!quiet) failed(res, 'Could not refresh usage');
        return;
      }
      // A refresh of one provider answers with that provider only: merge, do not replace.
      if (!providerID) return applyPool(res.value);
      const fresh = res.value.providers.find((p) => p.providerID === providerID);
      const i = state.pool?.providers.findIndex((p) => p.providerID === providerID) ?? -1;
      if (fresh && i >= 0) setState('pool', 'providers', i, reconcile(fresh, { merge: true }));
    },
    onLogin: (listener) => api.onLogin(listener),
    forecast: (id) => state.forecast?.providers.find((p) => p.providerID === id),
    loadUsageHistory: (providerID) => api.usage.history({ providerID }),
    rotation: () => state.rotation,
    rotationError: () => state.rotationError,
    reloadRotation: loadRotation,
    async setRotation(change) {
      const res = await api.settings.set(change);
      if (failed(res, 'Could not change the setting') || !res.ok) return false;
      setState('rotation', res.value);
      // The policy shows in the forecasts: read them again.
      void loadForecast();
      return true;
    },
    settings: {
      open: settingsOpen,
      tab: settingsTab,
      providerID: settingsProvider,
      pendingLogin,
      show(tab, providerID) {
        if (providerID) setSettingsProvider(providerID);
        setSettingsTab(tab ?? 'providers');
        setSettingsOpen(true);
      },
      setOpen: setSettingsOpen,
      setTab: setSettingsTab,
      openProvider(providerID, startLogin) {
        setSettingsProvider(providerID);
        setPendingLogin(startLogin ? providerID : undefined);
        setSettingsTab('detail');
        setSettingsOpen(true);
      },
      takePendingLogin() {
        const p = pendingLogin();
        setPendingLogin(undefined);
        return p;
      },
    },
  };

  return <AppStateContext.Provider value={value}>{props.children}</AppStateContext.Provider>;
}
