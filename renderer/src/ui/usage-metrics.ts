/**
 * Numbers behind a usage bar: what to draw, in which colour, and the small texts beside it.
 * Pure functions of their inputs (the clock is passed in) so they are unit-tested in Node.
 */

/** Colour level of a bar. `full` means the window is used up (≥ 100 %). */
export type UsageLevel = 'low' | 'medium' | 'high' | 'full';

/** Percent to draw: providers may report more than 100 % or nonsense; the bar stays 0–100. */
export function displayPercent(percentUsed: number): number {
  if (!Number.isFinite(percentUsed)) return 0;
  return Math.round(Math.min(100, Math.max(0, percentUsed)));
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
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "2 h 14 min", "45 min", "3 d 4 h", "less than a minute". Rounds minutes up so "0 min" never shows. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < MINUTE) return 'less than a minute';
  const totalMin = Math.ceil(ms / MINUTE);
  const days = Math.floor(totalMin / (24 * 60));
  const hours = Math.floor((totalMin % (24 * 60)) / 60);
  const mins = totalMin % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return mins > 0 ? `${hours} h ${mins} min` : `${hours} h`;
  return `${mins} min`;
}

/** "resets in 2 h 14 min"; "resets now" once the moment has passed; undefined when unknown. */
export function resetText(resetsAt: number | undefined, now: number): string | undefined {
  if (resetsAt === undefined || !Number.isFinite(resetsAt)) return undefined;
  const left = resetsAt - now;
  if (left <= 0) return 'resets now';
  return `resets in ${formatDuration(left)}`;
}

/** "as of just now", "as of 3 min ago", "as of 2 h ago", "as of 2 d ago". */
export function ageText(asOf: number | undefined, now: number): string | undefined {
  if (asOf === undefined || !Number.isFinite(asOf)) return undefined;
  const age = Math.max(0, now - asOf);
  if (age < MINUTE) return 'as of just now';
  if (age < HOUR) return `as of ${Math.floor(age / MINUTE)} min ago`;
  if (age < DAY) return `as of ${Math.floor(age / HOUR)} h ago`;
  return `as of ${Math.floor(age / DAY)} d ago`;
}

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
