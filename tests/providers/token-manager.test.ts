import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountRecord } from '../../shared/domain.js';
import { RotaryError } from '../../electron/core/errors.js';
import { readCopilotCache } from '../../electron/core/providers/copilot/refresh.js';
import { createTokenManager } from '../../electron/core/providers/token-manager.js';
import type { SimAccount } from '../sim/server.js';
import { startHarness, startHtmlBadGateway, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness('token-manager');
});
afterEach(async () => {
  await h.close();
});

/** Put a simulator account into the pool as if it had logged in. */
async function addToPool(acc: SimAccount, extras?: Record<string, unknown>): Promise<AccountRecord> {
  const c = acc.credentials();
  return h.core.pool.add({
    providerID: acc.provider,
    accountId: acc.accountId,
    email: acc.email,
    secret: {
      access: c.access,
      ...(c.refresh ? { refresh: c.refresh } : {}),
      ...(c.expires ? { expires: c.expires } : {}),
      ...(acc.provider === 'openai' ? { extras: { accountId: acc.accountId, ...extras } } : extras ? { extras } : {}),
    },
  });
}

describe('TokenManager: Anthropic', () => {
  it('hands out the stored token while it is fresh, and refreshes (rotating) when it is about to expire', async () => {
    const acc = h.sim.addAccount('anthropic');
    const record = await addToPool(acc);
    const tokens = createTokenManager({ pool: h.core.pool, env: h.env });
    const first = await tokens.credential('anthropic', record.id);
    expect(first.headers.authorization).toBe(`Bearer ${acc.credentials().access}`);
    expect(first.headers['anthropic-beta']).toContain('oauth-2025-04-20');
    expect(h.sim.counters.refreshCalls).toBe(0);

    const oldRefresh = acc.credentials().refresh;
    const later = createTokenManager({ pool: h.core.pool, env: h.env, now: () => acc.credentials().expires! - 30_000 });
    const second = await later.credential('anthropic', record.id);
    expect(h.sim.counters.refreshCalls).toBe(1);
    expect(second.headers.authorization).toBe(`Bearer ${acc.credentials().access}`);
    expect(second.fingerprint).not.toBe(first.fingerprint);
    const stored = await h.core.pool.getSecret('anthropic', record.id);
    expect(stored?.refresh).toBe(acc.credentials().refresh);
    expect(stored?.refresh).not.toBe(oldRefresh);
  });

  it('50 concurrent refreshAfter401 calls, and a second process on the same home, cause exactly one refresh', async () => {
    const acc = h.sim.addAccount('anthropic');
    const record = await addToPool(acc);
    const app = createTokenManager({ pool: h.core.pool, env: h.env });
    const failed = await app.credential('anthropic', record.id);
    acc.expireAccessToken();

    const cliCore = await h.openSecondCore();
    const cli = createTokenManager({ pool: cliCore.pool, env: h.env });
    const results = await Promise.all([
      ...Array.from({ length: 50 }, () => app.refreshAfter401('anthropic', record.id, failed)),
      ...Array.from({ length: 5 }, () => cli.refreshAfter401('anthropic', record.id, failed)),
    ]);
    expect(h.sim.counters.byProvider.anthropic.refreshCalls).toBe(1);
    const fingerprints = new Set(results.map((r) => r.fingerprint));
    expect(fingerprints.size).toBe(1);
    expect(results[0]!.headers.authorization).toBe(`Bearer ${acc.credentials().access}`);

    // A later 401 from the CLI with the stale credential: the vault already has a newer token, no refresh.
    const again = await cli.refreshAfter401('anthropic', record.id, failed);
    expect(again.fingerprint).toBe(results[0]!.fingerprint);
    expect(h.sim.counters.byProvider.anthropic.refreshCalls).toBe(1);
    // The refreshed token works upstream.
    const res = await fetch(`${h.sim.url}/api.anthropic.com/api/oauth/profile`, { headers: again.headers });
    expect(res.status).toBe(200);
  });

  it('a refused refresh (reused token) marks the account as needing a new login', async () => {
    const acc = h.sim.addAccount('anthropic');
    const record = await addToPool(acc);
    // Another tool refreshed with the same refresh token: ours is now dead.
    const res = await fetch(`${h.sim.url}/platform.claude.com/v1/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: acc.credentials().refresh, client_id: '9d1c250a-e61b-44d9-88ed-5944d1962f5e' }),
    });
    expect(res.status).toBe(200);
    const tokens = createTokenManager({ pool: h.core.pool, env: h.env });
    const failed = await tokens.credential('anthropic', record.id);
    const error = await tokens.refreshAfter401('anthropic', record.id, failed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RotaryError);
    expect((error as RotaryError).code).toBe('needs-reauth');
    expect((error as Error).message).toMatch(new RegExp(`Account ${record.label} needs a new login: .*invalid_grant`));
    expect(h.core.pool.getRecord('anthropic', record.id)?.health.needsReauth).toBe(true);
    await expect(tokens.credential('anthropic', record.id)).rejects.toMatchObject({ code: 'needs-reauth' });
  });

  it('a token endpoint that is down (HTML 502) is a transient provider error and does not mark the account', async () => {
    const acc = h.sim.addAccount('anthropic');
    const record = await addToPool(acc);
    const bad = await startHtmlBadGateway();
    try {
      const tokens = createTokenManager({ pool: h.core.pool, env: { ...h.env, ROTARY_UPSTREAM: bad.url } });
      const failed = await tokens.credential('anthropic', record.id);
      const error = await tokens.refreshAfter401('anthropic', record.id, failed).catch((e: unknown) => e);
      expect((error as RotaryError).code).toBe('provider-error');
      expect((error as Error).message).toMatch(/not JSON/);
      expect(h.core.pool.getRecord('anthropic', record.id)?.health.needsReauth).toBeFalsy();
      expect((await h.core.pool.getSecret('anthropic', record.id))?.refresh).toBe(acc.credentials().refresh);
    } finally {
      await bad.close();
    }
  });
});

describe('TokenManager: OpenAI', () => {
  it('sends ChatGPT-Account-Id, refreshes once for many 401s, and stores the rotated refresh token', async () => {
    const acc = h.sim.addAccount('openai');
    const record = await addToPool(acc);
    const tokens = createTokenManager({ pool: h.core.pool, env: h.env });
    const failed = await tokens.credential('openai', record.id);
    expect(failed.headers['chatgpt-account-id']).toBe(acc.accountId);
    const results = await Promise.all(Array.from({ length: 20 }, () => tokens.refreshAfter401('openai', record.id, failed)));
    expect(h.sim.counters.byProvider.openai.refreshCalls).toBe(1);
    expect(new Set(results.map((r) => r.fingerprint)).size).toBe(1);
    expect((await h.core.pool.getSecret('openai', record.id))?.refresh).toBe(acc.credentials().refresh);
    const usage = await fetch(`${h.sim.url}/chatgpt.com/backend-api/wham/usage`, { headers: results[0]!.headers });
    expect(usage.status).toBe(200);
  });

  it('refresh_token_invalidated (revoked) → needs-reauth', async () => {
    const acc = h.sim.addAccount('openai');
    const record = await addToPool(acc);
    acc.revoked = true;
    const tokens = createTokenManager({ pool: h.core.pool, env: h.env });
    const failed = await tokens.credential('openai', record.id);
    await expect(tokens.refreshAfter401('openai', record.id, failed)).rejects.toThrow(/needs a new login: .*refresh_token_invalidated/);
    expect(h.core.pool.getRecord('openai', record.id)?.health.needsReauth).toBe(true);
  });
});

describe('TokenManager: Copilot', () => {
  it('exchanges the GitHub token, caches the Copilot token in the vault, and renews it before expiry', async () => {
    const acc = h.sim.addAccount('github-copilot');
    const record = await addToPool(acc);
    const tokens = createTokenManager({ pool: h.core.pool, env: h.env });
    const first = await tokens.credential('github-copilot', record.id);
    expect(first.baseURL).toBe('https://api.githubcopilot.com');
    expect(first.headers.authorization).toMatch(/^Bearer tid=/);
    const again = await tokens.credential('github-copilot', record.id);
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(h.sim.counters.byProvider['github-copilot'].copilotTokenCalls).toBe(1);
    const cache = readCopilotCache((await h.core.pool.getSecret('github-copilot', record.id))!);
    expect(cache).toBeTruthy();

    // At refresh_in − 60 s a new token is fetched.
    const later = createTokenManager({ pool: h.core.pool, env: h.env, now: () => cache!.refreshAt + 1 });
    const renewed = await later.credential('github-copilot', record.id);
    expect(h.sim.counters.byProvider['github-copilot'].copilotTokenCalls).toBe(2);
    expect(renewed.fingerprint).not.toBe(first.fingerprint);
  });

  it('after a 401 with an expired Copilot token, fetches a new one once; a revoked GitHub token → needs-reauth', async () => {
    const acc = h.sim.addAccount('github-copilot');
    const record = await addToPool(acc);
    const tokens = createTokenManager({ pool: h.core.pool, env: h.env });
    const failed = await tokens.credential('github-copilot', record.id);
    acc.expireAccessToken();
    const results = await Promise.all(Array.from({ length: 10 }, () => tokens.refreshAfter401('github-copilot', record.id, failed)));
    expect(new Set(results.map((r) => r.fingerprint)).size).toBe(1);
    expect(h.sim.counters.byProvider['github-copilot'].copilotTokenCalls).toBe(2);
    const chat = await fetch(`${h.sim.url}/api.githubcopilot.com/chat/completions`, {
      method: 'POST',
      headers: { ...results[0]!.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(chat.status).toBe(200);

    acc.revoked = true;
    await expect(tokens.refreshAfter401('github-copilot', record.id, results[0]!)).rejects.toMatchObject({ code: 'needs-reauth' });
    expect(h.core.pool.getRecord('github-copilot', record.id)?.health.needsReauth).toBe(true);
  });
});

describe('TokenManager across processes', () => {
  it('the app and a CLI process refreshing the same account at once cause exactly one refresh', async () => {
    const { spawn } = await import('node:child_process');
    const { childEnv } = await import('../helpers/temp-home.js');
    const acc = h.sim.addAccount('anthropic');
    const record = await addToPool(acc);
    const app = createTokenManager({ pool: h.core.pool, env: h.env });
    const failed = await app.credential('anthropic', record.id);
    acc.expireAccessToken();
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./refresh-child.ts', import.meta.url).pathname], {
      env: childEnv({
        ROTARY_HOME: h.home,
        ROTARY_UPSTREAM: h.sim.url,
        TEST_VAULT_SERVICE: h.vault.service,
        TEST_RECORD_ID: record.id,
        TEST_FAILED_FINGERPRINT: failed.fingerprint,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const mine = await Promise.all(Array.from({ length: 10 }, () => app.refreshAfter401('anthropic', record.id, failed)));
    expect(await exited, err).toBe(0);
    const theirs = JSON.parse(out.trim()) as string[];
    expect(theirs).toEqual([mine[0]!.fingerprint]);
    expect(h.sim.counters.byProvider.anthropic.refreshCalls).toBe(1);
    expect(h.core.pool.getRecord('anthropic', record.id)?.health.needsReauth).toBeFalsy();
  });
});
