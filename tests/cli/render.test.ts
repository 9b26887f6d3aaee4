/** Terminal rendering: bars, countdowns, ages, status lines (pure functions, fixed clock). */
import { describe, expect, it } from 'vitest';
import { accountBlock, ageText, bar, duration, resetText, statusText, windowLine } from '../../electron/cli/render.js';
import { parseProvider } from '../../electron/cli/context.js';
import { UsageError } from '../../electron/cli/io.js';
import { looksLikeSecret, describeArg } from '../../electron/cli/args.js';
import { scrubSecrets } from '../../electron/cli/stdin.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const MIN = 60_000;

describe('usage bars', () => {
  it('draws ten cells, rounded, clamped to 0–100', () => {
    expect(bar(52)).toBe('█████░░░░░');
    expect(bar(0)).toBe('░░░░░░░░░░');
    expect(bar(100)).toBe('██████████');
    expect(bar(140)).toBe('██████████');
    expect(bar(-5)).toBe('░░░░░░░░░░');
    expect(bar(Number.NaN)).toBe('░░░░░░░░░░');
    expect(bar(4)).toBe('░░░░░░░░░░');
    expect(bar(96)).toBe('██████████');
  });

  it('renders the feature line `█████░░░░░ 52%  resets in 2 h 14 min`', () => {
    expect(windowLine({ key: 'five_hour', label: '5-hour', percentUsed: 52, resetsAt: NOW + 134 * MIN }, NOW)).toBe('█████░░░░░  52%  resets in 2 h 14 min');
    expect(windowLine({ key: 'x', label: 'x', percentUsed: 130, resetsAt: undefined }, NOW)).toBe('██████████ 100%  reset time unknown');
  });

  it('formats durations, resets and ages', () => {
    expect(duration(30_000)).toBe('less than a minute');
    expect(duration(5 * MIN)).toBe('5 min');
    expect(duration(120 * MIN)).toBe('2 h');
    expect(duration((3 * 24 * 60 + 4 * 60 + 10) * MIN)).toBe('3 d 4 h');
    expect(resetText(NOW - 1, NOW)).toBe('resets now');
    expect(ageText(NOW - 10_000, NOW)).toBe('as of just now');
    expect(ageText(NOW - 65 * MIN, NOW)).toBe('as of 1 h ago');
    expect(ageText(0, NOW)).toBe('not read yet');
    expect(resetText(undefined, NOW)).toBe('reset time unknown');
  });

  it('names the account status', () => {
    expect(statusText({ kind: 'ok' }, NOW)).toBe('ok');
    expect(statusText({ kind: 'needs-reauth' }, NOW)).toBe('needs re-login');
    expect(statusText({ kind: 'cooling', until: NOW + 23 * MIN }, NOW)).toMatch(/^cooling down until \d\d:\d\d \(in 23 min\)$/);
  });

  it('draws an account block with aligned labels', () => {
    const lines = accountBlock(
      {
        id: 'r1', providerID: 'anthropic', namespace: 'default', label: 'work', email: 'w@example.com', createdAt: 0, updatedAt: 0,
        health: { successCount: 0, failureCount: 0, needsReauth: true }, isActive: true, status: { kind: 'needs-reauth' },
        usage: { windows: [{ key: 'five_hour', label: '5-hour', percentUsed: 10 }, { key: 'seven_day', label: '7-day (all)', percentUsed: 20 }], asOf: NOW - 2 * MIN, source: 'endpoint', error: 'HTTP 429' },
      },
      NOW,
    );
    expect(lines).toEqual([
      '● work <w@example.com>  (active, needs re-login)',
      '    5-hour       █░░░░░░░░░  10%  reset time unknown',
      '    7-day (all)  ██░░░░░░░░  20%  reset time unknown',
      '    as of 2 min ago (last update failed: HTTP 429)',
    ]);
  });
});

describe('argument helpers', () => {
  it('maps provider names and aliases; unknown ones are usage errors', () => {
    expect(parseProvider('Claude')).toBe('anthropic');
    expect(parseProvider('codex')).toBe('openai');
    expect(parseProvider('copilot')).toBe('github-copilot');
    expect(() => parseProvider('gemini')).toThrow(UsageError);
  });

  it('never quotes something that looks like a token', () => {
    expect(looksLikeSecret('sk-ant-oat01-abc')).toBe(true);
    expect(looksLikeSecret('gho_abc')).toBe(true);
    expect(looksLikeSecret('work@example.com')).toBe(false);
    expect(describeArg('sk-ant-oat01-abcdef')).toBe('(value hidden)');
    expect(describeArg('play')).toBe('"play"');
    expect(scrubSecrets('bad token sk-ant-oat01-XYZxyz123 here', '{"access":"sk-ant-oat01-XYZxyz123"}')).toBe('bad token [hidden] here');
  });
});
