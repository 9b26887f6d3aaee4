/**
 * Issue 11, finding 9: `rotary auth add` checks the credential with the provider where it can.
 * A token the provider rejects (401 from Anthropic's profile endpoint, ChatGPT's usage endpoint,
 * GitHub's /user or the Copilot exchange) is not added (exit 1, clear error); an account already in the pool is not
 * added twice — by provider identity when the provider answers, by the stored access or refresh
 * token when it cannot be reached. The CLI's `run` in-process (the same code as the binary), the
 * simulator as provider.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintJwt } from '../sim/oauth.js';
import { startSimulator, type Simulator } from '../sim/server.js';
import { DEAD_UPSTREAM, expectNoSecrets, makeCliHome, runInProcess, type CliHome } from './cli-helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => sim?.close());

async function accountsIn(h: CliHome, providerID: 'anthropic' | 'openai' | 'github-copilot') {
  const core = await h.open();
  await core.pool.reload();
  const keys = (await core.vault.list()).filter((k) => k.startsWith(`account:${providerID}:`));
  return { records: core.pool.getAccounts(providerID), keys };
}

describe('a rejected credential is not added', () => {
  let h: CliHome;
  beforeAll(() => {
    h = makeCliHome({ ROTARY_UPSTREAM: sim.url });
  });
  afterAll(async () => h?.cleanup());

  it('Anthropic: the profile endpoint answers 401 → exit 1, nothing stored', async () => {
    const token = 'sk-ant-oat01-revoked-or-made-up-0123456789';
    const res = await runInProcess(['auth', 'add', 'anthropic'], h.env, { input: JSON.stringify({ access: token }) });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/Anthropic rejected the token/);
    expect(res.stdout).not.toMatch(/Added/);
    expectNoSecrets([res.stdout, res.stderr], [token]);
    expect(await accountsIn(h, 'anthropic')).toEqual({ records: [], keys: [] });
  });

  it('GitHub Copilot: GitHub answers 401 → exit 1, nothing stored', async () => {
    const token = 'gho_madeUpTokenThatGitHubDoesNotKnow0123';
    const res = await runInProcess(['auth', 'add', 'github-copilot'], h.env, { input: JSON.stringify({ access: token }) });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/did not accept the token|rejected/);
    expectNoSecrets([res.stdout, res.stderr], [token]);
    expect(await accountsIn(h, 'github-copilot')).toEqual({ records: [], keys: [] });
  });

  it('OpenAI: a well-formed ChatGPT token the usage endpoint answers 401 to → exit 1, nothing stored', async () => {
    // Decodes like a real one (account id, expiry in the future), but ChatGPT never issued it.
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const token = mintJwt({ exp, email: 'made-up@example.com', 'https://api.openai.com/auth': { chatgpt_account_id: 'acct-made-up' } });
    const res = await runInProcess(['auth', 'add', 'openai'], h.env, { input: JSON.stringify({ access: token }) });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/OpenAI.* rejected the token: the ChatGPT usage endpoint answered HTTP 401/);
    expectNoSecrets([res.stdout, res.stderr], [token]);
    expect(await accountsIn(h, 'openai')).toEqual({ records: [], keys: [] });
  });

  it('OpenAI: a token ChatGPT knows is added and checked once', async () => {
    const acc = sim.addAccount('openai', { email: 'codex-user@example.com' });
    const before = sim.requests.filter((r) => r.path.endsWith('/wham/usage')).length;
    const res = await runInProcess(['auth', 'add', 'openai'], h.env, { input: JSON.stringify(acc.credentials()) });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).not.toMatch(/could not be checked/);
    expect(sim.requests.filter((r) => r.path.endsWith('/wham/usage')).length).toBe(before + 1);
    expect((await accountsIn(h, 'openai')).records.map((r) => r.email)).toEqual(['codex-user@example.com']);
  });

  it('a revoked GitHub token of a real account: 401 → exit 1', async () => {
    const acc = sim.addAccount('github-copilot');
    const c = acc.credentials();
    acc.revoked = true;
    const res = await runInProcess(['auth', 'add', 'github-copilot'], h.env, { input: JSON.stringify({ access: c.access }) });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/GitHub Copilot rejected the token/);
    expect((await accountsIn(h, 'github-copilot')).records).toEqual([]);
  });
});

describe('an account already in the pool is not added twice', () => {
  it('same provider identity (provider reachable): the existing account is updated, not duplicated', async () => {
    const h = makeCliHome({ ROTARY_UPSTREAM: sim.url });
    try {
      const c = sim.addAccount('anthropic', { email: 'dup@example.com' }).credentials();
      const first = await runInProcess(['auth', 'add', 'anthropic'], h.env, { input: JSON.stringify({ access: c.access, refresh: c.refresh }) });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/^Added Anthropic account "dup@example.com"/);
      const again = await runInProcess(['auth', 'add', 'anthropic', '--label', 'second try'], h.env, { input: JSON.stringify({ access: c.access, refresh: c.refresh }) });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/already in Rotary/);
      const { records, keys } = await accountsIn(h, 'anthropic');
      expect(records).toHaveLength(1);
      expect(keys).toHaveLength(1);
    } finally {
      await h.cleanup();
    }
  });

  it('provider unreachable: the same access or refresh token already stored is recognised', async () => {
    const h = makeCliHome({ ROTARY_UPSTREAM: DEAD_UPSTREAM });
    try {
      const credential = { access: 'sk-ant-oat01-offline-duplicate-0123456789', refresh: 'sk-ant-ort01-offline-duplicate-0123456789' };
      const first = await runInProcess(['auth', 'add', 'anthropic'], h.env, { input: JSON.stringify(credential) });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/^Added/);
      // The check could not be made: the user is told.
      expect(first.stderr).toMatch(/could not be checked/);

      const sameAccess = await runInProcess(['auth', 'add', 'anthropic'], h.env, { input: JSON.stringify({ access: credential.access }) });
      expect(sameAccess.code, sameAccess.stderr).toBe(0);
      expect(sameAccess.stdout).toMatch(/already in Rotary .*same token.*nothing was added/);

      const sameRefresh = await runInProcess(['auth', 'add', 'anthropic'], h.env, { input: JSON.stringify({ access: 'sk-ant-oat01-newer-access-0123456789', refresh: credential.refresh }) });
      expect(sameRefresh.code, sameRefresh.stderr).toBe(0);
      expect(sameRefresh.stdout).toMatch(/already in Rotary/);
      expectNoSecrets([first.stdout, first.stderr, sameAccess.stdout, sameRefresh.stdout], Object.values(credential));

      const { records, keys } = await accountsIn(h, 'anthropic');
      expect(records).toHaveLength(1);
      expect(keys).toHaveLength(1);
    } finally {
      await h.cleanup();
    }
  });
});
