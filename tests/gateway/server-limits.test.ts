/**
 * Issue 11, findings 3, 4 and 9 (CONNECT): the gateway's server against slow, idle and odd
 * clients. Real sockets on loopback, real curl, the real Anthropic SDK; every limit is set short
 * through its environment variable so the file stays fast. No wall-clock assertions: a test waits
 * for the answer it expects (or fails on the file's timeout), and the timings are only reported.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startRuntime } from '../../electron/core/runtime.js';
import { defaultMaxConnections, openFileLimit, serverLimitsFromEnv } from '../../electron/core/gateway/server-limits.js';
import { ANTHROPIC_HEADERS, anthropicBody, gwFetch, jsonOf, startHarness, TEST_KEY, type Harness } from './harness.js';

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function harness(env: Record<string, string> = {}, accounts = 1): Promise<Harness> {
  const h = await startHarness({ accounts: { anthropic: accounts }, env });
  open.push(h);
  return h;
}

/** Write `text` on a fresh socket and collect everything until the server closes it. */
function rawExchange(port: number, text: string, options: { keepOpenMs?: number } = {}): Promise<{ response: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let response = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (response += d));
    socket.on('error', (e) => (response ? undefined : reject(e)));
    socket.on('close', () => resolve({ response, closedAfterMs: Date.now() - started }));
    if (options.keepOpenMs) setTimeout(() => socket.destroy(), options.keepOpenMs);
  });
}

function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
}

function bodyOf(response: string): unknown {
  const i = response.indexOf('\r\n\r\n');
  return JSON.parse(response.slice(i + 4));
}

function headerOf(response: string, name: string): string | undefined {
  const head = response.slice(0, response.indexOf('\r\n\r\n'));
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name}:`));
  return line?.slice(name.length + 1).trim();
}

const sdk = (h: Harness) => new Anthropic({ baseURL: `${h.gw.url}/anthropic`, apiKey: TEST_KEY, maxRetries: 0 });
const hello = { model: 'claude-sonnet-4-6', max_tokens: 20, messages: [{ role: 'user' as const, content: 'Hello' }] };

describe('Expect: 100-continue (finding 3)', () => {
  it('curl --data-binary with a 2 MiB body succeeds; expect is not forwarded; the account is not charged a failure', async () => {
    const h = await harness();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rotary-expect-'));
    const file = path.join(dir, 'body.json');
    const padding = 'x'.repeat(2 * 1024 * 1024);
    fs.writeFileSync(file, anthropicBody({ messages: [{ role: 'user', content: `Hello ${padding}` }] }));
    try {
      const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn('curl', [
          '-sS', '-v', '-o', '-', '-w', '\n%{http_code}',
          '-H', `x-api-key: ${TEST_KEY}`, '-H', 'content-type: application/json', '-H', 'anthropic-version: 2023-06-01',
          '--data-binary', `@${file}`, `${h.gw.url}/anthropic/v1/messages`,
        ]);
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      // curl really asked for 100-continue (it does above 1 MiB) and got it.
      expect(out.stderr).toMatch(/> Expect: 100-continue/i);
      expect(out.stderr).toMatch(/< HTTP\/1\.1 100 Continue/i);
      expect(out.stdout.trim().split('\n').at(-1)).toBe('200');
      const seen = h.sim.requests.filter((r) => r.path === '/v1/messages').at(-1)!;
      expect(seen.headers.expect).toBeUndefined();
      await h.core.pool.flush();
      expect(h.core.pool.getAccounts('anthropic')[0]!.health.failureCount).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CONNECT (finding 9)', () => {
  it('gets a clear 405 instead of a closed socket', async () => {
    const h = await harness();
    const { response } = await rawExchange(h.gw.port, `CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n`);
    expect(statusOf(response)).toBe(405);
    expect(headerOf(response, 'connection')).toBe('close');
    expect(headerOf(response, 'x-should-retry')).toBe('false');
    expect((bodyOf(response) as { error: { message: string } }).error.message).toMatch(/CONNECT/);
  });
});

describe('slow clients (finding 4)', () => {
  it('a slow body gets 408 in the provider format while other clients are served', async () => {
    const h = await harness({ ROTARY_GATEWAY_BODY_TIMEOUT_MS: '400' });
    const slow = rawExchange(
      h.gw.port,
      `POST /anthropic/v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${h.gw.port}\r\nx-api-key: ${TEST_KEY}\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n{"model":`,
    );
    // Others are served while the slow body hangs.
    for (let i = 0; i < 5; i++) {
      const msg = await sdk(h).messages.create(hello);
      expect(msg.type).toBe('message');
    }
    const { response, closedAfterMs } = await slow;
    expect(statusOf(response)).toBe(408);
    expect(headerOf(response, 'connection')).toBe('close');
    // The gateway's own answer: an SDK retry would only resend into the same limit.
    expect(headerOf(response, 'x-should-retry')).toBe('false');
    expect(bodyOf(response)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(/ROTARY_GATEWAY_BODY_TIMEOUT_MS/) } });
    console.log(`slow body: 408 after ${closedAfterMs} ms (limit 400 ms)`);
  });

  it('slow headers get 408 in the gateway format while other clients are served', async () => {
    const h = await harness({ ROTARY_GATEWAY_HEADERS_TIMEOUT_MS: '400' });
    const slow = rawExchange(h.gw.port, `GET /auth/accounts HTTP/1.1\r\nHost: 127.0.0.1:${h.gw.port}\r\n`);
    for (let i = 0; i < 5; i++) expect((await sdk(h).messages.create(hello)).type).toBe('message');
    const { response, closedAfterMs } = await slow;
    expect(statusOf(response)).toBe(408);
    expect(headerOf(response, 'x-should-retry')).toBe('false');
    expect(bodyOf(response)).toMatchObject({ error: { type: 'request_timeout', message: expect.stringMatching(/ROTARY_GATEWAY_HEADERS_TIMEOUT_MS/) } });
    console.log(`slow headers: 408 after ${closedAfterMs} ms (limit 400 ms)`);
  });

  it('2,000 idle sockets never block a real client, and are closed after the headers/idle timeout', async () => {
    // The cap as it was when this test was written (the default is 4096 now): 2,000 sockets must still meet it.
    const h = await harness({ ROTARY_GATEWAY_HEADERS_TIMEOUT_MS: '1500', ROTARY_GATEWAY_IDLE_TIMEOUT_MS: '1500', ROTARY_GATEWAY_MAX_CONNECTIONS: '512' });
    const client = sdk(h);
    const N = 2000;
    let openNow = 0;
    let peak = 0;
    const lifetimes: number[] = [];
    const closed: Array<Promise<void>> = [];
    let served = 0;
    const start = Date.now();
    for (let i = 0; i < N; i++) {
      const opened = Date.now();
      const socket = net.connect(h.gw.port, '127.0.0.1');
      closed.push(
        new Promise<void>((resolve) => {
          socket.on('connect', () => {
            openNow++;
            peak = Math.max(peak, openNow);
          });
          socket.on('error', () => undefined);
          socket.on('close', () => {
            openNow--;
            lifetimes.push(Date.now() - opened);
            resolve();
          });
        }),
      );
      // A real client keeps working while the flood goes on.
      if (i % 200 === 0) {
        expect((await client.messages.create(hello)).type).toBe('message');
        served++;
      }
    }
    const floodMs = Date.now() - start;
    for (let i = 0; i < 5; i++) {
      expect((await client.messages.create(hello)).type).toBe('message');
      served++;
    }
    await Promise.all(closed);
    await new Promise((r) => setTimeout(r, 300));
    lifetimes.sort((a, b) => a - b);
    const pct = (p: number) => lifetimes[Math.min(lifetimes.length - 1, Math.floor((p / 100) * lifetimes.length))];
    const stats = h.gw.connections();
    console.log(
      `idle flood: ${N} sockets opened in ${floodMs} ms; the gateway held at most ${stats.peak} at once (cap ${h.gw.limits.maxConnections}), ` +
        `closed ${stats.evicted} idle ones early to make room, the rest at the headers timeout (1500 ms); ` +
        `seen from the client (which notices closes late while it floods): up to ${peak} open, closed after p50 ${pct(50)} ms, p90 ${pct(90)} ms, max ${pct(100)} ms; ` +
        `${served} SDK requests served meanwhile, none refused (${stats.refused} refusals)`,
    );
    expect(lifetimes).toHaveLength(N);
    expect(stats.peak).toBeLessThanOrEqual(h.gw.limits.maxConnections);
    expect(stats.refused).toBe(0);
    expect(stats.open, JSON.stringify(stats)).toBeLessThanOrEqual(1);
  }, 60_000);
});

/**
 * A socket that sends one request after another on the same connection (keep-alive) and reads
 * each answer to its content-length; `closed` settles when the server ends the connection.
 */
function keepAliveSocket(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('latin1');
  let buffer = '';
  let waiting: (() => void) | undefined;
  let isClosed = false;
  socket.on('data', (d: string) => {
    buffer += d;
    waiting?.();
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => ((isClosed = true), resolve())));
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return {
    closed,
    isClosed: () => isClosed,
    async request(text: string): Promise<string> {
      await connected;
      buffer = '';
      socket.write(text);
      return new Promise((resolve, reject) => {
        waiting = () => {
          const end = buffer.indexOf('\r\n\r\n');
          if (end < 0) return;
          const length = Number(headerOf(buffer, 'content-length') ?? NaN);
          if (buffer.length - end - 4 < length) return;
          waiting = undefined;
          resolve(buffer);
        };
        void closed.then(() => reject(new Error(`closed before the answer: ${buffer.slice(0, 200)}`)));
      });
    },
  };
}

describe('idle keep-alive (ROTARY_GATEWAY_IDLE_TIMEOUT_MS)', () => {
  it('a connection that finished its request and then sits idle is closed after the idle limit, not the headers limit', async () => {
    // The same two gateways but for the idle limit; the headers limit is long in both, so only
    // the idle limit can close a connection. Order, not time, is asserted: the long-limit
    // connection goes idle first, yet the short-limit one is closed while it is still open and
    // still serves. (With one limit for both, e.g. Node's default, the first idle would close first.)
    const short = await harness({ ROTARY_GATEWAY_IDLE_TIMEOUT_MS: '300', ROTARY_GATEWAY_HEADERS_TIMEOUT_MS: '60000' });
    const long = await harness({ ROTARY_GATEWAY_IDLE_TIMEOUT_MS: '60000', ROTARY_GATEWAY_HEADERS_TIMEOUT_MS: '60000' });
    const get = (h: Harness) => `GET /auth/accounts HTTP/1.1\r\nHost: 127.0.0.1:${h.gw.port}\r\nx-api-key: ${TEST_KEY}\r\n\r\n`;
    const a = keepAliveSocket(short.gw.port);
    const b = keepAliveSocket(long.gw.port);
    for (const [socket, h] of [[b, long], [a, short]] as const) {
      const response = await socket.request(get(h));
      expect(statusOf(response)).toBe(200);
      expect(headerOf(response, 'connection')).toBe('keep-alive');
    }
    const idleFrom = Date.now();
    await a.closed;
    const closedAfterMs = Date.now() - idleFrom;
    // The gateway's side of the close is counted a moment after the client sees it.
    await vi.waitFor(() => expect(short.gw.connections().open).toBe(0));
    // The long-limit gateway kept its idle connection, and it still serves on the same socket.
    expect(b.isClosed()).toBe(false);
    expect(long.gw.connections().open).toBe(1);
    expect(statusOf(await b.request(get(long)))).toBe(200);
    // Node keeps a socket `keepAliveTimeoutBuffer` (1 s) past keepAliveTimeout before it closes it.
    console.log(`idle keep-alive: closed ${closedAfterMs} ms after its answer (idle limit 300 ms + Node's 1 s buffer; headers limit 60 s)`);
  });
});

describe('connection cap (finding 4)', () => {
  it('when every connection is busy: 503 + retry-after + connection: close, in the provider format on provider routes', async () => {
    const h = await harness({ ROTARY_GATEWAY_MAX_CONNECTIONS: '3' });
    h.accounts.anthropic[0]!.sim.delayMs = 1500;
    const busy = [0, 1, 2].map(() =>
      rawExchange(
        h.gw.port,
        `POST /anthropic/v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${h.gw.port}\r\nx-api-key: ${TEST_KEY}\r\ncontent-type: application/json\r\nanthropic-version: 2023-06-01\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(anthropicBody())}\r\n\r\n${anthropicBody()}`,
      ),
    );
    // Wait until the three requests are upstream (busy, not idle).
    while (h.sim.requests.filter((r) => r.path === '/v1/messages').length < 3) await new Promise((r) => setTimeout(r, 20));

    const refused = await rawExchange(
      h.gw.port,
      `POST /anthropic/v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${h.gw.port}\r\nx-api-key: ${TEST_KEY}\r\ncontent-length: 2\r\n\r\n{}`,
    );
    expect(statusOf(refused.response)).toBe(503);
    expect(Number(headerOf(refused.response, 'retry-after'))).toBeGreaterThan(0);
    expect(headerOf(refused.response, 'connection')).toBe('close');
    // A moment of no free connection: the SDK's own retry (after retry-after) is welcome, so no x-should-retry: false.
    expect(headerOf(refused.response, 'x-should-retry')).toBeUndefined();
    expect(bodyOf(refused.response)).toMatchObject({ type: 'error', error: { message: expect.stringMatching(/ROTARY_GATEWAY_MAX_CONNECTIONS/) } });

    const control = await rawExchange(h.gw.port, `GET /auth/accounts HTTP/1.1\r\nHost: 127.0.0.1:${h.gw.port}\r\nx-api-key: ${TEST_KEY}\r\n\r\n`);
    expect(statusOf(control.response)).toBe(503);
    expect(bodyOf(control.response)).toMatchObject({ error: { type: 'unavailable' } });

    for (const b of await Promise.all(busy)) expect(statusOf(b.response)).toBe(200);
    // Capacity is back once they are done.
    h.accounts.anthropic[0]!.sim.delayMs = 0;
    const res = await gwFetch(h, '/anthropic/v1/messages', { method: 'POST', headers: ANTHROPIC_HEADERS, body: anthropicBody() });
    expect(res.status).toBe(200);
    await jsonOf(res);
  });
});

describe('settings', () => {
  it.each([
    ['ROTARY_GATEWAY_HEADERS_TIMEOUT_MS', 'soon'],
    ['ROTARY_GATEWAY_BODY_TIMEOUT_MS', '-5'],
    ['ROTARY_GATEWAY_IDLE_TIMEOUT_MS', '1.5'],
    ['ROTARY_GATEWAY_MAX_CONNECTIONS', '0'],
    ['ROTARY_GATEWAY_MAX_INFLIGHT_BODY', 'lots'],
    ['ROTARY_UPSTREAM_HEADERS_TIMEOUT_MS', '10m'],
    ['ROTARY_UPSTREAM_STREAM_IDLE_MS', '5 min'],
  ])('%s=%j is a clear error at start', async (name, value) => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rotary-settings-'));
    try {
      const env = { ROTARY_HOME: home, ROTARY_SECRET_BACKEND: 'file', ROTARY_GATEWAY_KEY: TEST_KEY, [name]: value };
      const error = await startRuntime({ env, home, warn: () => undefined, gateway: { port: 0 } }).catch((e: unknown) => e);
      expect(String((error as Error).message)).toContain(name);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('the connection cap follows the descriptor limit', () => {
  it('reads the soft open-files limit from /proc; nothing where it cannot', () => {
    const limits = 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 4096                 files\n';
    expect(openFileLimit(() => limits)).toBe(1024);
    expect(openFileLimit(() => 'Max open files            unlimited            unlimited            files\n')).toBeUndefined();
    expect(
      openFileLimit(() => {
        throw new Error('ENOENT');
      }),
    ).toBeUndefined();
    // This process's own, as Linux reports it (Node raised the soft limit to the hard one).
    if (process.platform === 'linux') expect(openFileLimit()).toBeGreaterThan(0);
  });

  it('4096 by default, half of what is left after a reserve under a low limit, never below 16; the variable still wins', () => {
    expect(defaultMaxConnections(undefined)).toBe(4096);
    expect(defaultMaxConnections(1_048_576)).toBe(4096);
    expect(defaultMaxConnections(1024)).toBe(480);
    expect(defaultMaxConnections(256)).toBe(96);
    expect(defaultMaxConnections(40)).toBe(16);
    expect(serverLimitsFromEnv({}, 1024).maxConnections).toBe(480);
    expect(serverLimitsFromEnv({ ROTARY_GATEWAY_MAX_CONNECTIONS: '900' }, 1024).maxConnections).toBe(900);
  });
});
