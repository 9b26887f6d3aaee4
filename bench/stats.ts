/** Bench arithmetic: percentiles, rounding, and readings checked against the targets. */

export function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const r2 = (n: number): number => Math.round(n * 100) / 100;
export const r3 = (n: number): number => Math.round(n * 1000) / 1000;

/** One reading against one target of the issue. */
export interface TargetCheck {
  /** What is measured, e.g. "1000 streams: added TTFB p99". */
  name: string;
  reading: number;
  unit: string;
  /** The reading must be at most (`max`) or at least (`min`) this. */
  bound: 'max' | 'min';
  limit: number;
  met: boolean;
  /** How far past the limit, in the reading's unit (0 when met). */
  missedBy: number;
  /** Where the limit comes from, e.g. "issue 16". */
  source: string;
  /** Set when the reading cannot count as met whatever its value (e.g. TTFB of the few streams that did not fail). */
  spoilt?: string;
}

export function check(name: string, reading: number, unit: string, bound: 'max' | 'min', limit: number, source: string, spoilt?: string): TargetCheck {
  const inBounds = Number.isFinite(reading) && (bound === 'max' ? reading <= limit : reading >= limit);
  const missedBy = inBounds || !Number.isFinite(reading) ? 0 : r2(Math.abs(reading - limit));
  return { name, reading: r2(reading), unit, bound, limit, met: inBounds && !spoilt, missedBy, source, ...(spoilt ? { spoilt } : {}) };
}

/** `≤ 5 ms: met` / `≤ 5 ms: missed by 3.2 ms`. */
export function verdict(c: TargetCheck): string {
  const limit = `${c.bound === 'max' ? '≤' : '≥'} ${c.limit}${c.unit === '×' || c.unit === '%' ? '' : ' '}${c.unit}`;
  if (!Number.isFinite(c.reading)) return `${limit}: no reading`;
  if (c.spoilt) return `${limit}: not met — ${c.spoilt}`;
  return c.met ? `${limit}: met` : `${limit}: missed by ${c.missedBy}${c.unit === '×' || c.unit === '%' ? '' : ' '}${c.unit}`;
}
