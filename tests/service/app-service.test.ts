/**
 * The application service over a real core (temp ROTARY_HOME, real keychain when the
 * Secret Service runs) with the provider simulator as upstream. Every result goes through
 * `service.call()` — the same path Electron IPC and the web transport use — and is
 * serialized and checked for tokens.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountSecretKey } from '../../electron/core/pool/vault.js';
import type { ChannelName, ChannelOutput, EventPayload, LoginSession, LoginStep, Result } from '../../shared/ipc.js';
import { expectNoTokens, startServiceHarness, type ServiceHarness } from '../helpers/rotary-service.js';

let h: ServiceHarness;
const seen: string[] = [];

/** A call through the same validated path the transports use; `input` is deliberately untyped (bad input is tested too). */
async function call<K extends ChannelName>(channel: K, input?: unknown): Promise<Result<ChannelOutput<K>>> {
  const result = (await h.service.call(channel, input)) as Result<ChannelOutput<K>>;
  seen.push(JSON.stringify(result));
  return result;
}
async function callRaw(channel: string, input?: unknown): Promise<Result<unknown>> {
  const result = await h.service.call(channel, input);
  seen.push(JSON.stringify(result));
  return result;
}
/** The session's step, asserted to be of `kind`. */
function stepOf<K extends LoginStep['kind']>(session: LoginSession | undefined, kind: K): Extract<LoginStep, { kind: K }> {
  expect(session?.step.kind).toBe(kind);
  return session!.step as Extract<LoginStep, { kind: K }>;
}
function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

beforeEach(async () => {
  seen.length = 0;
  h = await startServiceHarness({ label: 'service' });
});
afterEach(async () => {
  // Nothing any call returned may contain a token the simulator issued.
  expectNoTokens(seen.join('\n'), h.tokens);
  await h.close();
});

describe('app service: accounts', () => {
  it('lists connected providers with their accounts, active first, without secrets', async () => {
    const a1 = await h.addAccount('anthropic');
    await h.addAccount('anthropic');
    await h.addAccount('openai');
    const view = value(await call('accounts:list'));
    expect(view.providers.map((p) => p.providerID)).toEqual(['anthropic', 'openai']);
    const anthropic = view.providers[0]!;
    expect(anthropic.accounts).toHaveLength(2);
    expect(anthropic.activeID).toBe(a1.recordID);
    expect(anthropic.accounts[0]!.isActive).toBe(true);
    expect(anthropic.accounts[0]!.status).toEqual({ kind: 'ok' });
    const one = value(await call('accounts:list', { providerID: 'openai' }));
    expect(one.providers.map((p) => p.providerID)).toEqual(['openai']);
  });

  it('providers:list gives connected (alphabetical, with counts) and every supported provider', async () => {
    await h.addAccount('openai');
    await h.addAccount('anthropic');
    await h.addAccount('anthropic');
    const v = value(await call('providers:list'));
    expect(v.connected.map((c) => [c.name, c.count])).toEqual([
      ['Anthropic', 2],
      ['OpenAI (ChatGPT / Codex)', 1],
    ]);
    expect(v.supported.map((x) => x.providerID).sort()).toEqual(['anthropic', 'github-copilot', 'openai']);
    expect(v.supported.find((x) => x.providerID === 'github-copilot')!.connected).toBe(false);
  });

  it('setActive moves the active account in the pool (the order stays the user\'s) and emits events:pool', async () => {
    const a = await h.addAccount('anthropic');
    const b = await h.addAccount('anthropic');
    const events: EventPayload<'events:pool'>[] = [];
    const off = h.service.events.on('events:pool', (v) => events.push(v));
    const r = value(await call('accounts:setActive', { providerID: 'anthropic', recordID: b.recordID }));
    expect(r.activeID).toBe(b.recordID);
    expect(r.accounts.map((x) => x.id)).toEqual([a.recordID, b.recordID]);
    expect(r.accounts.find((x) => x.isActive)?.id).toBe(b.recordID);
    expect(h.core.pool.snapshot('anthropic').activeID).toBe(b.recordID);
    await expect.poll(() => events.at(-1)?.providers[0]?.activeID).toBe(b.recordID);
    seen.push(JSON.stringify(events));
    off();
  });

  it('remove deletes the record and its keychain secret; the last removal leaves 0', async () => {
    const a = await h.addAccount('anthropic');
    const b = await h.addAccount('anthropic');
    expect(await h.core.vault.get(accountSecretKey('anthropic', a.recordID))).toBeDefined();
    expect(value(await call('accounts:remove', { providerID: 'anthropic', recordID: a.recordID }))).toEqual({ remaining: 1 });
    expect(h.core.pool.getRecord('anthropic', a.recordID)).toBeUndefined();
    expect(await h.core.vault.get(accountSecretKey('anthropic', a.recordID))).toBeUndefined();
    expect(value(await call('accounts:remove', { providerID: 'anthropic', recordID: b.recordID }))).toEqual({ remaining: 0 });
    expect(value(await call('providers:list')).connected).toEqual([]);
    const again = await call('accounts:remove', { providerID: 'anthropic', recordID: b.recordID });
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.code).toBe('not-found');
  });

  it('relabel and clearCooldown write through to the pool', async () => {
    const a = await h.addAccount('anthropic');
    const relabeled = value(await call('accounts:relabel', { providerID: 'anthropic', recordID: a.recordID, label: '  Work  ' }));
    expect(relabeled.label).toBe('Work');
    expect(h.core.pool.getRecord('anthropic', a.recordID)!.label).toBe('Work');
    h.core.pool.recordOutcome({ providerID: 'anthropic', recordID: a.recordID, ok: false, status: 429, cooldownUntil: Date.now() + 3_600_000, cooldownReason: 'plan limit' });
    expect(value(await call('accounts:list')).providers[0]!.accounts[0]!.status.kind).toBe('cooling');
    const cleared = value(await call('accounts:clearCooldown', { providerID: 'anthropic', recordID: a.recordID }));
    expect(cleared.status).toEqual({ kind: 'ok' });
    expect(h.core.pool.getRecord('anthropic', a.recordID)!.health.cooldownUntil).toBeUndefined();
  });

  it('rejects malformed input with bad-input and never throws', async () => {
    const cases: Array<[string, unknown]> = [
      ['accounts:setActive', { providerID: 'nope', recordID: 'x' }],
      ['accounts:setActive', { providerID: 'anthropic' }],
      ['accounts:setActive', 'anthropic'],
      ['accounts:relabel', { providerID: 'anthropic', recordID: 'x', label: '   ' }],
      ['accounts:remove', { providerID: 'anthropic', recordID: 'x', extra: true }],
      ['app:info', { surprise: 1 }],
      ['login:submitCode', { sessionID: 's', code: 'x'.repeat(5000) }],
    ];
    for (const [channel, input] of cases) {
      const r = await callRaw(channel, input);
      expect(r.ok, `${channel} ${JSON.stringify(input)}`).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('bad-input');
    }
    const unknown = await callRaw('accounts:explode', {});
    expect(!unknown.ok && unknown.error.code).toBe('not-found');
  });
});

describe('app service: usage, login, gateway, app', () => {
  it('usage:refresh polls the usage endpoint and returns the new numbers', async () => {
    const a = await h.addAccount('anthropic');
    a.sim.fiveHour.utilization = 0.42;
    const view = value(await call('usage:refresh', { providerID: 'anthropic' }));
    const usage = view.providers[0]!.accounts[0]!.usage;
    expect(usage?.source).toBe('endpoint');
    const five = usage!.windows.find((w) => w.key === 'five_hour');
    expect(five!.percentUsed).toBeCloseTo(42, 0);
  });

  it('adds an Anthropic account through the paste flow (simulator consent page)', async () => {
    const acc = h.sim.addAccount('anthropic', { email: 'pasted@example.com' });
    const logins: EventPayload<'events:login'>[] = [];
    const off = h.service.events.on('events:login', (s) => logins.push(s));
    const started = value(await call('login:start', { providerID: 'anthropic' }));
    const authorizeUrl = new URL(stepOf(started, 'paste-code').authorizeUrl);
    // The user logs in; the consent page shows code#state.
    const { code, state } = h.sim.anthropicAuthorize(authorizeUrl.searchParams, acc.id);
    // Garbage first: a clear, retryable error.
    const bad = stepOf(value(await call('login:submitCode', { sessionID: started.sessionID, code: 'this is not a code' })), 'failed');
    expect(bad.retryable).toBe(true);
    expect(bad.error.code).toBe('bad-input');
    const done = stepOf(value(await call('login:submitCode', { sessionID: started.sessionID, code: `${code}#${state}` })), 'done');
    expect(done.account.email).toBe('pasted@example.com');
    const records = h.core.pool.getAccounts('anthropic');
    expect(records.map((r) => r.email)).toContain('pasted@example.com');
    const secret = await h.core.pool.getSecret('anthropic', done.account.id);
    expect(secret?.access).toBeTruthy();
    await h.trackSecret('anthropic', done.account.id);
    expect(logins.map((s) => s.step.kind)).toEqual(expect.arrayContaining(['paste-code', 'working', 'failed', 'done']));
    seen.push(JSON.stringify(logins));
    off();
  });

  it('adds an OpenAI account through the loopback callback flow', async () => {
    const acc = h.sim.addAccount('openai', { email: 'codex@example.com' });
    const logins: EventPayload<'events:login'>[] = [];
    const off = h.service.events.on('events:login', (s) => logins.push(s));
    const started = value(await call('login:start', { providerID: 'openai' }));
    // The browser: consent, then the redirect to Rotary's loopback callback.
    const { location } = h.sim.openaiAuthorize(new URL(stepOf(started, 'await-callback').authorizeUrl).searchParams, acc.id);
    const callback = await fetch(location);
    expect(callback.status).toBe(200);
    await callback.text();
    await expect.poll(() => logins.at(-1)?.step.kind).toBe('done');
    const done = stepOf(logins.at(-1), 'done');
    expect(done.account.email).toBe('codex@example.com');
    await h.trackSecret('openai', done.account.id);
    seen.push(JSON.stringify(logins));
    off();
  });

  it('adds a GitHub Copilot account through the device flow', async () => {
    h.sim.github.deviceInterval = 0.05;
    const acc = h.sim.addAccount('github-copilot', { login: 'octo' });
    const logins: EventPayload<'events:login'>[] = [];
    const off = h.service.events.on('events:login', (s) => logins.push(s));
    const device = stepOf(value(await call('login:start', { providerID: 'github-copilot' })), 'device-code');
    expect(device.userCode).toMatch(/\w{4}-\w{4}/);
    h.sim.approveDevice(device.userCode, acc.id);
    await expect.poll(() => logins.at(-1)?.step.kind, { timeout: 10_000 }).toBe('done');
    const done = stepOf(logins.at(-1), 'done');
    await h.trackSecret('github-copilot', done.account.id);
    // The provider list and views built after the login carry no token either.
    await call('accounts:list');
    seen.push(JSON.stringify(logins));
    off();
  });

  it('login:cancel stops a running login; submit afterwards is refused', async () => {
    const started = value(await call('login:start', { providerID: 'anthropic' }));
    expect(value(await call('login:cancel', { sessionID: started.sessionID }))).toEqual({ cancelled: true });
    const after = await call('login:submitCode', { sessionID: started.sessionID, code: 'abcdefgh#ijklmnop' });
    expect(after.ok).toBe(false);
    expect(value(await call('login:cancel', { sessionID: 'no-such-session' }))).toEqual({ cancelled: false });
  });

  it('gateway:status without a gateway says so; copySettings and openExternal are unavailable over the web', async () => {
    const status = value(await call('gateway:status'));
    expect(status.running).toBe(false);
    expect(status.error).toMatch(/not started/);
    const copy = await call('gateway:copySettings', { clientID: 'claude-code' });
    expect(!copy.ok && copy.error.code).toBe('unavailable');
    const open = await call('app:openExternal', { url: 'https://github.com/rotary-app/rotary' });
    expect(!open.ok && open.error.code).toBe('unavailable');
    const evil = await call('app:openExternal', { url: 'file:///etc/passwd' });
    expect(!evil.ok && evil.error.code).toBe('forbidden');
    // Only a gateway in its own process can be restarted from the window.
    const restart = await call('gateway:restart');
    expect(restart).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(status.restartable).toBeUndefined();
  });

  it('app:info reports version, shell, links and shortcuts', async () => {
    const info = value(await call('app:info'));
    expect(info).toMatchObject({ name: 'Rotary', version: '0.0.0-test', shell: 'web' });
    expect(info.links.length).toBeGreaterThan(0);
    expect(info.shortcuts.map((x) => x.keys)).toContain('Ctrl/Cmd+,');
  });
});
