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
 * The gateway's front door admits every request by the policies given at mount time: same
 * origin only (Origin / Sec-Fetch-Site: this API can switch and delete accounts), the key on
 * calls, a one-time ticket (checked here) on the event stream, nothing secret under /ui/.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EVENTS, EVENT_NAMES, fail, isChannelName, WEB_RPC_PREFIX, WEB_UI_PREFIX, type Result } from '../../../shared/ipc.js';
import type { Gateway } from '../gateway/gateway.js';
import { readJsonBody, type Admission } from '../gateway/front-door.js';
import type { AppService } from '../service/app-service.js';
import { serveStatic } from './static-files.js';
import { createTicketStore } from './tickets.js';

/** Largest RPC body accepted (a pasted code is the biggest legitimate input). */
export const MAX_RPC_BODY_BYTES = 64 * 1024;
const HEARTBEAT_MS = 15_000;

export type WebHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface WebTransportOptions {
  /** Folder with the built renderer (renderer/dist). */
  staticDir: string;
  now?: () => number;
}

const REFUSAL_MESSAGES: Record<Extract<Admission, { ok: false }>['reason'], string> = {
  host: 'Rotary only answers requests addressed to 127.0.0.1 or localhost.',
  origin: 'Requests from other origins are refused.',
  'cross-site': 'Cross-site requests are refused.',
  key: 'The gateway key is missing or wrong. Open the link printed by `rotary gateway --ui`.',
};

/** Refusals in the transport's own Result format, so the page can switch on `error.code`. */
function refuseCall(res: ServerResponse, refusal: Extract<Admission, { ok: false }>): void {
  sendResult(res, refusal.status, fail(refusal.status === 401 ? 'unauthorized' : 'forbidden', REFUSAL_MESSAGES[refusal.reason]));
}

const WEB_EVENTS_PATH = `${WEB_RPC_PREFIX}events`;

/**
 * Mount the transport on the gateway: `/rpc/events` (same origin; the ticket is checked
 * here), `/rpc/` (same origin and the key), `/ui/` (same origin or a typed-in address).
 */
export function mountWebTransport(gateway: Pick<Gateway, 'mount'>, service: AppService, options: WebTransportOptions) {
  const transport = createWebTransport(service, options);
  gateway.mount(WEB_EVENTS_PATH, transport.events, { policy: { key: false, ownOrigin: true }, refuse: refuseCall });
  gateway.mount(WEB_RPC_PREFIX, transport.rpc, { policy: { key: true, ownOrigin: true }, refuse: refuseCall });
  gateway.mount(WEB_UI_PREFIX, transport.ui, {
    policy: { key: false, ownOrigin: true, navigation: true },
    refuse: (res, refusal) => res.writeHead(refusal.status, { 'content-type': 'text/plain; charset=utf-8' }).end(REFUSAL_MESSAGES[refusal.reason]),
  });
  return transport;
}

export function createWebTransport(service: AppService, options: WebTransportOptions) {
  const tickets = createTicketStore(options.now);
  const streams = new Set<ServerResponse>();

  /** `GET /rpc/events?ticket=…`: the page's EventSource cannot send the key, so it redeems a one-time ticket. */
  const events: WebHandler = (req, res) => {
    if (req.method !== 'GET') return sendResult(res, 405, fail('bad-input', 'Use GET for the event stream.'));
    const url = new URL(req.url ?? '/', 'http://local');
    if (!tickets.redeem(url.searchParams.get('ticket'))) {
      return sendResult(res, 401, fail('unauthorized', 'The event ticket is missing, used or expired. Get a new one from /rpc/events-ticket.'));
    }
    return openStream(req, res);
  };

  const rpc: WebHandler = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const name = url.pathname.slice(WEB_RPC_PREFIX.length);
    if (req.method !== 'POST') return sendResult(res, 405, fail('bad-input', 'Use POST for calls.'));
    const body = await readJsonBody(req, { maxBytes: MAX_RPC_BODY_BYTES, allowEmpty: true, requireJsonType: true });
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
    events,
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
