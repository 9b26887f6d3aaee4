/**
 * What `npm run bench` runs, from the environment. The defaults keep the whole run under
 * ~6 minutes on a 2-core machine; `ROTARY_BENCH_QUICK=1` is a smoke run (~1.5 min) that goes
 * through every series with short rounds.
 *
 *   ROTARY_BENCH_SERIES        requests,streams,failover,profile (any subset, comma-separated)
 *   ROTARY_BENCH_QUICK         1: short smoke run
 *   ROTARY_BENCH_ROUND_MS      requests series: length of one wrk round (whole seconds; default 1000)
 *   ROTARY_BENCH_ROUNDS        requests series: rounds per target (default 2, alternating)
 *   ROTARY_BENCH_LAYOUTS       requests series: shared,pinned
 *   ROTARY_BENCH_CONCURRENCY   requests series: 1,16,64,256
 *   ROTARY_BENCH_STREAMS       long-stream series: concurrent streams per level (default 256,1000)
 *   ROTARY_BENCH_STREAM_MS     long-stream series: fixed duration per target (default 10000)
 *   ROTARY_BENCH_STREAM_ROUNDS long-stream series: rounds per target (default 1)
 *   ROTARY_BENCH_STREAM_WORKERS client processes holding the streams (default 2)
 *   ROTARY_BENCH_FAILOVER_SAMPLES failover series: requests per kind (default 200)
 *   ROTARY_BENCH_PROFILE_MS    profile series: length of each profiled round (default 3000)
 */
export const SERIES = ['requests', 'streams', 'failover', 'profile'] as const;
export type SeriesName = (typeof SERIES)[number];

export interface BenchSettings {
  quick: boolean;
  series: SeriesName[];
  roundS: number;
  rounds: number;
  layouts: Array<'shared' | 'pinned'>;
  concurrency: number[];
  modes: Array<'non-streaming' | 'streaming'>;
  streamLevels: number[];
  streamMs: number;
  streamRounds: number;
  streamWorkers: number;
  /** The long streams: 50 events 40 ms apart ≈ 2 s, like a model answering. */
  drip: { events: number; intervalMs: number };
  failoverSamples: number;
  profileMs: number;
}

function list(value: string | undefined, fallback: string): string[] {
  return (value ?? fallback)
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

function numbers(value: string | undefined, fallback: string): number[] {
  const out = list(value, fallback).map(Number);
  const bad = out.find((n) => !Number.isInteger(n) || n < 1);
  if (bad !== undefined) throw new Error(`expected positive integers, got ${value}`);
  return out;
}

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number (got ${value})`);
  return n;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const quick = env.ROTARY_BENCH_QUICK === '1';
  const series = list(env.ROTARY_BENCH_SERIES, SERIES.join(','));
  const unknown = series.filter((s) => !(SERIES as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`ROTARY_BENCH_SERIES: unknown ${unknown.join(', ')} (known: ${SERIES.join(', ')})`);
  const layouts = list(env.ROTARY_BENCH_LAYOUTS, quick ? 'shared' : 'shared,pinned');
  if (layouts.some((l) => l !== 'shared' && l !== 'pinned')) throw new Error('ROTARY_BENCH_LAYOUTS: shared and/or pinned');
  return {
    quick,
    series: series as SeriesName[],
    roundS: Math.max(1, Math.round(positive(env.ROTARY_BENCH_ROUND_MS, 1000, 'ROTARY_BENCH_ROUND_MS') / 1000)),
    rounds: Math.round(positive(env.ROTARY_BENCH_ROUNDS, quick ? 1 : 2, 'ROTARY_BENCH_ROUNDS')),
    layouts: layouts as BenchSettings['layouts'],
    concurrency: numbers(env.ROTARY_BENCH_CONCURRENCY, quick ? '1,64' : '1,16,64,256'),
    modes: ['non-streaming', 'streaming'],
    streamLevels: numbers(env.ROTARY_BENCH_STREAMS, '256,1000'),
    streamMs: positive(env.ROTARY_BENCH_STREAM_MS, quick ? 4000 : 10_000, 'ROTARY_BENCH_STREAM_MS'),
    streamRounds: Math.round(positive(env.ROTARY_BENCH_STREAM_ROUNDS, 1, 'ROTARY_BENCH_STREAM_ROUNDS')),
    streamWorkers: Math.round(positive(env.ROTARY_BENCH_STREAM_WORKERS, 2, 'ROTARY_BENCH_STREAM_WORKERS')),
    drip: { events: 50, intervalMs: 40 },
    failoverSamples: Math.round(positive(env.ROTARY_BENCH_FAILOVER_SAMPLES, quick ? 50 : 200, 'ROTARY_BENCH_FAILOVER_SAMPLES')),
    profileMs: positive(env.ROTARY_BENCH_PROFILE_MS, quick ? 1000 : 3000, 'ROTARY_BENCH_PROFILE_MS'),
  };
}
