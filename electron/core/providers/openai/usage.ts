/**
 * ChatGPT `wham/usage` → UsageSnapshot: the primary and secondary windows, labelled by their
 * length (a plan's primary may be the weekly window, so the length decides, not the slot).
 */
import type { UsageSnapshot, UsageWindow } from '../../../../shared/domain.js';
import { isObject, parseTime } from '../http.js';
import { getUsage, type UsageContext } from '../usage-fetch.js';
import { CHATGPT_USAGE_URL, CODEX_FIVE_HOUR_LABEL, CODEX_USER_AGENT } from './constants.js';

export function fetchOpenAIUsage(headers: Record<string, string>, ctx: UsageContext): Promise<UsageSnapshot> {
  return getUsage(ctx, 'the ChatGPT usage endpoint', CHATGPT_USAGE_URL, { 'user-agent': CODEX_USER_AGENT, ...headers }, parseOpenAIUsage);
}

export function parseOpenAIUsage(body: unknown, now: number): UsageSnapshot {
  const windows: UsageWindow[] = [];
  const limits = isObject(body) && isObject(body.rate_limit) ? body.rate_limit : undefined;
  for (const [key, field] of [
    ['primary', 'primary_window'],
    ['secondary', 'secondary_window'],
  ] as const) {
    const raw = limits?.[field];
    if (!isObject(raw) || typeof raw.used_percent !== 'number') continue;
    const reset =
      parseTime(raw.reset_at) ??
      (typeof raw.reset_after_seconds === 'number' ? now + raw.reset_after_seconds * 1000 : undefined);
    windows.push({
      key,
      label: windowLabel(typeof raw.limit_window_seconds === 'number' ? raw.limit_window_seconds : undefined, key),
      percentUsed: raw.used_percent,
      ...(reset !== undefined ? { resetsAt: reset } : {}),
    });
  }
  return { windows, asOf: now, source: 'endpoint' };
}

/** ~5 h → "5-hour", ~7 d → "Weekly"; other lengths are named in hours/days. */
export function windowLabel(seconds: number | undefined, key: string): string {
  if (seconds === undefined || seconds <= 0) return key === 'primary' ? 'Primary' : 'Secondary';
  const hours = seconds / 3600;
  if (Math.abs(hours - 5) <= 0.5) return CODEX_FIVE_HOUR_LABEL;
  if (Math.abs(hours - 168) <= 6) return 'Weekly';
  if (hours < 48) return `${Math.round(hours)}-hour`;
  return `${Math.round(hours / 24)}-day`;
}
