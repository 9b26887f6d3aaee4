import { describe, expect, it } from 'vitest';
import {
  ageText,
  displayPercent,
  formatDuration,
  isStale,
  resetText,
  sortWindows,
  usageAriaText,
  usageLevel,
} from '../../renderer/src/ui/usage-metrics.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('displayPercent', () => {
  it('clamps to 0–100 and rounds', () => {
    expect(displayPercent(-5)).toBe(0);
    expect(displayPercent(42.4)).toBe(42);
    expect(displayPercent(42.6)).toBe(43);
    expect(displayPercent(100)).toBe(100);
    expect(displayPercent(180)).toBe(100);
  });
  it('treats NaN and infinities as 0', () => {
    expect(displayPercent(Number.NaN)).toBe(0);
    expect(displayPercent(Number.POSITIVE_INFINITY)).toBe(0);
  });
});

describe('usageLevel', () => {
  it('maps thresholds', () => {
    expect(usageLevel(0)).toBe('low');
    expect(usageLevel(49.9)).toBe('low');
    expect(usageLevel(50)).toBe('medium');
    expect(usageLevel(79)).toBe('medium');
    expect(usageLevel(80)).toBe('high');
    expect(usageLevel(99.9)).toBe('high');
    expect(usageLevel(100)).toBe('full');
    expect(usageLevel(250)).toBe('full');
    expect(usageLevel(Number.NaN)).toBe('low');
  });
});

describe('formatDuration', () => {
  it('formats minutes, hours and days', () => {
    expect(formatDuration(30_000)).toBe('less than a minute');
    expect(formatDuration(45 * MIN)).toBe('45 min');
    expect(formatDuration(2 * HOUR + 14 * MIN)).toBe('2 h 14 min');
    expect(formatDuration(3 * HOUR)).toBe('3 h');
    expect(formatDuration(3 * 24 * HOUR + 4 * HOUR)).toBe('3 d 4 h');
    expect(formatDuration(2 * 24 * HOUR)).toBe('2 d');
  });
  it('rounds partial minutes up so a running countdown never reads 0 min', () => {
    expect(formatDuration(MIN + 1)).toBe('2 min');
    expect(formatDuration(59 * MIN + 30_000)).toBe('1 h');
  });
});

describe('resetText', () => {
  const now = 1_700_000_000_000;
  it('counts down to the reset', () => {
    expect(resetText(now + 2 * HOUR + 14 * MIN, now)).toBe('resets in 2 h 14 min');
  });
  it('says now once passed and nothing when unknown', () => {
    expect(resetText(now - 1, now)).toBe('resets now');
    expect(resetText(undefined, now)).toBeUndefined();
  });
});

describe('ageText / isStale', () => {
  const now = 1_700_000_000_000;
  it('describes the age of the numbers', () => {
    expect(ageText(now - 10_000, now)).toBe('as of just now');
    expect(ageText(now - 3 * MIN, now)).toBe('as of 3 min ago');
    expect(ageText(now - 2 * HOUR - 5 * MIN, now)).toBe('as of 2 h ago');
    expect(ageText(now - 50 * HOUR, now)).toBe('as of 2 d ago');
    expect(ageText(undefined, now)).toBeUndefined();
    // A clock skew between core and UI must not produce "as of -1 min ago".
    expect(ageText(now + 5 * MIN, now)).toBe('as of just now');
  });
  it('flags old or missing numbers as stale', () => {
    expect(isStale(now - 3 * MIN, now)).toBe(false);
    expect(isStale(now - 20 * MIN, now)).toBe(true);
    expect(isStale(undefined, now)).toBe(true);
  });
});

describe('usageAriaText', () => {
  it('reads label, clamped percent and reset', () => {
    const now = 0;
    expect(usageAriaText('5-hour', 142, 45 * MIN, now)).toBe('5-hour: 100% used, resets in 45 min');
    expect(usageAriaText('7-day (all)', 12, undefined, now)).toBe('7-day (all): 12% used');
  });
});

describe('sortWindows', () => {
  it('puts 5-hour first, then weekly, then Sonnet, unknown keys last in input order', () => {
    const keys = sortWindows([
      { key: 'scoped:x' },
      { key: 'seven_day_sonnet' },
      { key: 'seven_day' },
      { key: 'five_hour' },
      { key: 'scoped:a' },
    ]).map((w) => w.key);
    expect(keys).toEqual(['five_hour', 'seven_day', 'seven_day_sonnet', 'scoped:x', 'scoped:a']);
  });
});
