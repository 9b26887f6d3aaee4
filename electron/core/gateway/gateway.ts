/**
 * The local gateway (PRODUCT §5): one node:http server on 127.0.0.1 that coding tools point
 * at. Every request is admitted by the front door first; provider routes (looked up in the
 * provider registry) go through the rotating fetch; the control API and the activity stream
 * live on the same server and key; other parts (the web UI transport) mount their own routes.
 *
 * Port: `ROTARY_GATEWAY_PORT`, default 8787 (a free, memorable port that common dev servers
 * do not use). Key: `ROTARY_GATEWAY_KEY`, else generated once and kept in the vault. Timeouts,
 * the connection cap and the in-flight body budget (server-limits.ts, `ROTARY_GATEWAY_*`) keep
 * slow, idle and flooding clients from holding it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import { escapeControls } from '../../../shared/plain-text.js';
import { errorMessage, RotaryError } from '../errors.js';
import type { AccountPool } from '../pool/account-pool.js';
import { cacheCredentials } from '../providers/credential-cache.js';
import { allProviders, providerForPath } from '../providers/registry.js';
import type { CredentialSource } from '../rotation/contract.js';
import { createRotatingFetch, upstreamTimeoutsFromEnv, type RotatingFetch, type RotationForecasts } from '../rotation/rotating-fetch.js';
import { ActivityLog } from './activity-log.js';
import { handleControl, handleEvents, type ControlService } from './control-api.js';
import { BodyBudget, createFrontDoor, expectContinue, maxBodyFromEnv, sendError, type Admission, type RoutePolicy } from './front-door.js';
import { resolveGatewayKey } from './gateway-key.js';
import { handleProxy, sendLocal, type ProxyDeps } from './proxy.js';
import { guardServer, LISTEN_BACKLOG, serverLimitsFromEnv, serverOptions, type ConnectionStats, type ServerLimits } from './server-limits.js';

/** Default port of the gateway (documented in README; override with ROTARY_GATEWAY_PORT). */
export const DEFAULT_GATEWAY_PORT = 8787;
export const GATEWAY_HOST = '127.0.0.1';

export interface MountContext {
  /** Path without the query. */
  pathname: string;
  query: URLSearchParams;
  /** `http://127.0.0.1:PORT` */
  url: string;
  activity: ActivityLog;
}

export type MountHandler = (req: IncomingMessage, res: ServerResponse, ctx: MountContext) => void | Promise<void>;

export interface MountOptions {
  /** Who the front door lets in to this route. */
  policy: RoutePolicy;
  /** How a refused request is answered, in the mounted API's own format (default: the gateway's JSON error). */
  refuse?: (res: ServerResponse, refusal: Extract<Admission, { ok: false }>) => void;
}

export interface GatewayOptions {
  pool: AccountPool;
  /** The token manager; the gateway puts a short cache in front so requests do not hit the keychain. */
  tokens: CredentialSource;
  /** The application service: the control API's account operations are its calls (without it those routes answer 503). */
  control?: ControlService;
  env?: NodeJS.ProcessEnv;
  /** Default: ROTARY_GATEWAY_KEY, else the key kept in the vault (generated on first use). */
  key?: string;
  /** Default: ROTARY_GATEWAY_PORT, else 8787. 0 picks a free port (tests). */
  port?: number;
  /** Default: ROTARY_GATEWAY_MAX_BODY, else 32 MiB. */
  maxBodyBytes?: number;
  activity?: ActivityLog;
  dispatcher?: Dispatcher;
  now?: () => number;
  /** One line per notable event (start, rotation, all-limited, re-login). Never receives tokens. */
  log?: (line: string) => void;
  /** Forecasts for the drain-soonest rotation policy (the runtime's live forecasts). */
  forecasts?: RotationForecasts;
}

export interface Gateway {
  server: Server;
  /** Timeouts and caps in force (ROTARY_GATEWAY_* or their defaults). */
  limits: ServerLimits;
  connections(): ConnectionStats;
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  key: string;
  activity: ActivityLog;
  fetch: RotatingFetch;
  mount(prefix: string, handler: MountHandler, opts: MountOptions): void;
  close(): Promise<void>;
}

interface Mount {
  prefix: string;
  handler: MountHandler;
  opts: MountOptions;
}

export function gatewayPortFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.ROTARY_GATEWAY_PORT?.trim();
  if (!raw) return DEFAULT_GATEWAY_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RotaryError('bad-input', `ROTARY_GATEWAY_PORT must be a port number (0–65535), not "${raw.slice(0, 40)}".`);
  }
  return port;
}

const NO_CONTROL: ControlService = {
  call: async () => ({ ok: false, error: { code: 'unavailable', message: 'The control API is not available in this process.' } }),
};

const ROUTE_LIST = allProviders()
  .map((p) => `${p.route}/*`)
  .join(', ');

function refuse(res: ServerResponse, refusal: Extract<Admission, { ok: false }>): void {
  sendError(res, refusal.status, refusal.status === 401 ? 'unauthorized' : 'forbidden', refusal.message);
}

function matchesPrefix(pathname: string, prefix: string): boolean {
  if (prefix.endsWith('/')) return pathname.startsWith(prefix) || pathname === prefix.slice(0, -1);
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(new RotaryError('port-in-use', `Port ${port} is already in use. Stop the other program or set ROTARY_GATEWAY_PORT.`, { cause: error }));
      } else if (error.code === 'EACCES') {
        reject(new RotaryError('port-in-use', `Rotary may not listen on port ${port}. Pick another with ROTARY_GATEWAY_PORT.`, { cause: error }));
      } else reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host: GATEWAY_HOST, backlog: LISTEN_BACKLOG });
  });
}

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const sink = options.log ?? (() => undefined);
  // Log lines quote labels (rotation messages): control characters are escaped so no line can forge another.
  const log = (line: string): void => sink(escapeControls(line));
  const port = options.port ?? gatewayPortFromEnv(env);
  const limits = serverLimitsFromEnv(env);
  const streamIdleMs = upstreamTimeoutsFromEnv(env).streamIdleMs;
  const key = options.key ?? (await resolveGatewayKey({ env, vault: options.pool.vault }));
  const maxBodyBytes = options.maxBodyBytes ?? maxBodyFromEnv(env);
  const activity = options.activity ?? new ActivityLog();
  const mounts: Mount[] = [];

  const tokens = cacheCredentials(options.tokens, { pool: options.pool, ...(options.now ? { now: options.now } : {}) });
  const fetch = createRotatingFetch({
    pool: options.pool,
    tokens,
    env,
    now,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.forecasts ? { forecasts: options.forecasts } : {}),
    onEvent: (event) => activity.emit(event),
  });
  const unsubscribeLog = activity.subscribe((event) => {
    if (event.kind === 'rotation') log(`rotation: ${event.event.message}`);
    else if (event.kind === 'all-limited') log(`all limited: ${event.message}`);
    else if (event.kind === 'needs-reauth') log(`needs re-login: ${event.label} (${event.providerID})`);
    else if (event.kind === 'limit-forecast') log(`forecast: ${event.warning.message}`);
    else if (event.kind === 'account-freed') log(`available again: ${event.freed.label} (${event.freed.providerID})`);
  });
  const budget = new BodyBudget(limits.maxInflightBodyBytes);
  const proxyDeps: ProxyDeps = {
    fetch,
    activity,
    maxBodyBytes,
    now,
    budget,
    bodyTimeoutMs: limits.bodyTimeoutMs,
    streamIdleMs,
    secretsOf: (providerID, recordID) => tokens.recentSecrets(providerID, recordID),
  };
  const controlDeps = { service: options.control ?? NO_CONTROL, activity };

  let actualPort = port;
  const frontDoor = createFrontDoor({ key, port: () => actualPort });
  const keyed: RoutePolicy = { key: true };
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    guard.track(req, res);
    handle(req, res).catch((error: unknown) => {
      log(`internal error: ${errorMessage(error)}`);
      if (!res.headersSent) sendError(res, 500, 'internal_error', 'Rotary hit an internal error; see its log.');
      else res.destroy();
    });
  };
  const server = createServer(serverOptions(limits), onRequest);
  const guard = guardServer(server, limits);
  // `Expect: 100-continue`: the 100 goes out when the body is read, so a refusal (key, size, budget) comes first.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    expectContinue(req, res);
    onRequest(req, res);
  });

  /** Every slot has a request in flight: 503 in the route's format, and the connection closes. */
  function refuseOverCapacity(res: ServerResponse, pathname: string): void {
    const extra = { 'retry-after': '1', connection: 'close' };
    const route = providerForPath(pathname);
    if (route) sendLocal(res, route.provider.rules.errorResponse(503, 'network', guard.refusalMessage), extra);
    else sendError(res, 503, 'unavailable', guard.refusalMessage, extra);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const pathname = q < 0 ? rawUrl : rawUrl.slice(0, q);
    if (guard.overCapacity(req)) {
      refuseOverCapacity(res, pathname);
      return;
    }

    const mount = mounts.find((m) => matchesPrefix(pathname, m.prefix));
    if (mount) {
      const admission = frontDoor.admit(req, mount.opts.policy);
      if (!admission.ok) {
        if (mount.opts.refuse && admission.reason !== 'host') mount.opts.refuse(res, admission);
        else refuse(res, admission);
        return;
      }
      await mount.handler(req, res, { pathname, query: new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1)), url: `http://${GATEWAY_HOST}:${actualPort}`, activity });
      return;
    }

    const route = providerForPath(pathname);
    const admission = frontDoor.admit(req, keyed);
    if (!admission.ok) {
      // A tool with a wrong key gets the answer in its provider's own format; everything else in ours.
      if (route && admission.reason === 'key') {
        sendLocal(res, route.provider.rules.errorResponse(401, 'auth', 'Missing or wrong Rotary gateway key. Use the key Rotary shows (as x-api-key or Authorization: Bearer).'));
      } else refuse(res, admission);
      return;
    }
    if (route) {
      await handleProxy(req, res, route.provider.rules, rawUrl.slice(route.prefix.length), proxyDeps);
      return;
    }
    if (req.method === 'GET' && pathname === '/events') {
      handleEvents(req, res, activity);
      return;
    }
    if (await handleControl(req, res, pathname, controlDeps)) return;
    sendError(res, 404, 'not_found', `Nothing at ${pathname.slice(0, 100)}. Routes: ${ROUTE_LIST}, /auth/*, /events.`);
  }

  await listen(server, port);
  // After listening, a failed accept (EMFILE when the process runs out of file descriptors) must not crash the process.
  server.on('error', (error) => log(`server error: ${errorMessage(error)}`));
  actualPort = (server.address() as AddressInfo).port;
  const url = `http://${GATEWAY_HOST}:${actualPort}`;
  log(`gateway listening on ${url}`);

  let closing: Promise<void> | undefined;
  return {
    server,
    limits,
    connections: () => guard.stats(),
    url,
    port: actualPort,
    key,
    activity,
    fetch,
    mount(prefix, handler, opts) {
      const clean = prefix.startsWith('/') ? prefix : `/${prefix}`;
      mounts.push({ prefix: clean, handler, opts });
      mounts.sort((a, b) => b.prefix.length - a.prefix.length);
    },
    close() {
      closing ??= (async () => {
        unsubscribeLog();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // Open streams would keep close() waiting for minutes; a stopping gateway cuts them.
          setTimeout(() => server.closeAllConnections(), 1000).unref();
        });
        await fetch.close();
        tokens.dispose();
      })();
      return closing;
    },
  };
}
