/**
 * Plumbing shared by the provider modules: the per-request context, body parsing, response
 * helpers, the route table and the simulator-wide state every handler can reach.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import zlib from 'node:zlib';
import type { AccountStore, SimAccountImpl } from './accounts.js';
import { DRIP_HEADER, parseDrip } from './drip.js';
import type { AuthCodeStore } from './oauth.js';
import type {
  SimAnyAccountSettings,
  SimCopilotSettings,
  SimDrip,
  SimCounterSet,
  SimCounters,
  SimEncoding,
  SimGithubSettings,
  SimProvider,
  SimRefreshRequest,
  SimRequestLog,
} from './types.js';

/** Everything a handler can reach besides its request. */
export interface SimState {
  readonly accounts: AccountStore;
  readonly codes: AuthCodeStore;
  readonly counters: SimCounters;
  readonly github: SimGithubSettings;
  readonly copilot: SimCopilotSettings;
  readonly anyAccount: SimAnyAccountSettings;
  /** The request log (cleared in place, so references stay valid). */
  readonly requests: SimRequestLog[];
  /** Refresh-grant calls and what they sent (cleared with the request log). */
  readonly refreshRequests: SimRefreshRequest[];
  /** Public base URL (`http://127.0.0.1:PORT`), for URLs the simulator hands out. */
  url: string;
  now(): number;
  /** Timer that `close()` cancels, so a slow-upstream delay never keeps the process alive. */
  sleep(ms: number): Promise<void>;
}

export interface Ctx {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  /** Provider host = first path segment. */
  readonly host: string;
  /** Path after the host, no query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Raw request body. */
  readonly body: string;
  readonly log: SimRequestLog;
  readonly state: SimState;
  /** Set by the `reset-mid-stream` fault: the response is cut off after its first part. */
  midStreamReset?: boolean;
  /** Set by the `echo-credentials` fault: headers every answer to this request carries. */
  echoHeaders?: Record<string, string>;
  /** Drip mode of this answer (the `x-sim-drip` header, else the account's `drip`), set by the preamble. */
  drip?: SimDrip | undefined;
  /** The account's `errorEncoding`, once the account is known: error bodies go out compressed. */
  errorEncoding?: SimEncoding | undefined;
}

export type Handler = (ctx: Ctx) => void | Promise<void>;

export interface Route {
  method: string;
  hosts: string[];
  /** Exact path or a pattern (for ids in the path). */
  path: string | RegExp;
  handler: Handler;
}

export function route(method: string, hosts: string | string[], path: string | RegExp, handler: Handler): Route {
  return { method, hosts: Array.isArray(hosts) ? hosts : [hosts], path, handler };
}

export function matchRoute(routes: Route[], method: string, host: string, path: string): Route | undefined {
  return routes.find(
    (r) =>
      r.method === method &&
      r.hosts.includes(host) &&
      (typeof r.path === 'string' ? r.path === path : r.path.test(path)),
  );
}

export function emptyCounterSet(): SimCounterSet {
  return {
    tokenCalls: 0,
    refreshCalls: 0,
    authCodeCalls: 0,
    usageCalls: 0,
    profileCalls: 0,
    inferenceCalls: 0,
    copilotTokenCalls: 0,
    deviceCodeCalls: 0,
  };
}

export function emptyCounters(): SimCounters {
  return {
    ...emptyCounterSet(),
    byProvider: { anthropic: emptyCounterSet(), openai: emptyCounterSet(), 'github-copilot': emptyCounterSet() },
  };
}

/** Bumps a counter in the totals and in the provider's own set. */
export function count(state: SimState, provider: SimProvider, key: keyof SimCounterSet): void {
  state.counters[key] += 1;
  state.counters.byProvider[provider][key] += 1;
}

/** JSON object body, whatever the content-type says (inference endpoints); undefined if not JSON. */
export function parseJson(ctx: Ctx): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(ctx.body);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Body as an object for the OAuth endpoints, which accept JSON and form-urlencoded alike.
 * Sniffed from the text, not the content-type: clients mislabel bodies more often than not.
 */
export function parseBody(ctx: Ctx): Record<string, unknown> | undefined {
  const text = ctx.body.trim();
  if (!text) return {};
  if (text.startsWith('{')) return parseJson(ctx);
  return Object.fromEntries(new URLSearchParams(text));
}

/** Token from `Authorization: Bearer X` or GitHub's `Authorization: token X`. */
export function bearer(ctx: Ctx): string | undefined {
  const h = ctx.req.headers.authorization;
  const m = h ? /^(?:bearer|token)\s+(.+)$/i.exec(h.trim()) : null;
  return m?.[1]?.trim();
}

export function header(ctx: Ctx, name: string): string | undefined {
  const v = ctx.req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

export function nowSec(state: SimState): number {
  return Math.floor(state.now() / 1000);
}

/** Does `accept-encoding` allow `coding`? (`gzip;q=0` refuses it, `*` allows anything.) */
export function accepts(acceptEncoding: string | undefined, coding: string): boolean {
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if ((name === coding || name === '*') && !(q && Number(q.slice(2)) === 0)) return true;
  }
  return false;
}

const COMPRESSORS: Record<SimEncoding, (b: Buffer) => Buffer> = {
  gzip: (b) => zlib.gzipSync(b),
  br: (b) => zlib.brotliCompressSync(b),
  deflate: (b) => zlib.deflateSync(b),
  zstd: (b) => zlib.zstdCompressSync(b),
};

/**
 * Writes status + headers, waits `firstByteDelayMs` (slow first byte), then the body.
 * Every response goes through here or through the SSE writer. Error bodies of an account
 * with `errorEncoding` go out compressed when the request accepts that coding.
 */
export async function send(
  ctx: Ctx,
  status: number,
  text: string,
  headers: Record<string, string> = {},
  firstByteDelayMs = 0,
): Promise<void> {
  const { res } = ctx;
  if (res.destroyed) return;
  let body: string | Buffer = text;
  const coding = status >= 400 ? ctx.errorEncoding : undefined;
  if (coding && accepts(header(ctx, 'accept-encoding'), coding)) {
    body = COMPRESSORS[coding](Buffer.from(text));
    headers = { ...headers, 'content-encoding': coding, vary: 'accept-encoding' };
  }
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers, ...ctx.echoHeaders });
  if (firstByteDelayMs > 0) {
    res.flushHeaders();
    await ctx.state.sleep(firstByteDelayMs);
  }
  if (ctx.midStreamReset) {
    // Half the body, then the connection dies: the client sees a truncated response.
    res.write(body.slice(0, Math.floor(body.length / 2)), () => ctx.req.socket.destroy());
    return;
  }
  res.end(body);
}

export function sendJson(
  ctx: Ctx,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  firstByteDelayMs = 0,
): Promise<void> {
  return send(ctx, status, JSON.stringify(body), { 'content-type': 'application/json', ...headers }, firstByteDelayMs);
}

export function sendHtml(ctx: Ctx, status: number, html: string, headers: Record<string, string> = {}): Promise<void> {
  return send(ctx, status, html, { 'content-type': 'text/html; charset=utf-8', ...headers });
}

/** The `echo-credentials` fault: what a hostile or buggy upstream might send back. */
function echoCredentialHeaders(ctx: Ctx, acc: SimAccountImpl): Record<string, string> {
  const c = acc.credentials();
  const out: Record<string, string> = { 'set-cookie': 'sim_session=s3cr3t; Path=/; HttpOnly', 'x-sim-echo-safe': 'kept' };
  if (ctx.req.headers.authorization) out['x-sim-echo-authorization'] = ctx.req.headers.authorization;
  if (ctx.req.headers.cookie) out['x-sim-echo-cookie'] = ctx.req.headers.cookie;
  out['x-sim-echo-access'] = `token=${c.access}`;
  if (c.refresh) out['x-sim-echo-refresh'] = c.refresh;
  return out;
}

/** Records a refresh-grant call with the fields it sent; status and account are filled in once answered. */
export function recordRefresh(ctx: Ctx, provider: SimProvider, body: Record<string, unknown>): void {
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const rec: SimRefreshRequest = {
    at: ctx.state.now(),
    provider,
    clientId: str(body.client_id),
    scope: str(body.scope),
    bodyFormat: ctx.body.trim().startsWith('{') ? 'json' : 'form',
    userAgent: header(ctx, 'user-agent'),
    status: 0,
  };
  ctx.state.refreshRequests.push(rec);
  ctx.res.on('finish', () => {
    rec.status = ctx.res.statusCode;
    rec.accountId = ctx.log.accountId;
  });
}

/** Drops the connection without a response, like a reset upstream. */
export function resetConnection(ctx: Ctx): void {
  ctx.log.status = 0;
  ctx.req.socket.destroy();
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Rough token estimate (4 characters per token), enough for plausible usage numbers. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Utilization fraction as header text: `1.0`, `0.59`, `0.0123` (the capture shows `1.0` for a full window). */
export function fraction(x: number): string {
  const r = Math.round(x * 10000) / 10000;
  return Number.isInteger(r) ? r.toFixed(1) : String(r);
}

/**
 * Common start of every inference request once the account is known: log it, count it, apply
 * the slow-upstream delay, and take the next queued fault. Generic faults are answered here;
 * the provider-specific ones (`500`, `529`, reset headers) are returned to the caller.
 */
export async function inferencePreamble(
  ctx: Ctx,
  acc: SimAccountImpl,
): Promise<{ done: true } | { done: false; fault?: SimAccountImpl['breakNext'][number] | undefined }> {
  ctx.errorEncoding = acc.errorEncoding;
  const dripHeader = header(ctx, DRIP_HEADER);
  try {
    ctx.drip = dripHeader !== undefined ? parseDrip(dripHeader) : acc.drip;
  } catch (e) {
    await sendJson(ctx, 400, { error: { type: 'invalid_request_error', message: `simulator: ${(e as Error).message}` } });
    return { done: true };
  }
  if (acc.delayMs > 0) await ctx.state.sleep(acc.delayMs);
  if (ctx.res.destroyed) return { done: true };
  const fault = acc.breakNext.shift();
  switch (fault) {
    case 'reset-connection':
      resetConnection(ctx);
      return { done: true };
    case 'non-json-429':
      await sendHtml(ctx, 429, '<html><head><title>429 Too Many Requests</title></head><body>Too Many Requests</body></html>');
      return { done: true };
    case 'non-json-200':
      await sendHtml(ctx, 200, '<!DOCTYPE html><html><body>Just a moment...</body></html>');
      return { done: true };
    case 'reset-mid-stream':
      ctx.midStreamReset = true;
      return { done: false, fault };
    case 'echo-credentials':
      ctx.echoHeaders = echoCredentialHeaders(ctx, acc);
      return { done: false };
    case '403':
    case '466':
      if (acc.provider === 'github-copilot') return { done: false, fault };
      // Copilot's faults; the other providers answer what they would to an odd client.
      await sendJson(ctx, fault === '403' ? 403 : 400, { error: { type: fault === '403' ? 'permission_error' : 'invalid_request_error', message: `simulated ${fault}` } });
      return { done: true };
    default:
      return { done: false, fault };
  }
}

/**
 * Takes one queued per-minute 429 for this request: the simulator-wide `anyAccount` queue
 * first, then the account's own `perMinuteLimited`. True when the request must answer 429.
 */
export function takePerMinuteLimit(state: SimState, acc: SimAccountImpl): boolean {
  if (state.anyAccount.perMinuteLimited > 0) {
    state.anyAccount.perMinuteLimited -= 1;
    return true;
  }
  if (acc.perMinuteLimited > 0) {
    acc.perMinuteLimited -= 1;
    return true;
  }
  return false;
}
