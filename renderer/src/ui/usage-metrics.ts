/**
 * Numbers behind a usage bar: what to draw, in which colour, and the small texts beside it.
 * Pure functions of their inputs (the clock is passed in) so they are unit-tested in Node.
 * The wording of durations and ages is shared with the CLI (shared/usage-format.ts).
 */
import { ageText, clampPercent, formatDuration, resetText } from '../../../shared/usage-format';

export { ageText, formatDuration, resetText };

/** Colour level of a bar. `full` means the window is used up (≥ 100 %). */
export type UsageLevel = 'low' | 'medium' | 'high' | 'full';

/** Percent to draw, as a whole number within 0–100. */
export function displayPercent(percentUsed: number): number {
  return Math.round(clampPercent(percentUsed));
}

/** "42 % used": never a bare percentage, which reads as "left" just as well. */
export function usedText(percentUsed: number): string {
  return `${displayPercent(percentUsed)} % used`;
}

/** Thresholds match the CLI's colours: below 50 calm, 50–79 attention, 80–99 close, 100 done. */
export function usageLevel(percentUsed: number): UsageLevel {
  const p = Number.isFinite(percentUsed) ? percentUsed : 0;
  if (p >= 100) return 'full';
  if (p >= 80) return 'high';
  if (p >= 50) return 'medium';
  return 'low';
}

const MINUTE = 60_000;

/** Data older than this is drawn faded: the numbers may no longer be true. */
export const STALE_AFTER_MS = 15 * MINUTE;

export function isStale(asOf: number | undefined, now: number): boolean {
  return asOf === undefined || now - asOf > STALE_AFTER_MS;
}

/** Screen-reader text of a bar: "5-hour: 42% used, resets in 2 h 14 min". */
export function usageAriaText(label: string, percentUsed: number, resetsAt: number | undefined, now: number): string {
  const reset = resetText(resetsAt, now);
  return `${label}: ${displayPercent(percentUsed)}% used${reset ? `, ${reset}` : ''}`;
}

/** Order windows the way people read them: 5-hour first, then weekly, then the rest as given. */
const WINDOW_ORDER = ['five_hour', 'primary', 'seven_day', 'secondary', 'seven_day_sonnet', 'seven_day_opus', 'premium'];

export function sortWindows<T extends { key: string }>(windows: readonly T[]): T[] {
  const rank = (key: string) => {
    const i = WINDOW_ORDER.indexOf(key);
    return i === -1 ? WINDOW_ORDER.length : i;
  };
  return windows
    .map((w, i) => ({ w, i }))
    .sort((a, b) => rank(a.w.key) - rank(b.w.key) || a.i - b.i)
    .map((x) => x.w);
}
