/**
 * Forecasts from usage readings (issue 15), as pure functions of the readings and the clock.
 *
 * Burn rate: the readings of a window are turned into *consumption*: within one window period it
 * follows the readings, and a reset (the reset time passed or moved on; with no reset time known,
 * a fall by more than a rounding step) adds the level the period ended at instead of counting as
 * negative use. That is resampled on an even grid over the recent period (straight between two
 * readings; the last one holds until now, as nothing was seen since: the recorder keeps the last
 * of a run of unchanged readings, so a flat stretch stays flat), and its slope is taken with the
 * Theil–Sen estimator (the median of the slopes between every pair of grid points), so one burst
 * or one odd reading does not swing it. The recent period is a fifth of the time left until the
 * window resets, at least an hour and at most a day: a 5-hour window looks at the last hour, a
 * weekly window that resets in five days at the last day. Idle time before the first rise in that period is
 * left out (an account that just took over shows its own pace at once); idle time after it
 * stays in (an account that went quiet slows down).
 *
 * "At this pace": the limit is reached when the latest value plus rate × time reaches 100 %,
 * unless the window resets first. The pool: the accounts are drained one after another at the
 * provider's pace (all accounts' consumption together), windows refilling at their resets,
 * until none is left or the horizon (a week) is reached.
 */
import type { AccountForecast, PoolCoverage, WastedWeek, WindowForecast } from '../../../shared/forecast.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const FORECAST_SETTINGS = {
  /** The recent period is a fifth of the time to the reset, within these bounds. */
  minLookbackMs: HOUR,
  maxLookbackMs: DAY,
  /** Grid points over the recent period (pairs for Theil–Sen: n·(n+1)/2). */
  gridSteps: 60,
  /** No rate from less than this much time with readings… */
  minSpanMs: 2 * MINUTE,
  /** …or from fewer readings than this (a rate is never one sample's). */
  minReadings: 3,
  /** A fall of more than this many points is a reset, not rounding (headers have decimals, the usage endpoint whole numbers). */
  resetDropPercent: 5,
  /** The reported reset time moving later by more than this is a new window. */
  resetShiftMs: 10 * MINUTE,
  /** Below this rate (points per hour) a window counts as not being used. */
  idlePerHour: 0.05,
  /** How far the pool coverage looks ahead. */
  horizonMs: 7 * DAY,
} as const;

export interface Reading {
  at: number;
  percent: number;
  resetsAt?: number | undefined;
}

/** One account window's readings, oldest first. `lengthMs`: the window's length, when known (5 h, 7 d). */
export interface WindowSeries {
  key: string;
  label: string;
  readings: Reading[];
  lengthMs?: number | undefined;
}

// ------------------------------------------------------------------ consumption and slope

/**
 * True when `next` belongs to a new window period: the reset time passed or moved on, or —
 * only when a reset time is not known — the value fell by more than a rounding step. With a
 * known, unchanged reset time a fall is a correction, not a reset.
 */
export function isReset(prev: Reading, next: Reading): boolean {
  if (prev.resetsAt !== undefined) {
    if (next.at >= prev.resetsAt) return true;
    if (next.resetsAt !== undefined) return next.resetsAt - prev.resetsAt > FORECAST_SETTINGS.resetShiftMs;
  }
  return prev.percent - next.percent > FORECAST_SETTINGS.resetDropPercent;
}

/**
 * Use since the first reading (points) with resets taken out: within a period it follows the
 * readings (so one odd reading stays one odd point), and each reset adds the level the period
 * ended at. [{at, used}], oldest first.
 */
export function consumption(readings: readonly Reading[]): Array<{ at: number; used: number }> {
  if (readings.length === 0) return [];
  const base = readings[0]!.percent;
  const out = [{ at: readings[0]!.at, used: 0 }];
  let offset = -base;
  for (let i = 1; i < readings.length; i++) {
    const prev = readings[i - 1]!;
    const r = readings[i]!;
    // What was used between the last reading and the reset was not seen; what the new window shows was.
    if (isReset(prev, r)) offset += prev.percent;
    out.push({ at: r.at, used: offset + r.percent });
  }
  return out;
}

/** Theil–Sen slope of evenly spaced values (per step): the median of all pairwise slopes. */
export function theilSen(values: readonly number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < values.length; i++) {
    for (let j = i + 1; j < values.length; j++) slopes.push((values[j]! - values[i]!) / (j - i));
  }
  if (slopes.length === 0) return 0;
  slopes.sort((a, b) => a - b);
  const mid = slopes.length >> 1;
  return slopes.length % 2 ? slopes[mid]! : (slopes[mid - 1]! + slopes[mid]!) / 2;
}

/** The recent period for a window that resets at `resetsAt`: a fifth of the time left, 1 h – 24 h. */
export function lookbackFor(resetsAt: number | undefined, now: number): number {
  if (resetsAt === undefined || resetsAt <= now) return FORECAST_SETTINGS.minLookbackMs;
  return Math.min(FORECAST_SETTINGS.maxLookbackMs, Math.max(FORECAST_SETTINGS.minLookbackMs, (resetsAt - now) / 5));
}

/**
 * Value of `points` at `t`: straight between two readings, held after the last one.
 * `points` oldest first and non-empty; `from` is where the previous lookup ended (the grid moves forward).
 */
function valueAt(points: ReadonlyArray<{ at: number; used: number }>, t: number, from = 0): { value: number; index: number } {
  let i = from;
  while (i + 1 < points.length && points[i + 1]!.at <= t) i++;
  const a = points[i]!;
  const b = points[i + 1];
  if (!b || b.at <= a.at || t <= a.at) return { value: a.used, index: i };
  return { value: a.used + ((b.used - a.used) * (t - a.at)) / (b.at - a.at), index: i };
}

/**
 * Slope (points per hour) of one or more consumption series added up, over [now − lookback, now].
 * Undefined when the readings span less than `minSpanMs` or there are fewer than `minReadings`.
 */
export function paceOf(series: ReadonlyArray<ReadonlyArray<{ at: number; used: number }>>, now: number, lookbackMs: number): number | undefined {
  const present = series.filter((s) => s.length > 0);
  if (present.length === 0 || present.reduce((n, s) => n + s.length, 0) < FORECAST_SETTINGS.minReadings) return undefined;
  const first = Math.min(...present.map((s) => s[0]!.at));
  const start = Math.max(now - lookbackMs, first);
  if (now - start < FORECAST_SETTINGS.minSpanMs) return undefined;
  const steps = FORECAST_SETTINGS.gridSteps;
  const step = (now - start) / steps;
  const grid = new Array<number>(steps + 1).fill(0);
  for (const s of present) {
    let index = 0;
    for (let k = 0; k <= steps; k++) {
      const t = start + k * step;
      if (t < s[0]!.at) continue; // before this account's first reading: it adds nothing yet
      const v = valueAt(s, t, index);
      index = v.index;
      grid[k]! += v.value;
    }
  }
  // Leave out the idle stretch before the first rise, but keep at least `minSpanMs` of grid.
  const minSteps = Math.ceil(FORECAST_SETTINGS.minSpanMs / step);
  let begin = 0;
  while (begin < steps - minSteps && grid[begin + 1]! <= grid[begin]! + 1e-9) begin++;
  return (theilSen(grid.slice(begin)) / step) * HOUR;
}

/** An account window's burn rate (points per hour), undefined without enough readings. */
export function burnRate(readings: readonly Reading[], now: number, lookbackMs = lookbackFor(readings.at(-1)?.resetsAt, now)): number | undefined {
  return paceOf([consumption(readings)], now, lookbackMs);
}

// ------------------------------------------------------------------ windows and accounts

/** The latest value of a window and its reset, as of `now` (a window past its reset counts as empty). */
export function currentLevel(series: WindowSeries, now: number): { percent: number; resetsAt: number | undefined } {
  const last = series.readings.at(-1);
  if (!last) return { percent: 0, resetsAt: undefined };
  if (last.resetsAt !== undefined && last.resetsAt <= now) {
    return { percent: 0, resetsAt: series.lengthMs ? nextReset(last.resetsAt, series.lengthMs, now) : undefined };
  }
  return { percent: last.percent, resetsAt: last.resetsAt };
}

function nextReset(resetsAt: number, lengthMs: number, now: number): number {
  return resetsAt + Math.ceil((now - resetsAt + 1) / lengthMs) * lengthMs;
}

/** "At this pace": when the window's limit is reached, or that it lasts past its reset. */
export function forecastWindow(series: WindowSeries, now: number): WindowForecast {
  const { percent, resetsAt } = currentLevel(series, now);
  const perHour = burnRate(series.readings, now, lookbackFor(resetsAt, now));
  const base = { key: series.key, label: series.label, percentUsed: percent, ...(resetsAt !== undefined ? { resetsAt } : {}), ...(perHour !== undefined ? { perHour: round(perHour) } : {}) };
  if (percent >= 100) return { ...base, outcome: 'limited' };
  if (perHour === undefined) return { ...base, outcome: 'unknown' };
  if (perHour < FORECAST_SETTINGS.idlePerHour) return { ...base, outcome: 'lasts' };
  const limitAt = Math.round(now + ((100 - percent) / perHour) * HOUR);
  if (resetsAt !== undefined && limitAt >= resetsAt) return { ...base, outcome: 'lasts' };
  return { ...base, outcome: 'limit', limitAt };
}

/** When an account reaches a limit if it takes `pace` (points per hour per window key); undefined when it does not within its resets. */
export function takeoverLimitAt(windows: ReadonlyArray<{ key: string; percent: number; resetsAt: number | undefined }>, pace: ReadonlyMap<string, number>, now: number): number | undefined {
  let soonest: number | undefined;
  for (const w of windows) {
    if (w.percent >= 100) return now;
    const rate = pace.get(w.key) ?? 0;
    if (rate < FORECAST_SETTINGS.idlePerHour) continue;
    const at = now + ((100 - w.percent) / rate) * HOUR;
    if (w.resetsAt !== undefined && at >= w.resetsAt) continue;
    if (soonest === undefined || at < soonest) soonest = Math.round(at);
  }
  return soonest;
}

export interface AccountSeries {
  recordID: string;
  label: string;
  windows: WindowSeries[];
}

/** Every window's forecast, the first limit at the account's own pace, and when it would hit one taking the provider's pace. */
export function forecastAccount(account: AccountSeries, pace: ReadonlyMap<string, number>, now: number): AccountForecast {
  const windows = account.windows.map((w) => forecastWindow(w, now));
  let soonest: AccountForecast['soonest'];
  for (const w of windows) {
    if (w.outcome === 'limit' && w.limitAt !== undefined && (!soonest || w.limitAt < soonest.limitAt)) soonest = { key: w.key, label: w.label, limitAt: w.limitAt };
  }
  // The account's own pace counts when it is faster (it is the one in use).
  const own = new Map(pace);
  for (const w of windows) if (w.perHour !== undefined && w.perHour > (own.get(w.key) ?? 0)) own.set(w.key, w.perHour);
  const takeover = takeoverLimitAt(
    account.windows.map((w) => ({ key: w.key, ...currentLevel(w, now) })),
    own,
    now,
  );
  return {
    recordID: account.recordID,
    label: account.label,
    windows,
    ...(soonest ? { soonest } : {}),
    ...(takeover !== undefined ? { takeoverLimitAt: takeover } : {}),
  };
}

/** The provider's pace per window key: every account's consumption of that window added up. */
export function providerPace(accounts: readonly AccountSeries[], now: number): Map<string, number> {
  const byKey = new Map<string, { series: Array<Array<{ at: number; used: number }>>; horizon: number }>();
  for (const account of accounts) {
    for (const w of account.windows) {
      const entry = byKey.get(w.key) ?? { series: [], horizon: now };
      entry.series.push(consumption(w.readings));
      const reset = currentLevel(w, now).resetsAt;
      if (reset !== undefined && reset > entry.horizon) entry.horizon = reset;
      byKey.set(w.key, entry);
    }
  }
  const pace = new Map<string, number>();
  for (const [key, entry] of byKey) {
    const rate = paceOf(entry.series, now, lookbackFor(entry.horizon > now ? entry.horizon : undefined, now));
    if (rate !== undefined) pace.set(key, round(Math.max(0, rate)));
  }
  return pace;
}

// ------------------------------------------------------------------ the pool

export interface PoolAccount {
  recordID: string;
  /** False for disabled accounts and those that need a new login. */
  usable: boolean;
  /** A running cooldown's end (epoch ms). */
  coolingUntil?: number | undefined;
  windows: ReadonlyArray<{ key: string; percent: number; resetsAt: number | undefined; lengthMs?: number | undefined }>;
}

/**
 * How long the usable accounts last at `pace`, drained one after another in `accounts` order
 * (the rotation order). Windows refill at their resets (and again every `lengthMs` when known).
 */
export function poolCoverage(accounts: readonly PoolAccount[], pace: ReadonlyMap<string, number>, now: number, horizonMs: number = FORECAST_SETTINGS.horizonMs): PoolCoverage {
  const usable = accounts.filter((a) => a.usable);
  if (usable.length === 0) return { kind: 'unknown' };
  if (![...pace.values()].some((r) => r >= FORECAST_SETTINGS.idlePerHour)) return pace.size === 0 ? { kind: 'unknown' } : { kind: 'idle' };
  const end = now + horizonMs;
  const state = usable.map((a) => ({
    coolingUntil: a.coolingUntil ?? 0,
    windows: a.windows.map((w) => ({ key: w.key, level: w.percent, resetsAt: w.resetsAt, lengthMs: w.lengthMs })),
  }));
  const rateOf = (key: string): number => pace.get(key) ?? 0;
  const full = (s: (typeof state)[number]): boolean => s.windows.some((w) => w.level >= 100 - 1e-9);
  let t = now;
  for (let guard = 0; guard < 10_000 && t < end; guard++) {
    // Windows that reset by now refill.
    for (const s of state) {
      for (const w of s.windows) {
        while (w.resetsAt !== undefined && w.resetsAt <= t) {
          w.level = 0;
          w.resetsAt = w.lengthMs ? w.resetsAt + w.lengthMs : undefined;
        }
      }
    }
    const current = state.find((s) => s.coolingUntil <= t && !full(s));
    const nextEvent = Math.min(
      end,
      ...state.flatMap((s) => [s.coolingUntil > t ? s.coolingUntil : Infinity, ...s.windows.map((w) => (w.resetsAt !== undefined && w.resetsAt > t ? w.resetsAt : Infinity))]),
    );
    if (!current) {
      return nextEvent >= end ? { kind: 'until', at: Math.round(t) } : { kind: 'until', at: Math.round(t), freesAt: Math.round(nextEvent) };
    }
    // Time until the current account's first window fills at this pace.
    let untilFull = Infinity;
    for (const w of current.windows) {
      const rate = rateOf(w.key);
      if (rate > 0) untilFull = Math.min(untilFull, ((100 - w.level) / rate) * HOUR);
    }
    const dt = Math.max(0, Math.min(untilFull, nextEvent - t));
    for (const w of current.windows) w.level = Math.min(100, w.level + (rateOf(w.key) * dt) / HOUR);
    if (dt === untilFull) for (const w of current.windows) if (rateOf(w.key) > 0 && ((100 - w.level) / rateOf(w.key)) * HOUR < 1) w.level = 100;
    t += dt;
    if (untilFull === Infinity && nextEvent >= end) break;
  }
  return { kind: 'lasts', through: end };
}

// ------------------------------------------------------------------ waste

/**
 * The weekly window's completed periods, newest first: the use it ended with (its last
 * reading) and the share that expired unused (100 − that). A period counts as completed once
 * a later reading shows the reset, or its reset time has passed.
 */
export function wastedWeeks(readings: readonly Reading[], now: number): WastedWeek[] {
  const periods: Array<{ level: number; resetsAt: number | undefined; last: number; start: number }> = [];
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i]!;
    if (i === 0 || isReset(readings[i - 1]!, r)) periods.push({ level: r.percent, resetsAt: r.resetsAt, last: r.at, start: r.at });
    const p = periods.at(-1)!;
    p.level = r.percent;
    p.last = r.at;
    if (r.resetsAt !== undefined) p.resetsAt = r.resetsAt;
  }
  const out: WastedWeek[] = [];
  for (let i = 0; i < periods.length; i++) {
    const p = periods[i]!;
    const next = periods[i + 1];
    const endedAt = p.resetsAt !== undefined && (next === undefined || p.resetsAt <= next.start) ? p.resetsAt : next?.start;
    if (endedAt === undefined || endedAt > now) continue;
    const used = Math.min(100, Math.max(0, p.level));
    out.push({ endedAt, usedPercent: round(used), wastedPercent: round(100 - used), lastReadingAt: p.last });
  }
  return out.reverse();
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
