/**
 * The real services' answers (issue 12), end to end: a client → the real gateway → the
 * simulator playing what Copilot and Codex answer today. Checks what the client sees and what
 * the pool books (cooldowns, rotation, usage).
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ANTHROPIC_HEADERS, anthropicBody, gwFetch, inferenceAccounts, jsonOf, startHarness, TEST_KEY, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const nowS = () => Math.floor(Date.now() / 1000);
const CHAT = '/chat/completions';
const RESPONSES = '/backend-api/codex/responses';

const copilotChat = (hh: Harness, model = 'gpt-4.1', headers: Record<string, string> = {}) =>
  gwFetch(hh, `/copilot${CHAT}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }] }) });

const codex = (hh: Harness, headers: Record<string, string> = {}) =>
  gwFetch(hh, '/openai/responses', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'gpt-5-codex', instructions: 'Be brief.', input: 'Hello', stream: true, store: false }),
  });

/** node's http client: it does not decode, so the test sees the bytes and headers the gateway sent. */
function rawPost(hh: Harness, path: string, body: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${hh.gw.url}${path}`, { method: 'POST', headers: { 'x-api-key': TEST_KEY, 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const health = (hh: Harness, providerID: 'openai' | 'github-copilot' | 'anthropic', i: number) =>
  hh.core.pool.getRecord(providerID, hh.accounts[providerID][i]!.record.id)!.health;

describe('Copilot 402: a used-up quota rotates and cools the account until the reported reset', () => {
  it('with retry-after: cools until then; the request succeeds on the next account', async () => {
    h = await startHarness({ accounts: { 'github-copilot': 2 } });
    const [a, b] = h.accounts['github-copilot'];
    a!.sim.premium.remaining = 0;
    a!.sim.quotaRetryAfterSec = 7200;
    const before = Date.now();
    const res = await copilotChat(h);
    expect(res.status).toBe(200);
    expect((await jsonOf(res)).choices[0].message.content).toContain(b!.sim.login);
    expect(inferenceAccounts(h.sim, CHAT)).toEqual([a!.sim.id, b!.sim.id]);
    const until = health(h, 'github-copilot', 0).cooldownUntil!;
    expect(until).toBeGreaterThanOrEqual(before + 7200_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 7200_000);
    expect(health(h, 'github-copilot', 0)).toMatchObject({ lastStatus: 402, cooldownReason: 'quota used up (quota_exceeded)' });
    // The next request goes straight to B.
    h.sim.clearRequests();
    expect((await copilotChat(h)).status).toBe(200);
    expect(inferenceAccounts(h.sim, CHAT)).toEqual([b!.sim.id]);
  });

  it('without retry-after: until the quota reset the answer names (the 1st of next month), not 30 s', async () => {
    h = await startHarness({ accounts: { 'github-copilot': 2 } });
    const a = h.accounts['github-copilot'][0]!;
    a.sim.premium.remaining = 0;
    a.sim.quotaCode = 'free_quota_exceeded';
    expect((await copilotChat(h)).status).toBe(200);
    const d = new Date();
    expect(health(h, 'github-copilot', 0).cooldownUntil).toBe(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  });

  it('every account out of quota: the client gets the all-limited answer with the reset, at once', async () => {
    h = await startHarness({ accounts: { 'github-copilot': 2 } });
    for (const acc of h.accounts['github-copilot']) acc.sim.premium.remaining = 0;
    const res = await copilotChat(h);
    expect(res.status).toBe(429);
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect((await jsonOf(res)).error.message).toMatch(/^All 2 GitHub Copilot accounts are rate-limited; the first frees up at .+ UTC.* \(in \d+ d( \d+ h)?\)\.$/);
  });
});

describe('Copilot 429 codes, 403, 466', () => {
  it('user_model_rate_limited cools the account for that model only, matched by its code', async () => {
    h = await startHarness({ accounts: { 'github-copilot': 2 } });
    const [a, b] = h.accounts['github-copilot'];
    a!.sim.perMinuteLimited = 1;
    a!.sim.rateLimitCode = 'user_model_rate_limited:gpt-4.1';
    a!.sim.retryAfterSec = 600;
    expect((await copilotChat(h, 'gpt-4.1')).status).toBe(200);
    expect(inferenceAccounts(h.sim, CHAT)).toEqual([a!.sim.id, b!.sim.id]);
    const hA = health(h, 'github-copilot', 0);
    expect(hA.cooldownUntil).toBeUndefined();
    expect(hA.scopedCooldowns?.['gpt-4.1']?.until).toBeGreaterThan(Date.now() + 590_000);
    // Another model still goes to A.
    h.sim.clearRequests();
    expect((await copilotChat(h, 'claude-sonnet-4.5')).status).toBe(200);
    expect(inferenceAccounts(h.sim, CHAT)).toEqual([a!.sim.id]);
  });

  it('a compressed 429 body is decoded: its code and its "try again in 60 seconds" decide, not the 30 s default', async () => {
    h = await startHarness({ accounts: { 'github-copilot': 2 } });
    const a = h.accounts['github-copilot'][0]!;
    a.sim.errorEncoding = 'gzip';
    a.sim.perMinuteLimited = 1;
    a.sim.rateLimitCode = 'user_global_rate_limited';
    const before = Date.now();
    expect((await copilotChat(h, 'gpt-4.1', { 'accept-encoding': 'gzip' })).status).toBe(200);
    const hA = health(h, 'github-copilot', 0);
    expect(hA.cooldownReason).toBe('rate limit (user_global_rate_limited)');
    expect(hA.cooldownUntil).toBeGreaterThanOrEqual(before + 60_000);
  });

  it('403 on the chat API: the Copilot token is exchanged again and the same account retried, no rotation', async () => {
    h = await startHarness({ accounts: { 'github-copilot': 2 } });
    const a = h.accounts['github-copilot'][0]!;
    expect((await copilotChat(h)).status).toBe(200);
    const exchanges = h.sim.counters.byProvider['github-copilot'].copilotTokenCalls;
    a.sim.breakNext.push('403');
    h.sim.clearRequests();
    const res = await copilotChat(h);
    expect(res.status).toBe(200);
    expect((await jsonOf(res)).choices[0].message.content).toContain(a.sim.login);
    expect(inferenceAccounts(h.sim, CHAT)).toEqual([a.sim.id, a.sim.id]);
    expect(h.sim.counters.byProvider['github-copilot'].copilotTokenCalls).toBe(exchanges + 1);
    expect(health(h, 'github-copilot', 0).cooldownUntil).toBeUndefined();
  });

  it('466 goes to the client with a clear message; no other account is tried and none cools down', async () => {
    h = await startHarness({ accounts: { 'github-copilot': 2 } });
    const a = h.accounts['github-copilot'][0]!;
    a.sim.breakNext.push('466');
    const res = await copilotChat(h);
    expect(res.status).toBe(466);
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect((await jsonOf(res)).error.message).toMatch(/^GitHub Copilot answered HTTP 466 \("client not supported"\).*did not switch accounts/);
    expect(inferenceAccounts(h.sim, CHAT)).toEqual([a.sim.id]);
    expect(health(h, 'github-copilot', 0).cooldownUntil).toBeUndefined();
    expect(health(h, 'github-copilot', 1).cooldownUntil).toBeUndefined();
  });

  it('the chat headers are current: a Copilot that 466s anything older than 2026-06-01 answers', async () => {
    h = await startHarness({ accounts: { 'github-copilot': 1 } });
    h.sim.copilot.minApiVersion = '2026-06-01';
    const res = await copilotChat(h);
    expect(res.status).toBe(200);
    const seen = h.sim.requests.filter((r) => r.path === CHAT).at(-1)!;
    expect(seen.headers['x-github-api-version']).toBe('2026-06-01');
    expect(seen.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('usage comes from the chat answer\'s headers alone (no usage poll)', async () => {
    h = await startHarness({ accounts: { 'github-copilot': 1 } });
    const a = h.accounts['github-copilot'][0]!;
    a.sim.premium = { entitlement: 300, remaining: 120, unlimited: false };
    a.sim.fiveHour = { utilization: 0.25, resetAt: nowS() + 3600 };
    expect((await copilotChat(h)).status).toBe(200);
    const usage = h.core.pool.getRecord('github-copilot', a.record.id)!.usage!;
    expect(usage.source).toBe('headers');
    expect(usage.windows.find((w) => w.key === 'premium')).toMatchObject({ percentUsed: 60 });
    expect(usage.windows.find((w) => w.key === 'session')).toMatchObject({ percentUsed: 25, resetsAt: a.sim.fiveHour.resetAt * 1000 });
    expect(usage.windows.find((w) => w.key === 'weekly')).toBeDefined();
    expect(h.sim.counters.byProvider['github-copilot'].usageCalls).toBe(0);
    // The next answer moves the bar.
    expect((await copilotChat(h)).status).toBe(200);
    expect(h.core.pool.getRecord('github-copilot', a.record.id)!.usage!.windows.find((w) => w.key === 'premium')!.percentUsed).toBeCloseTo(60.3, 1);
  });
});

describe('compressed error bodies (Codex)', () => {
  it('a gzipped usage_limit_reached gives the real reset (25 min), not the 30 s default', async () => {
    h = await startHarness({ accounts: { openai: 2 } });
    const [a, b] = h.accounts.openai;
    a!.sim.errorEncoding = 'gzip';
    a!.sim.fiveHour = { utilization: 1, resetAt: nowS() + 25 * 60 };
    const res = await codex(h, { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(b!.sim.email);
    expect(h.sim.requests.find((r) => r.path === RESPONSES)!.headers['accept-encoding']).toContain('gzip');
    expect(health(h, 'openai', 0).cooldownUntil).toBe(a!.sim.fiveHour.resetAt * 1000);
  });

  it('a gzipped usage_limit_reached without any x-codex headers: only the decoded body can say it is the plan limit', async () => {
    // The test above also passes when the body is classified undecoded, because the 429's
    // x-codex-rate-limit-reached-type and full-window headers name the limit and its reset too.
    // Here the answer carries no header at all (the simulator's missing-reset-headers fault), so
    // the body alone says usage_limit_reached: undecoded, it would be a plain 30 s rate limit.
    h = await startHarness({ accounts: { openai: 2 } });
    const [a, b] = h.accounts.openai;
    a!.sim.errorEncoding = 'gzip';
    a!.sim.breakNext.push('missing-reset-headers');
    const before = Date.now();
    const res = await codex(h, { 'accept-encoding': 'gzip, deflate, br' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(b!.sim.email);
    const sent = h.sim.requests.find((r) => r.path === RESPONSES && r.headers['accept-encoding']?.includes('gzip'));
    expect(sent).toBeDefined();
    const hA = health(h, 'openai', 0);
    expect(hA.cooldownReason).toBe('usage limit reached, reset unknown');
    // The plan-limit fallback (PLAN_LIMIT_FALLBACK_MS, 5 min), not DEFAULT_RATE_LIMIT_COOLDOWN_MS (30 s).
    expect(hA.cooldownUntil).toBeGreaterThanOrEqual(before + 5 * 60_000);
  });

  it.each(['gzip', 'br', 'deflate', 'zstd'] as const)('%s: a body handed to the client is decoded and its headers match it', async (coding) => {
    h = await startHarness({ accounts: { openai: 1 } });
    const a = h.accounts.openai[0]!;
    a.sim.errorEncoding = coding;
    a.sim.limitType = 'usage_not_included';
    a.sim.fiveHour = { utilization: 1, resetAt: nowS() + 600 };
    const res = await rawPost(h, '/openai/responses', JSON.stringify({ model: 'gpt-5-codex', input: 'hi' }), { 'accept-encoding': coding });
    expect(res.status).toBe(429);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(JSON.parse(res.body.toString('utf8'))).toMatchObject({ error: { type: 'usage_not_included' } });
    // Not rotated, not cooled: the plan does not include the model.
    expect(health(h, 'openai', 0).cooldownUntil).toBeUndefined();
  });
});

describe('Codex limit types and residency', () => {
  it('workspace_owner_usage_limit_reached and spend_control_reached cool until their reset', async () => {
    h = await startHarness({ accounts: { openai: 3 } });
    const [a, b, c] = h.accounts.openai;
    a!.sim.limitType = 'workspace_owner_usage_limit_reached';
    a!.sim.sevenDay = { utilization: 1, resetAt: nowS() + 2 * 86_400 };
    b!.sim.limitType = 'spend_control_reached';
    b!.sim.fiveHour = { utilization: 1, resetAt: nowS() + 3 * 3600 };
    const res = await codex(h);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(c!.sim.email);
    expect(health(h, 'openai', 0)).toMatchObject({ cooldownUntil: a!.sim.sevenDay.resetAt * 1000, cooldownReason: 'workspace owner usage limit reached' });
    expect(health(h, 'openai', 1)).toMatchObject({ cooldownUntil: b!.sim.fiveHour.resetAt * 1000, cooldownReason: 'spend control reached' });
  });

  it('x-openai-internal-codex-residency describes the pooled account; the client\'s own value never goes out', async () => {
    h = await startHarness({ accounts: { openai: 0 } });
    const eu = h.sim.addAccount('openai', { computeResidency: 'eu' });
    const free = h.sim.addAccount('openai', { computeResidency: 'no_constraint' });
    for (const [i, acc] of [eu, free].entries()) {
      const c = acc.credentials();
      await h.core.pool.add({ providerID: 'openai', label: `R${i}`, accountId: c.accountId, secret: { access: c.access, refresh: c.refresh!, expires: c.expires! } });
    }
    expect((await codex(h, { 'x-openai-internal-codex-residency': 'us' })).status).toBe(200);
    const first = h.sim.requests.filter((r) => r.path === RESPONSES).at(-1)!;
    expect(first.accountId).toBe(eu.id);
    expect(first.headers['x-openai-internal-codex-residency']).toBe('eu');
    eu.fiveHour.utilization = 1;
    expect((await codex(h, { 'x-openai-internal-codex-residency': 'us' })).status).toBe(200);
    const second = h.sim.requests.filter((r) => r.path === RESPONSES).at(-1)!;
    expect(second.accountId).toBe(free.id);
    expect(second.headers['x-openai-internal-codex-residency']).toBeUndefined();
  });
});

describe('the gateway\'s own answers tell SDKs not to retry', () => {
  it('all limited (with retry-after), needs login (with the command), too large, wrong key: all x-should-retry: false', async () => {
    h = await startHarness({ accounts: { anthropic: 1 }, gateway: { maxBodyBytes: 64 * 1024 } });
    const acc = h.accounts.anthropic[0]!;
    const post = (body = anthropicBody(), key?: string) =>
      gwFetch(h!, '/anthropic/v1/messages', { method: 'POST', headers: ANTHROPIC_HEADERS, body, ...(key ? { key } : {}) });
    acc.sim.fiveHour = { utilization: 1, resetAt: nowS() + 1800 };
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-should-retry')).toBe('false');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(1700);
    const tooLarge = await post(anthropicBody({ messages: [{ role: 'user', content: 'x'.repeat(100 * 1024) }] }));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('x-should-retry')).toBe('false');
    const wrongKey = await post(anthropicBody(), 'not-the-key');
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.headers.get('x-should-retry')).toBe('false');
    await h.core.pool.markNeedsReauth('anthropic', acc.record.id, true);
    const login = await post();
    expect(login.status).toBe(401);
    expect(login.headers.get('x-should-retry')).toBe('false');
    expect((await jsonOf(login)).error.message).toBe('The only Anthropic account (Account 1) needs a new login; log in again with `rotary auth login anthropic`.');
    await h.core.pool.markNeedsReauth('anthropic', acc.record.id, false);
    await h.core.pool.setDisabled('anthropic', acc.record.id, true);
    expect((await jsonOf(await post())).error.message).toBe('The only Anthropic account (Account 1) is disabled; enable it with `rotary auth enable anthropic "Account 1"`.');
  });
});
