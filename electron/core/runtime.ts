/**
 * Starts a Rotary process: the one place that puts the core's parts together. The desktop
 * app, `rotary gateway` (with or without `--ui`), every other CLI command, the bench and the
 * test helpers all start here and ask only for what they need:
 *
 *   core      store + vault + account pool under ROTARY_HOME (always)
 *   tokens    the token manager — one per process, shared by everything below (always)
 *   poller    usage polling (`poller: {…}`)
 *   service   the application service every transport calls (`service: {…}`)
 *   gateway   the local gateway with its control API and activity log (`gateway: {…}`)
 *   web       the web transport serving the UI on the gateway (`web: {…}`)
 *   gatewayProcess  instead of `gateway`: the gateway in a process of its own, supervised
 *             (gateway-host/; the desktop app, and tests under plain Node)
 *   history   usage readings and request summaries in ROTARY_HOME/history.db (on unless
 *             `history: false` or ROTARY_HISTORY=off); with the gateway also its live
 *             forecasts (drain-soonest rotation) and the ahead-of-time warnings
 *
 * `close()` stops them in reverse order and flushes the pool's batched bookkeeping.
 */
import type { Dispatcher } from 'undici';
import { errorMessage } from './errors.js';
import { GENERIC_KEY_COMMAND } from './clients/registry.js';
import { ActivityLog } from './gateway/activity-log.js';
import { createGateway, type Gateway, type GatewayOptions } from './gateway/gateway.js';
import { createForecastWarnings, type ForecastWarnings } from './history/forecast-warnings.js';
import { openHistory, type History } from './history/history.js';
import { LiveForecasts, RecentReadings } from './history/live-forecasts.js';
import type { WindowLength } from './history/provider-forecast.js';
import { rotaryHome } from './paths.js';
import { AccountPool } from './pool/account-pool.js';
import { createConfBackend, PoolStore, type StoreBackend } from './pool/store.js';
import { createVault, type Vault } from './pool/vault.js';
import { provider, rulesFor } from './providers/registry.js';
import { createTokenManager, type TokenManager } from './providers/token-manager.js';
import { createUsagePoller, type RotaryUsagePoller, type UsagePollerOptions } from './providers/usage-poller.js';
import { rotationEnv, rotationSettings, type EnvOverrides } from './rotation/policy.js';
import { createAppService, type AppService, type AppServiceDeps } from './service/app-service.js';
import type { LoginDriver } from './service/login-sessions.js';
import type { ActivityPort, GatewayPort, UsagePort } from './service/types.js';
import { openVaultPort } from './service/vault-gate.js';
import { mountWebTransport } from './web/web-transport.js';
import { supervisedActivityPort, supervisedGatewayPort } from './gateway-host/ports.js';
import { createGatewaySupervisor, type ForkGateway, type GatewaySupervisor, type RestartPolicy } from './gateway-host/supervisor.js';
import { vaultHandoff } from './gateway-host/vault-handoff.js';

// ------------------------------------------------------------------ core

export interface Core {
  home: string;
  env: NodeJS.ProcessEnv;
  pool: AccountPool;
  vault: Vault;
  store: PoolStore;
  close(): Promise<void>;
}

export interface OpenCoreOptions {
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** The app passes its electron-store; plain Node uses conf on the same file. */
  backend?: StoreBackend;
  vault?: Vault;
  warn?: (message: string) => void;
  /** Flag records whose secret is missing (default true). Never deletes a secret. */
  reconcile?: boolean;
  /** Follow changes other processes make to the store file (default false). */
  watch?: boolean;
}

/** Store, vault and account pool under `ROTARY_HOME`: what every Rotary process opens first. */
export async function openCore(options: OpenCoreOptions = {}): Promise<Core> {
  const env = options.env ?? process.env;
  const home = options.home ?? rotaryHome(env);
  const vault = options.vault ?? (await createVault({ home, env, ...(options.warn ? { warn: options.warn } : {}) }));
  const store = new PoolStore(options.backend ?? createConfBackend(home));
  const pool = await AccountPool.open({ store, vault });
  if (options.reconcile !== false) await pool.reconcile();
  if (options.watch) pool.watch();
  return { home, env, pool, vault, store, close: () => pool.close() };
}

// ------------------------------------------------------------------ runtime

export interface RuntimeOptions extends OpenCoreOptions {
  /** Usage polling. `start`: run the background schedule (otherwise it polls only when asked). */
  poller?: { start: boolean } & Pick<UsagePollerOptions, 'minIntervalMs' | 'jitterMs'>;
  /** The application service (needed by the gateway's control API and by every UI transport). */
  service?: {
    shell: AppServiceDeps['shell'];
    version: string;
    /** Loopback ports for the ChatGPT login's callback server (tests pass `[0]`). */
    callbackPorts?: number[];
    /** argv that prints the gateway key, which "Connect a tool" writes into the tools' settings (default: `rotary key` from PATH). */
    keyCommand?: readonly string[];
    /** What only some shells have (Electron's clipboard and OS browser) and test knobs. */
    extra?: Pick<AppServiceDeps, 'writeClipboard' | 'openExternal' | 'now' | 'poolEventDelayMs'>;
  };
  /** The local gateway. `optional`: a failure to start (port in use) is kept in `gatewayError` instead of thrown. */
  gateway?: Pick<GatewayOptions, 'port' | 'key' | 'maxBodyBytes' | 'log' | 'now'> & { dispatcher?: Dispatcher; optional?: boolean };
  /** The gateway in its own process, started by `fork` and restarted when it dies; its failures are kept in its state, never thrown. */
  gatewayProcess?: { fork: ForkGateway; port?: number; restart?: Partial<RestartPolicy>; log?: (line: string) => void };
  /** Serve the web UI on the gateway (needs `gateway` and `service`). */
  web?: { staticDir: string };
  /** The history database (default on). Tests inject a clock and a flush delay. */
  history?: false | { now?: () => number; flushMs?: number; warningsEveryMs?: number };
}

/** Window lengths come from the provider's rules. */
const windowLength: WindowLength = (providerID, window) => rulesFor(providerID).windowLengthMs(window);

export interface Runtime extends Core {
  /** The one token manager of this process. */
  tokens: TokenManager;
  poller?: RotaryUsagePoller;
  service?: AppService;
  gateway?: Gateway;
  /** Why the gateway is not running, when it was optional and could not start. */
  gatewayError?: string;
  /** With `gatewayProcess`: the supervisor of the gateway process. */
  gatewayHost?: GatewaySupervisor;
  web?: ReturnType<typeof mountWebTransport>;
  history?: History;
  /** With the gateway: the forecasts rotation and the warnings read (recent readings in memory). */
  forecasts?: LiveForecasts;
  warnings?: ForecastWarnings;
}

export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const core = await openCore(options);
  const { pool, env, home } = core;
  const tokens = createTokenManager({ pool, env, home });
  let closing: Promise<void> | undefined;
  const stops: Array<() => void> = [];
  const runtime: Runtime = { ...core, tokens, close: () => (closing ??= stopParts(runtime, core, stops)) };
  try {
    // Read before anything starts: a bad value stops the start with a message naming the variable.
    const rotationOverrides = rotationEnv(env);
    const historyOptions = options.history === false ? undefined : (options.history ?? {});
    const now = historyOptions?.now ?? options.gateway?.now ?? Date.now;
    if (historyOptions) {
      const log = options.gateway?.log ?? options.warn;
      runtime.history = openHistory({ home, env, now, ...pick(historyOptions, 'flushMs'), ...(log ? { log } : {}) });
      const history = runtime.history;
      if (history) stops.push(pool.onUsage((providerID, recordID, usage) => history.recordUsage(providerID, recordID, usage)));
    }
    if (options.poller) {
      runtime.poller = createUsagePoller({ pool, tokens, env, ...pick(options.poller, 'minIntervalMs', 'jitterMs') });
      if (options.poller.start) runtime.poller.start();
    }
    if (options.gatewayProcess) {
      if (options.gateway) throw new Error('The gateway runs in this process (`gateway`) or in its own (`gatewayProcess`), not both.');
      const { fork, port, restart, log } = options.gatewayProcess;
      runtime.gatewayHost = createGatewaySupervisor({
        fork,
        env,
        vault: vaultHandoff(core.vault, home),
        ...pick({ port, restart, log, version: options.service?.version }, 'port', 'restart', 'log', 'version'),
        notify: (notice) => runtime.service?.notify(notice),
      });
    }
    // The activity log belongs to the gateway; the service reads it, so it exists before both.
    const activity = options.gateway ? new ActivityLog({ store: runtime.history?.activity }) : undefined;
    if (options.service) runtime.service = createRuntimeService(runtime, options.service, activity, rotationOverrides);
    await runtime.gatewayHost?.started;
    if (options.gateway) {
      const settings = () => rotationSettings(pool.settings(), rotationOverrides);
      const forecasts = new LiveForecasts({ pool, recent: runtime.history?.recent ?? new RecentReadings(now), windowLength, settings, now });
      runtime.forecasts = forecasts;
      const { optional, ...gatewayOptions } = options.gateway;
      try {
        runtime.gateway = await createGateway({
          pool,
          tokens,
          env,
          activity: activity!,
          forecasts,
          ...(runtime.service ? { control: runtime.service } : {}),
          ...gatewayOptions,
        });
      } catch (error) {
        if (!optional) throw error;
        runtime.gatewayError = errorMessage(error);
      }
      const warnings = createForecastWarnings({ pool, forecasts, leadMinutes: () => settings().leadMinutes, emit: (event) => activity!.emit(event), now });
      runtime.warnings = warnings;
      const timer = setInterval(() => warnings.check(), historyOptions?.warningsEveryMs ?? 15_000);
      timer.unref();
      stops.push(() => clearInterval(timer));
      // After new readings too, but at most every 5 s: a busy gateway flushes every second.
      let checkedAt = -Infinity;
      if (runtime.history) {
        stops.push(
          runtime.history.onFlush(() => {
            if (now() - checkedAt < 5_000) return;
            checkedAt = now();
            warnings.check();
          }),
        );
      }
    }
    if (options.web) {
      if (!runtime.gateway || !runtime.service) throw new Error('The web UI needs a running gateway and the application service.');
      runtime.web = mountWebTransport(runtime.gateway, runtime.service, { staticDir: options.web.staticDir });
    }
  } catch (error) {
    await runtime.close().catch(() => undefined);
    throw error;
  }
  return runtime;
}

/** Stops what `startRuntime` started, last first, then flushes and closes the history and the pool. */
async function stopParts(runtime: Runtime, core: Core, stops: Array<() => void>): Promise<void> {
  runtime.web?.close();
  runtime.service?.close();
  runtime.poller?.stop();
  for (const stop of stops.splice(0)) stop();
  await runtime.gateway?.close();
  await runtime.gatewayHost?.stop();
  await runtime.history?.close();
  await core.close();
}

/** The application service over this process's parts. Ports read the runtime lazily: the gateway starts after the service. */
function createRuntimeService(
  runtime: Runtime,
  options: NonNullable<RuntimeOptions['service']>,
  activity: ActivityLog | undefined,
  rotationOverrides: EnvOverrides,
): AppService {
  const { pool, env } = runtime;
  const upstreamOrigin = originOf(env.ROTARY_UPSTREAM);
  const login: LoginDriver = {
    async begin(providerID, { signal, label }) {
      const flow = await provider(providerID).beginLogin({ pool, env, ...(label ? { label } : {}), ...(options.callbackPorts ? { callbackPorts: options.callbackPorts } : {}) });
      signal.addEventListener('abort', () => flow.cancel(), { once: true });
      if (flow.kind === 'paste-code') return { kind: 'paste-code', authorizeUrl: flow.url, submit: async (code) => ({ recordID: (await flow.submit(code)).id }) };
      const result = flow.result.then((record) => ({ recordID: record.id }));
      if (flow.kind === 'await-callback') return { kind: 'await-callback', authorizeUrl: flow.url, callbackUrl: flow.callbackUrl, result };
      return { kind: 'device-code', userCode: flow.userCode, verificationUri: flow.verificationUri, expiresAt: flow.expiresAt, result };
    },
  };
  const host = runtime.gatewayHost;
  const gateway: GatewayPort = host ? supervisedGatewayPort(host, { env, vault: runtime.vault }) : {
    running: () => runtime.gateway !== undefined,
    url: () => runtime.gateway?.url,
    port: () => runtime.gateway?.port,
    error: () => (runtime.gateway ? undefined : (runtime.gatewayError ?? 'The gateway is not started in this process.')),
    key: () => runtime.gateway?.key,
  };
  const usage: UsagePort | undefined = runtime.poller && {
    async refresh({ providerID, recordID }) {
      const ids = providerID ? [providerID] : pool.providers().map((p) => p.providerID);
      await Promise.all(ids.map((id) => runtime.poller!.refreshNow(id, providerID ? recordID : undefined)));
    },
  };
  const activityPort: ActivityPort | undefined = host ? supervisedActivityPort(host) : activity && {
    conversations: (limit = 50) => activity.conversations(limit),
    requests: (conversationID, limit) => activity.requests(conversationID, limit),
    subscribe: (listener) => activity.subscribe(listener),
  };
  return createAppService({
    pool,
    store: runtime.store,
    shell: options.shell,
    version: options.version,
    login,
    gateway,
    ...(usage ? { usage } : {}),
    ...(activityPort ? { activity: activityPort } : {}),
    ...(runtime.history ? { history: runtime.history } : {}),
    rotationEnv: rotationOverrides,
    ...(upstreamOrigin ? { extraExternalOrigins: [upstreamOrigin] } : {}),
    vault: openVaultPort(runtime.vault),
    setup: { env, home: runtime.home, keyCommand: options.keyCommand ?? GENERIC_KEY_COMMAND },
    ...options.extra,
  });
}

function originOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).origin : undefined;
  } catch {
    return undefined;
  }
}

function pick<T extends object, K extends keyof T>(object: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (object[k] !== undefined) out[k] = object[k];
  return out;
}
