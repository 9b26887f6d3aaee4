/**
 * Provider simulator: one real HTTP server on loopback that speaks the Anthropic, OpenAI/Codex
 * and GitHub Copilot endpoints under the ROTARY_UPSTREAM layout
 * (`https://api.anthropic.com/v1/messages` → `${sim.url}/api.anthropic.com/v1/messages`).
 *
 *   const sim = await startSimulator();
 *   const acc = sim.addAccount('anthropic');
 *   process.env.ROTARY_UPSTREAM = sim.url;
 *   acc.fiveHour.utilization = 1;          // next /v1/messages → plan-limit 429
 *   await sim.close();
 *
 * Only node built-ins: the simulator must not depend on what it is testing.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { AccountStore } from './accounts.js';
import { anthropicRoutes, authorizeAnthropic } from './anthropic.js';
import { approveDevice, copilotRoutes, denyDevice, DeviceStore } from './copilot.js';
import { controlRoutes } from './control.js';
import { emptyCounters, matchRoute, sendJson, type Ctx, type Route, type SimState } from './http.js';
import { AuthCodeStore } from './oauth.js';
import { authorizeOpenai, openaiRoutes } from './openai.js';
import type { SimRefreshRequest, SimRequestLog, Simulator, SimulatorOptions, SimAccount, SimProvider, AddAccountOptions } from './types.js';

export * from './types.js';
export { parseSse, type ParsedSseEvent } from './sse.js';
export { KNOBS } from './control.js';
export { s256, decodeJwtPayload } from './oauth.js';
export { ANTHROPIC_CLIENT_ID, OPENAI_CLIENT_ID, GITHUB_CLIENT_IDS } from './accounts.js';

const MAX_LOGGED_BODY = 256 * 1024;
const MAX_BODY = 32 * 1024 * 1024;

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** `/api.anthropic.com/v1/messages?beta=true` → host, path, query. */
function splitUrl(rawUrl: string): { host: string; path: string; query: URLSearchParams; search: string } {
  const url = new URL(rawUrl, 'http://sim.invalid');
  const [, host = '', ...rest] = url.pathname.split('/');
  return { host, path: `/${rest.join('/')}`, query: url.searchParams, search: url.search.replace(/^\?/, '') };
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const now = options.now ?? Date.now;
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const requests: SimRequestLog[] = [];
  const refreshRequests: SimRefreshRequest[] = [];
  const devices = new DeviceStore();
  const state: SimState = {
    accounts: new AccountStore(now),
    codes: new AuthCodeStore(),
    counters: emptyCounters(),
    github: { deviceInterval: 1, deviceExpiresIn: 900, enforceSlowDown: true, ...options.github },
    copilot: { ...options.copilot },
    anyAccount: { perMinuteLimited: 0 },
    requests,
    refreshRequests,
    url: '',
    now,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, ms);
        timers.add(t);
      }),
  };
  const routes: Route[] = [
    ...anthropicRoutes(),
    ...openaiRoutes(),
    ...copilotRoutes(devices),
    ...controlRoutes(devices),
  ];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.on('error', () => undefined); // writes after a deliberate reset are expected
    const method = req.method ?? 'GET';
    const { host, path, query, search } = splitUrl(req.url ?? '/');
    const log: SimRequestLog = { at: now(), method, host, path, query: search, status: 0, headers: flattenHeaders(req) };
    // Control-API calls stay out of the log so tests see only provider traffic.
    if (host !== '__sim') requests.push(log);
    res.on('finish', () => {
      log.status = res.statusCode;
    });
    const body = await readBody(req);
    if (body) log.body = body.slice(0, MAX_LOGGED_BODY);
    const ctx: Ctx = { req, res, method, host, path, query, body, log, state };
    const r = matchRoute(routes, method, host, path);
    if (!r) {
      await sendJson(ctx, 404, { error: `simulator: no route for ${method} /${host}${path}` });
      return;
    }
    await r.handler(ctx);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error('[sim] handler failed:', err);
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `simulator bug: ${String(err)}` }));
      } else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1', ...(options.backlog ? { backlog: options.backlog } : {}) }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  state.url = url;

  const sim: Simulator = {
    url,
    port,
    requests,
    refreshRequests,
    counters: state.counters,
    github: state.github,
    copilot: state.copilot,
    anyAccount: state.anyAccount,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
    addAccount: (provider: SimProvider, opts?: AddAccountOptions): SimAccount => state.accounts.add(provider, opts),
    account: (id: string): SimAccount => {
      const acc = state.accounts.get(id);
      if (!acc) throw new Error(`simulator: no account ${id}`);
      return acc;
    },
    accounts: () => state.accounts.list(),
    clearRequests: () => {
      requests.length = 0;
      refreshRequests.length = 0;
    },
    resetCounters: () => {
      const fresh = emptyCounters();
      Object.assign(state.counters, fresh);
    },
    anthropicAuthorize: (params, accountId) => {
      const r = authorizeAnthropic(state, params, accountId);
      return { code: r.code, state: r.state };
    },
    openaiAuthorize: (params, accountId) => {
      const r = authorizeOpenai(state, params, accountId);
      return { code: r.code, state: r.state, location: r.location };
    },
    approveDevice: (userCode, accountId) => approveDevice(state, devices, userCode, accountId),
    denyDevice: (userCode) => denyDevice(devices, userCode),
  };
  return sim;
}
