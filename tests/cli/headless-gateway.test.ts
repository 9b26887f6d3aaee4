/**
 * `rotary gateway` (runHeadlessGateway): prints the address and client settings, serves, keeps a
 * generated key in the vault, stops cleanly, and never prints a token.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openCore } from '../../electron/core/runtime.js';
import { GATEWAY_KEY_VAULT_KEY } from '../../electron/core/gateway/gateway-key.js';
import { runHeadlessGateway } from '../../electron/cli/headless-gateway.js';
import { gatewayClientSettings } from '../../electron/core/clients/registry.js';
import { makeTempHome } from '../helpers/temp-home.js';
import { startSimulator, type Simulator } from '../sim/server.js';

let sim: Simulator;
let temp: { home: string; cleanup: () => void };
let env: NodeJS.ProcessEnv;
const tokens: string[] = [];

beforeAll(async () => {
  sim = await startSimulator();
  temp = makeTempHome('rotary-headless-');
  env = { ROTARY_HOME: temp.home, ROTARY_UPSTREAM: sim.url, ROTARY_SECRET_BACKEND: 'file', ROTARY_GATEWAY_PORT: '0' };
  const core = await openCore({ env, home: temp.home, warn: () => undefined });
  for (let i = 0; i < 2; i++) {
    const acc = sim.addAccount('anthropic');
    const c = acc.credentials();
    tokens.push(c.access, c.refresh!);
    await core.pool.add({ providerID: 'anthropic', accountId: c.accountId, secret: { access: c.access, refresh: c.refresh!, expires: c.expires! } });
  }
  await core.close();
});
afterAll(async () => {
  await sim?.close();
  temp?.cleanup();
});

function sink(): { write(s: string): boolean; text: () => string } {
  let buf = '';
  return { write: (s: string) => ((buf += s), true), text: () => buf };
}

it('prints address and settings, serves with a vault-kept key, stops, and prints no token', async () => {
  const stdout = sink();
  const stderr = sink();
  const run = await runHeadlessGateway({ env, stdout, stderr, handleSignals: false });
  const { url, key } = run.gateway;
  expect(stdout.text()).toContain(`Rotary gateway listening on ${url}`);
  expect(stdout.text()).toContain(`ANTHROPIC_BASE_URL=${url}/anthropic`);
  expect(stdout.text()).toContain(`ANTHROPIC_AUTH_TOKEN='${key}'`);
  expect(stdout.text()).toContain('base_url = "');
  expect(await run.core.vault.get(GATEWAY_KEY_VAULT_KEY)).toBe(key);

  // Traffic with a rotation and a refresh, so the log has something to say.
  sim.accounts()[0]!.fiveHour.utilization = 1;
  sim.accounts()[1]!.expireAccessToken();
  const res = await fetch(`${url}/anthropic/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(res.status).toBe(200);
  await res.text();
  for (const acc of sim.accounts()) {
    const c = acc.credentials();
    tokens.push(c.access, c.refresh!);
  }
  await run.stop();
  await run.done;
  expect(stderr.text()).toContain('rotation: 429 on Account 1 → Account 2');
  for (const t of tokens) {
    expect(stdout.text()).not.toContain(t);
    expect(stderr.text()).not.toContain(t);
  }

  // Second start: the same key comes back from the vault; the bookkeeping was flushed on stop.
  const again = await runHeadlessGateway({ env, stdout: sink(), stderr: sink(), handleSignals: false });
  expect(again.gateway.key).toBe(key);
  const limited = again.core.pool.getAccounts('anthropic').find((a) => a.status.kind === 'cooling');
  expect(limited).toBeDefined();
  await again.stop();
});

it('ROTARY_GATEWAY_KEY wins and the client settings are data too', async () => {
  const run = await runHeadlessGateway({ env: { ...env, ROTARY_GATEWAY_KEY: 'from-env-key' }, stdout: sink(), stderr: sink(), handleSignals: false });
  expect(run.gateway.key).toBe('from-env-key');
  await run.stop();
  const settings = gatewayClientSettings({ url: 'http://127.0.0.1:8787', key: 'k' });
  expect(settings.map((s) => s.id)).toEqual(['claude-code', 'codex', 'opencode', 'anthropic-sdk', 'openai-sdk', 'copilot-sdk']);
  expect(settings[0]!.snippet).toBe("export ANTHROPIC_BASE_URL=http://127.0.0.1:8787/anthropic\nexport ANTHROPIC_AUTH_TOKEN='k'");
});

it('a bad ROTARY_GATEWAY_PORT is a clear error', async () => {
  const error = await runHeadlessGateway({ env: { ...env, ROTARY_GATEWAY_PORT: 'eighty' }, stdout: sink(), stderr: sink(), handleSignals: false }).catch((e: unknown) => e);
  expect((error as Error).message).toContain('ROTARY_GATEWAY_PORT must be a port number');
});
