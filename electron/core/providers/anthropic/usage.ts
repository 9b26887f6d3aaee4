/**
 * Anthropic `/api/oauth/usage` → UsageSnapshot. Prefers the newer `limits[]` list (the only
 * place per-model weekly caps appear) and fills in any legacy window it lacks (PROTOCOLS §1.6).
 */
import type { UsageSnapshot, UsageWindow } from '../../../../shared/domain.js';
import { isObject, parseTime } from '../http.js';
import { getUsage, type UsageContext } from '../usage-fetch.js';
import { ANTHROPIC_AUTH_USER_AGENT, ANTHROPIC_FIVE_HOUR_KEY, ANTHROPIC_OAUTH_BETA, ANTHROPIC_USAGE_URL } from './constants.js';

const LEGACY: Array<[string, string]> = [
  [ANTHROPIC_FIVE_HOUR_KEY, '5-hour'],
  ['seven_day', '7-day (all)'],
  ['seven_day_sonnet', '7-day (Sonnet)'],
  ['seven_day_opus', '7-day (Opus)'],
];

export function fetchAnthropicUsage(access: string, ctx: UsageContext): Promise<UsageSnapshot> {
  return getUsage(
    ctx,
    'the Claude usage endpoint',
    ANTHROPIC_USAGE_URL,
    { authorization: `Bearer ${access}`, 'anthropic-beta': ANTHROPIC_OAUTH_BETA, 'user-agent': ANTHROPIC_AUTH_USER_AGENT },
    parseAnthropicUsage,
  );
}

export function parseAnthropicUsage(body: unknown, now: number): UsageSnapshot {
  const windows: UsageWindow[] = [];
  if (isObject(body) && Array.isArray(body.limits)) {
    for (const entry of body.limits) {
      const window = limitWindow(entry);
      if (window && !windows.some((w) => w.key === window.key)) windows.push(window);
    }
  }
  if (isObject(body)) {
    for (const [key, label] of LEGACY) {
      const raw = body[key];
      if (!isObject(raw) || typeof raw.utilization !== 'number' || windows.some((w) => w.key === key)) continue;
      windows.push(makeWindow(key, label, raw.utilization, raw.resets_at));
    }
  }
  windows.sort((a, b) => order(a.key) - order(b.key));
  return { windows, asOf: now, source: 'endpoint' };
}

function limitWindow(entry: unknown): UsageWindow | undefined {
  if (!isObject(entry) || typeof entry.percent !== 'number') return undefined;
  switch (entry.kind) {
    case 'session':
      return makeWindow(ANTHROPIC_FIVE_HOUR_KEY, '5-hour', entry.percent, entry.resets_at);
    case 'weekly_all':
      return makeWindow('seven_day', '7-day (all)', entry.percent, entry.resets_at);
    case 'weekly_scoped': {
      const scope = isObject(entry.scope) && isObject(entry.scope.model) ? entry.scope.model : undefined;
      const name = typeof scope?.display_name === 'string' && scope.display_name.trim() ? scope.display_name.trim() : 'model';
      if (/sonnet/i.test(name)) return makeWindow('seven_day_sonnet', '7-day (Sonnet)', entry.percent, entry.resets_at);
      if (/opus/i.test(name)) return makeWindow('seven_day_opus', '7-day (Opus)', entry.percent, entry.resets_at);
      return makeWindow(`scoped:${name}`, `7-day (${name})`, entry.percent, entry.resets_at);
    }
    default:
      return undefined; // unknown kinds are skipped rather than guessed
  }
}

function makeWindow(key: string, label: string, percent: number, resetsAt: unknown): UsageWindow {
  const reset = parseTime(resetsAt);
  return { key, label, percentUsed: percent, ...(reset !== undefined ? { resetsAt: reset } : {}) };
}

function order(key: string): number {
  const index = LEGACY.findIndex(([k]) => k === key);
  return index === -1 ? LEGACY.length : index;
}
