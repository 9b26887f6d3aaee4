/**
 * Forecasts for the process that runs the gateway, without reading the database on the hot
 * path: the readings of the last day are kept in memory (seeded from the database at start,
 * then fed by every flush), and each provider's forecast is computed at most once per
 * `maxAgeMs` or when new readings arrived. Rotation (drain-soonest) and the ahead-of-time
 * warnings read from here.
 */
import type { RotationPolicy } from '../../../shared/activity.js';
import type { ProviderID } from '../../../shared/domain.js';
import type { ProviderForecast } from '../../../shared/forecast.js';
import type { AccountPool } from '../pool/account-pool.js';
import type { ReadingRow } from './history-db.js';
import { forecastProvider, type WindowLength } from './provider-forecast.js';

const KEEP_MS = 25 * 60 * 60_000;

/** The recent readings of every series, oldest first. */
export class RecentReadings {
  private readonly byProvider = new Map<ProviderID, ReadingRow[]>();
  /** Bumped on every change, so caches know to recompute. */
  version = 0;

  constructor(private readonly now: () => number) {}

  add(rows: readonly ReadingRow[]): void {
    if (rows.length === 0) return;
    const cutoff = this.now() - KEEP_MS;
    for (const r of rows) {
      let list = this.byProvider.get(r.providerID);
      if (!list) this.byProvider.set(r.providerID, (list = []));
      list.push(r);
    }
    for (const [id, list] of this.byProvider) {
      if (list.length > 0 && list[0]!.at < cutoff) this.byProvider.set(id, list.filter((r) => r.at >= cutoff));
    }
    this.version++;
  }

  of(providerID: ProviderID): readonly ReadingRow[] {
    return this.byProvider.get(providerID) ?? [];
  }
}

export interface LiveForecastsOptions {
  pool: AccountPool;
  recent: RecentReadings;
  windowLength: WindowLength;
  /** The policy and lead time in force (store settings, env overrides). */
  settings: () => { policy: RotationPolicy; leadMinutes: number };
  now?: () => number;
  /** Recompute at least this often even without new readings (time moves the forecast too). */
  maxAgeMs?: number;
}

export class LiveForecasts {
  private readonly cache = new Map<ProviderID, { at: number; version: number; forecast: ProviderForecast }>();
  private readonly now: () => number;
  private readonly maxAgeMs: number;

  constructor(private readonly options: LiveForecastsOptions) {
    this.now = options.now ?? Date.now;
    this.maxAgeMs = options.maxAgeMs ?? 5_000;
  }

  forProvider(providerID: ProviderID): ProviderForecast {
    const now = this.now();
    const version = this.options.recent.version;
    const hit = this.cache.get(providerID);
    if (hit && hit.version === version && now - hit.at >= 0 && now - hit.at < this.maxAgeMs) return hit.forecast;
    const { policy, leadMinutes } = this.options.settings();
    const forecast = forecastProvider({
      providerID,
      snapshot: this.options.pool.snapshot(providerID),
      rows: this.options.recent.of(providerID),
      windowLength: this.options.windowLength,
      policy,
      leadMinutes,
      now,
    });
    this.cache.set(providerID, { at: now, version, forecast });
    return forecast;
  }
}
