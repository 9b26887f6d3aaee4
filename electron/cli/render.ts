/**
 * Text rendering for the terminal: usage bars, countdowns, ages and account status lines.
 * Pure functions of their inputs (the clock is passed in) so they are unit-tested directly.
 */
import {
  ageText as sharedAgeText,
  clampPercent,
  familyLimitTexts,
  forecastText,
  formatClock,
  formatDuration,
  resetText as sharedResetText,
} from '../../shared/usage-format.js';
import { escapeControls } from '../../shared/plain-text.js';
import { PROVIDER_NAMES, type AccountStatus, type AccountView, type ProviderID, type UsageWindow } from '../../shared/domain.js';
import type { AccountForecast, WastedWeek, WindowForecast } from '../../shared/forecast.js';

const BAR_CELLS = 10;
const FULL = '█';
const EMPTY = '░';

/** `█████░░░░░` for 52 %: percent clamped to 0–100, rounded to the nearest cell. */
export function bar(percentUsed: number, cells = BAR_CELLS): string {
  const clamped = clampPercent(percentUsed);
  const filled = Math.round((clamped / 100) * cells);
  return FULL.repeat(filled) + EMPTY.repeat(cells - filled);
}

/** "2 h 14 min", "3 d 4 h", "12 min", "less than a minute". */
export const duration = formatDuration;

/** "resets in 2 h 14 min" (or "reset time unknown" / "resets now"). */
export function resetText(resetsAt: number | undefined, now: number): string {
  return sharedResetText(resetsAt, now) ?? 'reset time unknown';
}

/** "as of 3 min ago" / "as of just now" ("not read yet" before the first reading). */
export function ageText(asOf: number, now: number): string {
  return sharedAgeText(asOf, now) ?? 'not read yet';
}

export const clockTime = formatClock;

/** Width of the reset column, so the forecast column lines up ("resets in 6 d 23 h" fits). */
const RESET_COLUMN = 24;

/** `█████░░░░░  52%  resets in 2 h 14 min` (+ `  at this pace: limit reached at 14:05` with a forecast). */
export function windowLine(window: UsageWindow, now: number, forecast?: WindowForecast): string {
  const percent = `${Math.round(clampPercent(window.percentUsed))}%`.padStart(4);
  const base = `${bar(window.percentUsed)} ${percent}  ${resetText(window.resetsAt, now)}`;
  return forecast ? `${base.padEnd(BAR_CELLS + 7 + RESET_COLUMN)}  at this pace: ${forecastText(forecast, now)}` : base;
}

/** "ok", "cooling down until 14:05 (in 23 min)", "needs re-login", "disabled". */
export function statusText(status: AccountStatus, now: number): string {
  switch (status.kind) {
    case 'ok':
      return 'ok';
    case 'cooling':
      return `cooling down until ${clockTime(status.until, now)} (in ${duration(status.until - now)})`;
    case 'needs-reauth':
      return 'needs re-login';
    case 'disabled':
      return 'disabled';
  }
}

export function providerName(providerID: ProviderID): string {
  return PROVIDER_NAMES[providerID];
}

export function accountsCount(n: number): string {
  return `${n} account${n === 1 ? '' : 's'}`;
}

/**
 * The name shown for an account: its label, plus the e-mail when the label is something else.
 * Both are escaped: a store written before labels were checked may hold control characters.
 */
export function accountName(account: Pick<AccountView, 'label' | 'email'>): string {
  const label = escapeControls(account.label);
  if (account.email && account.email !== account.label) return `${label} <${escapeControls(account.email)}>`;
  return label;
}

/** `"work" <work@example.com>` for messages: the label quoted, the e-mail beside it when different (both escaped). */
export function quotedName(account: Pick<AccountView, 'label' | 'email'>): string {
  const label = `"${escapeControls(account.label)}"`;
  return account.email && account.email !== account.label ? `${label} <${escapeControls(account.email)}>` : label;
}

/**
 * One account with its bars:
 * ```
 * ● alice@example.com  (active)
 *     5-hour        █████░░░░░  52%  resets in 2 h 14 min
 *     as of 2 min ago
 * ```
 */
export function accountBlock(account: AccountView, now: number, indent = '', forecast?: AccountForecast): string[] {
  const marker = account.isActive ? '●' : '○';
  const tags: string[] = [];
  if (account.isActive) tags.push('active');
  if (account.status.kind !== 'ok') tags.push(statusText(account.status, now));
  tags.push(...familyLimitTexts(account.health.scopedCooldowns, now));
  const lines = [`${indent}${marker} ${accountName(account)}${tags.length ? `  (${tags.join(', ')})` : ''}`];
  const usage = account.usage;
  if (!usage || usage.windows.length === 0) {
    lines.push(`${indent}    no usage data yet${usage?.error ? ` (${escapeControls(usage.error)})` : ''}`);
    return lines;
  }
  // Window labels and errors come from provider answers: escaped like everything else shown.
  const labels = usage.windows.map((w) => escapeControls(w.label));
  const width = Math.max(...labels.map((l) => l.length));
  usage.windows.forEach((window, i) => {
    lines.push(`${indent}    ${labels[i]!.padEnd(width)}  ${windowLine(window, now, forecast?.windows.find((f) => f.key === window.key))}`);
  });
  lines.push(`${indent}    ${ageText(usage.asOf, now)}${usage.error ? ` (last update failed: ${escapeControls(usage.error)})` : ''}`);
  return lines;
}

/** `week ending Sun 14:00   62 % used   38 % expired unused` per completed week, newest first. */
export function wasteLines(weeks: readonly WastedWeek[], now: number, indent = ''): string[] {
  if (weeks.length === 0) return [`${indent}no completed week in the history yet`];
  return weeks.map((w) => {
    const seen = w.endedAt - w.lastReadingAt > 24 * 3600_000 ? `  (last reading ${formatClock(w.lastReadingAt, now)})` : '';
    return `${indent}week ending ${formatClock(w.endedAt, now).padEnd(16)} ${`${Math.round(w.usedPercent)} %`.padStart(5)} used  ${`${Math.round(w.wastedPercent)} %`.padStart(5)} expired unused${seen}`;
  });
}
