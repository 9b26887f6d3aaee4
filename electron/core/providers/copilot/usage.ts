/**
 * Copilot `copilot_internal/user` → UsageSnapshot: the monthly premium-request quota.
 * Called with the GitHub token, not the Copilot token (PROTOCOLS §3.5).
 */
import type { UsageSnapshot } from '../../../../shared/domain.js';
import { isObject, parseTime } from '../http.js';
import { getUsage, type UsageContext } from '../usage-fetch.js';
import { COPILOT_GITHUB_API_HEADERS, COPILOT_PREMIUM_KEY, COPILOT_PREMIUM_LABEL, COPILOT_USAGE_URL } from './constants.js';

export function fetchCopilotUsage(githubToken: string, ctx: UsageContext): Promise<UsageSnapshot> {
  return getUsage(
    ctx,
    'the Copilot quota endpoint',
    COPILOT_USAGE_URL,
    { ...COPILOT_GITHUB_API_HEADERS, authorization: `token ${githubToken}` },
    parseCopilotUsage,
  );
}

export function parseCopilotUsage(body: unknown, now: number): UsageSnapshot {
  const snapshots = isObject(body) && isObject(body.quota_snapshots) ? body.quota_snapshots : undefined;
  const premium = snapshots && isObject(snapshots.premium_interactions) ? snapshots.premium_interactions : undefined;
  if (!premium) return { windows: [], asOf: now, source: 'endpoint' };
  // `quota_reset_date` is a bare date without a zone; the `_utc` variant is exact.
  const reset = isObject(body) ? (parseTime(body.quota_reset_date_utc) ?? parseTime(premium.quota_reset_at)) : undefined;
  const percentUsed =
    premium.unlimited === true
      ? 0
      : typeof premium.percent_remaining === 'number'
        ? 100 - premium.percent_remaining
        : typeof premium.entitlement === 'number' && premium.entitlement > 0 && typeof premium.remaining === 'number'
          ? 100 - (premium.remaining / premium.entitlement) * 100
          : 0;
  return {
    windows: [
      {
        key: COPILOT_PREMIUM_KEY,
        label: COPILOT_PREMIUM_LABEL,
        percentUsed: Math.round(percentUsed * 10) / 10,
        ...(reset !== undefined ? { resetsAt: reset } : {}),
      },
    ],
    asOf: now,
    source: 'endpoint',
  };
}
