/**
 * Text for usage numbers and times, shared by the UI, the CLI and the gateway's messages so
 * that "resets in 2 h 14 min" reads the same everywhere. Pure functions; the clock is passed in.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Percent to draw: providers may report more than 100 % or nonsense; bars stay within 0–100. */
export function clampPercent(percentUsed: number): number {
  if (!Number.isFinite(percentUsed)) return 0;
  return Math.min(100, Math.max(0, percentUsed));
}

/** "2 h 14 min", "45 min", "3 d 4 h", "less than a minute". Minutes round up so "0 min" never shows. */
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

/** "in 40 s", "in 23 min", "in 2 h 14 min": like formatDuration, with seconds for the last minute. */
export function formatIn(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 60 ? `in ${seconds} s` : `in ${formatDuration(ms)}`;
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
  if (asOf === undefined || !Number.isFinite(asOf) || asOf <= 0) return undefined;
  const age = Math.max(0, now - asOf);
  if (age < MINUTE) return 'as of just now';
  if (age < HOUR) return `as of ${Math.floor(age / MINUTE)} min ago`;
  if (age < DAY) return `as of ${Math.floor(age / HOUR)} h ago`;
  return `as of ${Math.floor(age / DAY)} d ago`;
}

/** Local wall-clock time: "14:05" today, "Mon 14:05" within a week, else "2026-07-01 14:05". */
export function formatClock(at: number, now: number): string {
  const date = new Date(at);
  const hhmm = `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
  if (new Date(now).toDateString() === date.toDateString()) return hhmm;
  if (Math.abs(at - now) < 6 * DAY) return `${date.toLocaleDateString('en-US', { weekday: 'short' })} ${hhmm}`;
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')} ${hhmm}`;
}

/** The local UTC offset at `at` (DST-aware): "UTC", "UTC+1", "UTC-5", "UTC+5:30". */
export function formatZone(at: number): string {
  const east = -new Date(at).getTimezoneOffset();
  if (east === 0) return 'UTC';
  const abs = Math.abs(east);
  const minutes = abs % 60;
  return `UTC${east > 0 ? '+' : '-'}${Math.floor(abs / 60)}${minutes ? `:${String(minutes).padStart(2, '0')}` : ''}`;
}

/**
 * formatClock with the zone: "14:05 UTC+1", "Mon 14:05 UTC+1", "2026-07-01 14:05 UTC+1". For
 * text read on another machine (a gateway answer), where a bare local time would mislead.
 */
export function formatZonedClock(at: number, now: number): string {
  return `${formatClock(at, now)} ${formatZone(at)}`;
}

/**
 * Model-family limits still running, as text: ["Sonnet limited until Tue 14:05"]. The account
 * itself is fine for other models, so this reads beside its status, not instead of it.
 */
export function familyLimitTexts(scoped: Record<string, { until: number }> | undefined, now: number): string[] {
  return Object.entries(scoped ?? {})
    .filter(([, c]) => c.until > now)
    .sort((a, b) => a[1].until - b[1].until)
    .map(([family, c]) => `${family.charAt(0).toUpperCase()}${family.slice(1)} limited until ${formatClock(c.until, now)}`);
}

/**
 * A window's forecast as a phrase after "At this pace": "limit reached at 14:05", "lasts past
 * the reset at 16:30", "lasts (no use lately)", "at the limit", "not enough readings yet".
 */
export function forecastText(f: { outcome: 'limited' | 'limit' | 'lasts' | 'unknown'; limitAt?: number | undefined; resetsAt?: number | undefined; perHour?: number | undefined }, now: number): string {
  switch (f.outcome) {
    case 'limited':
      return 'at the limit';
    case 'limit':
      return `limit reached at ${formatClock(f.limitAt ?? now, now)}`;
    case 'lasts':
      if ((f.perHour ?? 0) < 0.05) return f.resetsAt !== undefined ? `no use lately; resets at ${formatClock(f.resetsAt, now)}` : 'no use lately';
      return f.resetsAt !== undefined ? `lasts past the reset at ${formatClock(f.resetsAt, now)}` : 'lasts';
    case 'unknown':
      return 'not enough readings yet';
  }
}

/** "The pool covers you until 14:05 (the first account frees up at 16:30)", "The pool lasts past Tue 12:00", … */
export function poolCoverageText(
  pool: { kind: 'until'; at: number; freesAt?: number | undefined } | { kind: 'lasts'; through: number } | { kind: 'idle' } | { kind: 'unknown' },
  now: number,
): string {
  switch (pool.kind) {
    case 'until':
      // Nothing left now (every account limited): "covers you until <now>" would read as a forecast.
      if (pool.at <= now) {
        return `The pool is used up${pool.freesAt !== undefined ? `: the first account frees up at ${formatClock(pool.freesAt, now)}` : ''}.`;
      }
      return `At this pace the pool covers you until ${formatClock(pool.at, now)}${pool.freesAt !== undefined ? ` (the first account frees up at ${formatClock(pool.freesAt, now)})` : ''}.`;
    case 'lasts':
      return `At this pace the pool lasts past ${formatClock(pool.through, now)}.`;
    case 'idle':
      return 'No use lately: nothing to forecast.';
    case 'unknown':
      return 'Not enough readings yet for a forecast.';
  }
}
