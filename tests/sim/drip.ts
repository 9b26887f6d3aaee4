/**
 * Drip mode: a streamed answer of exactly N SSE events, D ms apart, like a model that answers
 * for (N - 1) × D ms (50 × 40 ms ≈ 2 s). Off by default. Set per account (`acc.drip =
 * {events, intervalMs}`) or per request with the `x-sim-drip: NxD` header (wins over the
 * account's). The first event goes out with the headers; the provider's framing events (start,
 * stop, usage…) count towards N and the text deltas fill the rest, so N below a provider's
 * framing plus one delta is raised to that minimum.
 */
import type { SimDrip } from './types.js';

export const DRIP_HEADER = 'x-sim-drip';
/** Bounds that keep a typo from holding a socket open for hours. */
const MAX_EVENTS = 100_000;
const MAX_INTERVAL_MS = 60_000;

/** `50x40` → {events: 50, intervalMs: 40}; throws with a readable message otherwise. */
export function parseDrip(value: string): SimDrip {
  const m = /^\s*(\d+)\s*[x×]\s*(\d+(?:\.\d+)?)\s*$/i.exec(value);
  const drip = m ? { events: Number(m[1]), intervalMs: Number(m[2]) } : undefined;
  if (!drip) throw new Error(`${DRIP_HEADER} must be EVENTSxMS, e.g. 50x40 (got ${JSON.stringify(value)})`);
  checkDrip(drip);
  return drip;
}

/** Validates a drip setting (header or account knob). */
export function checkDrip(drip: SimDrip): void {
  const { events, intervalMs } = drip;
  if (!Number.isInteger(events) || events < 1 || events > MAX_EVENTS) throw new Error(`drip events must be an integer from 1 to ${MAX_EVENTS}`);
  if (!Number.isFinite(intervalMs) || intervalMs < 0 || intervalMs > MAX_INTERVAL_MS) throw new Error(`drip intervalMs must be from 0 to ${MAX_INTERVAL_MS}`);
}

/**
 * The text deltas of a drip answer: `events - framing` word-sized pieces (at least one), cycling
 * through the reply's words so every event looks like a real delta.
 */
export function dripPieces(text: string, drip: SimDrip, framing: number): string[] {
  const words = text.match(/\S+\s*/g) ?? [text];
  const n = Math.max(1, drip.events - framing);
  return Array.from({ length: n }, (_, i) => words[i % words.length]!);
}
