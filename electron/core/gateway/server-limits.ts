/**
 * What keeps slow, idle and flooding clients from holding the gateway (PRODUCT §10): timeouts
 * for headers, bodies and idle keep-alive connections, a connection cap, and answers for what
 * Node's parser meets before any handler runs (a timeout, a malformed request, CONNECT).
 *
 * The cap never lets idle sockets lock real clients out: when it is reached, the oldest idle
 * connection is closed to make room (one that never sent a request first, then a keep-alive one
 * between requests). Only when every connection has a request in flight is the newcomer told
 * 503 (+ `retry-after`, `connection: close`), by the request handler in the route's format.
 */
import fs from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { envInteger, formatLimit } from '../env-settings.js';
import { LOCAL_ANSWER_HEADERS } from '../providers/request-rules.js';

export interface ServerLimits {
  /** The request line and headers must arrive within this (ms). */
  headersTimeoutMs: number;
  /** A request body must arrive within this once its headers are in (ms). */
  bodyTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (ms). */
  idleTimeoutMs: number;
  /** Open connections at most (idle ones make room for new ones). */
  maxConnections: number;
  /** Total bytes of request bodies buffered at once, across all requests. */
  maxInflightBodyBytes: number;
}

/**
 * The listen queue (`listen(..., backlog)`): connections the kernel has accepted and the event
 * loop has not taken yet. Node's default of 511 overflowed under a burst of 1000 new
 * connections (the SYNs past it are dropped and retried a second later). The kernel clamps it
 * to net.core.somaxconn (4096 on the Debian 12 machine this was measured on; raise that sysctl
 * where it is lower).
 */
export const LISTEN_BACKLOG = 4096;

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 120_000,
  idleTimeoutMs: 65_000,
  // A thousand streams at once need a thousand connections, and a burst of a thousand short
  // requests arrives before any of them is parsed (so each looks idle and the oldest would be
  // closed to make room): the cap sits above both, at the listen queue's size. An open idle
  // connection costs ~3–18 kB of RSS for both ends together (tests/gateway/stream-load.test.ts
  // prints it; noisy), so a flood of 4096 idle ones stays under ~40 MB for the gateway's ends
  // until the headers timeout closes them. Below a low descriptor limit the default is lower
  // (defaultMaxConnections).
  maxConnections: 4096,
  maxInflightBodyBytes: 256 * 1024 * 1024,
};

/** Descriptors kept out of the connection budget: the store, the history database, logs, the keychain's D-Bus, the upstream pool's spares. */
const RESERVED_DESCRIPTORS = 64;

/**
 * How many descriptors this process may open: the soft RLIMIT_NOFILE (Node has raised it to the
 * hard one at start), read from /proc on Linux; undefined where that cannot be read (macOS,
 * Windows) or there is no limit.
 */
export function openFileLimit(readLimits: () => string = () => fs.readFileSync('/proc/self/limits', 'utf8')): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readLimits());
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The default connection cap: 4096, or lower where the descriptor limit is. The cap only protects
 * real clients from a flood of idle sockets while it is below what the process can open: a
 * proxied connection holds two descriptors (client and upstream), so half of what is left after
 * the reserve. Measured: under `ulimit -n 1024` with the cap at 4096, 1,224 idle sockets used every
 * descriptor and real requests were reset (tests/gateway/fd-limit.test.ts).
 */
export function defaultMaxConnections(fdLimit: number | undefined): number {
  if (fdLimit === undefined) return DEFAULT_SERVER_LIMITS.maxConnections;
  return Math.max(16, Math.min(DEFAULT_SERVER_LIMITS.maxConnections, Math.floor((fdLimit - RESERVED_DESCRIPTORS) / 2)));
}

/** The limits from ROTARY_GATEWAY_* (README "Configuration"); garbage is a clear error at start. */
export function serverLimitsFromEnv(env: NodeJS.ProcessEnv, fdLimit: number | undefined = openFileLimit()): ServerLimits {
  const d = DEFAULT_SERVER_LIMITS;
  const ms = { unit: 'milliseconds', min: 1 };
  return {
    headersTimeoutMs: envInteger(env, 'ROTARY_GATEWAY_HEADERS_TIMEOUT_MS', d.headersTimeoutMs, ms),
    bodyTimeoutMs: envInteger(env, 'ROTARY_GATEWAY_BODY_TIMEOUT_MS', d.bodyTimeoutMs, ms),
    idleTimeoutMs: envInteger(env, 'ROTARY_GATEWAY_IDLE_TIMEOUT_MS', d.idleTimeoutMs, ms),
    maxConnections: envInteger(env, 'ROTARY_GATEWAY_MAX_CONNECTIONS', defaultMaxConnections(fdLimit), { unit: 'connections', min: 1, max: 1_000_000 }),
    maxInflightBodyBytes: envInteger(env, 'ROTARY_GATEWAY_MAX_INFLIGHT_BODY', d.maxInflightBodyBytes, { unit: 'bytes', min: 1 }),
  };
}

/** Options for `http.createServer` that carry the timeouts (Node checks them every `connectionsCheckingInterval`). */
export function serverOptions(limits: ServerLimits) {
  return {
    keepAlive: true,
    keepAliveTimeout: limits.idleTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    // A backstop behind the gateway's own body timer (which answers in the route's format first).
    requestTimeout: limits.headersTimeoutMs + limits.bodyTimeoutMs + 1000,
    // Node's default checks every 30 s, so a 30 s limit could take a minute: check at a quarter of the shortest limit.
    connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.bodyTimeoutMs) / 4))),
  };
}

export interface ConnectionStats {
  open: number;
  /** Most connections open at once since the start. */
  peak: number;
  /** Idle connections closed to make room for new ones. */
  evicted: number;
  /** Connections answered 503 because every slot had a request in flight. */
  refused: number;
}

export interface ConnectionGuard {
  /** Call at the start of every request: counts it as in flight until its response closes. */
  track(req: IncomingMessage, res: ServerResponse): void;
  /** The connection arrived while every slot was busy: answer 503 and close. */
  overCapacity(req: IncomingMessage): boolean;
  /** The 503 message for a request refused by `overCapacity`. */
  readonly refusalMessage: string;
  stats(): ConnectionStats;
}

interface Connection {
  inFlight: number;
  served: number;
}

/**
 * Answers written straight to the socket (no request object exists yet), in the gateway's JSON
 * error format, with the headers of every answer the gateway makes itself (`x-should-retry: false`).
 */
export function rawJsonAnswer(status: number, reason: string, type: string, message: string, extra: Record<string, string> = {}): string {
  const body = JSON.stringify({ error: { type, message } });
  const headers = { 'content-type': 'application/json', ...LOCAL_ANSWER_HEADERS, 'cache-control': 'no-store', connection: 'close', 'content-length': String(Buffer.byteLength(body)), ...extra };
  return `HTTP/1.1 ${status} ${reason}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`;
}

/** Install the limits on `server`: timeouts, connection cap, clientError and CONNECT answers. */
export function guardServer(server: Server, limits: ServerLimits): ConnectionGuard {
  server.keepAliveTimeout = limits.idleTimeoutMs;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.headersTimeoutMs + limits.bodyTimeoutMs + 1000;

  const open = new Map<Socket, Connection>();
  const refused = new WeakSet<Socket>();
  let refusedOpen = 0;
  let peak = 0;
  let evicted = 0;
  let refusedTotal = 0;

  /** The oldest connection without a request in flight: never used first, then idle keep-alive. */
  function idleVictim(): Socket | undefined {
    let keepAlive: Socket | undefined;
    for (const [socket, c] of open) {
      if (c.inFlight > 0) continue;
      if (c.served === 0) return socket;
      keepAlive ??= socket;
    }
    return keepAlive;
  }

  server.on('connection', (socket: Socket) => {
    if (open.size >= limits.maxConnections) {
      const victim = idleVictim();
      if (victim) {
        open.delete(victim);
        victim.destroy();
        evicted++;
      } else {
        // Every slot is busy. The request handler answers 503 (it knows the route's format);
        // a refused socket that sends nothing is dropped soon, and past a second cap's worth at once, at once.
        refusedTotal++;
        if (refusedOpen >= limits.maxConnections) {
          socket.destroy();
          return;
        }
        refused.add(socket);
        refusedOpen++;
        socket.setTimeout(Math.min(limits.headersTimeoutMs, 2000), () => socket.destroy());
        socket.once('close', () => refusedOpen--);
        return;
      }
    }
    open.set(socket, { inFlight: 0, served: 0 });
    peak = Math.max(peak, open.size);
    socket.once('close', () => open.delete(socket));
  });

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const inProgress = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    if (!socket.writable || inProgress?.headersSent) {
      socket.destroy();
      return;
    }
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      // A connection that never said anything is simply closed (an idle pre-connect); a slow sender is told why.
      if (socket.bytesRead === 0) {
        socket.destroy();
        return;
      }
      socket.end(
        rawJsonAnswer(408, 'Request Timeout', 'request_timeout', `The request did not arrive within ${formatLimit(limits.headersTimeoutMs)} (ROTARY_GATEWAY_HEADERS_TIMEOUT_MS); Rotary closed the connection.`),
      );
      return;
    }
    if (error.code === 'HPE_HEADER_OVERFLOW') {
      socket.end(rawJsonAnswer(431, 'Request Header Fields Too Large', 'bad_request', 'The request headers are too large.'));
      return;
    }
    socket.end(rawJsonAnswer(400, 'Bad Request', 'bad_request', 'Rotary could not parse the request.'));
  });

  // A forward-proxy request: Node would close the socket without a word.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    socket.end(
      rawJsonAnswer(405, 'Method Not Allowed', 'method_not_allowed', 'Rotary is not a forward proxy: CONNECT is not supported. Point your tool\'s base URL at the gateway instead (http://127.0.0.1:PORT/anthropic, /openai or /copilot).', {
        allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
      }),
    );
  });

  return {
    track(req, res) {
      const c = open.get(req.socket);
      if (!c) return;
      c.inFlight++;
      res.once('close', () => {
        c.inFlight--;
        c.served++;
      });
    },
    overCapacity: (req) => refused.has(req.socket),
    refusalMessage: `Rotary already has ${limits.maxConnections} connections with requests in flight (ROTARY_GATEWAY_MAX_CONNECTIONS); try again in a moment.`,
    stats: () => ({ open: open.size, peak, evicted, refused: refusedTotal }),
  };
}
