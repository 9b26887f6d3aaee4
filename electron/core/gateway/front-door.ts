/**
 * The gateway's front door: every request to the gateway's server — provider routes, control
 * API, web transport — is admitted here, by one set of rules, before any handler runs.
 *
 * - The server listens on 127.0.0.1 only; on top of that a foreign `Host` (DNS rebinding) is
 *   refused, and so is any browser `Origin` except the gateway's own on routes that serve the
 *   web UI (where `Sec-Fetch-Site` must also say same-origin).
 * - The gateway key (`x-api-key` or `Authorization: Bearer`) is compared in constant time.
 * - Bodies are read here too, with a hard size limit, a deadline and a share of the in-flight
 *   budget, so no handler buffers without them; `Expect: 100-continue` is answered only then.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { envInteger } from '../env-settings.js';

export interface RoutePolicy {
  /** The gateway key must be presented. Routes without it authenticate by other means (one-time ticket) or serve nothing secret. */
  key: boolean;
  /** Pages on the gateway's own origin may call this route (the web UI); every other `Origin` is refused everywhere. */
  ownOrigin?: boolean;
  /** Also let in top-level navigations (`Sec-Fetch-Site: none`): the static UI typed into the address bar. */
  navigation?: boolean;
}

export type Admission =
  | { ok: true }
  | { ok: false; status: 401 | 403; reason: 'host' | 'origin' | 'cross-site' | 'key'; message: string };

const REFUSED = {
  host: 'Rotary only answers requests addressed to 127.0.0.1 or localhost.',
  origin: 'Rotary refuses requests from web pages (Origin header present).',
  crossSite: 'Cross-site requests are refused.',
  key: 'Missing or wrong gateway key (x-api-key or Authorization: Bearer).',
} as const;

/**
 * Constant-time key check; `x-api-key` or `Authorization: Bearer`. A presented key of the
 * key's length is copied into a buffer made once and compared with `timingSafeEqual`, so no
 * hash and no allocation per request; any other length is refused at once. That reveals only
 * the key's length, which is no secret (`rotary-` and 32 base64url characters, or the length
 * of ROTARY_GATEWAY_KEY), never how much of it matched.
 */
export function createKeyCheck(key: string): (headers: IncomingHttpHeaders) => boolean {
  const expected = Buffer.from(key, 'utf8');
  const presentedBytes = Buffer.alloc(expected.length);
  const matches = (presented: string): boolean => {
    if (presented === '' || Buffer.byteLength(presented, 'utf8') !== expected.length) return false;
    presentedBytes.write(presented, 0, 'utf8');
    return timingSafeEqual(presentedBytes, expected);
  };
  return (headers) => {
    const apiKey = headers['x-api-key'];
    if (typeof apiKey === 'string' && matches(apiKey.trim())) return true;
    const auth = headers.authorization;
    if (typeof auth === 'string') {
      const token = bearerToken(auth);
      if (token !== undefined && matches(token)) return true;
    }
    return false;
  };
}

/** The token of `Bearer <token>` (scheme in any case, then whitespace); undefined for anything else. */
function bearerToken(authorization: string): string | undefined {
  const value = authorization.trim();
  if (value.length < 8 || !isSpace(value.charCodeAt(6)) || value.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
  const token = value.slice(7).trim();
  return token === '' ? undefined : token;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** `Host` must name this server by its loopback name (anything else is a rebinding attempt or a mistake). */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}`;
}

/** The gateway's own origins (the web UI served by the same server). */
export function isOwnOrigin(origin: string, port: number): boolean {
  const o = origin.toLowerCase();
  return o === `http://127.0.0.1:${port}` || o === `http://localhost:${port}`;
}

export interface FrontDoor {
  admit(req: IncomingMessage, policy: RoutePolicy): Admission;
}

export function createFrontDoor(options: { key: string; port: () => number }): FrontDoor {
  const keyOK = createKeyCheck(options.key);
  return {
    admit(req, policy) {
      const port = options.port();
      const headers = req.headers;
      if (!hostAllowed(headers.host, port)) return { ok: false, status: 403, reason: 'host', message: REFUSED.host };
      const origin = headers.origin;
      if (origin !== undefined && !(policy.ownOrigin && isOwnOrigin(origin, port))) {
        return { ok: false, status: 403, reason: 'origin', message: REFUSED.origin };
      }
      if (policy.ownOrigin) {
        const site = headers['sec-fetch-site'];
        if (site !== undefined && site !== 'same-origin' && !(policy.navigation && site === 'none')) {
          return { ok: false, status: 403, reason: 'cross-site', message: REFUSED.crossSite };
        }
      }
      if (policy.key && !keyOK(headers)) return { ok: false, status: 401, reason: 'key', message: REFUSED.key };
      return { ok: true };
    },
  };
}

// ------------------------------------------------------------------ bodies

export type BodyResult =
  | { ok: true; body: Buffer; /** Hand the body's bytes back to the in-flight budget (once the request is over). */ release: () => void }
  | { ok: false; reason: 'too-large' | 'aborted' | 'timeout' | 'busy' };

/** Default limit: 32 MiB (long conversations with images stay below it). `ROTARY_GATEWAY_MAX_BODY` overrides. */
export const DEFAULT_MAX_BODY = 32 * 1024 * 1024;

export function maxBodyFromEnv(env: NodeJS.ProcessEnv): number {
  return envInteger(env, 'ROTARY_GATEWAY_MAX_BODY', DEFAULT_MAX_BODY, { unit: 'bytes', min: 1 });
}

/**
 * The bytes of request bodies buffered at once, across every request (each is kept until its
 * request is over, so it can be replayed on the next account). Past the limit new bodies are
 * refused instead of read, so memory stays bounded however many clients send at once.
 */
export class BodyBudget {
  private used = 0;
  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  tryReserve(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

/** Requests that sent `Expect: 100-continue`: the 100 goes out only when the body is really wanted (see readBody). */
const continuePending = new WeakMap<IncomingMessage, ServerResponse>();

/** For the server's `checkContinue` event: a refusal (key, size, budget) is then answered before the client sends the body. */
export function expectContinue(req: IncomingMessage, res: ServerResponse): void {
  continuePending.set(req, res);
}

export interface ReadBodyOptions {
  /** Shared in-flight budget; without one, only `max` bounds the body. */
  budget?: BodyBudget;
  /** The whole body must arrive within this (ms), or the read ends with `timeout`. */
  timeoutMs?: number;
}

/**
 * Buffers a request body once, with a hard size limit (so it can be replayed on the next
 * account), a deadline, and a share of the in-flight budget. A declared length is reserved and
 * allocated up front (one copy, no concatenation); a chunked body reserves as it arrives.
 * Whatever is refused part-way is drained (not buffered), so the connection can carry on.
 */
export function readBody(req: IncomingMessage, max: number, options: ReadBodyOptions = {}): Promise<BodyResult> {
  const { budget } = options;
  const declared = Number(req.headers['content-length']);
  const hasLength = req.headers['content-length'] !== undefined && Number.isSafeInteger(declared) && declared >= 0;
  if (hasLength && declared > max) return Promise.resolve({ ok: false, reason: 'too-large' });
  if (hasLength && budget && !budget.tryReserve(declared)) return Promise.resolve({ ok: false, reason: 'busy' });
  let reserved = hasLength && budget ? declared : 0;
  const releaseAll = (): void => {
    budget?.release(reserved);
    reserved = 0;
  };
  const pending = continuePending.get(req);
  if (pending) {
    continuePending.delete(req);
    pending.writeContinue();
  }
  return new Promise((resolve) => {
    const fixed = hasLength ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const timer = options.timeoutMs ? setTimeout(() => refuse('timeout'), options.timeoutMs) : undefined;
    const finish = (result: BodyResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      resolve(result);
    };
    /** Stop buffering, give the budget back, and let the rest of the body drain unread. */
    const refuse = (reason: 'too-large' | 'timeout' | 'busy' | 'aborted'): void => {
      releaseAll();
      finish({ ok: false, reason });
      if (reason !== 'timeout') req.resume();
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) return refuse('too-large');
      if (fixed) {
        chunk.copy(fixed, size - chunk.length);
        return;
      }
      if (budget) {
        if (!budget.tryReserve(chunk.length)) return refuse('busy');
        reserved += chunk.length;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      const body = fixed ? fixed.subarray(0, size) : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      finish({ ok: true, body, release: releaseAll });
    };
    const onError = (): void => refuse('aborted');
    const onClose = (): void => {
      if (!req.complete) refuse('aborted');
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

export type JsonBodyResult = { ok: true; value: unknown } | { ok: false; status: 400 | 413 | 415; message: string };

export interface JsonBodyOptions {
  maxBytes: number;
  /** An empty body reads as `undefined` instead of a 400. */
  allowEmpty?: boolean;
  /**
   * Insist on `Content-Type: application/json`: a cross-origin page cannot send that as a
   * "simple" request, so a forged form post never reaches the handler.
   */
  requireJsonType?: boolean;
  /** Shown when the body is not JSON (what the route expects). */
  example?: string;
}

/** A small JSON body (control API, web RPC), bounded; never throws. */
export async function readJsonBody(req: IncomingMessage, options: JsonBodyOptions): Promise<JsonBodyResult> {
  const read = await readBody(req, options.maxBytes);
  if (!read.ok) {
    return read.reason === 'too-large'
      ? { ok: false, status: 413, message: `The request body is larger than ${options.maxBytes} bytes.` }
      : { ok: false, status: 400, message: 'The request body could not be read.' };
  }
  read.release();
  const text = read.body.toString('utf8').trim();
  if (!text && options.allowEmpty) return { ok: true, value: undefined };
  if (options.requireJsonType && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    return { ok: false, status: 415, message: 'Send the body as application/json.' };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, status: 400, message: `The request body is not valid JSON${options.example ? `; expected something like ${options.example}` : ''}.` };
  }
}

// ------------------------------------------------------------------ answers

export function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)), ...extra });
  res.end(text);
}

/** The gateway's own error format (control API, unknown routes): `{"error": {"type", "message"}}`. */
export function sendError(res: ServerResponse, status: number, type: string, message: string, extra: Record<string, string> = {}): void {
  sendJson(res, status, { error: { type, message } }, extra);
}
