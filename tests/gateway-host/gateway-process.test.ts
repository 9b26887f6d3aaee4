/**
 * The gateway in its own process, as the desktop app runs it (issue 16 point 3): the app
 * service in this process, the gateway in a child started by the supervisor. Real processes,
 * real HTTP on loopback against the simulator; the file vault (ROTARY_SECRET_BACKEND=file)
 * because these tests are about processes, not secrets (gateway-secrets.test.ts uses the
 * keychain). The child is a Node child_process running electron/gateway-process.ts; the app
 * uses an Electron utilityProcess instead, which cannot run here (utility-fork.test.ts checks
 * that mapping with a fake).
 */
import fs from 'node:fs';
import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import type { EventName, Notice } from '../../shared/ipc.js';
import { forwardEvents } from '../../electron/ipc.js';
import { GATEWAY_NODE_FLAGS } from '../../electron/core/gateway/node-flags.js';
import { makeTempHome } from '../helpers/temp-home.js';
import { startSimulator, type Simulator } from '../sim/server.js';
import { anthropicRequest, startHosted, untilState, type Hosted } from './harness.js';

const KEY = 'rotary-test-gateway-key-0123456789';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: { port?: number; restart?: Parameters<typeof startHosted>[0]['restart'] } = {}): Promise<Hosted & { sim: Simulator }> {
  const sim = await startSimulator();
  const { home, cleanup } = makeTempHome('rotary-gwproc-');
  cleanups.push(cleanup, () => sim.close());
  const env = { ROTARY_HOME: home, ROTARY_UPSTREAM: sim.url, ROTARY_SECRET_BACKEND: 'file', ROTARY_GATEWAY_KEY: KEY, PATH: process.env.PATH };
  const hosted = await startHosted({ env, home, ...options });
  cleanups.push(() => hosted.close());
  return { ...hosted, sim };
}

/** Adds an account in this process and waits until the gateway process has read it from the store file. */
async function addAccount(h: Hosted & { sim: Simulator }): Promise<void> {
  const c = h.sim.addAccount('anthropic').credentials();
  const record = await h.runtime.pool.add({ providerID: 'anthropic', accountId: c.accountId, secret: { access: c.access, refresh: c.refresh!, expires: c.expires! } });
  const { url } = (await untilState(h.host, (s) => s.state === 'running')) as { url: string };
  for (;;) {
    const res = await fetch(`${url}/auth/accounts`, { headers: { 'x-api-key': KEY } });
    if ((await res.text()).includes(record.id)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** What a renderer would receive: the real forwarder of electron/ipc.ts with a recording `send`. */
function rendererFeed(h: Hosted): Array<{ name: EventName; payload: unknown }> {
  const sent: Array<{ name: EventName; payload: unknown }> = [];
  const off = forwardEvents(h.runtime.service!.events, (name, payload) => sent.push({ name, payload }));
  cleanups.push(off);
  return sent;
}

async function until<T>(read: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Kills each gateway child with SIGKILL as soon as it listens, `deaths` times in a row. */
async function killEachChildOnceItListens(h: Hosted, deaths: number): Promise<void> {
  for (let death = 1; death <= deaths; death++) {
    await untilState(h.host, (s) => s.state === 'running');
    process.kill(h.host.pid()!, 'SIGKILL');
    await untilState(h.host, (s) => s.state !== 'running');
  }
}

const notices = (feed: Array<{ name: EventName; payload: unknown }>) => feed.filter((e) => e.name === 'events:notice').map((e) => e.payload as Notice);
const requestEvents = (feed: Array<{ name: EventName; payload: unknown }>) => feed.filter((e) => e.name === 'events:activity' && (e.payload as { kind: string }).kind === 'request');

it('an account added in the app is served by the gateway process at once, before its file watch has caught up', async () => {
  const h = await setup();
  const { url } = (await untilState(h.host, (s) => s.state === 'running')) as { url: string };
  // The gateway process has seen the empty store; the account comes from this (the app's) process.
  expect((await anthropicRequest(url, KEY, { session: 'empty' })).status).not.toBe(200);
  await new Promise((r) => setTimeout(r, 1100));
  const c = h.sim.addAccount('anthropic').credentials();
  await h.runtime.pool.add({ providerID: 'anthropic', accountId: c.accountId, secret: { access: c.access, refresh: c.refresh!, expires: c.expires! } });
  const res = await anthropicRequest(url, KEY, { session: 'right-after-add' });
  expect(res.status, await res.clone().text()).toBe(200);
  await res.text();
});

it('a gateway process killed with SIGKILL is restarted: the service shows it down then up, requests work again, and an earlier subscription keeps receiving events', async () => {
  const h = await setup();
  await addAccount(h);
  const service = h.runtime.service!;
  // The renderer subscribes once, before anything happens, and never again.
  const feed = rendererFeed(h);

  const first = await service.call('gateway:status', undefined);
  expect(first).toMatchObject({ ok: true, value: { running: true } });
  const url = (first as { value: { url: string } }).value.url;
  const firstPid = h.host.pid()!;
  expect(firstPid).not.toBe(process.pid);
  // The gateway process runs with the heap settings measured for it (gateway/node-flags.ts).
  expect(fs.readFileSync(`/proc/${firstPid}/cmdline`, 'utf8').split('\0')).toEqual(expect.arrayContaining([...GATEWAY_NODE_FLAGS]));
  const res = await anthropicRequest(url, KEY, { session: 'before-kill' });
  expect(res.status).toBe(200);
  await res.text();
  await until(() => requestEvents(feed).length === 1, 'the request event before the kill');

  process.kill(firstPid, 'SIGKILL');
  await untilState(h.host, (s) => s.state === 'restarting');
  const down = await service.call('gateway:status', undefined);
  expect(down).toMatchObject({ ok: true, value: { running: false, clients: [] } });
  expect((down as { value: { error: string } }).value.error).toMatch(/gateway process was killed \(SIGKILL\); restarting it \(attempt 1 of 5\)/);
  expect(await service.call('activity:conversations', undefined)).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  expect(notices(feed).some((n) => n.code === 'gateway-restarting' && n.level === 'warning')).toBe(true);

  await untilState(h.host, (s) => s.state === 'running');
  const up = await service.call('gateway:status', undefined);
  // Same address as before: the tools stay pointed at the right port.
  expect(up).toMatchObject({ ok: true, value: { running: true, url } });
  expect(h.host.pid()).not.toBe(firstPid);
  expect(h.host.forks()).toBe(2);
  expect(notices(feed).some((n) => n.code === 'gateway-restarted' && n.message.includes(url))).toBe(true);

  const again = await anthropicRequest(url, KEY, { session: 'after-restart' });
  expect(again.status).toBe(200);
  expect(await again.text()).toContain('Hello from');
  const after = await until(() => requestEvents(feed).find((e) => (e.payload as { entry: { conversationID: string } }).entry.conversationID.includes('after-restart')), 'the request event after the restart');
  expect(after).toBeDefined();
  // The new child answers the app's activity queries (history written through by both children).
  const conversations = await service.call('activity:conversations', undefined);
  expect(conversations.ok).toBe(true);
  expect(JSON.stringify(conversations)).toContain('after-restart');
}, 90_000);

it('a gateway that cannot start (port in use) is reported with a clear message and not restarted', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const port = (blocker.address() as net.AddressInfo).port;

  const h = await setup({ port });
  const status = await h.runtime.service!.call('gateway:status', undefined);
  expect(status).toMatchObject({ ok: true, value: { running: false, clients: [] } });
  expect((status as { value: { error: string } }).value.error).toBe(`Port ${port} is already in use. Stop the other program or set ROTARY_GATEWAY_PORT.`);
  expect(h.host.state().state).toBe('failed');
  // Well past every backoff delay of the policy: still the one start.
  await new Promise((r) => setTimeout(r, 1500));
  expect(h.host.forks()).toBe(1);
  expect(h.output.join('\n')).toContain(`Port ${port} is already in use`);
}, 60_000);

it('a port taken while the gateway restarts: one failed restart, an error notice, then no more tries', async () => {
  const h = await setup({ restart: { baseDelayMs: 500 } });
  const feed = rendererFeed(h);
  const { port } = (await untilState(h.host, (s) => s.state === 'running')) as { port: number };
  const blocker = net.createServer();
  cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  // Another program takes the port between the crash and the restart.
  const taken = new Promise<void>((resolve) => h.host.onState((s) => s.state === 'restarting' && blocker.listen(port, '127.0.0.1', resolve)));
  process.kill(h.host.pid()!, 'SIGKILL');
  await taken;
  const failed = await untilState(h.host, (s) => s.state === 'failed');
  expect(failed).toMatchObject({ error: `Port ${port} is already in use. Stop the other program or set ROTARY_GATEWAY_PORT.` });
  await until(() => notices(feed).find((n) => n.level === 'error' && n.code === 'gateway-start-failed'), 'the error notice');
  await new Promise((r) => setTimeout(r, 1500));
  expect(h.host.forks()).toBe(2);
}, 60_000);

it('restarts are bounded: a gateway that keeps dying is given up after maxRestarts, with a notice saying so', async () => {
  const h = await setup({ restart: { maxRestarts: 2, baseDelayMs: 20 } });
  const feed = rendererFeed(h);
  // Three deaths in a row, two restarts allowed.
  await killEachChildOnceItListens(h, 3);
  const failed = await untilState(h.host, (s) => s.state === 'failed');
  expect((failed as { error: string }).error).toMatch(/stopped 3 times in a row; Rotary stopped restarting it/);
  const status = await h.runtime.service!.call('gateway:status', undefined);
  expect((status as { value: { error: string } }).value.error).toMatch(/stopped 3 times in a row/);
  await until(() => notices(feed).find((n) => n.code === 'gateway-gave-up' && n.level === 'error'), 'the give-up notice');
  await new Promise((r) => setTimeout(r, 1000));
  expect(h.host.forks()).toBe(3);
}, 90_000);

it('a gateway given up on starts again from "Restart the gateway": same port, a notice, a fresh restart count', async () => {
  const h = await setup({ restart: { maxRestarts: 1, baseDelayMs: 20 } });
  const feed = rendererFeed(h);
  const service = h.runtime.service!;
  const { port } = (await untilState(h.host, (s) => s.state === 'running')) as { port: number };
  // While it runs there is nothing to restart, and the status does not offer it.
  expect((await service.call('gateway:status', undefined)) as { value: object }).not.toMatchObject({ value: { restartable: true } });
  expect(await service.call('gateway:restart', undefined)).toMatchObject({ ok: false, error: { code: 'bad-input', message: 'The gateway is already running.' } });
  expect(h.host.forks()).toBe(1);

  // Two deaths in a row with one restart allowed: given up.
  await killEachChildOnceItListens(h, 2);
  await untilState(h.host, (s) => s.state === 'failed');
  const down = await service.call('gateway:status', undefined);
  expect(down).toMatchObject({ ok: true, value: { running: false, restartable: true } });
  expect((down as { value: { error: string } }).value.error).toMatch(/stopped 2 times in a row; Rotary stopped restarting it\. Choose “Restart the gateway” to try again/);

  const restarted = await service.call('gateway:restart', undefined);
  expect(restarted).toMatchObject({ ok: true, value: { running: false } });
  expect((restarted as { value: { restartable?: boolean } }).value.restartable).toBeUndefined();
  const running = await untilState(h.host, (s) => s.state === 'running');
  expect(running).toMatchObject({ port });
  expect(h.host.forks()).toBe(3);
  await until(() => notices(feed).find((n) => n.code === 'gateway-restarted' && n.level === 'info'), 'the restarted notice');
  expect(await service.call('gateway:status', undefined)).toMatchObject({ ok: true, value: { running: true, port } });
  // A fresh count: the next crash is restarted by itself again, not given up at once.
  process.kill(h.host.pid()!, 'SIGKILL');
  await untilState(h.host, (s) => s.state === 'restarting');
  await untilState(h.host, (s) => s.state === 'running');
  expect(h.host.forks()).toBe(4);
}, 90_000);

it('a port freed after the gateway could not start: "Restart the gateway" starts it on that port', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  const h = await setup({ port });
  expect(h.host.state().state).toBe('failed');
  await new Promise<void>((resolve) => blocker.close(() => resolve()));
  expect(await h.runtime.service!.call('gateway:restart', undefined)).toMatchObject({ ok: true });
  expect(await untilState(h.host, (s) => s.state === 'running')).toMatchObject({ port });
  expect(h.host.forks()).toBe(2);
}, 60_000);

it('stops the gateway process with the runtime: bookkeeping flushed, the child gone', async () => {
  const h = await setup();
  await addAccount(h);
  const { url } = (await untilState(h.host, (s) => s.state === 'running')) as { url: string };
  const pid = h.host.pid()!;
  h.sim.accounts()[0]!.fiveHour.utilization = 1;
  const res = await anthropicRequest(url, KEY);
  expect(res.status).toBe(429);
  await res.text();
  await h.runtime.close();
  expect(h.host.state().state).toBe('stopped');
  expect(() => process.kill(pid, 0)).toThrow();
  // The child's record of the 429 (cooling) reached the store before it exited.
  const { openCore } = await import('../../electron/core/runtime.js');
  const core = await openCore({ env: h.runtime.env, home: h.runtime.home, warn: () => undefined });
  cleanups.push(() => core.close());
  expect(core.pool.getAccounts('anthropic')[0]!.status.kind).not.toBe('ok');
}, 60_000);
