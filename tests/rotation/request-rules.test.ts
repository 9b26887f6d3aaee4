import { describe, expect, it } from 'vitest';
import { anthropicRequestRules, classifyAnthropic, sessionFromUserID } from '../../electron/core/providers/anthropic/request-rules.js';
import { classifyCopilot, copilotRequestRules, durationFromText } from '../../electron/core/providers/copilot/request-rules.js';
import { classifyCodex, codexWindowLabel, openaiRequestRules } from '../../electron/core/providers/openai/request-rules.js';
import { parseValue, scanTopLevel, valueSize } from '../../electron/core/gateway/body-scan.js';
import { allLimitedMessage, DEFAULT_RATE_LIMIT_COOLDOWN_MS, modelFamily, PLAN_LIMIT_FALLBACK_MS } from '../../electron/core/providers/request-rules.js';

const NOW = Date.UTC(2026, 2, 25, 12, 0, 0);
const S = (ms: number): string => String(Math.floor(ms / 1000));
const U = 'anthropic-ratelimit-unified';

describe('Anthropic classify', () => {
  it('2xx ok, 401 unauthorized, 529 and 5xx pass', () => {
    expect(classifyAnthropic(200, {}, undefined, NOW)).toEqual({ kind: 'ok' });
    expect(classifyAnthropic(401, {}, undefined, NOW)).toEqual({ kind: 'unauthorized' });
    expect(classifyAnthropic(529, {}, undefined, NOW)).toEqual({ kind: 'pass' });
    expect(classifyAnthropic(500, {}, undefined, NOW)).toEqual({ kind: 'pass' });
    expect(classifyAnthropic(400, {}, undefined, NOW)).toEqual({ kind: 'pass' });
  });

  it('a rejected model-family window with the shared windows allowed is model-scoped; anything less certain is account-wide', () => {
    const weekly = NOW + 3 * 86400_000;
    const scoped = {
      [`${U}-status`]: 'rejected',
      [`${U}-reset`]: S(weekly),
      [`${U}-5h-status`]: 'allowed',
      [`${U}-7d-status`]: 'allowed',
      [`${U}-7d_sonnet-status`]: 'rejected',
      [`${U}-7d_sonnet-reset`]: S(weekly),
      [`${U}-representative-claim`]: 'seven_day_sonnet',
    };
    expect(classifyAnthropic(429, scoped, undefined, NOW)).toMatchObject({ kind: 'plan-limit', until: weekly, modelScoped: true });
    // "Overage included" (7d_oi) binds one family too.
    const oi = { ...scoped, [`${U}-7d_sonnet-status`]: 'allowed', [`${U}-7d_oi-status`]: 'rejected', [`${U}-representative-claim`]: 'seven_day_overage_included' };
    expect(classifyAnthropic(429, oi, undefined, NOW)).toMatchObject({ modelScoped: true });
    // The 5-hour window is rejected as well: the whole account is out.
    expect(classifyAnthropic(429, { ...scoped, [`${U}-5h-status`]: 'rejected' }, undefined, NOW)).not.toHaveProperty('modelScoped');
    // Shared statuses missing: no way to tell, so the account cools down as a whole.
    const { [`${U}-5h-status`]: _five, ...noShared } = scoped;
    expect(classifyAnthropic(429, noShared, undefined, NOW)).not.toHaveProperty('modelScoped');
  });

  it('plan limit cools down until the latest of unified reset, rejected windows and retry-after', () => {
    const fiveH = NOW + 3600_000;
    const v = classifyAnthropic(
      429,
      {
        [`${U}-status`]: 'rejected',
        [`${U}-reset`]: S(fiveH),
        [`${U}-5h-status`]: 'rejected',
        [`${U}-5h-reset`]: S(fiveH),
        [`${U}-7d-status`]: 'allowed',
        [`${U}-7d-reset`]: S(NOW + 5 * 86400_000),
        [`${U}-representative-claim`]: 'five_hour',
        'retry-after': '2094',
      },
      undefined,
      NOW,
    );
    // The allowed 7-day window must not stretch the cooldown.
    expect(v).toEqual({ kind: 'plan-limit', until: fiveH, reason: 'plan limit (five_hour)' });
  });

  it('garbage, missing, past and absurd resets fall back without throwing', () => {
    const garbage = classifyAnthropic(429, { [`${U}-status`]: 'rejected', [`${U}-reset`]: 'soon', [`${U}-5h-status`]: 'rejected', [`${U}-5h-reset`]: 'NaN', 'retry-after': 'banana' }, undefined, NOW);
    expect(garbage).toMatchObject({ kind: 'plan-limit', until: NOW + PLAN_LIMIT_FALLBACK_MS });
    const missing = classifyAnthropic(429, { [`${U}-status`]: 'rejected' }, undefined, NOW);
    expect(missing).toMatchObject({ kind: 'plan-limit', until: NOW + PLAN_LIMIT_FALLBACK_MS });
    const past = classifyAnthropic(429, { [`${U}-status`]: 'rejected', [`${U}-reset`]: S(NOW - 60_000) }, undefined, NOW);
    expect(past).toMatchObject({ kind: 'plan-limit', until: NOW + PLAN_LIMIT_FALLBACK_MS });
    const absurd = classifyAnthropic(429, { [`${U}-status`]: 'rejected', [`${U}-reset`]: S(NOW + 400 * 86400_000) }, undefined, NOW);
    expect(absurd).toMatchObject({ kind: 'plan-limit', until: NOW + PLAN_LIMIT_FALLBACK_MS });
  });

  it('429 without window info is a short rate limit: retry-after, else 30 s (also for an HTML 429)', () => {
    expect(classifyAnthropic(429, { 'retry-after': '12' }, undefined, NOW)).toMatchObject({ kind: 'rate-limit', until: NOW + 12_000 });
    expect(classifyAnthropic(429, { 'content-type': 'text/html' }, '<html>429</html>', NOW)).toMatchObject({ kind: 'rate-limit', until: NOW + DEFAULT_RATE_LIMIT_COOLDOWN_MS });
    expect(classifyAnthropic(429, { 'retry-after': '0' }, undefined, NOW)).toMatchObject({ until: NOW + DEFAULT_RATE_LIMIT_COOLDOWN_MS });
    expect(classifyAnthropic(429, { 'retry-after': new Date(NOW + 90_000).toUTCString() }, undefined, NOW)).toMatchObject({ until: NOW + 90_000 });
  });

  it('reads passive usage from the unified headers as percent with keys and labels', () => {
    const usage = anthropicRequestRules.usageFromHeaders(
      {
        [`${U}-5h-utilization`]: '0.42',
        [`${U}-5h-reset`]: S(NOW + 3600_000),
        [`${U}-7d-utilization`]: '1.02',
        [`${U}-7d-reset`]: S(NOW + 86400_000),
        [`${U}-7d_sonnet-utilization`]: '0.1',
        [`${U}-7d-opus-utilization`]: 'lots',
      },
      NOW,
    );
    expect(usage).toEqual({
      asOf: NOW,
      source: 'headers',
      windows: [
        { key: 'five_hour', label: '5-hour', percentUsed: 42, resetsAt: Math.floor((NOW + 3600_000) / 1000) * 1000 },
        { key: 'seven_day', label: '7-day (all)', percentUsed: 102, resetsAt: Math.floor((NOW + 86400_000) / 1000) * 1000 },
        { key: 'seven_day_sonnet', label: '7-day (Sonnet)', percentUsed: 10 },
      ],
    });
    expect(anthropicRequestRules.usageFromHeaders({}, NOW)).toBeUndefined();
  });

  it('affinity: session header, else the session part of metadata.user_id', () => {
    expect(anthropicRequestRules.affinityKey({ 'x-claude-code-session-id': 'abc-123' }, undefined)).toBe('anthropic:abc-123');
    const uid = 'user_0f3a_account_11111111-2222-3333-4444-555555555555_session_aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    expect(anthropicRequestRules.affinityKey({}, { metadata: { user_id: uid } })).toBe('anthropic:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
    expect(sessionFromUserID('{"device_id":"d","session_id":"s-123456"}')).toBe('s-123456');
    expect(anthropicRequestRules.affinityKey({}, { metadata: { user_id: 'user_only' } })).toBeUndefined();
    expect(anthropicRequestRules.affinityKey({}, undefined)).toBeUndefined();
  });

  it('outgoing headers: Bearer in, gateway key out, oauth beta merged with the client betas', () => {
    const out = anthropicRequestRules.outgoingHeaders(
      { 'x-api-key': 'gateway-key', authorization: 'Bearer gateway-key', 'anthropic-beta': 'claude-code-20250219,oauth-2025-04-20', host: 'x', 'anthropic-version': '2023-06-01' },
      { headers: { authorization: 'Bearer tok' }, fingerprint: 'f' },
    );
    expect(out['x-api-key']).toBeUndefined();
    expect(out.host).toBeUndefined();
    expect(out.authorization).toBe('Bearer tok');
    expect(out['anthropic-beta']).toBe('oauth-2025-04-20,claude-code-20250219');
    expect(out['anthropic-version']).toBe('2023-06-01');
  });

  it('all-limited answer in Anthropic error format with retry-after and the message', () => {
    const r = anthropicRequestRules.allLimitedResponse({ count: 3, earliest: NOW + 23 * 60_000, now: NOW });
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe(String(23 * 60));
    const body = JSON.parse(r.body);
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('rate_limit_error');
    expect(body.error.message).toMatch(/^All 3 Anthropic accounts are rate-limited; the first frees up at \d\d:\d\d UTC(?:[+-]\d+(?::\d\d)?)? \(in 23 min\)\.$/);
  });
});

describe('Codex classify', () => {
  it('usage_limit_reached → plan limit until resets_at / resets_in_seconds', () => {
    const resets = Math.floor((NOW + 7200_000) / 1000);
    const v = classifyCodex(429, {}, JSON.stringify({ error: { type: 'usage_limit_reached', resets_at: resets, resets_in_seconds: 7200 } }), NOW);
    expect(v).toMatchObject({ kind: 'plan-limit', until: resets * 1000 });
  });
  it('usage_not_included passes; other 429 is a rate limit; garbage falls back', () => {
    expect(classifyCodex(429, {}, JSON.stringify({ error: { type: 'usage_not_included' } }), NOW)).toEqual({ kind: 'pass' });
    expect(classifyCodex(429, { 'retry-after': '5' }, JSON.stringify({ error: { type: 'rate_limit_exceeded' } }), NOW)).toMatchObject({ kind: 'rate-limit', until: NOW + 5000 });
    expect(classifyCodex(429, {}, '<html>nope</html>', NOW)).toMatchObject({ kind: 'rate-limit', until: NOW + DEFAULT_RATE_LIMIT_COOLDOWN_MS });
    expect(classifyCodex(429, { 'retry-after': 'banana' }, JSON.stringify({ error: { type: 'usage_limit_reached', resets_at: 'soon', resets_in_seconds: 'a while' } }), NOW)).toMatchObject({
      kind: 'plan-limit',
      until: NOW + PLAN_LIMIT_FALLBACK_MS,
    });
    expect(classifyCodex(401, {}, '', NOW)).toEqual({ kind: 'unauthorized' });
    expect(classifyCodex(503, {}, '', NOW)).toEqual({ kind: 'pass' });
  });
  it('usage from x-codex headers with window labels', () => {
    const usage = openaiRequestRules.usageFromHeaders(
      {
        'x-codex-primary-used-percent': '12.5',
        'x-codex-primary-window-minutes': '300',
        'x-codex-primary-reset-at': S(NOW + 3600_000),
        'x-codex-secondary-used-percent': '40',
        'x-codex-secondary-window-minutes': '10080',
        'x-codex-secondary-reset-after-seconds': '60',
      },
      NOW,
    );
    expect(usage?.windows).toEqual([
      { key: 'primary', label: '5-hour', percentUsed: 12.5, resetsAt: Math.floor((NOW + 3600_000) / 1000) * 1000 },
      { key: 'secondary', label: 'Weekly', percentUsed: 40, resetsAt: NOW + 60_000 },
    ]);
    expect(codexWindowLabel(120)).toBe('2-hour');
    expect(codexWindowLabel(2880)).toBe('2-day');
  });
  it('affinity from session_id header or prompt_cache_key; account header replaced', () => {
    expect(openaiRequestRules.affinityKey({ session_id: 's1' }, undefined)).toBe('openai:s1');
    expect(openaiRequestRules.affinityKey({}, { prompt_cache_key: 'pk' })).toBe('openai:pk');
    const out = openaiRequestRules.outgoingHeaders({ 'chatgpt-account-id': 'theirs', authorization: 'Bearer gw' }, { headers: { authorization: 'Bearer t' }, fingerprint: 'f' }, 'ours');
    expect(out['chatgpt-account-id']).toBe('ours');
    expect(out.authorization).toBe('Bearer t');
  });
  it('all-limited in OpenAI error format', () => {
    const r = openaiRequestRules.allLimitedResponse({ count: 2, earliest: NOW + 90_000, now: NOW });
    expect(r.status).toBe(429);
    expect(JSON.parse(r.body).error).toMatchObject({ type: 'usage_limit_reached', resets_in_seconds: 90 });
  });
});

describe('Copilot classify', () => {
  it('quota exceeded → plan limit until retry-after, else the monthly reset', () => {
    const body = JSON.stringify({ error: { message: 'quota exceeded', code: 'quota_exceeded' } });
    expect(classifyCopilot(429, { 'retry-after': '3600' }, body, NOW)).toMatchObject({ kind: 'plan-limit', until: NOW + 3600_000 });
    expect(classifyCopilot(429, { 'retry-after': 'banana' }, body, NOW)).toMatchObject({ kind: 'plan-limit', until: Date.UTC(2026, 3, 1) });
  });
  it('text durations and plain rate limits', () => {
    expect(durationFromText('Please try again in 58 hours')).toBe(58 * 3600_000);
    expect(durationFromText('wait 3 hours 43 minutes')).toBe((3 * 60 + 43) * 60_000);
    expect(classifyCopilot(429, {}, 'rate limited, try again in 2 minutes', NOW)).toMatchObject({ kind: 'rate-limit', until: NOW + 120_000 });
    expect(classifyCopilot(429, {}, '', NOW)).toMatchObject({ kind: 'rate-limit', until: NOW + DEFAULT_RATE_LIMIT_COOLDOWN_MS });
  });
  it('editor headers only when the client sent none', () => {
    const out = copilotRequestRules.outgoingHeaders({ 'editor-version': 'Neovim/0.10' }, { headers: { Authorization: 'Bearer cop', 'editor-version': 'vscode/1' }, fingerprint: 'f' });
    expect(out['editor-version']).toBe('Neovim/0.10');
    expect(out['copilot-integration-id']).toBe('vscode-chat');
    expect(out.authorization).toBe('Bearer cop');
  });
});

describe('all-limited message and body scan', () => {
  it('names the model family when a family limit is what binds', () => {
    const { message } = allLimitedMessage('Anthropic', 'anthropic', { count: 2, earliest: NOW + 30 * 60_000, now: NOW, family: 'sonnet' });
    expect(message).toMatch(/^All 2 Anthropic accounts are rate-limited for Sonnet models; the first frees up at .+ \(in 30 min\)\.$/);
  });

  it('maps model names to families', () => {
    expect(modelFamily('claude-sonnet-4-6')).toBe('sonnet');
    expect(modelFamily('claude-opus-4-5-20251101')).toBe('opus');
    expect(modelFamily('gpt-5-codex')).toBe('gpt-5-codex');
    expect(modelFamily(undefined)).toBeUndefined();
  });

  it('names count and first free time', () => {
    expect(allLimitedMessage('Anthropic', 'anthropic', { count: 1, earliest: NOW + 40_000, now: NOW }).message).toMatch(/The only Anthropic account is rate-limited; it frees up at .* \(in 40 s\)\./);
    expect(allLimitedMessage('Anthropic', 'anthropic', { count: 2, earliest: undefined, now: NOW }).message).toMatch(/None of the 2 Anthropic accounts can take requests: each needs a new login/);
  });
  it('scans top-level ranges without re-serialising', () => {
    const text = '{"model":"m\\"x","system":[{"text":"a}\\\\"}],"stream":true,"metadata":{"user_id":"u"},"messages":[1,[2,{"a":"]"}]]}';
    const buf = Buffer.from(text);
    const top = scanTopLevel(buf)!;
    expect(parseValue(buf, top, 'model')).toBe('m"x');
    expect(parseValue(buf, top, 'stream')).toBe(true);
    expect(parseValue(buf, top, 'metadata')).toEqual({ user_id: 'u' });
    expect(JSON.parse(buf.toString('utf8', ...top.get('messages')!))).toEqual([1, [2, { a: ']' }]]);
    expect(valueSize(top, 'system')).toBe('[{"text":"a}\\\\"}]'.length);
    expect(scanTopLevel(Buffer.from('not json'))).toBeUndefined();
    expect(scanTopLevel(Buffer.from('{"a": "unterminated'))).toBeUndefined();
  });
});
