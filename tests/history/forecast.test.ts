/**
 * Forecasts on synthetic series with known answers (issue 15): steady, bursty, idle, a window
 * reset in the middle, one odd reading, the pool's coverage and the weekly waste. Every series
 * ends at NOW; readings are one a minute unless said otherwise.
 */
import { describe, expect, it } from 'vitest';
import {
  burnRate,
  consumption,
  forecastAccount,
  forecastWindow,
  poolCoverage,
  providerPace,
  theilSen,
  wastedWeeks,
  type Reading,
} from '../../electron/core/history/forecast.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 6, 1, 12, 0, 0);

/** Readings every minute over the last `minutes`, value from `percentAt(i)` (i = 0 … minutes). */
function series(minutes: number, percentAt: (i: number) => number, resetsAt: (i: number) => number | undefined): Reading[] {
  return Array.from({ length: minutes + 1 }, (_, i) => ({ at: NOW - (minutes - i) * MIN, percent: percentAt(i), resetsAt: resetsAt(i) }));
}

describe('burn rate and "at this pace"', () => {
  it('steady: 0.5 points a minute from 20 % → 30 %/h, limit reached 100 min from now (before the reset in 3 h)', () => {
    const readings = series(60, (i) => 20 + 0.5 * i, () => NOW + 3 * HOUR);
    expect(burnRate(readings, NOW)).toBeCloseTo(30, 6);
    const f = forecastWindow({ key: 'five_hour', label: '5-hour', readings }, NOW);
    expect(f).toMatchObject({ outcome: 'limit', percentUsed: 50, limitAt: NOW + 100 * MIN, resetsAt: NOW + 3 * HOUR });
  });

  it('steady but the reset comes first: lasts past the reset', () => {
    const readings = series(60, (i) => 20 + 0.5 * i, () => NOW + 80 * MIN);
    expect(forecastWindow({ key: 'five_hour', label: '5-hour', readings }, NOW)).toMatchObject({ outcome: 'lasts', resetsAt: NOW + 80 * MIN });
  });

  it('bursty: +6 points every 12 minutes (30 %/h on average) → limit about 100 min from now, where the last samples say 8 min or never', () => {
    // Bursts at minutes 6, 18, 30, 42, 54 of the hour: 20 → 50 %; readings every minute, flat in between.
    const readings = series(60, (i) => 20 + 6 * Math.floor((i + 6) / 12), () => NOW + 4 * HOUR);
    expect(readings.at(-1)!.percent).toBe(50);
    const rate = burnRate(readings, NOW)!;
    expect(rate).toBeGreaterThan(27);
    expect(rate).toBeLessThan(33);
    const f = forecastWindow({ key: 'five_hour', label: '5-hour', readings }, NOW);
    expect(f.outcome).toBe('limit');
    expect(f.limitAt!).toBeGreaterThanOrEqual(NOW + 90 * MIN);
    expect(f.limitAt!).toBeLessThanOrEqual(NOW + 112 * MIN);
    // What one sample would say: right after a burst 6 points/min (limit in ~8 min), between bursts 0 (never).
    const lastBurst = readings.findIndex((r) => r.percent === 50);
    expect((readings[lastBurst]!.percent - readings[lastBurst - 1]!.percent) * 60).toBe(360);
  });

  it('idle: flat at 40 % for an hour → rate 0, lasts past the reset in 2 h', () => {
    const readings = series(60, () => 40, () => NOW + 2 * HOUR);
    expect(burnRate(readings, NOW)).toBe(0);
    expect(forecastWindow({ key: 'five_hour', label: '5-hour', readings }, NOW)).toMatchObject({ outcome: 'lasts', percentUsed: 40, resetsAt: NOW + 2 * HOUR, perHour: 0 });
  });

  it('went idle 40 minutes ago: the pace slows down (no longer the old rate)', () => {
    const readings = series(60, (i) => 20 + 0.5 * Math.min(i, 20), () => NOW + 4 * HOUR);
    expect(burnRate(readings, NOW)!).toBeLessThan(10);
  });

  it('a window reset in the middle: the drop is not negative use; the pace goes on (30 %/h) from the new level', () => {
    // 70 % → 84.5 % until the reset half an hour ago, then the new window: 0.5 → 15.5 % now.
    const oldReset = NOW - 30 * MIN;
    const newReset = NOW + 270 * MIN;
    const readings = series(
      60,
      (i) => (i < 30 ? 70 + 0.5 * i : 0.5 * (i - 29)),
      (i) => (i < 30 ? oldReset : newReset),
    );
    expect(readings.at(-1)!.percent).toBe(15.5);
    expect(burnRate(readings, NOW)).toBeCloseTo(30, 6);
    expect(forecastWindow({ key: 'five_hour', label: '5-hour', readings }, NOW)).toMatchObject({
      outcome: 'limit',
      percentUsed: 15.5,
      limitAt: NOW + 169 * MIN,
      resetsAt: newReset,
    });
    // A plain slope through the raw values would call it negative.
    const raw = readings.map((r) => r.percent);
    expect(theilSen(raw.slice(20, 40))).toBeLessThan(theilSen(raw.slice(0, 20)) + 1);
  });

  it('one odd reading (a 95 % blip with the same reset time) does not move the forecast', () => {
    const readings = series(60, (i) => (i === 45 ? 95 : 20 + 0.5 * i), () => NOW + 3 * HOUR);
    expect(burnRate(readings, NOW)).toBeCloseTo(30, 6);
    expect(forecastWindow({ key: 'five_hour', label: '5-hour', readings }, NOW).limitAt).toBe(NOW + 100 * MIN);
  });

  it('too few readings: unknown, not a guess from one sample', () => {
    expect(forecastWindow({ key: 'five_hour', label: '5-hour', readings: [{ at: NOW - MIN, percent: 30 }] }, NOW).outcome).toBe('unknown');
    // Two readings (one rise), or three within a minute: still no rate.
    expect(forecastWindow({ key: 'five_hour', label: '5-hour', readings: series(10, (i) => 30 + i, () => undefined).filter((_, i) => i % 10 === 0) }, NOW).outcome).toBe('unknown');
    const quick = [0, 20, 40].map((s) => ({ at: NOW - 60_000 + s * 1000, percent: 30 + s / 10 }));
    expect(forecastWindow({ key: 'five_hour', label: '5-hour', readings: quick }, NOW).outcome).toBe('unknown');
    // Three readings over three minutes are enough.
    expect(forecastWindow({ key: 'five_hour', label: '5-hour', readings: series(3, (i) => 30 + i, () => undefined) }, NOW).outcome).toBe('limit');
  });

  it('already at 100 %: limited; past its reset: empty again', () => {
    expect(forecastWindow({ key: 'w', label: 'w', readings: series(10, () => 100, () => NOW + HOUR) }, NOW).outcome).toBe('limited');
    const past = forecastWindow({ key: 'w', label: 'w', readings: series(10, () => 100, () => NOW - MIN), lengthMs: 5 * HOUR }, NOW);
    expect(past).toMatchObject({ percentUsed: 0, resetsAt: NOW - MIN + 5 * HOUR });
  });

  it('a weekly window that resets in 5 days looks back a whole day', () => {
    // 2 points per hour for 20 hours, flat in the last 4: the day's pace is about 40/24 %/h.
    const readings = Array.from({ length: 25 }, (_, h) => ({ at: NOW - (24 - h) * HOUR, percent: 10 + 2 * Math.min(h, 20), resetsAt: NOW + 5 * DAY }));
    const rate = burnRate(readings, NOW)!;
    expect(rate).toBeGreaterThan(1.2);
    expect(rate).toBeLessThan(2.1);
  });
});

describe('consumption', () => {
  it('adds the level a period ended at at each reset', () => {
    const used = consumption([
      { at: 0, percent: 10, resetsAt: 100 },
      { at: 50, percent: 60, resetsAt: 100 },
      { at: 100, percent: 5, resetsAt: 200 },
      { at: 150, percent: 25, resetsAt: 200 },
    ]).map((p) => p.used);
    expect(used).toEqual([0, 50, 55, 75]);
  });
});

describe('the pool and the drain order', () => {
  const account = (recordID: string, percents: number[], resetsAt: number) => ({
    recordID,
    label: recordID,
    windows: [{ key: 'five_hour', label: '5-hour', readings: percents.map((p, i) => ({ at: NOW - (percents.length - 1 - i) * 10 * MIN, percent: p, resetsAt })) }],
  });

  it('the provider pace adds every account up: one rotated onto another, the pace stays 30 %/h', () => {
    // A: 70 → 100 over the first hour's first 60 min… (readings every 10 min): B took over 30 min ago.
    const a = account('A', [85, 90, 95, 100, 100, 100, 100], NOW + 2 * HOUR);
    const b = account('B', [10, 10, 10, 10, 15, 20, 25], NOW + 4 * HOUR);
    const pace = providerPace([a, b], NOW);
    // Readings 10 minutes apart are steps on the minute grid: within a point or so of 30.
    expect(pace.get('five_hour')!).toBeGreaterThan(28.5);
    expect(pace.get('five_hour')!).toBeLessThan(31.5);
    const fb = forecastAccount(b, pace, NOW);
    // B at 25 %, about 30 %/h: about 150 min left at this pace (its reset is in 4 h).
    expect(Math.abs(fb.soonest!.limitAt - (NOW + 150 * MIN))).toBeLessThan(10 * MIN);
    expect(Math.abs(fb.takeoverLimitAt! - (NOW + 150 * MIN))).toBeLessThan(10 * MIN);
    // A is full: it would hit its limit at once.
    expect(forecastAccount(a, pace, NOW).takeoverLimitAt).toBe(NOW);
  });

  it('covers you until the last account is full, and says when the first frees up', () => {
    const pace = new Map([['five_hour', 60]]);
    const coverage = poolCoverage(
      [
        { recordID: 'A', usable: true, windows: [{ key: 'five_hour', percent: 50, resetsAt: NOW + 4 * HOUR }] },
        { recordID: 'B', usable: true, windows: [{ key: 'five_hour', percent: 70, resetsAt: NOW + 5 * HOUR }] },
        { recordID: 'C', usable: false, windows: [{ key: 'five_hour', percent: 0, resetsAt: NOW + HOUR }] },
      ],
      pace,
      NOW,
    );
    // A lasts 50 min, B 30 min: 80 min; A's window resets 4 h from now.
    expect(coverage).toEqual({ kind: 'until', at: NOW + 80 * MIN, freesAt: NOW + 4 * HOUR });
  });

  it('lasts past the horizon when windows refill faster than the pace drains them', () => {
    const pace = new Map([['five_hour', 10]]);
    const coverage = poolCoverage([{ recordID: 'A', usable: true, windows: [{ key: 'five_hour', percent: 50, resetsAt: NOW + 3 * HOUR, lengthMs: 5 * HOUR }] }], pace, NOW);
    expect(coverage).toEqual({ kind: 'lasts', through: NOW + 7 * DAY });
  });

  it('idle pace: nothing to project', () => {
    expect(poolCoverage([{ recordID: 'A', usable: true, windows: [] }], new Map([['five_hour', 0]]), NOW)).toEqual({ kind: 'idle' });
  });
});

describe('what was wasted', () => {
  it('each completed week: the share of the limit that expired unused', () => {
    const week1 = NOW - 14 * DAY;
    const week2 = NOW - 7 * DAY;
    const readings: Reading[] = [
      { at: week1 - 3 * DAY, percent: 10, resetsAt: week1 },
      { at: week1 - HOUR, percent: 62, resetsAt: week1 },
      { at: week1 + HOUR, percent: 3, resetsAt: week2 },
      { at: week2 - 2 * DAY, percent: 91.5, resetsAt: week2 },
      { at: week2 + DAY, percent: 20, resetsAt: NOW + DAY },
    ];
    expect(wastedWeeks(readings, NOW)).toEqual([
      { endedAt: week2, usedPercent: 91.5, wastedPercent: 8.5, lastReadingAt: week2 - 2 * DAY },
      { endedAt: week1, usedPercent: 62, wastedPercent: 38, lastReadingAt: week1 - HOUR },
    ]);
  });
});
