/**
 * Forecast and usage-history views (issue 15), built from the pool (current usage, order,
 * health) and the history database (readings every process wrote). The application service,
 * `rotary auth usage` and the tray use these; none of them touches a secret.
 */
import type { AccountRecord, ProviderID, UsageWindow } from '../../../shared/domain.js';
import type { ForecastView, PoolChart, ProviderForecast, RotationSettingsView, UsageChart, UsageHistoryView, WindowForecast } from '../../../shared/forecast.js';
import { isReset, wastedWeeks, type Reading } from '../history/forecast.js';
import type { ReadingFilter, ReadingRow } from '../history/history-db.js';
import { accountSeries, forecastProvider, type WindowLength } from '../history/provider-forecast.js';
import type { AccountPool } from '../pool/account-pool.js';
import { rulesFor } from '../providers/registry.js';
import { rotationSettings, type EnvOverrides } from '../rotation/policy.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** Points a chart line gets at most (the chart is a few hundred pixels wide). */
const MAX_POINTS = 240;
const POOL_STEPS = 120;

export interface ForecastDeps {
  pool: Pick<AccountPool, 'providers' | 'snapshot' | 'settings'>;
  /** Absent (or answering undefined) when the history is off: forecasts then see only the current numbers. */
  history?: { readings(filter: ReadingFilter): ReadingRow[] | undefined } | undefined;
  rotationEnv: EnvOverrides;
}

const windowLength: WindowLength = (providerID, window) => rulesFor(providerID).windowLengthMs(window);

function providerForecast(deps: ForecastDeps, providerID: ProviderID, rows: readonly ReadingRow[], now: number): ProviderForecast {
  const settings = rotationSettings(deps.pool.settings(), deps.rotationEnv);
  return forecastProvider({
    providerID,
    snapshot: deps.pool.snapshot(providerID),
    rows,
    windowLength,
    policy: settings.policy,
    leadMinutes: settings.leadMinutes,
    now,
  });
}

/** Every connected provider's forecast (or one provider's). */
export function forecastView(deps: ForecastDeps, now: number, only?: ProviderID): ForecastView {
  const ids = only ? [only] : deps.pool.providers().map((p) => p.providerID);
  return {
    at: now,
    providers: ids.map((id) => providerForecast(deps, id, deps.history?.readings({ providerID: id, since: now - DAY }) ?? [], now)),
  };
}

/** Provider Detail's charts: each account's current 5-hour and weekly window, the pool stacked, and the weekly waste. */
export function usageHistoryView(deps: ForecastDeps, providerID: ProviderID, now: number): UsageHistoryView {
  const rules = rulesFor(providerID);
  const snapshot = deps.pool.snapshot(providerID);
  const rows = deps.history?.readings({ providerID, since: now - 7 * DAY - 5 * HOUR }) ?? [];
  const forecast = providerForecast(deps, providerID, rows, now);
  const byID = new Map(snapshot.records.map((r) => [r.id, r]));
  const records = snapshot.orderedIDs.map((id) => byID.get(id)).filter((r): r is AccountRecord => r !== undefined);
  const kinds = [
    { kind: 'session' as const, window: (r: AccountRecord) => rules.sessionWindow(r.usage) },
    { kind: 'weekly' as const, window: (r: AccountRecord) => rules.weeklyWindow(r.usage) },
  ];

  const accounts = records.map((record) => {
    const series = accountSeries(record, rows, windowLength);
    const windowForecasts = forecast.accounts.find((a) => a.recordID === record.id)?.windows ?? [];
    const charts: UsageChart[] = [];
    for (const { kind, window } of kinds) {
      const w = window(record);
      const length = w && rules.windowLengthMs(w);
      const readings = w && series.windows.find((s) => s.key === w.key)?.readings;
      if (!w || !length || !readings) continue;
      charts.push(windowChart(w, kind, length, readings, windowForecasts.find((f) => f.key === w.key), now));
    }
    const weekly = rules.weeklyWindow(record.usage);
    const waste = weekly ? wastedWeeks(toReadings(deps.history?.readings({ providerID, recordID: record.id, key: weekly.key, since: now - 36 * DAY }) ?? []), now).slice(0, 5) : [];
    return { recordID: record.id, label: record.label, charts, waste };
  });

  const pool: PoolChart[] = [];
  for (const { kind, window } of kinds) {
    const chart = poolChart(kind, records, window, rows, now);
    if (chart) pool.push(chart);
  }
  return { providerID, at: now, accounts, pool };
}

function toReadings(rows: readonly ReadingRow[]): Reading[] {
  return rows.map((r) => ({ at: r.at, percent: r.percent, resetsAt: r.resetsAt }));
}

/** The window from its start (its reset minus its length) to its reset, with the readings in it and the forecast line. */
function windowChart(w: UsageWindow, kind: UsageChart['kind'], length: number, readings: readonly Reading[], f: WindowForecast | undefined, now: number): UsageChart {
  const to = w.resetsAt !== undefined && w.resetsAt > now ? w.resetsAt : now;
  const from = to - length;
  const inRange: Array<[number, number]> = [];
  const resets: number[] = [];
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i]!;
    if (r.at > now) break;
    const prev = readings[i - 1];
    if (prev && isReset(prev, r)) {
      const at = prev.resetsAt !== undefined && prev.resetsAt <= r.at ? prev.resetsAt : r.at;
      if (at > from && at < to) resets.push(at);
    }
    if (r.at >= from) inRange.push([r.at, r.percent]);
    // The value the window started with, when the reading before it belongs to the same period.
    else if (readings[i + 1] && readings[i + 1]!.at >= from && !isReset(r, readings[i + 1]!)) inRange.push([from, r.percent]);
  }
  const chart: UsageChart = { key: w.key, label: w.label, kind, from, to, points: downsample(inRange, from, now), resets };
  const last = inRange.at(-1);
  if (f && last && f.perHour !== undefined && (f.outcome === 'limit' || f.outcome === 'lasts')) {
    const start: [number, number] = [Math.max(last[0], now), f.percentUsed];
    if (f.outcome === 'limit' && f.limitAt !== undefined) chart.forecast = { from: start, to: [f.limitAt, 100], outcome: 'limit' };
    else chart.forecast = { from: start, to: [to, Math.min(100, f.percentUsed + (f.perHour * (to - start[0])) / HOUR)], outcome: 'lasts' };
  }
  return chart;
}

/** At most MAX_POINTS: the highest value of each time slice (peaks stay visible), in time order. */
function downsample(points: Array<[number, number]>, from: number, to: number): Array<[number, number]> {
  if (points.length <= MAX_POINTS) return points;
  const slice = (to - from) / MAX_POINTS;
  const out: Array<[number, number]> = [];
  let bucket = -1;
  for (const p of points) {
    const b = Math.min(MAX_POINTS - 1, Math.floor((p[0] - from) / slice));
    if (b !== bucket) {
      out.push(p);
      bucket = b;
    } else if (p[1] > out.at(-1)![1]) out[out.length - 1] = [out.at(-1)![0], p[1]];
  }
  const last = points.at(-1)!;
  if (out.at(-1)![0] !== last[0]) out.push(last);
  return out;
}

/** The accounts' values of one kind of window on one time axis (the last 5 hours or 7 days), for stacking. */
function poolChart(
  kind: PoolChart['kind'],
  records: AccountRecord[],
  window: (r: AccountRecord) => UsageWindow | undefined,
  rows: readonly ReadingRow[],
  now: number,
): PoolChart | undefined {
  const windows = records.map((r) => ({ record: r, w: window(r) }));
  const first = windows.find((x) => x.w)?.w;
  if (!first) return undefined;
  const length = rulesFor(records[0]!.providerID).windowLengthMs(first);
  if (!length) return undefined;
  const from = now - length;
  const times = Array.from({ length: POOL_STEPS + 1 }, (_, k) => Math.round(from + (k * length) / POOL_STEPS));
  const series = windows.map(({ record, w }) => {
    const readings = w ? (accountSeries(record, rows, windowLength).windows.find((s) => s.key === w.key)?.readings ?? []) : [];
    let i = -1;
    const values = times.map((t) => {
      while (i + 1 < readings.length && readings[i + 1]!.at <= t) i++;
      const r = readings[i];
      // Nothing known yet, or the window reset since: nothing used.
      if (!r || (r.resetsAt !== undefined && r.resetsAt <= t)) return 0;
      return Math.max(0, Math.min(100, r.percent));
    });
    return { recordID: record.id, label: record.label, values };
  });
  return { kind, label: first.label, from, to: now, times, series };
}

/** The rotation settings as stored, as in force, and which ones the environment decides. */
export function rotationSettingsView(pool: Pick<AccountPool, 'settings'>, env: EnvOverrides): RotationSettingsView {
  const stored = pool.settings();
  const effective = rotationSettings(stored, env);
  return {
    stored: { rotationPolicy: stored.rotationPolicy, forecastLeadMinutes: stored.forecastLeadMinutes, proactiveThreshold: stored.proactiveThreshold },
    effective: { rotationPolicy: effective.policy, forecastLeadMinutes: effective.leadMinutes, proactiveThreshold: effective.proactiveThreshold },
    fromEnv: {
      ...(effective.fromEnv.policy ? { rotationPolicy: effective.fromEnv.policy } : {}),
      ...(effective.fromEnv.leadMinutes ? { forecastLeadMinutes: effective.fromEnv.leadMinutes } : {}),
    },
  };
}
