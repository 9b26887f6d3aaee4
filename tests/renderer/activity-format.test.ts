import { describe, expect, it } from 'vitest';
import {
  formatLatency,
  formatTokens,
  relativeTime,
  shortModel,
  statusTone,
  tokensText,
} from '../../renderer/src/features/conversations/activity-format.js';
import { breakdownParts } from '../../renderer/src/features/context-panel/context-metrics.js';
import { PROVIDER_IDS, PROVIDER_LIMITS_TITLES, PROVIDER_NAMES, PROVIDER_SHORT_NAMES } from '../../shared/domain.js';

describe('activity-format', () => {
  it('formats token counts compactly', () => {
    expect(formatTokens(undefined)).toBe('—');
    expect(formatTokens(950)).toBe('950');
    expect(formatTokens(9_999)).toBe('9,999');
    expect(formatTokens(12_345)).toBe('12.3k');
    expect(formatTokens(250_000)).toBe('250k');
    expect(formatTokens(1_250_000)).toBe('1.3M');
  });
  it('formats latency', () => {
    expect(formatLatency(850)).toBe('850 ms');
    expect(formatLatency(1234)).toBe('1.2 s');
    expect(formatLatency(125_000)).toBe('2 min 5 s');
    expect(formatLatency(-1)).toBe('—');
  });
  it('gives relative times that never go negative', () => {
    const now = 10_000_000;
    expect(relativeTime(now - 5_000, now)).toBe('just now');
    expect(relativeTime(now - 4 * 60_000, now)).toBe('4 min ago');
    expect(relativeTime(now - 2 * 3_600_000, now)).toBe('2 h ago');
    expect(relativeTime(now + 60_000, now)).toBe('just now');
  });
  it('classifies status codes', () => {
    expect(statusTone(200)).toBe('ok');
    expect(statusTone(429)).toBe('limited');
    expect(statusTone(401)).toBe('error');
    expect(statusTone(529)).toBe('error');
    expect(statusTone(0)).toBe('pending');
  });
  it('renders tokens in → out and short model names', () => {
    expect(tokensText({ inputTokens: 1200, outputTokens: 350 })).toBe('1,200 → 350');
    expect(tokensText({})).toBe('—');
    expect(shortModel('claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5');
    expect(shortModel(undefined)).toBe('—');
  });
});

describe('context-metrics', () => {
  it('computes shares that sum to ~100 and ignores bad numbers', () => {
    const { total, parts } = breakdownParts({
      system: 1000,
      tools: 3000,
      messages: 4000,
      cacheRead: 2000,
      cacheWrite: 0,
      output: Number.NaN,
    });
    expect(total).toBe(10_000);
    expect(parts.map((p) => p.percent)).toEqual([10, 30, 40, 20, 0, 0]);
    expect(parts.map((p) => p.label)).toEqual(['System', 'Tools', 'Messages', 'Cache read', 'Cache write', 'Output']);
  });
  it('handles an empty request', () => {
    const { total, parts } = breakdownParts({ system: 0, tools: 0, messages: 0, cacheRead: 0, cacheWrite: 0, output: 0 });
    expect(total).toBe(0);
    expect(parts.every((p) => p.percent === 0)).toBe(true);
  });
  it('titles the limits section per provider', () => {
    expect(PROVIDER_LIMITS_TITLES.anthropic).toBe('Anthropic Rate Limits');
    expect(PROVIDER_LIMITS_TITLES.openai).toBe('Codex Rate Limits');
    expect(PROVIDER_LIMITS_TITLES['github-copilot']).toBe('Copilot Limits');
  });
  it('every provider id has a full name, a short name and a limits title (all in shared/domain.ts)', () => {
    expect(PROVIDER_SHORT_NAMES).toEqual({ anthropic: 'Anthropic', openai: 'Codex', 'github-copilot': 'Copilot' });
    for (const table of [PROVIDER_NAMES, PROVIDER_SHORT_NAMES, PROVIDER_LIMITS_TITLES]) {
      expect(Object.keys(table).sort()).toEqual([...PROVIDER_IDS].sort());
      for (const id of PROVIDER_IDS) expect(table[id]).toMatch(/\S/);
    }
  });
});

import { accountStatusText, accountTitle } from '../../renderer/src/lib/account-status.js';

describe('account-status', () => {
  const now = new Date(2025, 0, 1, 14, 0, 0).getTime();
  it('reads each status', () => {
    expect(accountStatusText({ kind: 'ok' }, now)).toEqual({ tone: 'ok', text: 'OK' });
    expect(accountStatusText({ kind: 'needs-reauth' }, now).text).toBe('Needs re-login');
    expect(accountStatusText({ kind: 'disabled' }, now).tone).toBe('muted');
    expect(accountStatusText({ kind: 'cooling', until: now + 90 * 60_000 }, now)).toEqual({
      tone: 'cooling',
      text: 'Cooling down until 15:30 (1 h 30 min)',
    });
  });
  it('treats an expired cooldown as ok', () => {
    expect(accountStatusText({ kind: 'cooling', until: now - 1 }, now).tone).toBe('ok');
  });
  it('shows the e-mail only when it differs from the label', () => {
    expect(accountTitle({ label: 'Account 1', email: 'a@x.io' })).toEqual({ title: 'Account 1', subtitle: 'a@x.io' });
    expect(accountTitle({ label: 'a@x.io', email: 'a@x.io' })).toEqual({ title: 'a@x.io' });
  });
});
