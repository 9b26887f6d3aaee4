/**
 * Live consistency between the CLI and a running app/gateway (issue 6 point 3): a switch
 * made with the CLI is used by the gateway's next request; changes either way show at once;
 * concurrent CLI and app writes lose nothing. Real gateway, real simulator over HTTP, real
 * CLI subprocesses on the same store and keychain.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/runtime.js';
import { createGateway, type Gateway } from '../../electron/core/gateway/gateway.js';
import { createTokenManager } from '../../electron/core/providers/token-manager.js';
import { startSimulator, type Simulator } from '../sim/server.js';
import { makeCliHome, runCli, type CliHome } from './cli-helpers.js';

let h: CliHome;
let sim: Simulator;
let gateway: Gateway | undefined;
beforeEach(async () => {
  sim = await startSimulator();
  h = makeCliHome({ ROTARY_UPSTREAM: sim.url });
});
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  await h.cleanup();
  await sim.close();
});

/**
 * Resolves once `condition` holds for the pool, re-checked on every pool change (the store
 * watcher reloads the file another process wrote); rejects after `ms` (a generous bound: the
 * point is that no restart or manual reload is needed, not the exact latency).
 */
function poolSees(core: Core, condition: () => boolean, ms = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (condition()) return resolve();
    const timer = setTimeout(() => {
      off();
      reject(new Error('the running pool never saw the change made by the CLI'));
    }, ms);
    const off = core.pool.onChange(() => {
      if (!condition()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

async function sendMessage(gw: Gateway): Promise<number> {
  const res = await fetch(`${gw.url}/anthropic/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': gw.key, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await res.text();
  return res.status;
}

const messagesBy = (s: Simulator) => s.requests.filter((r) => r.path === '/v1/messages').map((r) => r.accountId);

describe('CLI ↔ running gateway', () => {
  it('`rotary auth switch` (subprocess) is used by the running gateway on its next request', async () => {
    const simA = sim.addAccount('anthropic', { email: 'a@example.com' });
    const simB = sim.addAccount('anthropic', { email: 'b@example.com' });
    const core = await h.open({ watch: true });
    const cred = (s: typeof simA) => {
      const c = s.credentials();
      return { access: c.access, ...(c.refresh ? { refresh: c.refresh } : {}), ...(c.expires ? { expires: c.expires } : {}) };
    };
    await core.pool.add({ providerID: 'anthropic', label: 'alpha', email: simA.email, accountId: simA.accountId, secret: cred(simA) });
    await core.pool.add({ providerID: 'anthropic', label: 'beta', email: simB.email, accountId: simB.accountId, secret: cred(simB) });
    gateway = await createGateway({ pool: core.pool, tokens: createTokenManager({ pool: core.pool, env: h.env }), env: h.env, port: 0, key: 'test-gateway-key' });

    expect(await sendMessage(gateway)).toBe(200);
    expect(messagesBy(sim).at(-1)).toBe(simA.id);

    const beta = core.pool.findAccount('anthropic', 'beta')!;
    const res = await runCli(['auth', 'switch', 'anthropic', 'beta'], h.env);
    expect(res.code, res.stderr).toBe(0);
    await poolSees(core, () => core.pool.snapshot('anthropic').activeID === beta.id);

    expect(await sendMessage(gateway)).toBe(200);
    expect(messagesBy(sim).at(-1)).toBe(simB.id);

    // And back by e-mail: still the very next request.
    expect((await runCli(['auth', 'switch', 'anthropic', 'a@example.com'], h.env)).code).toBe(0);
    await poolSees(core, () => core.pool.snapshot('anthropic').activeID !== beta.id);
    expect(await sendMessage(gateway)).toBe(200);
    expect(messagesBy(sim).at(-1)).toBe(simA.id);
  });

  it('a change made by the app shows in the next CLI command; a CLI removal shows in the app', async () => {
    const core = await h.open({ watch: true });
    const one = await core.pool.add({ providerID: 'openai', label: 'one', secret: { access: 'eyJhbGciOiJub25lIn0.e30.one' } });
    const two = await core.pool.add({ providerID: 'openai', label: 'two', secret: { access: 'eyJhbGciOiJub25lIn0.e30.two' } });
    await core.pool.setActive('openai', 'default', two.id);
    const list = await runCli(['auth', 'list'], h.env);
    expect(list.stdout).toMatch(/OpenAI \(ChatGPT \/ Codex\)\s+2 accounts\s+active: two/);

    const res = await runCli(['auth', 'logout', 'openai', 'two', '--yes'], h.env);
    expect(res.stdout).toBe('Account removed. 1 account remaining.\n');
    await poolSees(core, () => core.pool.getAccounts('openai').length === 1);
    expect(core.pool.getAccounts('openai').map((a) => a.id)).toEqual([one.id]);
    expect(core.pool.snapshot('openai').activeID).toBe(one.id);
  });

  it('concurrent CLI adds/switches and app adds lose nothing', async () => {
    const core = await h.open({ watch: true });
    const seedRecord = await core.pool.add({ providerID: 'anthropic', label: 'seed', secret: { access: 'sk-ant-oat01-seedSEEDseed0000' } });
    const CLI_ADDS = 20;
    const APP_ADDS = 20;

    // `auth add` checks each token with the provider: these are real simulator accounts.
    const cliCredentials = Array.from({ length: CLI_ADDS }, () => sim.addAccount('anthropic').credentials());
    const cliJobs = Array.from({ length: CLI_ADDS }, (_, i) => async () => {
      const res = await runCli(['auth', 'add', 'anthropic', '--label', `cli-${i}`], h.env, {
        input: JSON.stringify({ access: cliCredentials[i]!.access, refresh: cliCredentials[i]!.refresh }),
        timeoutMs: 60_000,
      });
      expect(res.code, res.stderr).toBe(0);
      // Interleave switches (they rewrite order and active) with the adds.
      if (i % 5 === 0) expect((await runCli(['auth', 'switch', 'anthropic', 'seed'], h.env, { timeoutMs: 60_000 })).code).toBe(0);
    });
    const runLimited = async (jobs: Array<() => Promise<void>>, width: number) => {
      const queue = [...jobs];
      await Promise.all(Array.from({ length: width }, async () => {
        while (queue.length) await queue.shift()!();
      }));
    };
    const appAdds = (async () => {
      for (let i = 0; i < APP_ADDS; i++) {
        await core.pool.add({ providerID: 'anthropic', label: `app-${i}`, secret: { access: `sk-ant-oat01-appACCESS${String(i).padStart(4, '0')}` } });
        core.pool.recordOutcome({ providerID: 'anthropic', recordID: seedRecord.id, ok: true, status: 200 });
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await Promise.all([runLimited(cliJobs, 4), appAdds]);
    await core.pool.flush();
    await core.pool.reload();

    const labels = core.pool.getAccounts('anthropic').map((a) => a.label).sort();
    const expected = ['seed', ...Array.from({ length: CLI_ADDS }, (_, i) => `cli-${i}`), ...Array.from({ length: APP_ADDS }, (_, i) => `app-${i}`)].sort();
    expect(labels).toEqual(expected);
    for (const account of core.pool.getAccounts('anthropic')) {
      const secret = await core.pool.getSecret('anthropic', account.id);
      expect(secret?.access, account.label).toMatch(/^sk-ant-oat01-/);
    }
    expect(core.pool.getRecord('anthropic', seedRecord.id)!.health.successCount).toBe(APP_ADDS);
  }, 180_000);
});
