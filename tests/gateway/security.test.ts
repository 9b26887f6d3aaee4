/**
 * Who may use the gateway, what it refuses, and what never leaks.
 */
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../electron/core/gateway/gateway.js';
import { isRotaryError } from '../../electron/core/errors.js';
import { ANTHROPIC_HEADERS, anthropicBody, gwFetch, jsonOf, startHarness, TEST_KEY, type Harness } from './harness.js';

let h: Harness;
/** Every token the simulator ever handed out for our accounts (collected before and after refreshes). */
const tokens = new Set<string>();
const collectTokens = (): void => {
  for (const list of Object.values(h.accounts)) {
    for (const a of list) {
      const c = a.sim.credentials();
      for (const t of [c.access, c.refresh, c.idToken]) if (t) tokens.add(t);
    }
  }
};

beforeAll(async () => {
  h = await startHarness({ accounts: { anthropic: 2, openai: 1, 'github-copilot': 1 }, env: { ROTARY_GATEWAY_MAX_BODY: '4096' } });
  collectTokens();
});
afterAll(async () => h?.close());

/** Raw request with full control over Host/Origin (fetch would not let us set Host). */
function rawRequest(opts: { path: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: h.gw.port, path: opts.path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('gateway key', () => {
  it('missing key → 401 in the provider format; nothing goes upstream', async () => {
    h.sim.clearRequests();
    const res = await gwFetch(h, '/anthropic/v1/messages', { method: 'POST', headers: ANTHROPIC_HEADERS, body: anthropicBody(), key: null });
    expect(res.status).toBe(401);
    expect(await jsonOf(res)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(h.sim.requests).toHaveLength(0);
  });

  it('wrong key (x-api-key or Bearer) → 401', async () => {
    const variants: Array<Record<string, string>> = [{ 'x-api-key': 'nope' }, { authorization: 'Bearer nope' }, { authorization: `Bearer ${TEST_KEY}x` }, { 'x-api-key': '' }];
    for (const headers of variants) {
      const res = await gwFetch(h, '/openai/responses', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(401);
      expect((await jsonOf(res)).error).toBeTruthy();
    }
    expect((await gwFetch(h, '/auth/accounts', { key: 'nope' })).status).toBe(401);
    expect((await gwFetch(h, '/events', { key: null })).status).toBe(401);
  });

  it('Bearer with the right key works', async () => {
    const res = await gwFetch(h, '/anthropic/v1/messages', { method: 'POST', headers: { ...ANTHROPIC_HEADERS, authorization: `Bearer ${TEST_KEY}` }, body: anthropicBody() });
    expect(res.status).toBe(200);
    await res.text();
  });
});

describe('DNS rebinding and browsers', () => {
  it('foreign Host → 403 even with the key', async () => {
    for (const host of ['evil.example', `evil.example:${h.gw.port}`, `127.0.0.1:${h.gw.port + 1}`, '127.0.0.1']) {
      const res = await rawRequest({ path: '/auth/accounts', headers: { host, 'x-api-key': TEST_KEY } });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body).error.type).toBe('forbidden');
    }
    expect((await rawRequest({ path: '/auth/accounts', headers: { host: `localhost:${h.gw.port}`, 'x-api-key': TEST_KEY } })).status).toBe(200);
  });

  it('any browser Origin → 403 on proxy and control routes', async () => {
    for (const origin of ['https://evil.example', 'null', h.gw.url]) {
      const res = await gwFetch(h, '/auth/accounts', { headers: { origin } });
      expect(res.status).toBe(403);
      await res.text();
    }
    const proxied = await gwFetch(h, '/anthropic/v1/messages', { method: 'POST', headers: { ...ANTHROPIC_HEADERS, origin: 'https://evil.example' }, body: anthropicBody() });
    expect(proxied.status).toBe(403);
  });

  it('mounted routes: same origin allowed only when asked for; auth as configured', async () => {
    h.gw.mount('/ui', (_req, res, ctx) => void res.end(`ui:${ctx.pathname}`), { policy: { key: false, ownOrigin: true } });
    h.gw.mount('/rpc', (_req, res) => void res.end('rpc'), { policy: { key: true, ownOrigin: true } });
    const ui = await gwFetch(h, '/ui/index.html', { key: null, headers: { origin: h.gw.url } });
    expect(await ui.text()).toBe('ui:/ui/index.html');
    expect((await gwFetch(h, '/ui/x', { key: null, headers: { origin: 'https://evil.example' } })).status).toBe(403);
    expect((await gwFetch(h, '/rpc/x', { key: null, headers: { origin: h.gw.url } })).status).toBe(401);
    expect(await (await gwFetch(h, '/rpc/x', { headers: { origin: h.gw.url } })).text()).toBe('rpc');
    // A prefix match is by path segment: /uix is not /ui.
    expect((await gwFetch(h, '/uix', { key: null })).status).toBe(401);
  });
});

describe('loopback only', () => {
  it('listens on 127.0.0.1 and refuses connections on other interfaces', async () => {
    expect((h.gw.server.address() as AddressInfo).address).toBe('127.0.0.1');
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (!external) return; // no non-loopback interface on this machine
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const socket = net.connect({ host: external.address, port: h.gw.port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(undefined);
      });
      socket.once('error', (e) => resolve(e));
    });
    expect(error?.code).toBe('ECONNREFUSED');
  });

  it('a port in use gives a clear error', async () => {
    const error = await createGateway({ pool: h.core.pool, tokens: { credential: async () => ({ headers: {}, fingerprint: '' }), refreshAfter401: async () => ({ headers: {}, fingerprint: '' }) }, key: 'k', port: h.gw.port }).catch((e: unknown) => e);
    expect(isRotaryError(error, 'port-in-use')).toBe(true);
    expect((error as Error).message).toBe(`Port ${h.gw.port} is already in use. Stop the other program or set ROTARY_GATEWAY_PORT.`);
  });
});

describe('bad input', () => {
  it('oversized body → 413 in the provider format (declared length and chunked upload)', async () => {
    h.sim.clearRequests();
    const big = anthropicBody({ padding: 'x'.repeat(8000) });
    const res = await gwFetch(h, '/anthropic/v1/messages', { method: 'POST', headers: ANTHROPIC_HEADERS, body: big });
    expect(res.status).toBe(413);
    const body = await jsonOf(res);
    expect(body).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
    expect(body.error.message).toContain('ROTARY_GATEWAY_MAX_BODY');
    const chunked = await gwFetch(h, '/openai/responses', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode('x'.repeat(1000)));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(h.sim.requests).toHaveLength(0);
  });

  it('path traversal and unknown routes are refused', async () => {
    h.sim.clearRequests();
    const host = `127.0.0.1:${h.gw.port}`;
    for (const path of ['/anthropic/../../api.github.com/user', '/anthropic/v1/%2e%2e/%2E%2E/x', '/openai/..%5c..%5cx']) {
      const res = await rawRequest({ path, headers: { host, 'x-api-key': TEST_KEY } });
      expect(res.status).toBe(400);
    }
    expect(h.sim.requests).toHaveLength(0);
    const nf = await gwFetch(h, '/nope');
    expect(nf.status).toBe(404);
    expect((await jsonOf(nf)).error.type).toBe('not_found');
  });
});

describe('control API', () => {
  it('GET /auth/accounts and /auth/usage list accounts without secrets', async () => {
    const accounts = await jsonOf(await gwFetch(h, '/auth/accounts'));
    expect(accounts.providers.anthropic.accounts).toHaveLength(2);
    expect(accounts.providers.anthropic.activeID).toBe(h.core.pool.snapshot('anthropic').activeID);
    expect(accounts.providers.openai.accounts[0].label).toBe('Account 1');
    const usage = await jsonOf(await gwFetch(h, '/auth/usage'));
    expect(usage.providers.anthropic[0]).toHaveProperty('status');
    for (const text of [JSON.stringify(accounts), JSON.stringify(usage)]) for (const t of tokens) expect(text).not.toContain(t);
  });

  it('POST /auth/active switches and returns the active Anthropic usage', async () => {
    const b = h.accounts.anthropic[1]!;
    const res = await gwFetch(h, '/auth/active', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ providerID: 'anthropic', recordID: b.record.id }) });
    expect(res.status).toBe(200);
    const body = await jsonOf(res);
    expect(body.success).toBe(true);
    expect(body).toHaveProperty('anthropicUsage');
    expect(h.core.pool.snapshot('anthropic').activeID).toBe(b.record.id);
  });

  it('404 for unknown provider or account, 400 for a bad body, 401 without key', async () => {
    const post = (body: string, key?: string | null) =>
      gwFetch(h, '/auth/active', { method: 'POST', headers: { 'content-type': 'application/json' }, body, ...(key !== undefined ? { key } : {}) });
    // Every control-route failure has one shape: {error: {type, message}}, a message a person can act on.
    const failure = async (res: Response, status: number, type: string, message: RegExp) => {
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/json');
      expect(await jsonOf(res)).toEqual({ error: { type, message: expect.stringMatching(message) } });
    };
    await failure(await post(JSON.stringify({ providerID: 'nope', recordID: 'x' })), 404, 'not_found', /Unknown provider "nope"/);
    await failure(await post(JSON.stringify({ providerID: 'anthropic', recordID: 'missing' })), 404, 'not_found', /\S/);
    await failure(await post('not json'), 400, 'bad_request', /\S/);
    await failure(await post(JSON.stringify({ providerID: 'anthropic' })), 400, 'bad_request', /"providerID" and "recordID"/);
    await failure(await post(JSON.stringify([1, 2])), 400, 'bad_request', /\S/);
    await failure(await post(JSON.stringify({ providerID: 'anthropic', recordID: 'x' }), null), 401, 'unauthorized', /Missing or wrong gateway key/);
    await failure(await gwFetch(h, '/auth/nothing'), 404, 'not_found', /Known: POST \/auth\/active/);
  });

  it('DELETE /auth/account removes the account and says how many remain', async () => {
    const extra = h.sim.addAccount('anthropic');
    const rec = await h.core.pool.add({ providerID: 'anthropic', label: 'Extra', secret: { access: extra.credentials().access } });
    const res = await gwFetch(h, '/auth/account', { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ providerID: 'anthropic', recordID: rec.id }) });
    expect(await jsonOf(res)).toEqual({ success: true, remaining: 2 });
    expect(h.core.pool.getRecord('anthropic', rec.id)).toBeUndefined();
    expect(await h.core.pool.getSecret('anthropic', rec.id)).toBeUndefined();
  });
});

describe('activity stream and logs', () => {
  it('GET /events streams rotation events', async () => {
    const controller = new AbortController();
    const res = await gwFetch(h, '/events', { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const [a] = h.accounts.anthropic;
    await h.core.pool.setActive('anthropic', 'default', a!.record.id);
    a!.sim.perMinuteLimited = 1;
    const proxied = await gwFetch(h, '/anthropic/v1/messages', { method: 'POST', headers: ANTHROPIC_HEADERS, body: anthropicBody() });
    expect(proxied.status).toBe(200);
    await proxied.text();
    while (!text.includes('event: request')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toContain('event: rotation');
    expect(text).toContain('429 on Account 1 → Account 2');
  });

  it('client abort cancels the upstream request', async () => {
    const [a] = h.accounts.anthropic;
    await h.core.pool.setActive('anthropic', 'default', a!.record.id);
    await h.core.pool.clearCooldown('anthropic', a!.record.id);
    a!.sim.delayMs = 400;
    const before = a!.sim.inferenceCount;
    const controller = new AbortController();
    const pending = gwFetch(h, '/anthropic/v1/messages', { method: 'POST', headers: ANTHROPIC_HEADERS, body: anthropicBody(), signal: controller.signal }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    await pending;
    await new Promise((r) => setTimeout(r, 600));
    a!.sim.delayMs = 0;
    // The simulator saw its connection closed before answering, so it never served the request.
    expect(a!.sim.inferenceCount).toBe(before);
  });

  it('no token appears in the gateway log, the activity log or the activity endpoint', async () => {
    // Make some noise first: a refresh (new tokens) and a rotation.
    h.accounts.anthropic[0]!.sim.expireAccessToken();
    h.accounts.anthropic[1]!.sim.perMinuteLimited = 1;
    for (let i = 0; i < 3; i++) await (await gwFetch(h, '/anthropic/v1/messages', { method: 'POST', headers: ANTHROPIC_HEADERS, body: anthropicBody() })).text();
    collectTokens();
    const activity = await (await gwFetch(h, '/activity')).text();
    const everything = [h.logs.join('\n'), activity, JSON.stringify(h.gw.activity.requests()), JSON.stringify(h.gw.activity.recentEvents())].join('\n');
    expect(h.logs.some((l) => l.includes('rotation'))).toBe(true);
    for (const t of tokens) expect(everything).not.toContain(t);
    expect(everything).not.toContain(TEST_KEY);
  });
});
