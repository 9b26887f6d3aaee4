/**
 * Ahead-of-time warnings (issue 15): an account forecast, at its own pace, to reach a limit
 * within the lead time, and a limited (cooling-down) account that can take requests again.
 * Each is said once: a limit warning once per window period (the same window of the same
 * account is not warned about again until it has reset), a freed account once per cooldown.
 * Runs in the process that runs the gateway; its events go to the activity log (`/events`,
 * `events:activity`, desktop notifications).
 */
import type { ActivityEvent } from '../../../shared/activity.js';
import type { ProviderID } from '../../../shared/domain.js';
import { formatClock, formatDuration } from '../../../shared/usage-format.js';
import type { AccountPool } from '../pool/account-pool.js';
import { isAvailable } from '../pool/order.js';
import type { LiveForecasts } from './live-forecasts.js';

export interface ForecastWarningsOptions {
  pool: AccountPool;
  forecasts: LiveForecasts;
  leadMinutes: () => number;
  emit: (event: ActivityEvent) => void;
  now?: () => number;
}

export interface ForecastWarnings {
  /** Look at every provider now (the runtime calls it on a timer and after each history flush). */
  check(): void;
}

export function createForecastWarnings(options: ForecastWarningsOptions): ForecastWarnings {
  const { pool, forecasts, emit } = options;
  const now = options.now ?? Date.now;
  /** `provider:record:window` → the window period (its reset time) already warned about. */
  const warned = new Map<string, number | 'none'>();
  /** `provider:record` → the cooldown end seen while it was limited. */
  const cooling = new Map<string, number>();

  function checkProvider(providerID: ProviderID): void {
    const t = now();
    const lead = options.leadMinutes() * 60_000;
    const records = pool.snapshot(providerID).records;
    for (const record of records) {
      const id = `${providerID}:${record.id}`;
      const until = record.health.cooldownUntil;
      if (until !== undefined && until > t && !record.health.disabled) {
        cooling.set(id, until);
      } else if (cooling.has(id)) {
        cooling.delete(id);
        if (isAvailable(record, t)) {
          emit({
            kind: 'account-freed',
            freed: { at: t, providerID, recordID: record.id, label: record.label, message: `${record.label} can take requests again.` },
          });
        }
      }
    }
    const forecast = forecasts.forProvider(providerID);
    for (const account of forecast.accounts) {
      const record = records.find((r) => r.id === account.recordID);
      if (!record || !isAvailable(record, t)) continue;
      for (const w of account.windows) {
        if (w.outcome !== 'limit' || w.limitAt === undefined || w.limitAt - t > lead || w.limitAt <= t) continue;
        const key = `${providerID}:${account.recordID}:${w.key}`;
        const period = w.resetsAt ?? 'none';
        if (warned.get(key) === period) continue;
        warned.set(key, period);
        emit({
          kind: 'limit-forecast',
          warning: {
            at: t,
            providerID,
            recordID: account.recordID,
            label: account.label,
            windowKey: w.key,
            windowLabel: w.label,
            limitAt: w.limitAt,
            leadMinutes: Math.round(lead / 60_000),
            message: `At this pace ${account.label} reaches its ${w.label} limit at ${formatClock(w.limitAt, t)} (in ${formatDuration(w.limitAt - t)}).`,
          },
        });
      }
    }
  }

  return {
    check() {
      for (const { providerID } of pool.providers()) checkProvider(providerID);
    },
  };
}
