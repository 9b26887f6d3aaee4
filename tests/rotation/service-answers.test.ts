/**
 * How Rotary reads what the real services answer today (issue 12; PROTOCOLS "checked 2026-12"):
 * Copilot's 402 quota codes, 429 codes, 401/403, 466 and usage headers; the new Codex limit
 * types and the residency header; the gateway's own answers (no SDK retry, the reset with
 * its zone, the command that fixes an account). Pure functions, no network.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { anthropicRequestRules } from '../../electron/core/providers/anthropic/request-rules.js';
import { classifyCopilot, copilotRequestRules } from '../../electron/core/providers/copilot/request-rules.js';
import { openaiProvider } from '../../electron/core/providers/openai/provider.js';
import { classifyCodex, openaiRequestRules } from '../../electron/core/providers/openai/request-rules.js';
import { allLimitedMessage, DEFAULT_RATE_LIMIT_COOLDOWN_MS } from '../../electron/core/providers/request-rules.js';

const NOW = Date.UTC(2026, 2, 25, 12, 0, 0);
const MONTHLY = Date.UTC(2026, 3, 1);
const json = (v: unknown) => JSON.stringify(v);
const jwt = (payload: Record<string, unknown>) => `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

describe('Copilot 402: a used-up quota is a plan limit, rotated and cooled until the reset', () => {
  const codes = ['quota_exceeded', 'free_quota_exceeded', 'overage_limit_reached', 'billing_not_configured', 'additional_spend_limit_reached'];

  it.each(codes)('%s → plan-limit until retry-after (seconds or HTTP date)', (code) => {
    const body = json({ error: { message: 'You have exceeded your premium request allowance.', code } });
    expect(classifyCopilot(402, { 'retry-after': '7200' }, body, NOW)).toMatchObject({ kind: 'plan-limit', until: NOW + 7200_000 });
    expect(classifyCopilot(402, { 'retry-after': new Date(NOW + 3 * 3600_000).toUTCString() }, body, NOW)).toMatchObject({ kind: 'plan-limit', until: NOW + 3 * 3600_000 });
  });

  it('without retry-after: quota_reset_date_utc (body, quota header, last poll), else the 1st of next month UTC', () => {
    const body = json({ error: { message: 'quota', code: 'quota_exceeded' } });
    const reset = Date.UTC(2026, 3, 10);
    expect(classifyCopilot(402, {}, json({ error: { code: 'quota_exceeded', quota_reset_date_utc: new Date(reset).toISOString() } }), NOW)).toMatchObject({ until: reset });
    const header = { 'x-quota-snapshot-premium_interactions': `ent=300&ov=0.0&ovPerm=false&rem=0&rst=${encodeURIComponent(new Date(reset).toISOString())}` };
    expect(classifyCopilot(402, header, body, NOW)).toMatchObject({ until: reset });
    const usage = { windows: [{ key: 'premium', label: 'Premium requests (monthly)', percentUsed: 100, resetsAt: reset }], asOf: NOW, source: 'endpoint' as const };
    expect(classifyCopilot(402, {}, body, NOW, { usage })).toMatchObject({ until: reset });
    expect(classifyCopilot(402, { 'retry-after': 'banana' }, body, NOW)).toMatchObject({ kind: 'plan-limit', until: MONTHLY });
    // An unreadable body still says "402": a quota.
    expect(classifyCopilot(402, {}, undefined, NOW)).toMatchObject({ kind: 'plan-limit', until: MONTHLY });
  });

  it('a 402 is read from its body (needsBody), a 466 too', () => {
    expect(copilotRequestRules.needsBody(402)).toBe(true);
    expect(copilotRequestRules.needsBody(466)).toBe(true);
  });
});

describe('Copilot 429: matched by code (with a :suffix), the text only without one', () => {
  it('each code is a rate limit until retry-after; user_model_rate_limited and model_overloaded bind one model', () => {
    const at = (code: string, headers: Record<string, string> = { 'retry-after': '90' }) =>
      classifyCopilot(429, headers, json({ error: { code, message: 'Sorry, you have been rate-limited.' } }), NOW);
    expect(at('user_global_rate_limited')).toEqual({ kind: 'rate-limit', until: NOW + 90_000, reason: 'rate limit (user_global_rate_limited)' });
    expect(at('user_model_rate_limited')).toMatchObject({ kind: 'rate-limit', until: NOW + 90_000, modelScoped: true });
    expect(at('user_model_rate_limited:claude-sonnet-4.5')).toMatchObject({ kind: 'rate-limit', modelScoped: true, reason: 'rate limit (user_model_rate_limited)' });
    expect(at('integration_rate_limited')).not.toHaveProperty('modelScoped');
    expect(at('model_overloaded')).toMatchObject({ modelScoped: true });
    expect(at('agent_mode_limit_exceeded')).toMatchObject({ kind: 'rate-limit', reason: 'rate limit (agent_mode_limit_exceeded)' });
    // The code decides, not the words: a rate-limit code whose message mentions a quota is still a rate limit.
    expect(classifyCopilot(429, {}, json({ error: { code: 'user_global_rate_limited', message: 'premium quota exceeded for now' } }), NOW)).toMatchObject({
      kind: 'rate-limit',
      until: NOW + DEFAULT_RATE_LIMIT_COOLDOWN_MS,
    });
  });

  it('the text still decides for bodies without a code', () => {
    expect(classifyCopilot(429, {}, json({ error: { message: 'Please try again in 58 hours' } }), NOW)).toMatchObject({ kind: 'rate-limit', until: NOW + 58 * 3600_000 });
    expect(classifyCopilot(429, {}, json({ error: { message: 'quota exceeded' } }), NOW)).toMatchObject({ kind: 'plan-limit', until: MONTHLY });
  });
});

describe('Copilot 401/403/466', () => {
  it('401 and 403 from the chat API mean: exchange the Copilot token again, retry once', () => {
    expect(classifyCopilot(401, {}, undefined, NOW)).toEqual({ kind: 'unauthorized' });
    expect(classifyCopilot(403, {}, undefined, NOW)).toEqual({ kind: 'unauthorized' });
  });

  it('466 passes through (no rotation, no cooldown) with a message that says what it is', () => {
    const v = classifyCopilot(466, {}, json({ error: { message: 'client not supported', code: 'client_not_supported' } }), NOW);
    expect(v.kind).toBe('pass');
    expect(v.kind === 'pass' && v.explain).toMatch(/HTTP 466 \("client not supported"\).*editor headers.*did not switch accounts.*GitHub said: "client not supported"/);
  });

  it('the chat headers are current (x-github-api-version 2026-06-01) and every request gets its own x-request-id', () => {
    const cred = { headers: { authorization: 'Bearer tid=1' }, fingerprint: 'f' };
    const a = copilotRequestRules.outgoingHeaders({}, cred);
    const b = copilotRequestRules.outgoingHeaders({}, cred);
    expect(a['x-github-api-version']).toBe('2026-06-01');
    expect(a['editor-version']).toMatch(/^vscode\/1\.1\d\d\./);
    expect(a['editor-plugin-version']).toMatch(/^copilot-chat\/0\.(3[5-9]|[4-9]\d)\./);
    expect(a['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(b['x-request-id']).not.toBe(a['x-request-id']);
    // A client's own values stay.
    expect(copilotRequestRules.outgoingHeaders({ 'x-github-api-version': '2026-09-01', 'x-request-id': 'mine' }, cred)).toMatchObject({ 'x-github-api-version': '2026-09-01', 'x-request-id': 'mine' });
  });
});

describe('Copilot usage from response headers alone', () => {
  const rst = (ms: number) => encodeURIComponent(new Date(ms).toISOString());

  it('premium (premium_models first, then premium_interactions), session and weekly windows', () => {
    const usage = copilotRequestRules.usageFromHeaders(
      {
        'x-quota-snapshot-premium_interactions': `ent=300&ov=0.0&ovPerm=false&rem=80&rst=${rst(MONTHLY)}`,
        'x-quota-snapshot-premium_models': `ent=300&ov=2.0&ovPerm=true&rem=25.5&rst=${rst(MONTHLY)}`,
        'x-quota-snapshot-chat': 'ent=-1&ov=0.0&ovPerm=false&rem=100',
        'x-usage-ratelimit-session': `ent=0&ov=0.0&ovPerm=false&rem=5.7&rst=${rst(NOW + 3 * 3600_000)}`,
        'x-usage-ratelimit-weekly': `ent=0&ov=0.0&ovPerm=false&rem=74.9&rst=2026-03-30T00%3A00%3A00Z`,
      },
      NOW,
    );
    expect(usage).toEqual({
      asOf: NOW,
      source: 'headers',
      windows: [
        { key: 'premium', label: 'Premium requests (monthly)', percentUsed: 74.5, resetsAt: MONTHLY },
        { key: 'session', label: 'Session', percentUsed: 94.3, resetsAt: NOW + 3 * 3600_000 },
        { key: 'weekly', label: 'Weekly', percentUsed: 25.1, resetsAt: Date.UTC(2026, 2, 30) },
      ],
    });
  });

  it('free users (chat quota only), unlimited (ent=-1), a missing rst (the monthly reset), garbage (nothing)', () => {
    expect(copilotRequestRules.usageFromHeaders({ 'x-quota-snapshot-chat': 'ent=50&rem=40' }, NOW)?.windows).toEqual([
      { key: 'chat', label: 'Chat (monthly)', percentUsed: 60, resetsAt: MONTHLY },
    ]);
    expect(copilotRequestRules.usageFromHeaders({ 'x-quota-snapshot-premium_interactions': 'ent=-1&rem=0' }, NOW)?.windows[0]).toMatchObject({ percentUsed: 0 });
    expect(copilotRequestRules.usageFromHeaders({ 'x-quota-snapshot-premium_interactions': 'rem=lots&rst=never' }, NOW)).toBeUndefined();
    expect(copilotRequestRules.usageFromHeaders({}, NOW)).toBeUndefined();
  });
});

describe('Codex: the new limit types are plan limits with their real reset', () => {
  const resets = Math.floor((NOW + 25 * 60_000) / 1000);
  const types = ['workspace_owner_usage_limit_reached', 'workspace_member_credits_depleted', 'spend_control_reached', 'workspace_member_usage_limit_reached'];

  it.each(types)('%s in the body → plan-limit until resets_at', (type) => {
    expect(classifyCodex(429, {}, json({ error: { type, message: 'limit', resets_at: resets, resets_in_seconds: 1500 } }), NOW)).toMatchObject({ kind: 'plan-limit', until: resets * 1000 });
  });

  it('the x-codex-rate-limit-reached-type header decides when the body cannot be read; full windows bound the reset', () => {
    const headers = {
      'x-codex-rate-limit-reached-type': 'spend_control_reached',
      'x-codex-primary-used-percent': '100',
      'x-codex-primary-reset-at': String(resets),
    };
    expect(classifyCodex(429, headers, undefined, NOW)).toMatchObject({ kind: 'plan-limit', until: resets * 1000, reason: 'spend control reached' });
    // No type anywhere, but a full window: still a plan limit until that window resets (not the 30 s default).
    expect(classifyCodex(429, { 'x-codex-secondary-used-percent': '100.0', 'x-codex-secondary-reset-after-seconds': '3600' }, undefined, NOW)).toMatchObject({
      kind: 'plan-limit',
      until: NOW + 3600_000,
    });
    expect(classifyCodex(429, { 'x-codex-rate-limit-reached-type': 'usage_not_included' }, undefined, NOW)).toEqual({ kind: 'pass' });
  });
});

describe('Codex residency header: the pooled account\'s claim, never the client\'s', () => {
  const claim = 'https://api.openai.com/auth';

  it('namespaced claim first, then top-level; none for no_constraint or no claim', () => {
    const header = (payload: Record<string, unknown>) => openaiProvider.toCredential({ access: jwt(payload) }, undefined).headers['x-openai-internal-codex-residency'];
    expect(header({ [claim]: { chatgpt_compute_residency: 'eu' }, chatgpt_compute_residency: 'us' })).toBe('eu');
    expect(header({ chatgpt_compute_residency: 'us' })).toBe('us');
    expect(header({ [claim]: { chatgpt_compute_residency: 'no_constraint' } })).toBeUndefined();
    expect(header({ [claim]: { chatgpt_account_id: 'acc' } })).toBeUndefined();
    expect(header({ chatgpt_compute_residency: 'us\r\nx-evil: 1' })).toBeUndefined();
  });

  it('the client\'s own value is dropped, the account\'s goes out', () => {
    const client = { 'x-openai-internal-codex-residency': 'us', authorization: 'Bearer gw' };
    const none = openaiRequestRules.outgoingHeaders(client, { headers: { authorization: 'Bearer t' }, fingerprint: 'f' }, 'acc');
    expect(none['x-openai-internal-codex-residency']).toBeUndefined();
    const eu = openaiRequestRules.outgoingHeaders(client, { headers: { authorization: 'Bearer t', 'x-openai-internal-codex-residency': 'eu' }, fingerprint: 'f' }, 'acc');
    expect(eu['x-openai-internal-codex-residency']).toBe('eu');
  });
});

describe('the gateway\'s own answers', () => {
  const savedTZ = process.env.TZ;
  afterEach(() => {
    if (savedTZ === undefined) delete process.env.TZ;
    else process.env.TZ = savedTZ;
  });

  it('carry x-should-retry: false (all limited, needs login, errors) and retry-after where there is a time', () => {
    for (const rules of [anthropicRequestRules, openaiRequestRules, copilotRequestRules]) {
      const limited = rules.allLimitedResponse({ count: 2, earliest: NOW + 23 * 60_000, now: NOW });
      expect(limited.headers).toMatchObject({ 'x-should-retry': 'false', 'retry-after': String(23 * 60) });
      const login = rules.allLimitedResponse({ count: 1, earliest: undefined, now: NOW, needsLogin: ['Account 1'], disabled: [] });
      expect(login.headers['x-should-retry']).toBe('false');
      expect(login.headers['retry-after']).toBeUndefined();
      for (const kind of ['too-large', 'network', 'auth', 'bad-request'] as const) {
        expect(rules.errorResponse(413, kind, 'x').headers['x-should-retry'], `${rules.providerID} ${kind}`).toBe('false');
      }
      // A timeout is final (504); an unreachable provider (502) or a moment of no free connection (503) is worth the SDK's own retry.
      expect(rules.errorResponse(504, 'network', 'x').headers['x-should-retry']).toBe('false');
      expect(rules.errorResponse(502, 'network', 'x').headers['x-should-retry'], `${rules.providerID} 502`).toBeUndefined();
      expect(rules.errorResponse(503, 'network', 'x').headers['x-should-retry'], `${rules.providerID} 503`).toBeUndefined();
    }
  });

  it('names the reset with its zone and as "in N min", readable on another machine', () => {
    process.env.TZ = 'Europe/Berlin'; // UTC+1 in March before the switch to summer time
    const { message } = allLimitedMessage('Anthropic', 'anthropic', { count: 3, earliest: NOW + 23 * 60_000, now: NOW });
    expect(message).toBe('All 3 Anthropic accounts are rate-limited; the first frees up at 13:23 UTC+1 (in 23 min).');
    process.env.TZ = 'UTC';
    expect(allLimitedMessage('OpenAI', 'openai', { count: 1, earliest: NOW + 90 * 60_000, now: NOW }).message).toBe(
      'The only OpenAI account is rate-limited; it frees up at 13:30 UTC (in 1 h 30 min).',
    );
    process.env.TZ = 'Asia/Kolkata';
    expect(allLimitedMessage('OpenAI', 'openai', { count: 2, earliest: NOW + 3 * 86400_000, now: NOW }).message).toContain('at Sat 17:30 UTC+5:30 (in 3 d)');
    process.env.TZ = 'America/New_York';
    expect(allLimitedMessage('OpenAI', 'openai', { count: 2, earliest: NOW + 45_000, now: NOW }).message).toContain('at 08:00 UTC-4 (in 45 s)');
  });

  it('a single account that cannot work says why in a sentence and names the command that fixes it', () => {
    const one = (input: { needsLogin?: string[]; disabled?: string[] }) =>
      allLimitedMessage('Anthropic', 'anthropic', { count: 1, earliest: undefined, now: NOW, ...input }).message;
    expect(one({ needsLogin: ['Work'] })).toBe('The only Anthropic account (Work) needs a new login; log in again with `rotary auth login anthropic`.');
    expect(one({ disabled: ['Work laptop'] })).toBe('The only Anthropic account (Work laptop) is disabled; enable it with `rotary auth enable anthropic "Work laptop"`.');
    const many = allLimitedMessage('GitHub Copilot', 'github-copilot', { count: 3, earliest: undefined, now: NOW, needsLogin: ['a', 'b'], disabled: ['c'] }).message;
    expect(many).toBe(
      'None of the 3 GitHub Copilot accounts can take requests: a and b need a new login (`rotary auth login github-copilot`); c is disabled (`rotary auth enable github-copilot c`).',
    );
    expect(allLimitedMessage('OpenAI', 'openai', { count: 0, earliest: undefined, now: NOW }).message).toContain('`rotary auth login openai`');
  });
});
