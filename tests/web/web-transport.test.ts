/**
 * The web transport over real HTTP: the real gateway (127.0.0.1, random port) with the
 * transport mounted, the real core on a temp home and the simulator upstream. Checks auth,
 * same-origin, schema rejection, the SSE ticket flow and that no token (simulator tokens or
 * the gateway key) appears in any payload.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createParser } from 'eventsource-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../electron/core/gateway/gateway.js';
import { createAppService } from '../../electron/core/service/app-service.js';
import { mountWebTransport } from '../../electron/core/web/web-transport.js';
import { GATEWAY_KEY_PLACEHOLDER } from '../../shared/ipc.js';
import { expectNoTokens, startServiceHarness, type ServiceHarness } from '../helpers/rotary-service.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- HTTP bodies are read loosely; their shapes are checked field by field
type Loose = any;
let h: ServiceHarness & { gateway?: Gateway };
let gw: Gateway;
let staticDir: string;
let transport: ReturnType<typeof mountWebTransport>;
const payloads: string[] = [];

async function rpc(channel: string, body?: unknown, init: { key?: string | null; headers?: Record<string, string>; raw?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
  const key = init.key === undefined ? gw.key : init.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${gw.url}/rpc/${channel}`, {
    method: 'POST',
    headers,
    body: init.raw ?? (body === undefined ? '' : JSON.stringify(body)),
  });
  const text = await res.text();
  payloads.push(text);
  return { status: res.status, json: JSON.parse(text) as Loose };
}

/** Opens the SSE stream with a fresh ticket; collects events until `close()`. */
async function openEvents() {
  const t = await rpc('events-ticket');
  expect(t.status).toBe(200);
  const abort = new AbortController();
  const res = await fetch(`${gw.url}/rpc/events?ticket=${encodeURIComponent(t.json.value.ticket)}`, { signal: abort.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const events: Array<{ event: string; data: Loose }> = [];
  const parser = createParser({
    onEvent: (e) => {
      payloads.push(e.data);
      events.push({ event: e.event ?? 'message', data: JSON.parse(e.data) });
    },
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      /* aborted */
    }
  })();
  return { events, ticket: t.json.value.ticket as string, close: () => abort.abort() };
}

beforeAll(async () => {
  staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rotary-ui-'));
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Rotary</title><div id="root"></div>');
  fs.mkdirSync(path.join(staticDir, 'assets'));
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  h = await startServiceHarness({ label: 'web', gateway: { key: 'test-gateway-key-0123456789abcdef' } });
  gw = h.gateway!;
  transport = mountWebTransport(gw, h.service, { staticDir });
  h.tokens.push(gw.key);
});

afterAll(async () => {
  expectNoTokens(payloads.join('\n'), h.tokens);
  transport?.close();
  await h?.close();
  fs.rmSync(staticDir, { recursive: true, force: true });
});

describe('web transport: access', () => {
  it('serves the UI under /ui/ without a key, with a CSP header, and never outside the folder', async () => {
    const res = await fetch(`${gw.url}/ui/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain('<div id="root">');
    expect((await fetch(`${gw.url}/ui/assets/app.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${gw.url}/ui/settings/providers`)).status).toBe(200); // client-side route → index.html
    const traversal = await fetch(`${gw.url}/ui/..%2f..%2f..%2fetc%2fpasswd`);
    // Normalized inside the folder: at most the app shell comes back, never the file outside.
    const text = await traversal.text();
    expect(text).not.toContain('root:');
    expect((await fetch(`${gw.url}/ui/..%2f..%2f..%2fetc%2fhosts.js`)).status).toBe(404);
  });

  it('requires the gateway key: none → 401, wrong → 401, right → 200', async () => {
    const none = await rpc('accounts:list', undefined, { key: null });
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe('unauthorized');
    const wrong = await rpc('accounts:list', undefined, { key: 'not-the-key' });
    expect(wrong.status).toBe(401);
    const right = await rpc('accounts:list');
    expect(right.status).toBe(200);
    expect(right.json).toEqual({ ok: true, value: { providers: [], at: expect.any(Number) } });
  });

  it('refuses foreign origins and cross-site requests even with the key', async () => {
    const foreign = await fetch(`${gw.url}/rpc/accounts:list`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.key}`, origin: 'http://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(foreign.status).toBe(403);
    payloads.push(await foreign.text());
    const crossSite = await rpc('accounts:list', {}, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    expect(crossSite.json.error.code).toBe('forbidden');
    const sameSite = await rpc('accounts:list', {}, { headers: { 'sec-fetch-site': 'same-site' } });
    expect(sameSite.status).toBe(403);
    const own = await rpc('accounts:list', {}, { headers: { origin: gw.url, 'sec-fetch-site': 'same-origin' } });
    expect(own.status).toBe(200);
    const uiCross = await fetch(`${gw.url}/ui/`, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(uiCross.status).toBe(403);
  });

  it('answers bad input with 400 bad-input, unknown channels with 404, wrong content type with 415', async () => {
    const schema = await rpc('accounts:setActive', { providerID: 'nope', recordID: '' });
    expect(schema.status).toBe(400);
    expect(schema.json.error.code).toBe('bad-input');
    expect(schema.json.error.message).toMatch(/providerID/);
    const json = await rpc('accounts:setActive', undefined, { raw: '{not json' });
    expect(json.status).toBe(400);
    expect(json.json.error.code).toBe('bad-input');
    const unknown = await rpc('accounts:explode', {});
    expect(unknown.status).toBe(404);
    const plain = await rpc('accounts:list', undefined, { raw: '{}', headers: { 'content-type': 'text/plain' } });
    expect(plain.status).toBe(415);
    const big = await rpc('login:submitCode', undefined, { raw: JSON.stringify({ sessionID: 'x', code: 'y'.repeat(100_000) }) });
    expect(big.status).toBe(413);
    const encoded = await rpc('accounts%3Alist', {});
    expect(encoded.status).toBe(200);
  });

  it('a missing account is a 200 with ok:false not-found (the service answered)', async () => {
    const r = await rpc('accounts:remove', { providerID: 'anthropic', recordID: 'missing' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});

describe('web transport: events and data', () => {
  it('SSE needs a one-time ticket; events arrive for pool changes and gateway traffic', async () => {
    expect((await fetch(`${gw.url}/rpc/events`)).status).toBe(401);
    const a = await h.addAccount('anthropic');
    const b = await h.addAccount('anthropic');
    const stream = await openEvents();
    // A ticket works once.
    expect((await fetch(`${gw.url}/rpc/events?ticket=${encodeURIComponent(stream.ticket)}`)).status).toBe(401);
    // The stream starts with the current view.
    await expect.poll(() => stream.events.find((e) => e.event === 'events:pool')).toBeTruthy();
    expect(stream.events[0]!.data.providers[0].activeID).toBe(a.recordID);

    const switched = await rpc('accounts:setActive', { providerID: 'anthropic', recordID: b.recordID });
    expect(switched.json.value.activeID).toBe(b.recordID);
    await expect.poll(() => stream.events.filter((e) => e.event === 'events:pool').at(-1)?.data.providers[0].activeID).toBe(b.recordID);

    // A real request through the gateway shows up as activity, on the stream and in the lists.
    const res = await fetch(`${gw.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': gw.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json', 'x-claude-code-session-id': 'sess-web-1' },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
    await expect.poll(() => stream.events.find((e) => e.event === 'events:activity' && e.data.kind === 'request')).toBeTruthy();
    const convs = await rpc('activity:conversations', {});
    expect(convs.json.value.length).toBe(1);
    const reqs = await rpc('activity:requests', { conversationID: convs.json.value[0].id });
    expect(reqs.json.value[0]).toMatchObject({ providerID: 'anthropic', status: 200, recordID: b.recordID });
    // The simulator saw the switched-to account.
    expect(b.sim.inferenceCount).toBe(1);
    stream.close();
    await expect.poll(() => transport.openStreams()).toBe(0);
  });

  it('gateway:status gives copy-ready settings with a placeholder, never the key', async () => {
    const r = await rpc('gateway:status');
    expect(r.json.value).toMatchObject({ running: true, url: gw.url, port: gw.port });
    const claude = r.json.value.clients.find((c: { clientID: string }) => c.clientID === 'claude-code');
    expect(claude.text).toContain(`ANTHROPIC_BASE_URL=${gw.url}/anthropic`);
    expect(claude.text).toContain(GATEWAY_KEY_PLACEHOLDER);
    expect(JSON.stringify(r.json)).not.toContain(gw.key);
    const copy = await rpc('gateway:copySettings', { clientID: 'claude-code' });
    expect(copy.json.error.code).toBe('unavailable');
  });

  it('in Electron, gateway:copySettings writes the key to the clipboard in main, not to the result', async () => {
    const clipboard: string[] = [];
    // The desktop shell's service over the same core and gateway, with Electron's clipboard (mocked: no Electron here).
    const service = createAppService({
      pool: h.core.pool,
      shell: 'electron',
      version: 't',
      gateway: { running: () => true, url: () => gw.url, port: () => gw.port, key: () => gw.key },
      writeClipboard: (t) => clipboard.push(t),
    });
    const r = await service.call('gateway:copySettings', { clientID: 'claude-code' });
    expect(r).toEqual({ ok: true, value: { copied: true } });
    expect(clipboard[0]).toContain(`ANTHROPIC_AUTH_TOKEN='${gw.key}'`);
    expect(clipboard[0]).not.toContain(GATEWAY_KEY_PLACEHOLDER);
    service.close();
  });
});
