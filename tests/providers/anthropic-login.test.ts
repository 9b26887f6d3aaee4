import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAnthropicLogin, STATE_MISMATCH_MESSAGE, parsePastedCode } from '../../electron/core/providers/anthropic/login.js';
import { RotaryError } from '../../electron/core/errors.js';
import { browserGet, poolState, startHarness, startHtmlBadGateway, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness('anthropic-login');
});
afterEach(async () => {
  await h.close();
});

/** Plays the user: opens the authorize URL and reads `code#state` off the page. */
async function consent(url: string, simAccount: string): Promise<string> {
  const page = await browserGet(`${url}&sim_account=${simAccount}`);
  expect(page.status).toBe(200);
  const match = /<code id="code">([^<]+)<\/code>/.exec(page.text);
  expect(match).toBeTruthy();
  return match![1]!.replace(/&#35;/g, '#');
}

describe('Anthropic paste-back login', () => {
  it('adds the account from a pasted code#state, labelled with its e-mail and keyed by account uuid', async () => {
    const acc = h.sim.addAccount('anthropic', { email: 'alice@example.com' });
    let opened = '';
    const login = await startAnthropicLogin({ pool: h.core.pool, env: h.env, openUrl: (u) => void (opened = u) });
    expect(opened).toBe(login.url);
    const url = new URL(login.url);
    expect(url.pathname).toBe('/claude.ai/oauth/authorize');
    expect(url.searchParams.get('code')).toBe('true');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('redirect_uri')).toBe('https://platform.claude.com/oauth/code/callback');
    expect(url.searchParams.get('state')).not.toBe('');

    const pasted = await consent(login.url, acc.id);
    const record = await login.submit(`  ${pasted}\n`);
    expect(record.label).toBe('alice@example.com');
    expect(record.email).toBe('alice@example.com');
    expect(record.accountId).toBe(acc.accountId);
    const secret = await h.core.pool.getSecret('anthropic', record.id);
    expect(secret?.access).toBe(acc.credentials().access);
    expect(secret?.refresh).toBe(acc.credentials().refresh);
    expect(secret?.expires).toBeGreaterThan(Date.now());
    expect(h.sim.counters.byProvider.anthropic.authCodeCalls).toBe(1);
  });

  it('accepts the full callback URL instead of code#state', async () => {
    const acc = h.sim.addAccount('anthropic', { email: 'url@example.com' });
    const login = await startAnthropicLogin({ pool: h.core.pool, env: h.env });
    const [code, state] = (await consent(login.url, acc.id)).split('#');
    const record = await login.submit(`https://platform.claude.com/oauth/code/callback?code=${code}&state=${state}`);
    expect(record.email).toBe('url@example.com');
  });

  it('rejects garbage and empty pastes without spending the code, then still accepts the right one', async () => {
    const acc = h.sim.addAccount('anthropic');
    const before = await poolState(h);
    const login = await startAnthropicLogin({ pool: h.core.pool, env: h.env });
    await expect(login.submit('')).rejects.toThrow(/Nothing was pasted/);
    await expect(login.submit('   ')).rejects.toThrow(/Nothing was pasted/);
    await expect(login.submit('hello world, this is not it')).rejects.toThrow(/does not look like a login code/);
    await expect(login.submit('a#b#c')).rejects.toThrow(/does not look like a login code/);
    await expect(login.submit('https://platform.claude.com/oauth/code/callback?nothing=1')).rejects.toThrow(/no login code/);
    expect(await poolState(h)).toEqual(before);
    expect(h.sim.counters.byProvider.anthropic.authCodeCalls).toBe(0);
    const record = await login.submit(await consent(login.url, acc.id));
    expect(record.accountId).toBe(acc.accountId);
  });

  it('refuses a code from another login attempt (state mismatch) and adds nothing', async () => {
    const acc = h.sim.addAccount('anthropic');
    const first = await startAnthropicLogin({ pool: h.core.pool, env: h.env });
    const second = await startAnthropicLogin({ pool: h.core.pool, env: h.env });
    const before = await poolState(h);
    const pastedForFirst = await consent(first.url, acc.id);
    await expect(second.submit(pastedForFirst)).rejects.toThrow(STATE_MISMATCH_MESSAGE);
    await expect(second.submit(pastedForFirst.split('#')[0]!)).rejects.toThrow(STATE_MISMATCH_MESSAGE);
    expect(await poolState(h)).toEqual(before);
    expect(h.sim.counters.byProvider.anthropic.authCodeCalls).toBe(0);
  });

  it('redeems the code once: concurrent submits share one redemption, a later submit gets a clear error', async () => {
    const acc = h.sim.addAccount('anthropic');
    const login = await startAnthropicLogin({ pool: h.core.pool, env: h.env });
    const pasted = await consent(login.url, acc.id);
    const [a, b, c] = await Promise.all([login.submit(pasted), login.submit(pasted), login.submit(pasted)]);
    expect(a.id).toBe(b.id);
    expect(b.id).toBe(c.id);
    expect(h.sim.counters.byProvider.anthropic.authCodeCalls).toBe(1);
    await expect(login.submit(pasted)).rejects.toThrow(/already complete/);
    expect(h.sim.counters.byProvider.anthropic.authCodeCalls).toBe(1);
    expect(h.core.pool.getAccounts('anthropic')).toHaveLength(1);
  });

  it('reports a code the provider refuses (invalid_grant) and adds nothing', async () => {
    const acc = h.sim.addAccount('anthropic');
    const login = await startAnthropicLogin({ pool: h.core.pool, env: h.env });
    const [, state] = (await consent(login.url, acc.id)).split('#');
    const before = await poolState(h);
    const error = await login.submit(`WrongCodeWrongCode123#${state}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RotaryError);
    expect((error as RotaryError).code).toBe('auth-failed');
    expect((error as Error).message).toMatch(/did not accept the code \(invalid_grant\)/);
    expect(await poolState(h)).toEqual(before);
    await expect(login.submit(`WrongCodeWrongCode123#${state}`)).rejects.toThrow(/has ended/);
  });

  it('reports a provider answer that is not JSON (HTML 502) and adds nothing', async () => {
    const bad = await startHtmlBadGateway();
    try {
      const login = await startAnthropicLogin({ pool: h.core.pool, env: { ...h.env, ROTARY_UPSTREAM: bad.url } });
      const state = new URL(login.url).searchParams.get('state')!;
      const before = await poolState(h);
      const error = await login.submit(`SomeCodeFromThePage1#${state}`).catch((e: unknown) => e);
      expect((error as RotaryError).code).toBe('provider-error');
      expect((error as Error).message).toMatch(/HTTP 502 with something that is not JSON \(text\/html\)/);
      expect(await poolState(h)).toEqual(before);
      expect(bad.hits()).toBe(1);
    } finally {
      await bad.close();
    }
  });

  it('cancel makes a pending or later submit fail as cancelled', async () => {
    const acc = h.sim.addAccount('anthropic');
    const login = await startAnthropicLogin({ pool: h.core.pool, env: h.env });
    const pasted = await consent(login.url, acc.id);
    login.cancel();
    const error = await login.submit(pasted).catch((e: unknown) => e);
    expect((error as RotaryError).code).toBe('cancelled');
    expect(h.core.pool.getAccounts('anthropic')).toHaveLength(0);
  });

  it('parsePastedCode splits code#state and reads callback URLs', () => {
    expect(parsePastedCode('abcdefgh123#statestate')).toEqual({ code: 'abcdefgh123', state: 'statestate' });
    expect(parsePastedCode('https://x.test/cb?code=abcdefgh123&state=statestate')).toEqual({ code: 'abcdefgh123', state: 'statestate' });
    expect(() => parsePastedCode('https://x.test/cb?error=access_denied')).toThrow(/access_denied/);
  });
});
