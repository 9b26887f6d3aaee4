/**
 * A provider's forecast from its accounts (the pool's records, their current usage) and the
 * stored readings: the same function whether the readings come from the database (the
 * service, the CLI: any process can read what the gateway wrote) or from the gateway's own
 * recent readings in memory (rotation and warnings on the hot path's side).
 */
import type { RotationPolicy } from '../../../shared/activity.js';
import type { AccountRecord, PoolSnapshot, ProviderID, UsageWindow } from '../../../shared/domain.js';
import type { ProviderForecast } from '../../../shared/forecast.js';
import { cycleAfter } from '../pool/order.js';
import { currentLevel, forecastAccount, poolCoverage, providerPace, type AccountSeries, type Reading, type WindowSeries } from './forecast.js';
import type { ReadingRow } from './history-db.js';

/** A window's length (5 h, 7 d…) when the provider knows it; undefined otherwise. */
export type WindowLength = (providerID: ProviderID, window: Pick<UsageWindow, 'key' | 'label'>) => number | undefined;

/**
 * One account's windows as series: the stored readings (oldest first) plus the current
 * snapshot when it is newer. Only the windows the account reports now are kept (a window the
 * provider stopped sending has no future); without a current snapshot, every stored window.
 */
export function accountSeries(record: AccountRecord, rows: readonly ReadingRow[], windowLength: WindowLength): AccountSeries {
  const byKey = new Map<string, { label: string; readings: Reading[] }>();
  for (const r of rows) {
    if (r.recordID !== record.id) continue;
    let s = byKey.get(r.key);
    if (!s) byKey.set(r.key, (s = { label: r.label, readings: [] }));
    s.readings.push({ at: r.at, percent: r.percent, resetsAt: r.resetsAt });
  }
  const usage = record.usage;
  const current = usage && usage.windows.length > 0 ? usage.windows : undefined;
  const windows: WindowSeries[] = [];
  const keys = current ? current.map((w) => w.key) : [...byKey.keys()];
  for (const key of keys) {
    const stored = byKey.get(key);
    const live = current?.find((w) => w.key === key);
    const readings = stored ? [...stored.readings] : [];
    if (live && usage && usage.asOf > (readings.at(-1)?.at ?? 0)) readings.push({ at: usage.asOf, percent: live.percentUsed, resetsAt: live.resetsAt });
    const label = live?.label ?? stored?.label ?? key;
    windows.push({ key, label, readings, lengthMs: windowLength(record.providerID, { key, label }) });
  }
  return { recordID: record.id, label: record.label, windows };
}

export interface ProviderForecastInput {
  providerID: ProviderID;
  snapshot: PoolSnapshot;
  /** Readings of this provider's accounts (any order of series; oldest first within each). */
  rows: readonly ReadingRow[];
  windowLength: WindowLength;
  policy: RotationPolicy;
  leadMinutes: number;
  now: number;
}

export function forecastProvider(input: ProviderForecastInput): ProviderForecast {
  const { snapshot, now } = input;
  const series = snapshot.records.map((r) => accountSeries(r, input.rows, input.windowLength));
  const pace = providerPace(series, now);
  const accounts = series.map((s) => forecastAccount(s, pace, now));
  // Drained in the rotation order: the active account, then the others in the user's cycle.
  const byID = new Map(snapshot.records.map((r) => [r.id, r]));
  const seriesByID = new Map(series.map((s) => [s.recordID, s]));
  const order = snapshot.activeID ? [snapshot.activeID, ...cycleAfter(snapshot.orderedIDs, snapshot.activeID)] : snapshot.orderedIDs;
  const pool = poolCoverage(
    order.flatMap((id) => {
      const record = byID.get(id);
      const s = seriesByID.get(id);
      if (!record || !s) return [];
      const h = record.health;
      return [
        {
          recordID: id,
          usable: !h.disabled && !h.needsReauth,
          coolingUntil: h.cooldownUntil,
          windows: s.windows.map((w) => ({ key: w.key, ...currentLevel(w, now), lengthMs: w.lengthMs })),
        },
      ];
    }),
    pace,
    now,
  );
  const labels = new Map<string, string>();
  for (const s of series) for (const w of s.windows) if (!labels.has(w.key)) labels.set(w.key, w.label);
  return {
    providerID: input.providerID,
    policy: input.policy,
    leadMinutes: input.leadMinutes,
    pace: [...pace].map(([key, perHour]) => ({ key, label: labels.get(key) ?? key, perHour })),
    pool,
    accounts,
  };
}
