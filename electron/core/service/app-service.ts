/**
 * The application service: every channel of the IPC contract implemented over the core.
 * The desktop app (Electron IPC) and the headless gateway (web transport) run the same
 * service; each transport only carries calls into `dispatch()` and events out of `events`.
 *
 * Collaborators arrive as arguments (STYLE §5). Those a process may lack — login flows,
 * usage poller, gateway, clipboard, an OS browser — are optional; their channels then answer
 * `{ok:false, error:{code:'unavailable'}}` instead of failing in surprising ways.
 *
 * Views are built from pool metadata only; the vault is never read here except through the
 * login/usage collaborators, which keep tokens inside the core.
 */
import { DEFAULT_NAMESPACE, type ProviderID } from '../../../shared/domain.js';
import { GATEWAY_KEY_PLACEHOLDER, type AppInfo, type ClientSetting, type EventName, type EventPayload, type GatewayStatus, type Notice, type Result, type UiCommand } from '../../../shared/ipc.js';
import type { NoticeSource } from '../history/history.js';
import type { ReadingFilter, ReadingRow } from '../history/history-db.js';
import type { AccountPool } from '../pool/account-pool.js';
import type { PoolStore } from '../pool/store.js';
import { gatewayClientSettings } from '../clients/registry.js';
import type { EnvOverrides } from '../rotation/policy.js';
import { RotaryError } from '../errors.js';
import { dispatch } from './dispatch.js';
import { toResult } from './errors.js';
import { createEventHub } from './event-hub.js';
import { isAllowedExternalUrl } from './external-links.js';
import { createLoginSessions, type LoginDriver } from './login-sessions.js';
import { onNotices, pendingNotices } from './notice-sources.js';
import { createSetupHandlers, type SetupDeps } from './setup-handlers.js';
import type { ActivityPort, GatewayPort, ServiceEvents, ServiceHandlers, UsagePort, VaultPort } from './types.js';
import { forecastView, rotationSettingsView, usageHistoryView } from './forecast-views.js';
import { findAccountView, poolView, providerAccounts, providersView } from './views.js';

export interface AppServiceDeps {
  pool: AccountPool;
  /** Store notices (corrupt file recovered) become `events:notice`. */
  store?: Pick<PoolStore, 'pendingNotices' | 'onNotice'>;
  shell: 'electron' | 'web';
  version: string;
  login?: LoginDriver;
  usage?: UsagePort;
  gateway?: GatewayPort;
  activity?: ActivityPort;
  /** `vault:*` channels (service/vault-gate.ts). */
  vault?: VaultPort;
  /** `setup:*` channels ("Connect a tool"): where the tools' config files and the setup records are. */
  setup?: SetupDeps;
  /** The history database: forecasts and charts read it; its notices (rebuilt, size cap) become `events:notice`. */
  history?: { notices: NoticeSource; readings(filter: ReadingFilter): ReadingRow[] | undefined };
  /** ROTARY_ROTATION_POLICY / ROTARY_FORECAST_LEAD_MINUTES, already parsed (they win over the stored settings). */
  rotationEnv?: EnvOverrides;
  /** Electron main's clipboard. Absent over the web transport (the browser copies itself). */
  writeClipboard?: (text: string) => void;
  /** Electron's `shell.openExternal`. Absent over the web transport. */
  openExternal?: (url: string) => Promise<void>;
  /** Origins allowed for `app:openExternal` besides the https allow-list (the ROTARY_UPSTREAM origin). */
  extraExternalOrigins?: string[];
  now?: () => number;
  /** Coalesce bursts of pool changes into one `events:pool` (ms, default 25). */
  poolEventDelayMs?: number;
}

export interface AppService {
  handlers: ServiceHandlers;
  events: ServiceEvents;
  /** Validate and run one call (input and output parsed with the channel's schemas). Never throws. */
  call(channel: string, input: unknown): Promise<Result<unknown>>;
  /** Tell the UI something (vault file-backend warning, gateway port in use…). */
  notify(notice: Omit<Notice, 'at'>): void;
  /** Ask the UI to do something (tray "Settings…"). */
  command(command: UiCommand): void;
  close(): void;
}

export const APP_LINKS: AppInfo['links'] = [
  { label: 'GitHub', url: 'https://github.com/rotary-app/rotary' },
  { label: 'Documentation', url: 'https://github.com/rotary-app/rotary#readme' },
  // Says what it is: the project's chat is GitHub Discussions, not a Discord server.
  { label: 'Community chat (GitHub Discussions)', url: 'https://github.com/rotary-app/rotary/discussions' },
];

export const APP_SHORTCUTS: AppInfo['shortcuts'] = [
  { keys: 'Ctrl/Cmd+,', action: 'Open Settings' },
  { keys: 'Esc', action: 'Close a dialog' },
  { keys: 'Tab / Shift+Tab', action: 'Move between controls' },
  { keys: 'Arrow keys', action: 'Move between tabs' },
  { keys: 'Enter / Space', action: 'Activate a button' },
];

/** The `app:info` answer (also given by the vault gate before the core is open). */
export function appInfo(shell: AppInfo['shell'], version: string): AppInfo {
  return { name: 'Rotary', version, shell, links: APP_LINKS, shortcuts: APP_SHORTCUTS };
}

/** The "Connect a tool" panel's settings: the key appears only as the placeholder (the renderer never holds it over IPC). */
function panelSettings(url: string): ClientSetting[] {
  return gatewayClientSettings({ url, key: GATEWAY_KEY_PLACEHOLDER }).map((s) => ({
    clientID: s.id,
    title: s.title,
    format: s.where,
    text: s.snippet,
    ...(s.note ? { note: s.note } : {}),
  }));
}

const unavailable = (what: string): Result<never> => ({ ok: false, error: { code: 'unavailable', message: what } });

export function createAppService(deps: AppServiceDeps): AppService {
  const { pool } = deps;
  const now = deps.now ?? Date.now;
  const hub = createEventHub();
  const cleanups: Array<() => void> = [];
  const emit = <E extends EventName>(name: E, payload: EventPayload<E>) => hub.emit(name, payload);

  // Pool changes arrive in bursts (a flush after several requests, a file reload); one view per burst is enough.
  let poolTimer: NodeJS.Timeout | undefined;
  cleanups.push(
    pool.onChange(() => {
      if (poolTimer) return;
      poolTimer = setTimeout(() => {
        poolTimer = undefined;
        emit('events:pool', poolView(pool, now()));
      }, deps.poolEventDelayMs ?? 25);
    }),
    () => clearTimeout(poolTimer),
  );

  const notify = (notice: Omit<Notice, 'at'>) => emit('events:notice', { ...notice, at: now() });
  cleanups.push(onNotices(deps, notify));
  const rotationEnv = deps.rotationEnv ?? {};
  const forecastDeps = { pool, history: deps.history, rotationEnv };
  if (deps.activity) cleanups.push(deps.activity.subscribe((event) => emit('events:activity', event)));

  const login = createLoginSessions({ driver: deps.login, pool, emit: (s) => emit('events:login', s) });
  cleanups.push(() => login.close());

  const guarded = toResult;

  function requireAccount(providerID: ProviderID, recordID: string) {
    const record = pool.getRecord(providerID, recordID);
    if (!record) throw new RotaryError('not-found', `No ${providerID} account with id ${recordID}; it may have been removed already.`);
    return record;
  }

  function accountAfter(providerID: ProviderID, recordID: string) {
    const view = findAccountView(pool, providerID, recordID);
    if (!view) throw new RotaryError('not-found', `No ${providerID} account with id ${recordID}.`);
    return view;
  }

  function gatewayStatus(): GatewayStatus {
    const gw = deps.gateway;
    const url = gw?.url();
    const port = gw?.port();
    const error = gw?.error?.();
    return {
      running: gw?.running() ?? false,
      ...(url ? { url } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(error ? { error } : gw ? {} : { error: 'The gateway is not started in this process.' }),
      ...(gw?.restartable?.() ? { restartable: true } : {}),
      clients: url ? panelSettings(url) : [],
    };
  }

  const handlers: ServiceHandlers = {
    'accounts:list': (input) => guarded(() => poolView(pool, now(), input?.providerID)),

    'accounts:setActive': ({ providerID, recordID }) =>
      guarded(async () => {
        const record = requireAccount(providerID, recordID);
        await pool.setActive(providerID, record.namespace ?? DEFAULT_NAMESPACE, recordID);
        return providerAccounts(pool, providerID);
      }),

    'accounts:remove': ({ providerID, recordID }) =>
      guarded(async () => {
        requireAccount(providerID, recordID);
        return pool.removeRecord(providerID, recordID);
      }),

    'accounts:relabel': ({ providerID, recordID, label }) =>
      guarded(async () => {
        await pool.relabel(providerID, recordID, label);
        return accountAfter(providerID, recordID);
      }),

    'accounts:clearCooldown': ({ providerID, recordID }) =>
      guarded(async () => {
        await pool.clearCooldown(providerID, recordID);
        return accountAfter(providerID, recordID);
      }),

    'accounts:reorder': ({ providerID, orderedIDs }) =>
      guarded(async () => {
        await pool.reorder(providerID, DEFAULT_NAMESPACE, orderedIDs);
        return providerAccounts(pool, providerID);
      }),

    'accounts:setDisabled': ({ providerID, recordID, disabled }) =>
      guarded(async () => {
        await pool.setDisabled(providerID, recordID, disabled);
        return accountAfter(providerID, recordID);
      }),

    'providers:list': () => guarded(() => providersView(pool)),

    'usage:refresh': async (input) => {
      if (!deps.usage) return unavailable('Usage polling is not available in this process.');
      const target = { ...(input?.providerID ? { providerID: input.providerID } : {}), ...(input?.recordID ? { recordID: input.recordID } : {}) };
      return guarded(async () => {
        if (target.recordID && target.providerID) requireAccount(target.providerID, target.recordID);
        await deps.usage!.refresh(target);
        return poolView(pool, now(), target.providerID);
      });
    },

    'usage:forecast': (input) => guarded(() => forecastView(forecastDeps, now(), input?.providerID)),
    'usage:history': ({ providerID }) => guarded(() => usageHistoryView(forecastDeps, providerID, now())),
    'settings:get': () => guarded(() => rotationSettingsView(pool, rotationEnv)),
    'settings:set': (input) =>
      guarded(async () => {
        await pool.updateSettings(input);
        return rotationSettingsView(pool, rotationEnv);
      }),

    'login:start': ({ providerID, label }) => login.start(providerID, label),
    'login:submitCode': ({ sessionID, code }) => login.submitCode(sessionID, code),
    'login:cancel': async ({ sessionID }) => login.cancel(sessionID),

    'gateway:status': () => guarded(gatewayStatus),

    'gateway:restart': async () => {
      const gw = deps.gateway;
      if (!gw?.restart) return unavailable('This gateway runs in the process that shows this window: restart that process (`rotary gateway`) instead.');
      if (!gw.restartable?.()) return { ok: false, error: { code: 'bad-input', message: gw.running() ? 'The gateway is already running.' : 'The gateway is already starting.' } };
      return guarded(() => {
        gw.restart!();
        return gatewayStatus();
      });
    },

    'gateway:copySettings': async ({ clientID }) => {
      if (!deps.writeClipboard) return unavailable('Copying with the key is done by the browser in the web UI.');
      const url = deps.gateway?.url();
      const key = await deps.gateway?.key();
      if (!url || !key) return unavailable('The gateway is not running.');
      const setting = gatewayClientSettings({ url, key }).find((c) => c.id === clientID);
      if (!setting) return { ok: false, error: { code: 'not-found', message: `No settings for ${clientID}.` } };
      const write = deps.writeClipboard;
      return guarded(() => {
        write(setting.snippet);
        return { copied: true };
      });
    },

    'activity:conversations': async (input) => {
      if (!deps.activity) return { ok: true, value: [] };
      const activity = deps.activity;
      return guarded(() => activity.conversations(input?.limit ?? 50));
    },

    'activity:requests': async ({ conversationID, limit }) => {
      if (!deps.activity) return { ok: true, value: [] };
      const activity = deps.activity;
      return guarded(() => activity.requests(conversationID, limit));
    },

    ...createSetupHandlers(deps.setup, deps.gateway),

    // Vault: the passphrase goes into the port and nowhere else (not into a result, an event or a log).
    'vault:status': async () => (deps.vault ? guarded(() => deps.vault!.status()) : unavailable('The vault state is not available in this process.')),
    'vault:unlock': async ({ passphrase }) => (deps.vault ? guarded(() => deps.vault!.unlock(passphrase)) : unavailable('The vault cannot be unlocked from this process.')),
    'vault:create': async ({ passphrase }) => (deps.vault ? guarded(() => deps.vault!.create(passphrase)) : unavailable('The vault cannot be created from this process.')),

    'app:info': async () => ({ ok: true, value: { ...appInfo(deps.shell, deps.version), secretStore: pool.vault.kind } }),

    'app:openExternal': async ({ url }) => {
      if (!isAllowedExternalUrl(url, deps.extraExternalOrigins ?? [])) {
        return { ok: false, error: { code: 'forbidden', message: 'Rotary only opens https links to the provider login pages and the project pages.' } };
      }
      if (!deps.openExternal) return unavailable('Open the link from the page instead.');
      const open = deps.openExternal;
      return guarded(async () => {
        await open(url);
        return { opened: true };
      });
    },
  };

  // Notices raised before anyone subscribed (a corrupt store found at start-up, a history file
  // rebuilt while the app opened) are replayed to a new subscriber.
  const early = (): Array<Omit<Notice, 'at'>> => pendingNotices(deps);
  const events: ServiceEvents = {
    on(name, listener) {
      const off = hub.on(name, listener);
      if (name === 'events:notice') {
        const at = now();
        for (const n of early()) (listener as (p: Notice) => void)({ ...n, at });
      }
      return off;
    },
  };

  return {
    handlers,
    events,
    call: (channel, input) => dispatch(handlers, channel, input),
    notify,
    command: (command) => emit('events:command', command),
    close() {
      for (const cleanup of cleanups.splice(0)) cleanup();
    },
  };
}
