/**
 * The requests series: a ~1 KB request, non-streaming and short-streaming, at each concurrency,
 * driven by wrk. Direct, gateway, gateway with the history off and the bare proxy alternate in
 * short rounds (the order rotates every round) so drift on a noisy machine hits all alike.
 * Per row: req/s, latency p50/p99 (mean of the rounds' percentiles), CPU time per request of
 * each proxy process, the generator's own CPU, and the history on/off comparison (issue 15).
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { ChildStats } from './child-stats.js';
import type { Layout, Rig, TargetName } from './rig.js';
import type { BenchSettings } from './settings.js';
import { r2, r3 } from './stats.js';
import { runWrk, type HttpTarget, type WrkResult } from './wrk.js';

export type Mode = 'non-streaming' | 'streaming';

export interface TargetReading {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** wrk's CPU time over the wall time of its rounds: % of one core. */
  generatorCpuPct: number;
}

export interface RequestRow {
  layout: Layout;
  mode: Mode;
  concurrency: number;
  direct: TargetReading;
  gateway: TargetReading;
  bare: TargetReading;
  noHistory: TargetReading;
  /** Gateway throughput relative to the bare proxy and to direct. */
  vsBareRatio: number;
  throughputRatio: number;
  /** CPU time per request (user + system) of each proxy process, µs. */
  gatewayCpuUsPerReq: number;
  bareCpuUsPerReq: number;
  noHistoryCpuUsPerReq: number;
  /** Gateway CPU per request / bare proxy CPU per request (issue 16: ≤ 1.1 at c=64). */
  cpuVsBare: number;
  /** CPU per request with recording / without (issue 15: ≤ 1.05). */
  recordingCpuRatio: number;
  /** History write transactions per request served by the recording gateway. */
  historyWritesPerReq: number;
  addedP50Ms: number;
  addedP99Ms: number;
  gatewayPeakRssMB: number;
  gatewayLoopDelayP99Ms: number;
  /** The load generator: its busiest round (% of one core), the cores it had, µs of its CPU per request. */
  generator: { maxCpuPct: number; cores: number; threads: number; usPerReq: number };
}

/** ~1 KB request, like a short conversation turn. */
export function requestBody(stream: boolean): string {
  const padding = 'The quick brown fox jumps over the lazy dog. '.repeat(19);
  return JSON.stringify({
    model: 'claude-sonnet-4-6',
    max_tokens: 256,
    stream,
    system: 'You are a benchmark.',
    messages: [{ role: 'user', content: padding }],
    metadata: { user_id: 'user_bench_account_00000000-0000-0000-0000-000000000000_session_11111111-1111-1111-1111-111111111111' },
  });
}

/** Warms connections and JIT on a path before it is measured (not counted). */
export async function warm(target: HttpTarget, body: string, concurrency: number, ms: number): Promise<void> {
  const pool = new Pool(target.origin, { connections: concurrency, pipelining: 1 });
  const end = performance.now() + ms;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      try {
        const res = await pool.request({ path: target.path, method: 'POST', headers: target.headers, body });
        await res.body.dump();
      } catch {
        // counted nowhere: warm-up only
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await pool.close();
}

function reading(results: WrkResult[]): TargetReading & { ok: number; all: number; genMicros: number } {
  const ok = results.reduce((n, r) => n + r.ok, 0);
  const errors = results.reduce((n, r) => n + r.errors, 0);
  const elapsed = results.reduce((n, r) => n + r.elapsedMs, 0);
  const mean = (f: (r: WrkResult) => number): number => results.reduce((n, r) => n + f(r), 0) / Math.max(1, results.length);
  const genMicros = results.reduce((n, r) => n + r.cpuMicros, 0);
  return {
    rps: r2(ok / (elapsed / 1000)),
    p50: r2(mean((r) => r.p50Ms)),
    p99: r2(mean((r) => r.p99Ms)),
    errors,
    generatorCpuPct: Math.round(Math.max(...results.map((r) => (r.cpuMicros / 1000 / r.elapsedMs) * 100))),
    ok,
    all: ok + errors,
    genMicros,
  };
}

const strip = ({ ok: _o, all: _a, genMicros: _g, ...r }: ReturnType<typeof reading>): TargetReading => r;

export async function runRequestsSeries(rig: Rig, s: BenchSettings, log: (line: string) => void): Promise<RequestRow[]> {
  const rows: RequestRow[] = [];
  const layouts = s.layouts.filter((l) => l === 'shared' || rig.pinning);
  const names: TargetName[] = ['direct', 'gateway', 'gateway-no-history', 'bare'];
  for (const layout of layouts) {
    rig.applyLayout(layout);
    const threads = rig.loadCores.count;
    for (const mode of s.modes) {
      const body = requestBody(mode === 'streaming');
      for (const c of s.concurrency) {
        for (const n of names) await warm(rig.targets[n], body, c, 300);
        rig.resetStats('gateway', 'gateway-no-history', 'bare');
        const results: Record<TargetName, WrkResult[]> = { direct: [], gateway: [], 'gateway-no-history': [], bare: [] };
        for (let round = 0; round < s.rounds; round++) {
          // Rotate which goes first so none always gets the warmer machine; the two gateways run back to back.
          const order = [...names];
          for (let k = 0; k < round % order.length; k++) order.push(order.shift()!);
          for (const n of order) results[n].push(await runWrk(rig.targets[n], body, { connections: c, threads, durationS: s.roundS, cores: rig.loadCores.list }));
        }
        const gwStats = await rig.stats('gateway');
        const quietStats = await rig.stats('gateway-no-history');
        const bareStats = await rig.stats('bare');
        const d = reading(results.direct);
        const g = reading(results.gateway);
        const q = reading(results['gateway-no-history']);
        const b = reading(results.bare);
        // Warm-up requests are outside the stats window; errors still cost CPU, so they count.
        const perReq = (st: ChildStats, t: ReturnType<typeof reading>): number => st.cpuMicros / Math.max(1, t.all);
        const gwCpu = perReq(gwStats, g);
        const quietCpu = perReq(quietStats, q);
        const bareCpu = perReq(bareStats, b);
        const all = [d, g, q, b];
        const row: RequestRow = {
          layout,
          mode,
          concurrency: c,
          direct: strip(d),
          gateway: strip(g),
          bare: strip(b),
          noHistory: strip(q),
          vsBareRatio: r2(g.rps / b.rps),
          throughputRatio: r2(g.rps / d.rps),
          gatewayCpuUsPerReq: Math.round(gwCpu),
          bareCpuUsPerReq: Math.round(bareCpu),
          noHistoryCpuUsPerReq: Math.round(quietCpu),
          cpuVsBare: r3(gwCpu / bareCpu),
          recordingCpuRatio: r3(gwCpu / quietCpu),
          historyWritesPerReq: Math.round((Number(gwStats.historyWrites ?? 0) / Math.max(1, g.all)) * 10_000) / 10_000,
          addedP50Ms: r2(g.p50 - d.p50),
          addedP99Ms: r2(g.p99 - d.p99),
          gatewayPeakRssMB: r2(gwStats.rss / 1024 / 1024),
          gatewayLoopDelayP99Ms: gwStats.loopDelay.p99,
          generator: {
            maxCpuPct: Math.max(...all.map((t) => t.generatorCpuPct)),
            cores: rig.loadCores.count,
            threads: Math.min(threads, c),
            usPerReq: r2(all.reduce((n, t) => n + t.genMicros, 0) / Math.max(1, all.reduce((n, t) => n + t.all, 0))),
          },
        };
        rows.push(row);
        log(
          `${layout} ${mode} c=${c}: direct ${d.rps} req/s, gateway ${g.rps} (${Math.round(row.throughputRatio * 100)} %), bare ${b.rps}; CPU µs/req gateway ${row.gatewayCpuUsPerReq} / bare ${row.bareCpuUsPerReq} (×${row.cpuVsBare}); history off ${row.noHistoryCpuUsPerReq} (×${row.recordingCpuRatio}); wrk ≤ ${row.generator.maxCpuPct} % of a core`,
        );
      }
    }
  }
  rig.applyLayout('shared');
  return rows;
}
