/**
 * The history through the real gateway (issue 15): requests through the simulator, the
 * runtime restarted, the conversation list still there (control API and service); a corrupt
 * history file at start-up (the gateway serves, the file is rebuilt, a notice and a log line
 * say so); and two processes — a `rotary gateway` child and an app-like runtime — writing the
 * same history.db at once while each reads what the other wrote.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Notice } from '../../shared/ipc.js';
import { startRuntime, type Runtime } from '../../electron/core/runtime.js';
import { openHistory } from '../../electron/core/history/history.js';
import { ANTHROPIC_HEADERS, anthropicBody, startHarness, TEST_KEY } from '../gateway/harness.js';
import { childEnv, makeTempHome } from '../helpers/temp-home.js';
import { startSimulator } from '../sim/server.js';
import { CLI_ENTRY, ROOT } from '../cli/cli-helpers.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function post(url: string, session: string): Promise<Response> {
  return fetch(`${url}/anthropic/v1/messages`, {
    method: 'POST',
    headers: { ...ANTHROPIC_HEADERS, 'x-api-key': TEST_KEY, 'x-claude-code-session-id': session },
    body: anthropicBody(),
  });
}

async function activity(url: string): Promise<{ conversations: Array<{ id: string; requestCount: number }>; requests: Array<{ id: string; conversationID: string; pick?: unknown }> }> {
  const res = await fetch(`${url}/activity`, { headers: { 'x-api-key': TEST_KEY } });
  expect(res.status).toBe(200);
  return (await res.json()) as never;
}

/** A gateway with one simulator account, started on a home whose history.db `prepare` has damaged first. */
async function gatewayOnHistoryFile(prepare: (historyFile: string) => void): Promise<{ home: string; core: Runtime; logs: string[] }> {
  const sim = await startSimulator();
  cleanups.push(() => sim.close());
  const { home, cleanup } = makeTempHome('rotary-history-gw-');
  cleanups.push(cleanup);
  prepare(path.join(home, 'history.db'));
  const env = { ROTARY_HOME: home, ROTARY_UPSTREAM: sim.url, ROTARY_SECRET_BACKEND: 'file', ROTARY_GATEWAY_KEY: TEST_KEY };
  const logs: string[] = [];
  const core = await startRuntime({ env, home, warn: () => undefined, service: { shell: 'web', version: '0.0.0-test' }, gateway: { port: 0, log: (l) => logs.push(l) } });
  cleanups.push(() => core.close());
  const c = sim.addAccount('anthropic').credentials();
  await core.pool.add({ providerID: 'anthropic', accountId: c.accountId, secret: { access: c.access, refresh: c.refresh!, expires: c.expires! } });
  return { home, core, logs };
}

describe('history through the gateway', () => {
  it('a restart keeps the conversation list and the requests (GET /activity and the activity channels)', async () => {
    const h = await startHarness({ accounts: { anthropic: 2 } });
    cleanups.push(() => h.close());
    for (let i = 0; i < 3; i++) expect((await post(h.gw.url, 'session-a')).status).toBe(200);
    expect((await post(h.gw.url, 'session-b')).status).toBe(200);
    const before = await activity(h.gw.url);
    expect(before.conversations.map((c) => [c.id, c.requestCount])).toEqual([
      ['anthropic:session-b', 1],
      ['anthropic:session-a', 3],
    ]);
    // Each entry says which policy picked its account.
    expect(before.requests[0]!.pick).toEqual({ policy: 'active-first', rule: 'active', reason: 'the active account' });

    await h.core.close();
    const again = await startRuntime({ env: h.env, home: h.home, warn: () => undefined, service: { shell: 'web', version: '0.0.0-test' }, gateway: { port: 0 } });
    cleanups.push(() => again.close());
    const after = await activity(again.gateway!.url);
    expect(after.conversations).toEqual(before.conversations);
    expect(after.requests.map((r) => r.id)).toEqual(before.requests.map((r) => r.id));
    const listed = await again.service!.call('activity:conversations', { limit: 10 });
    expect(listed.ok && (listed.value as Array<{ id: string }>).map((c) => c.id)).toEqual(['anthropic:session-b', 'anthropic:session-a']);
    const requests = await again.service!.call('activity:requests', { conversationID: 'anthropic:session-a' });
    expect(requests.ok && (requests.value as unknown[]).length).toBe(3);
    // New traffic adds to the old conversation.
    expect((await post(again.gateway!.url, 'session-a')).status).toBe(200);
    expect((await activity(again.gateway!.url)).conversations[0]).toMatchObject({ id: 'anthropic:session-a', requestCount: 4 });
  });

  it('a corrupt history file: the gateway still serves, the file is rebuilt, and a notice and a log line say so', async () => {
    const { home, core, logs } = await gatewayOnHistoryFile((file) => fs.writeFileSync(file, Buffer.alloc(8192, 0x5a)));

    expect((await post(core.gateway!.url, 'after-rebuild')).status).toBe(200);
    await core.history!.flush();
    const notices: Notice[] = [];
    core.service!.events.on('events:notice', (n) => notices.push(n));
    expect(notices.find((n) => n.code === 'history-rebuilt')?.message).toMatch(/could not be read .* moved to .*history\.db\.corrupt-.* the gateway kept serving/);
    expect(logs.some((l) => l.startsWith('history: The history database') && l.includes('corrupt-'))).toBe(true);
    expect(fs.readdirSync(home).filter((f) => f.startsWith('history.db.corrupt-'))).toHaveLength(1);
    expect(core.history!.db.state).toBe('open');
    expect((await activity(core.gateway!.url)).conversations.map((c) => c.id)).toEqual(['anthropic:after-rebuild']);
  });

  it('a history file that cannot be opened at all: the gateway serves from memory', async () => {
    // A folder where the file should be: not a database, and nothing can be moved into its place.
    const { core, logs } = await gatewayOnHistoryFile((file) => fs.mkdirSync(file));
    expect((await post(core.gateway!.url, 'in-memory')).status).toBe(200);
    expect(core.history!.db.state).toBe('off');
    expect(logs.some((l) => /history: Rotary cannot use .*history\.db.*kept in memory only/.test(l))).toBe(true);
    expect((await activity(core.gateway!.url)).conversations.map((c) => c.id)).toEqual(['anthropic:in-memory']);
  });
});

describe('two processes on one history.db', () => {
  it('a headless gateway and an app write at once, and each reads what the other wrote while both run', async () => {
    const sim = await startSimulator();
    cleanups.push(() => sim.close());
    const { home, cleanup } = makeTempHome('rotary-history-2p-');
    cleanups.push(cleanup);
    const env = childEnv({ ROTARY_HOME: home, ROTARY_UPSTREAM: sim.url, ROTARY_SECRET_BACKEND: 'file', ROTARY_GATEWAY_KEY: TEST_KEY, ROTARY_GATEWAY_PORT: '0' });
    // The "app": a runtime with the service and the usage poller on the same home.
    const app: Runtime = await startRuntime({ env, home, warn: () => undefined, poller: { start: false, minIntervalMs: 0, jitterMs: 0 }, service: { shell: 'web', version: '0.0.0-test' } });
    cleanups.push(() => app.close());
    for (let i = 0; i < 2; i++) {
      const c = sim.addAccount('anthropic').credentials();
      await app.pool.add({ providerID: 'anthropic', label: `Account ${i + 1}`, accountId: c.accountId, secret: { access: c.access, refresh: c.refresh!, expires: c.expires! } });
    }
    await app.pool.flush();

    // The headless gateway: `rotary gateway` in its own process.
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, 'gateway'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => (child.exitCode === null ? new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) : undefined));
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`rotary gateway exited with ${code}: ${stderr}`)));
    });

    // Both write at once: the child its request summaries, the app its usage readings (polls) and its own entries.
    const appWrites = (async () => {
      for (let round = 0; round < 20; round++) {
        await app.poller!.refreshNow('anthropic');
        app.history!.activity.addRequest(
          { id: `app-${round}`, conversationID: 'anthropic:from-the-app', providerID: 'anthropic', at: Date.now(), method: 'POST', path: '/v1/messages', stream: false, status: 200, latencyMs: 1, rotations: [] },
          'written by the app',
        );
        app.history!.recorder.flush();
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    for (let i = 0; i < 30; i++) expect((await post(url, `gw-session-${i % 3}`)).status).toBe(200);
    await appWrites;

    // The app reads the gateway's conversations from the file while the gateway still runs (its flush is ≤ 1 s away).
    let seen: string[] = [];
    for (let i = 0; i < 50 && seen.length < 4; i++) {
      seen = (app.history!.activity.conversations(10) ?? []).map((c) => c.id).sort();
      if (seen.length < 4) await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toEqual(['anthropic:from-the-app', 'anthropic:gw-session-0', 'anthropic:gw-session-1', 'anthropic:gw-session-2']);
    // And the gateway reads the app's: its GET /activity lists the app's conversation too.
    const fromGateway = await activity(url);
    expect(fromGateway.conversations.map((c) => c.id)).toContain('anthropic:from-the-app');
    expect(fromGateway.requests.filter((r) => r.conversationID.startsWith('anthropic:gw-session')).length).toBe(30);

    await new Promise((r) => (child.once('exit', r), child.kill('SIGTERM')));
    expect(stderr).not.toMatch(/history: /);
    await app.close();
    // Everything both wrote is there: 30 + 20 requests, and the app's usage readings.
    const reader = openHistory({ home, env: {} })!;
    cleanups.push(() => reader.close());
    expect(reader.activity.requests(undefined, 1000)!.length).toBe(50);
    expect(reader.readings({ providerID: 'anthropic', since: 0 })!.length).toBeGreaterThan(0);
  }, 60_000);
});
