/**
 * Rotation through the real gateway against the simulator (PRODUCT §3 table).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ANTHROPIC_HEADERS, anthropicBody, gwFetch, inferenceAccounts, jsonOf, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const post = (hh: Harness, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  gwFetch(hh, '/anthropic/v1/messages', { method: 'POST', headers: { ...ANTHROPIC_HEADERS, ...headers }, body: anthropicBody(extra) });

describe('plan limit', () => {
  it('A limited → the request succeeds on B, A cools down until the simulator reset, the next request goes straight to B', async () => {
    h = await startHarness({ accounts: { anthropic: 2 } });
    const [a, b] = h.accounts.anthropic;
    a!.sim.fiveHour.utilization = 1;
    const res = await post(h);
    expect(res.status).toBe(200);
    expect((await jsonOf(res)).content[0].text).toContain(b!.sim.email);
    expect(inferenceAccounts(h.sim)).toEqual([a!.sim.id, b!.sim.id]);

    const recA = h.core.pool.getRecord('anthropic', a!.record.id)!;
    expect(recA.health.cooldownUntil).toBe(a!.sim.fiveHour.resetAt * 1000);
    expect(recA.health.lastStatus).toBe(429);
    expect(h.core.pool.getAccounts('anthropic').find((x) => x.id === a!.record.id)!.status.kind).toBe('cooling');
    // A moved to the back; B is active now.
    expect(h.core.pool.snapshot('anthropic').activeID).toBe(b!.record.id);

    h.sim.clearRequests();
    const again = await post(h);
    expect(again.status).toBe(200);
    expect(inferenceAccounts(h.sim)).toEqual([b!.sim.id]);

    // The rotation is in the activity log with the readable message.
    const entry = h.gw.activity.requests().find((r) => r.rotations.length > 0)!;
    expect(entry.rotations[0]!.message).toBe('429 on Account 1 → Account 2');
    expect(entry.accountLabel).toBe('Account 2');
  });

  it('cooldown and health are persisted (batched) to the store file', async () => {
    h = await startHarness({ accounts: { anthropic: 2 } });
    h.accounts.anthropic[0]!.sim.fiveHour.utilization = 1;
    expect((await post(h)).status).toBe(200);
    await h.core.pool.flush();
    const data = await h.core.store.read();
    const stored = data.providers.anthropic!.records.find((r) => r.id === h!.accounts.anthropic[0]!.record.id)!;
    expect(stored.health.cooldownUntil).toBe(h.accounts.anthropic[0]!.sim.fiveHour.resetAt * 1000);
  });

  it('every account limited → immediate 429 in Anthropic format naming when the first frees up', async () => {
    h = await startHarness({ accounts: { anthropic: 3 } });
    const resets = [3600, 1380, 7200];
    h.accounts.anthropic.forEach((acc, i) => {
      acc.sim.fiveHour.utilization = 1;
      acc.sim.fiveHour.resetAt = Math.floor(Date.now() / 1000) + resets[i]!;
    });
    const res = await post(h);
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(1300);
    expect(retryAfter).toBeLessThanOrEqual(1380);
    const body = await jsonOf(res);
    expect(body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(body.error.message).toMatch(/^All 3 Anthropic accounts are rate-limited; the first frees up at \d\d:\d\d UTC(?:[+-]\d+(?::\d\d)?)? \(in 2\d min\)\.$/);
    // Second request: nothing is sent upstream any more.
    h.sim.clearRequests();
    const again = await post(h);
    expect(again.status).toBe(429);
    expect(inferenceAccounts(h.sim)).toEqual([]);
    expect(h.gw.activity.recentEvents().some((e) => e.kind === 'all-limited')).toBe(true);
  });

  it('a weekly Sonnet limit cools the account for Sonnet only: Sonnet moves on, Opus stays', async () => {
    h = await startHarness({ accounts: { anthropic: 2 } });
    const [a, b] = h.accounts.anthropic;
    const sonnetReset = Math.floor(Date.now() / 1000) + 3 * 86_400;
    a!.sim.sevenDaySonnet = { utilization: 1, resetAt: sonnetReset };

    const sonnet = await post(h, { model: 'claude-sonnet-4-6' });
    expect(sonnet.status).toBe(200);
    expect(inferenceAccounts(h.sim)).toEqual([a!.sim.id, b!.sim.id]);
    const recA = h.core.pool.getAccounts('anthropic').find((x) => x.id === a!.record.id)!;
    expect(recA.health.scopedCooldowns?.sonnet?.until).toBe(sonnetReset * 1000);
    expect(recA.health.cooldownUntil).toBeUndefined();
    expect(recA.status.kind).toBe('ok');
    // A stays active: only Sonnet is limited there.
    expect(h.core.pool.snapshot('anthropic').activeID).toBe(a!.record.id);

    h.sim.clearRequests();
    expect((await post(h, { model: 'claude-opus-4-5' })).status).toBe(200);
    expect((await post(h, { model: 'claude-sonnet-4-6' })).status).toBe(200);
    expect(inferenceAccounts(h.sim)).toEqual([a!.sim.id, b!.sim.id]);
    const entry = h.gw.activity.requests().find((r) => r.rotations.length > 0)!;
    expect(entry.rotations[0]!.message).toBe('429 (sonnet limit) on Account 1 → Account 2');

    // Both Sonnet-limited: the all-limited answer names the model family; Opus still works.
    b!.sim.sevenDaySonnet = { utilization: 1, resetAt: sonnetReset + 60 };
    h.sim.clearRequests();
    const limited = await post(h, { model: 'claude-sonnet-4-6' });
    expect(limited.status).toBe(429);
    expect((await jsonOf(limited)).error.message).toMatch(/^All 2 Anthropic accounts are rate-limited for Sonnet models; the first frees up/);
    expect((await post(h, { model: 'claude-opus-4-5' })).status).toBe(200);
  });

  it('usage_limit_reached on Codex rotates and cools down until resets_at', async () => {
    h = await startHarness({ accounts: { openai: 2 } });
    const [a, b] = h.accounts.openai;
    a!.sim.fiveHour.utilization = 1;
    const res = await gwFetch(h, '/openai/responses', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5-codex', instructions: 'x', input: 'hi', stream: true, store: false }),
    });
    expect(res.status).toBe(200);
    await res.text();
    expect(inferenceAccounts(h.sim, '/backend-api/codex/responses')).toEqual([a!.sim.id, b!.sim.id]);
    expect(h.core.pool.getRecord('openai', a!.record.id)!.health.cooldownUntil).toBe(a!.sim.fiveHour.resetAt * 1000);
  });

  it('Copilot quota exceeded rotates to the next account', async () => {
    h = await startHarness({ accounts: { 'github-copilot': 2 } });
    const [a, b] = h.accounts['github-copilot'];
    a!.sim.premium.remaining = 0;
    const res = await gwFetch(h, '/copilot/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-sonnet-4', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
    expect(inferenceAccounts(h.sim, '/chat/completions')).toEqual([a!.sim.id, b!.sim.id]);
    const cooling = h.core.pool.getRecord('github-copilot', a!.record.id)!.health;
    expect(cooling.cooldownUntil).toBeGreaterThan(Date.now());
  });
});

describe('other answers', () => {
  it('per-minute 429 → short cooldown (retry-after), next account', async () => {
    h = await startHarness({ accounts: { anthropic: 2 } });
    const [a, b] = h.accounts.anthropic;
    a!.sim.perMinuteLimited = 1;
    a!.sim.retryAfterSec = 7;
    const before = Date.now();
    const res = await post(h);
    expect(res.status).toBe(200);
    expect(inferenceAccounts(h.sim)).toEqual([a!.sim.id, b!.sim.id]);
    const until = h.core.pool.getRecord('anthropic', a!.record.id)!.health.cooldownUntil!;
    expect(until).toBeGreaterThanOrEqual(before + 7000);
    expect(until).toBeLessThanOrEqual(Date.now() + 7000);
  });

  it('per-minute 429 without retry-after cools down 30 s', async () => {
    h = await startHarness({ accounts: { anthropic: 2 } });
    const [a] = h.accounts.anthropic;
    a!.sim.perMinuteLimited = 1;
    const before = Date.now();
    expect((await post(h)).status).toBe(200);
    const until = h.core.pool.getRecord('anthropic', a!.record.id)!.health.cooldownUntil!;
    expect(until).toBeGreaterThanOrEqual(before + 30_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 30_000);
  });

  it.each(['529', '500'] as const)('%s → no rotation, the upstream answer reaches the client', async (fault) => {
    h = await startHarness({ accounts: { anthropic: 2 } });
    const [a] = h.accounts.anthropic;
    a!.sim.breakNext.push(fault);
    const res = await post(h);
    expect(res.status).toBe(Number(fault));
    const body = await jsonOf(res);
    expect(body.type).toBe('error');
    expect(inferenceAccounts(h.sim)).toEqual([a!.sim.id]);
    expect(h.core.pool.getRecord('anthropic', a!.record.id)!.health.cooldownUntil).toBeUndefined();
  });

  it('network error → 502 in the provider format, no rotation', async () => {
    h = await startHarness({ accounts: { anthropic: 2 } });
    const [a] = h.accounts.anthropic;
    a!.sim.breakNext.push('reset-connection');
    const res = await post(h);
    expect(res.status).toBe(502);
    const body = await jsonOf(res);
    expect(body).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    expect(body.error.message).toContain('could not reach the Anthropic API');
    expect(inferenceAccounts(h.sim)).toEqual([a!.sim.id]);
  });

  it('non-JSON upstream 429 → rate-limit cooldown, next account', async () => {
    h = await startHarness({ accounts: { anthropic: 2, openai: 2 } });
    h.accounts.anthropic[0]!.sim.breakNext.push('non-json-429');
    expect((await post(h)).status).toBe(200);
    expect(inferenceAccounts(h.sim)).toEqual([h.accounts.anthropic[0]!.sim.id, h.accounts.anthropic[1]!.sim.id]);
    h.accounts.openai[0]!.sim.breakNext.push('non-json-429');
    const res = await gwFetch(h, '/openai/responses', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5-codex', instructions: 'x', input: 'hi', stream: true }),
    });
    expect(res.status).toBe(200);
    await res.text();
    expect(h.core.pool.getRecord('openai', h.accounts.openai[0]!.record.id)!.health.cooldownUntil).toBeGreaterThan(Date.now());
  });

  it.each(['garbage-reset-headers', 'missing-reset-headers'] as const)('%s → sane fallback cooldown, next account', async (fault) => {
    h = await startHarness({ accounts: { anthropic: 2, openai: 2, 'github-copilot': 2 } });
    for (const p of ['anthropic', 'openai', 'github-copilot'] as const) h.accounts[p][0]!.sim.breakNext.push(fault);
    const before = Date.now();
    expect((await post(h)).status).toBe(200);
    const codex = await gwFetch(h, '/openai/responses', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5-codex', instructions: 'x', input: 'hi', stream: true }),
    });
    expect(codex.status).toBe(200);
    await codex.text();
    const copilot = await gwFetch(h, '/copilot/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(copilot.status).toBe(200);
    await copilot.text();
    for (const p of ['anthropic', 'openai', 'github-copilot'] as const) {
      const until = h.core.pool.getRecord(p, h.accounts[p][0]!.record.id)!.health.cooldownUntil!;
      expect(until).toBeGreaterThan(before);
      // Never parked for weeks on a header it could not read (Copilot falls back to its monthly reset).
      expect(until).toBeLessThanOrEqual(Date.now() + (p === 'github-copilot' ? 32 * 86400_000 : 10 * 60_000));
    }
  });

  it('a cooldown never outlives its reset: once passed, the account is tried again', async () => {
    h = await startHarness({ accounts: { anthropic: 2 } });
    const [a] = h.accounts.anthropic;
    h.core.pool.recordOutcome({ providerID: 'anthropic', recordID: a!.record.id, ok: false, status: 429, cooldownUntil: Date.now() - 1 });
    expect((await post(h)).status).toBe(200);
    expect(inferenceAccounts(h.sim)).toEqual([a!.sim.id]);
  });
});

describe('401 and refresh', () => {
  it('401 → one refresh, retry on the same account', async () => {
    h = await startHarness({ accounts: { anthropic: 2 } });
    const [a] = h.accounts.anthropic;
    a!.sim.expireAccessToken();
    const res = await post(h);
    expect(res.status).toBe(200);
    expect(h.sim.counters.byProvider.anthropic.refreshCalls).toBe(1);
    expect(inferenceAccounts(h.sim)).toEqual([a!.sim.id, a!.sim.id]);
    const secret = await h.core.pool.getSecret('anthropic', a!.record.id);
    expect(secret!.access).toBe(a!.sim.credentials().access);
  });

  it('a refused refresh marks the account needs-reauth and fails over', async () => {
    h = await startHarness({ accounts: { anthropic: 2 } });
    const [a, b] = h.accounts.anthropic;
    a!.sim.expireAccessToken();
    a!.sim.revoked = true;
    const res = await post(h);
    expect(res.status).toBe(200);
    expect((await jsonOf(res)).content[0].text).toContain(b!.sim.email);
    expect(h.core.pool.getRecord('anthropic', a!.record.id)!.health.needsReauth).toBe(true);
    expect(h.gw.activity.recentEvents().some((e) => e.kind === 'needs-reauth' && e.recordID === a!.record.id)).toBe(true);
    // Next request does not touch A at all.
    h.sim.clearRequests();
    expect((await post(h)).status).toBe(200);
    expect(inferenceAccounts(h.sim)).toEqual([b!.sim.id]);
  });

  it('refresh race: 100 concurrent requests on an expired token → exactly one refresh call', async () => {
    h = await startHarness({ accounts: { anthropic: 1 } });
    const [a] = h.accounts.anthropic;
    a!.sim.expireAccessToken();
    h.sim.resetCounters();
    const results = await Promise.all(Array.from({ length: 100 }, () => post(h!).then(async (r) => ({ status: r.status, body: await r.text() }))));
    expect(results.map((r) => r.status)).toEqual(Array(100).fill(200));
    expect(h.sim.counters.byProvider.anthropic.refreshCalls).toBe(1);
  });

  it('refresh race with an expiry the pool already knows about → exactly one refresh call', async () => {
    h = await startHarness({ accounts: { anthropic: 1 } });
    const [a] = h.accounts.anthropic;
    const secret = (await h.core.pool.getSecret('anthropic', a!.record.id))!;
    await h.core.pool.setSecret('anthropic', a!.record.id, { ...secret, expires: Date.now() - 1000 });
    a!.sim.expireAccessToken();
    h.sim.resetCounters();
    const statuses = await Promise.all(Array.from({ length: 100 }, () => post(h!).then(async (r) => (await r.text(), r.status))));
    expect(statuses).toEqual(Array(100).fill(200));
    expect(h.sim.counters.byProvider.anthropic.refreshCalls).toBe(1);
  });
});

describe('affinity, proactive and manual switch', () => {
  const session = (id: string) => ({ 'x-claude-code-session-id': id });

  it('a conversation stays on its account after the active account changes by rotation', async () => {
    h = await startHarness({ accounts: { anthropic: 2 } });
    const [a, b] = h.accounts.anthropic;
    expect((await post(h, {}, session('conv-1'))).status).toBe(200);
    // A second conversation meets A limited once (per-minute) → goes to B; B becomes active.
    a!.sim.perMinuteLimited = 1;
    a!.sim.retryAfterSec = 1;
    expect((await post(h, {}, session('conv-2'))).status).toBe(200);
    expect(h.core.pool.snapshot('anthropic').activeID).toBe(b!.record.id);
    // Cooldown over (simulate by clearing it): conv-1 goes back to A although B is active.
    await h.core.pool.clearCooldown('anthropic', a!.record.id);
    h.sim.clearRequests();
    expect((await post(h, {}, session('conv-1'))).status).toBe(200);
    expect((await post(h, {}, session('conv-2'))).status).toBe(200);
    expect(inferenceAccounts(h.sim)).toEqual([a!.sim.id, b!.sim.id]);
  });

  it('metadata.user_id session part is an affinity key too', async () => {
    h = await startHarness({ accounts: { anthropic: 2 } });
    const [a, b] = h.accounts.anthropic;
    const meta = { metadata: { user_id: 'user_abc_account_11111111-1111-1111-1111-111111111111_session_22222222-2222-2222-2222-222222222222' } };
    expect((await post(h, meta)).status).toBe(200);
    await h.core.pool.setActive('anthropic', 'default', b!.record.id);
    // A manual switch wins: the binding is dropped, the conversation moves to B.
    h.sim.clearRequests();
    expect((await post(h, meta)).status).toBe(200);
    expect(inferenceAccounts(h.sim)).toEqual([b!.sim.id]);
    void a;
  });

  it('proactive switch: new conversations avoid an active account above 95 % of its 5-hour window; bound ones stay', async () => {
    h = await startHarness({ accounts: { anthropic: 2 } });
    const [a, b] = h.accounts.anthropic;
    expect((await post(h, {}, session('old'))).status).toBe(200);
    a!.sim.fiveHour.utilization = 0.97;
    // This response's headers report 97 % for A.
    expect((await post(h, {}, session('old'))).status).toBe(200);
    h.sim.clearRequests();
    expect((await post(h, {}, session('new'))).status).toBe(200);
    expect((await post(h, {}, session('old'))).status).toBe(200);
    expect(inferenceAccounts(h.sim)).toEqual([b!.sim.id, a!.sim.id]);
    const proactive = h.gw.activity.recentEvents().find((e) => e.kind === 'rotation' && e.event.status === 0);
    expect(proactive?.kind === 'rotation' && proactive.event.message).toBe('Account 1 is above 95 % of its 5-hour window → new conversation on Account 2');
  });

  it('passive usage from response headers lands in the pool', async () => {
    h = await startHarness({ accounts: { anthropic: 1 } });
    h.accounts.anthropic[0]!.sim.fiveHour.utilization = 0.42;
    expect((await post(h)).status).toBe(200);
    const usage = h.core.pool.getRecord('anthropic', h.accounts.anthropic[0]!.record.id)!.usage!;
    expect(usage.source).toBe('headers');
    expect(usage.windows.find((w) => w.key === 'five_hour')).toMatchObject({ label: '5-hour', percentUsed: 42 });
    expect(usage.windows.find((w) => w.key === 'seven_day')?.label).toBe('7-day (all)');
  });
});

describe('429 storm', () => {
  it('500 concurrent requests over 3 accounts while limits trip: each gets a success or the clear all-limited 429', async () => {
    h = await startHarness({ accounts: { anthropic: 3 } });
    // Each account can serve ~60–100 requests before its 5-hour window is full.
    h.accounts.anthropic.forEach((acc, i) => {
      acc.sim.costPerRequest = 1 / (60 + 20 * i);
      acc.sim.delayMs = 2;
    });
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        post(h!, {}, { 'x-claude-code-session-id': `storm-${i % 50}` }).then(async (r) => ({ status: r.status, body: await r.text() })),
      ),
    );
    expect(results).toHaveLength(500);
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok.length + limited.length).toBe(500);
    expect(ok.length).toBeGreaterThan(150);
    expect(limited.length).toBeGreaterThan(0);
    for (const r of limited) {
      const body = JSON.parse(r.body);
      expect(body.error.type).toBe('rate_limit_error');
      expect(body.error.message).toMatch(/^All 3 Anthropic accounts are rate-limited; the first frees up at/);
    }
    // Nothing was served twice and nothing vanished: successes match what the simulator served.
    const served = h.accounts.anthropic.reduce((n, acc) => n + acc.sim.inferenceCount, 0);
    expect(served).toBe(ok.length);
  });
});

describe('disabled accounts', () => {
  it('a disabled account is skipped (the app and the CLI call accounts:setDisabled); enabled again it serves', async () => {
    h = await startHarness({ accounts: { anthropic: 2 } });
    const [a, b] = h.accounts.anthropic;
    const off = await h.core.service!.call('accounts:setDisabled', { providerID: 'anthropic', recordID: a!.record.id, disabled: true });
    expect(off).toMatchObject({ ok: true, value: { id: a!.record.id, status: { kind: 'disabled' } } });
    expect(h.core.pool.snapshot('anthropic').activeID).toBe(b!.record.id);
    h.sim.clearRequests();
    for (let i = 0; i < 3; i++) expect((await post(h)).status).toBe(200);
    expect(inferenceAccounts(h.sim)).toEqual([b!.sim.id, b!.sim.id, b!.sim.id]);

    // The only other account limited too: nothing is left, and the disabled one is not tried.
    b!.sim.fiveHour.utilization = 1;
    h.sim.clearRequests();
    expect((await post(h)).status).toBe(429);
    expect(inferenceAccounts(h.sim)).toEqual([b!.sim.id]);

    await h.core.service!.call('accounts:setDisabled', { providerID: 'anthropic', recordID: a!.record.id, disabled: false });
    h.sim.clearRequests();
    expect((await post(h)).status).toBe(200);
    expect(inferenceAccounts(h.sim)).toEqual([a!.sim.id]);
  });
});
