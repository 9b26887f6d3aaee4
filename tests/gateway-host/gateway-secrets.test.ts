/**
 * Secrets and the gateway process: the gateway key and provider tokens never reach what the
 * renderer is sent (events through electron/ipc.ts's forwarder, call results), nor the channel
 * between the two processes, nor the child's output; the encrypted vault unlocked on the
 * unlock screen opens in the child without its passphrase in the child's environment, argv
 * or messages. The real keychain (scripts/with-keyring.sh) where a Secret Service runs.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventName } from '../../shared/ipc.js';
import { forwardEvents } from '../../electron/ipc.js';
import { GATEWAY_KEY_VAULT_KEY } from '../../electron/core/gateway/gateway-key.js';
import { startRuntime, type Runtime } from '../../electron/core/runtime.js';
import { createVaultGate } from '../../electron/core/service/vault-gate.js';
import { hasSecretService, testKeychainVault } from '../helpers/keychain.js';
import { expectNoTokens } from '../helpers/rotary-service.js';
import { childEnv, makeTempHome } from '../helpers/temp-home.js';
import { startSimulator, type Simulator } from '../sim/server.js';
import { anthropicRequest, recordingFork, startHosted, untilState, type CrossedMessage } from './harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function simulator(): Promise<Simulator> {
  const sim = await startSimulator();
  cleanups.push(() => sim.close());
  return sim;
}

/** Waits until the gateway process lists `count` accounts (it reads the store file another process wrote). */
async function untilChildSees(url: string, key: string, recordIDs: string[]): Promise<void> {
  for (;;) {
    const text = await (await fetch(`${url}/auth/accounts`, { headers: { 'x-api-key': key } })).text();
    if (recordIDs.every((id) => text.includes(id))) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.runIf(hasSecretService)('with the keychain', () => {
  it('the gateway key and the tokens never reach the renderer, the channel or the child’s output; the clipboard copy still has the key', async () => {
    const sim = await simulator();
    const { home, cleanup } = makeTempHome('rotary-gwsecrets-');
    cleanups.push(cleanup);
    const vault = testKeychainVault('gwsecrets');
    cleanups.push(async () => {
      for (const key of await vault.list().catch(() => [] as string[])) await vault.delete(key).catch(() => undefined);
    });
    let clipboard = '';
    const h = await startHosted({ env: childEnv({ ROTARY_HOME: home, ROTARY_UPSTREAM: sim.url }), home, vault, extra: { writeClipboard: (text) => (clipboard = text) } });
    cleanups.push(() => h.close());
    const service = h.runtime.service!;
    const sent: Array<{ name: EventName; payload: unknown }> = [];
    cleanups.push(forwardEvents(service.events, (name, payload) => sent.push({ name, payload })));

    // The child generated the key and keeps it in the keychain; this test reads it from there.
    const { url } = (await untilState(h.host, (s) => s.state === 'running')) as { url: string };
    const key = (await vault.get(GATEWAY_KEY_VAULT_KEY))!;
    expect(key).toMatch(/^rotary-/);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const c = sim.addAccount('anthropic').credentials();
      ids.push((await h.runtime.pool.add({ providerID: 'anthropic', accountId: c.accountId, secret: { access: c.access, refresh: c.refresh!, expires: c.expires! } })).id);
    }
    await untilChildSees(url, key, ids);

    // A rotation (first account limited) and a refresh in the child (second account's token expired).
    sim.accounts()[0]!.fiveHour.utilization = 1;
    sim.accounts()[1]!.expireAccessToken();
    for (const stream of [false, true]) {
      const res = await anthropicRequest(url, key, { stream, session: `secrets-${stream}` });
      expect(res.status).toBe(200);
      await res.text();
    }
    const tokens = sim.accounts().flatMap((a) => {
      const c = a.credentials();
      return [c.access, c.refresh!];
    });
    for (const id of ids) {
      const secret = await vault.get(`account:anthropic:${id}`);
      if (secret) tokens.push(...Object.values(JSON.parse(secret) as Record<string, unknown>).filter((v): v is string => typeof v === 'string' && v.length >= 16));
    }
    const deadline = Date.now() + 20_000;
    while (sent.filter((e) => e.name === 'events:activity').length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(sent.some((e) => e.name === 'events:activity' && (e.payload as { kind: string }).kind === 'rotation')).toBe(true);

    // Everything the renderer can get: the events, and what each read channel answers.
    const conversations = await service.call('activity:conversations', undefined);
    expect(conversations.ok).toBe(true);
    const answers = [
      conversations,
      await service.call('gateway:status', undefined),
      await service.call('accounts:list', undefined),
      await service.call('activity:requests', { conversationID: (conversations as { value: Array<{ id: string }> }).value[0]!.id }),
      await service.call('gateway:copySettings', { clientID: 'claude-code' }),
    ];
    const rendererText = JSON.stringify({ sent, answers });
    expect(rendererText).toContain('rotation');
    expectNoTokens(rendererText, [...tokens, key]);
    // Neither direction of the channel carries the key or a token (the keychain is handed over by its name).
    const channelText = JSON.stringify(h.crossed);
    expect(h.crossed.some((m: CrossedMessage) => m.to === 'parent' && (m.message as { type: string }).type === 'activity')).toBe(true);
    expectNoTokens(channelText, [...tokens, key]);
    expectNoTokens(h.output.join('\n'), [...tokens, key]);
    // The copy to the clipboard (this process) has the real key: read from this process's own keychain.
    expect(answers[4]).toEqual({ ok: true, value: { copied: true } });
    expect(clipboard).toContain(key);
  }, 90_000);
});

it('the encrypted vault unlocked on the unlock screen opens in the gateway process: the derived key crosses the channel, the passphrase never does', async () => {
  const sim = await simulator();
  const { home, cleanup } = makeTempHome('rotary-gwvault-');
  cleanups.push(cleanup);
  const passphrase = 'correct horse battery staple gateway';
  const env = { ROTARY_HOME: home, ROTARY_UPSTREAM: sim.url, ROTARY_SECRET_BACKEND: 'encrypted-file', ROTARY_VAULT_KDF_COST: '10', ROTARY_GATEWAY_KEY: 'rotary-test-key-encrypted-0123456789', PATH: process.env.PATH };
  const crossed: CrossedMessage[] = [];
  const output: string[] = [];
  let runtime: Runtime | undefined;
  // The app's way in: the vault gate, the passphrase typed into the unlock screen (vault:create).
  const gate = createVaultGate({
    home,
    env,
    warn: () => undefined,
    shell: 'electron',
    version: '0.0.0-test',
    open: async (vault) => {
      runtime = await startRuntime({ env, home, vault, warn: () => undefined, watch: true, service: { shell: 'electron', version: 't' }, gatewayProcess: { fork: recordingFork(crossed, output), port: 0 } });
      return runtime.service!;
    },
  });
  cleanups.push(async () => {
    gate.service.close();
    await runtime?.close();
  });
  expect(await gate.service.call('vault:create', { passphrase })).toMatchObject({ ok: true, value: { state: 'ready', backend: 'encrypted-file' } });
  const host = runtime!.gatewayHost!;
  const { url } = (await untilState(host, (s) => s.state === 'running')) as { url: string };

  // An account added in this process, its token in the encrypted file: the child must decrypt it to serve.
  const c = sim.addAccount('anthropic').credentials();
  const record = await runtime!.pool.add({ providerID: 'anthropic', accountId: c.accountId, secret: { access: c.access, refresh: c.refresh!, expires: c.expires! } });
  await untilChildSees(url, env.ROTARY_GATEWAY_KEY, [record.id]);
  const res = await anthropicRequest(url, env.ROTARY_GATEWAY_KEY);
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('Hello from');

  const pid = host.pid()!;
  const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8');
  const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  expect(environ).toContain('ROTARY_SECRET_BACKEND=encrypted-file');
  expect(environ).not.toContain(passphrase);
  expect(cmdline).not.toContain(passphrase);
  const start = crossed.find((m) => (m.message as { type: string }).type === 'start')!.message as { vault: { backend: string; key?: unknown } };
  expect(start.vault.backend).toBe('encrypted-file');
  expect(start.vault.key).toBeDefined();
  expect(JSON.stringify(crossed)).not.toContain(passphrase);
  expectNoTokens(JSON.stringify(crossed.filter((m) => m.to === 'parent')), [c.access, c.refresh!]);
}, 60_000);

it('the supervisor keeps the vault passphrase variables out of the child’s environment', async () => {
  const sim = await simulator();
  const { home, cleanup } = makeTempHome('rotary-gwenv-');
  cleanups.push(cleanup);
  const passphrase = 'a passphrase from the environment';
  const env = { ROTARY_HOME: home, ROTARY_UPSTREAM: sim.url, ROTARY_SECRET_BACKEND: 'encrypted-file', ROTARY_VAULT_KDF_COST: '10', ROTARY_VAULT_PASSPHRASE: passphrase, PATH: process.env.PATH };
  // Opened from ROTARY_VAULT_PASSPHRASE in this process (as `rotary` would); the child still gets only the key.
  const h = await startHosted({ env, home });
  cleanups.push(() => h.close());
  await untilState(h.host, (s) => s.state === 'running');
  const environ = fs.readFileSync(`/proc/${h.host.pid()!}/environ`, 'utf8');
  expect(environ).not.toContain('ROTARY_VAULT_PASSPHRASE');
  expect(environ).not.toContain(passphrase);
}, 60_000);
