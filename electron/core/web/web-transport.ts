/**
 * The web transport: the same application service the Electron window uses, over HTTP on
 * the gateway's own server, so the UI also runs in a plain browser against the headless
 * core (`rotary gateway --ui`). The HTTP shapes are documented at the top of shared/ipc.ts.
 *
 *   POST /rpc/<channel>        Bearer key, JSON body → Result JSON
 *   POST /rpc/events-ticket    Bearer key → one-time ticket for the event stream
 *   GET  /rpc/events?ticket=…  SSE of the contract's events
 *   GET  /ui/…                 the built renderer (no key needed: it holds nothing secret)
 *
 * Every /rpc request must be same-origin (Origin / Sec-Fetch-Site) — checked here as well as
 * by the gateway, because this API can switch and delete accounts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EVENTS, EVENT_NAMES, isChannelName, WEB_RPC_PREFIX, WEB_UI_PREFIX, type Result } from '../../../shared/ipc.js';
import type { AppService } from '../service/app-service.js';
import type { Gateway } from '../gateway/gateway.js';
import { bearerMatches, checkOrigin, ownOrigins } from './request-guard.js';
import { serveStatic } from './static-files.js';
import { createTicketStore } from './tickets.js';

/** Largest RPC body accepted (a pasted code is the biggest legitimate input). */
export const MAX_RPC_BODY_BYTES = 64 * 1024;
const HEARTBEAT_MS = 15_000;

export type WebHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface WebTransportOptions {
  /** Folder with the built renderer (renderer/dist). */
  staticDir: string;
  /** The gateway key (read per request, so a key change takes effect at once). */
  key: () => string;
  /** The gateway's base URL (`http://127.0.0.1:<port>`), for the same-origin check. */
  url: () => string;
  now?: () => number;
}

/** Mount `/rpc/` and `/ui/` on the gateway. The transport does its own key check (the SSE route uses tickets). */
export function mountWebTransport(gateway: Pick<Gateway, 'url' | 'key' | 'mount'>, service: AppService, options: { staticDir: string }) {
  const transport = createWebTransport(service, { staticDir: options.staticDir, key: () => gateway.key, url: () => gateway.url });
  gateway.mount(WEB_RPC_PREFIX, transport.rpc, { sameOriginAllowed: true, auth: 'none' });
  gateway.mount(WEB_UI_PREFIX, transport.ui, { sameOriginAllowed: true, auth: 'none' });
  return transport;
}

export function createWebTransport(service: AppService, options: WebTransportOptions) {
  const tickets = createTicketStore(options.now);
  const streams = new Set<ServerResponse>();

  const rpc: WebHandler = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const origin = checkOrigin(req.headers, ownOrigins(options.url()));
    if (!origin.ok) return sendResult(res, origin.status, fail('forbidden', origin.message));
    const name = url.pathname.slice(WEB_RPC_PREFIX.length);

    if (name === 'events') {
      if (req.method !== 'GET') return sendResult(res, 405, fail('bad-input', 'Use GET for the event stream.'));
      if (!tickets.redeem(url.searchParams.get('ticket'))) {
        return sendResult(res, 401, fail('unauthorized', 'The event ticket is missing, used or expired. Get a new one from /rpc/events-ticket.'));
      }
      return openStream(req, res);
    }

    if (req.method !== 'POST') return sendResult(res, 405, fail('bad-input', 'Use POST for calls.'));
    if (!bearerMatches(req.headers.authorization, options.key())) {
      return sendResult(res, 401, fail('unauthorized', 'The gateway key is missing or wrong. Open the link printed by `rotary gateway --ui`.'));
    }
    const body = await readJsonBody(req);
    if (!body.ok) return sendResult(res, body.status, fail('bad-input', body.message));

    if (name === 'events-ticket') return sendResult(res, 200, { ok: true, value: tickets.issue() });

    let channel: string;
    try {
      channel = decodeURIComponent(name);
    } catch {
      return sendResult(res, 400, fail('bad-input', 'The channel name is not valid.'));
    }
    if (!isChannelName(channel)) return sendResult(res, 404, fail('not-found', `Unknown channel "${channel}".`));
    const result = await service.call(channel, body.value);
    // Everything the service itself answered is 200 (the body says ok or not), except schema rejections.
    return sendResult(res, !result.ok && result.error.code === 'bad-input' ? 400 : 200, result);
  };

  const ui: WebHandler = async (req, res) => {
    const origin = checkOrigin(req.headers, ownOrigins(options.url()), true);
    if (!origin.ok) {
      res.writeHead(origin.status, { 'content-type': 'text/plain; charset=utf-8' }).end(origin.message);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname === WEB_UI_PREFIX.slice(0, -1)) {
      res.writeHead(308, { location: WEB_UI_PREFIX }).end();
      return;
    }
    await serveStatic(req, res, options.staticDir, url.pathname.slice(WEB_UI_PREFIX.length) || 'index.html');
  };

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    streams.add(res);
    const write = (event: string, payload: unknown) => {
      if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
    };
    const offs = EVENT_NAMES.map((name) =>
      service.events.on(name, (payload) => {
        // Parsed on the way out like every result: nothing beyond the contract is sent.
        const parsed = EVENTS[name].payload.safeParse(payload);
        if (parsed.success) write(name, parsed.data);
      }),
    );
    // Start with the current accounts, so the page needs no extra call after (re)connecting.
    void service.call('accounts:list', undefined).then((r) => {
      if (r.ok) write('events:pool', r.value);
    });
    const heartbeat = setInterval(() => !res.writableEnded && res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref?.();
    const close = () => {
      clearInterval(heartbeat);
      offs.forEach((off) => off());
      streams.delete(res);
    };
    req.on('close', close);
    res.on('close', close);
  }

  return {
    rpc,
    ui,
    /** End every open event stream (shutdown). */
    close(): void {
      for (const res of streams) res.end();
      streams.clear();
    },
    openStreams: () => streams.size,
  };
}

function fail(code: 'bad-input' | 'unauthorized' | 'forbidden' | 'not-found', message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

function sendResult(res: ServerResponse, status: number, result: Result<unknown>): void {
  const body = JSON.stringify(result);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

type BodyResult = { ok: true; value: unknown } | { ok: false; status: 400 | 413 | 415; message: string };

function readJsonBody(req: IncomingMessage): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      // Keep draining (not destroying) so the 413 answer still reaches the client.
      if (size > MAX_RPC_BODY_BYTES) finish({ ok: false, status: 413, message: `The request body is larger than ${MAX_RPC_BODY_BYTES} bytes.` });
      else chunks.push(chunk);
    });
    req.on('error', () => finish({ ok: false, status: 400, message: 'The request body could not be read.' }));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (!text) return finish({ ok: true, value: undefined });
      // Requiring JSON's content type also means a cross-origin page cannot send this as a "simple" request.
      const type = req.headers['content-type'] ?? '';
      if (!/^application\/json\b/i.test(type)) return finish({ ok: false, status: 415, message: 'Send the body as application/json.' });
      try {
        finish({ ok: true, value: JSON.parse(text) });
      } catch {
        finish({ ok: false, status: 400, message: 'The request body is not valid JSON.' });
      }
    });
  });
}
