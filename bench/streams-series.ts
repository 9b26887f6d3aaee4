/**
 * The long-stream series: at each level (256 and 1000 by default), that many concurrent
 * real-length streams (the simulator's drip mode: 50 events 40 ms apart ≈ 2 s) held for a
 * fixed duration against direct, the gateway and the bare proxy, one after the other in an
 * order that rotates per level and round. The streams come from client processes of their own
 * (stream-worker.ts) that report their CPU and event-loop delay; a c=1 probe on a connection
 * opened beforehand measures what an interactive request feels during the load.
 * Shared layout (all processes on all cores), like a user's machine.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { ask, bundle } from './children.js';
import type { ChildStats, MemoryAtPeak } from './child-stats.js';
import { listenDropsSince, readListenCounters } from './listen-drops.js';
import { startProbe } from './probe.js';
import { requestBody } from './requests-series.js';
import type { Rig } from './rig.js';
import type { BenchSettings } from './settings.js';
import { pct, r2 } from './stats.js';
import type { StreamJob, StreamReport } from './stream-worker.js';

export type StreamTarget = 'direct' | 'gateway' | 'bare';

export interface StreamReading {
  completed: number;
  failed: { status: number; truncated: number; error: number };
  /** Failed streams by error code. */
  errorCodes: Record<string, number>;
  ttfbP50Ms: number;
  ttfbP99Ms: number;
  streamP50Ms: number;
  /** The c=1 probe through the same target; `clientLoopDelayP99Ms`: the probe's own process. */
  probe: { p50Ms: number; p99Ms: number; samples: number; errors: number; clientLoopDelayP99Ms: number };
  /** The process serving the streams: the proxy, or for direct the simulator. */
  server: { cpuPctOfCore: number; loopDelayP99Ms: number; peakRssMB: number; cpuUsPerStream: number; cpuUsPerChunk: number; memoryAtPeakMB: MemoryBreakdownMB };
  /** The simulator, for every target (it is the upstream). */
  simCpuPctOfCore: number;
  /** The stream clients: the busiest one's CPU (% of one core) and event-loop delay p99. */
  client: { processes: number; maxCpuPct: number; maxLoopDelayP99Ms: number };
  /** SSE events the clients received (= chunks the proxy forwarded). */
  events: number;
  /** Connections the kernel dropped from a full listen queue during the round (machine-wide; null off Linux). */
  listenDrops: number | null;
}

/**
 * What the serving process's RSS consisted of at its peak: the V8 heap (committed, and of it
 * live-or-not-yet-collected), memory outside the heap that JS holds (socket and body buffers),
 * and the rest (code, native allocations of Node, undici's parser, SQLite, thread stacks).
 */
export interface MemoryBreakdownMB {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  rest: number;
}

export function memoryBreakdownMB(m: MemoryAtPeak): MemoryBreakdownMB {
  const mb = (b: number): number => r2(b / 1024 / 1024);
  return { rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), rest: mb(Math.max(0, m.rss - m.heapTotal - m.external)) };
}

export function memoryText(m: MemoryBreakdownMB): string {
  return `heap ${m.heapTotal} MB of which ${m.heapUsed} used, external ${m.external} MB, rest ${m.rest} MB`;
}

export interface StreamLevel {
  streams: number;
  durationMs: number;
  drip: { events: number; intervalMs: number };
  direct: StreamReading;
  gateway: StreamReading;
  bare: StreamReading;
  /** Gateway streams completed / direct (issue 16: ≥ 0.95 at 1000). */
  completedVsDirect: number;
  bareCompletedVsDirect: number;
  /** Gateway TTFB minus direct TTFB (issue 16 at 1000: p50 ≤ 5 ms, p99 ≤ 50 ms). */
  addedTtfbP50Ms: number;
  addedTtfbP99Ms: number;
  bareAddedTtfbP50Ms: number;
  bareAddedTtfbP99Ms: number;
}

export interface StreamWorker {
  child: ChildProcess;
}

export async function startStreamWorkers(n: number): Promise<StreamWorker[]> {
  const file = await bundle('stream-worker.ts');
  return await Promise.all(
    Array.from({ length: n }, async () => {
      const child = fork(file, [], { execArgv: [], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`stream worker exited with ${code}`)));
      });
      return { child };
    }),
  );
}

function sumCodes(list: Array<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const codes of list) for (const [k, v] of Object.entries(codes)) out[k] = (out[k] ?? 0) + v;
  return out;
}

function merge(reports: StreamReport[]): StreamReport {
  return {
    completed: reports.reduce((n, r) => n + r.completed, 0),
    failed: {
      status: reports.reduce((n, r) => n + r.failed.status, 0),
      truncated: reports.reduce((n, r) => n + r.failed.truncated, 0),
      error: reports.reduce((n, r) => n + r.failed.error, 0),
    },
    errorCodes: sumCodes(reports.map((r) => r.errorCodes)),
    ttfbs: reports.flatMap((r) => r.ttfbs),
    durations: reports.flatMap((r) => r.durations),
    events: reports.reduce((n, r) => n + r.events, 0),
    cpuMicros: reports.reduce((n, r) => n + r.cpuMicros, 0),
    wallMs: Math.max(...reports.map((r) => r.wallMs)),
    loopDelayP99Ms: Math.max(...reports.map((r) => r.loopDelayP99Ms)),
  };
}

/** One target at one level for `s.streamMs`; the drip must be on in the simulator. */
export async function measureStreams(rig: Rig, workers: StreamWorker[], target: StreamTarget, streams: number, s: BenchSettings): Promise<StreamReading> {
  const http = rig.targets[target];
  const server = target === 'direct' ? 'sim' : target;
  rig.resetStats('sim', ...(target === 'direct' ? [] : [target]));
  const probe = await startProbe(http);
  const listen = readListenCounters();
  const body = requestBody(true);
  const jobs: StreamJob[] = workers.map((_, i) => ({
    origin: http.origin,
    path: http.path,
    headers: http.headers,
    body,
    streams: Math.floor(streams / workers.length) + (i < streams % workers.length ? 1 : 0),
    durationMs: s.streamMs,
    drainMs: 15_000,
    expectedEvents: s.drip.events,
  }));
  const reports = await Promise.all(workers.map((w, i) => ask<StreamReport>(w.child, { type: 'run', ...jobs[i] })));
  const listenDrops = listenDropsSince(listen);
  const probed = await probe.stop();
  const serverStats = await rig.stats(server);
  const simStats: ChildStats = server === 'sim' ? serverStats : await rig.stats('sim');
  const all = merge(reports);
  const attempts = all.completed + all.failed.status + all.failed.truncated + all.failed.error;
  const pctOfCore = (micros: number): number => Math.round((micros / 1000 / all.wallMs) * 100);
  return {
    completed: all.completed,
    failed: all.failed,
    errorCodes: all.errorCodes,
    ttfbP50Ms: r2(pct(all.ttfbs, 50)),
    ttfbP99Ms: r2(pct(all.ttfbs, 99)),
    streamP50Ms: Math.round(pct(all.durations, 50)),
    probe: { p50Ms: r2(pct(probed.latencies, 50)), p99Ms: r2(pct(probed.latencies, 99)), samples: probed.latencies.length, errors: probed.errors, clientLoopDelayP99Ms: probed.loopDelayP99Ms },
    server: {
      cpuPctOfCore: pctOfCore(serverStats.cpuMicros),
      loopDelayP99Ms: serverStats.loopDelay.p99,
      peakRssMB: r2(serverStats.rss / 1024 / 1024),
      cpuUsPerStream: Math.round(serverStats.cpuMicros / Math.max(1, attempts)),
      cpuUsPerChunk: r2(serverStats.cpuMicros / Math.max(1, all.events)),
      memoryAtPeakMB: memoryBreakdownMB(serverStats.atPeak),
    },
    simCpuPctOfCore: pctOfCore(simStats.cpuMicros),
    client: {
      processes: workers.length,
      maxCpuPct: Math.max(...reports.map((r) => Math.round((r.cpuMicros / 1000 / r.wallMs) * 100))),
      maxLoopDelayP99Ms: all.loopDelayP99Ms,
    },
    events: all.events,
    listenDrops,
  };
}

/**
 * One short round per target before anything is measured: the clients' JIT, the proxies'
 * streaming paths and the simulator's drip timers are warm for whichever target goes first.
 */
export async function warmStreams(rig: Rig, workers: StreamWorker[], s: BenchSettings): Promise<void> {
  for (const t of ['direct', 'gateway', 'bare'] as const) await measureStreams(rig, workers, t, WARM_STREAMS, { ...s, streamMs: 100 });
}

const WARM_STREAMS = 32;

/** Means of several rounds' readings (counts summed per round, then averaged). */
function average(rs: StreamReading[]): StreamReading {
  if (rs.length === 1) return rs[0]!;
  const m = (f: (r: StreamReading) => number): number => r2(rs.reduce((n, r) => n + f(r), 0) / rs.length);
  const max = (f: (r: StreamReading) => number): number => Math.max(...rs.map(f));
  return {
    completed: Math.round(m((r) => r.completed)),
    failed: { status: Math.round(m((r) => r.failed.status)), truncated: Math.round(m((r) => r.failed.truncated)), error: Math.round(m((r) => r.failed.error)) },
    errorCodes: sumCodes(rs.map((r) => r.errorCodes)),
    ttfbP50Ms: m((r) => r.ttfbP50Ms),
    ttfbP99Ms: m((r) => r.ttfbP99Ms),
    streamP50Ms: Math.round(m((r) => r.streamP50Ms)),
    probe: {
      p50Ms: m((r) => r.probe.p50Ms),
      p99Ms: m((r) => r.probe.p99Ms),
      samples: Math.round(m((r) => r.probe.samples)),
      errors: Math.round(m((r) => r.probe.errors)),
      clientLoopDelayP99Ms: max((r) => r.probe.clientLoopDelayP99Ms),
    },
    server: {
      cpuPctOfCore: Math.round(m((r) => r.server.cpuPctOfCore)),
      loopDelayP99Ms: m((r) => r.server.loopDelayP99Ms),
      peakRssMB: max((r) => r.server.peakRssMB),
      cpuUsPerStream: Math.round(m((r) => r.server.cpuUsPerStream)),
      cpuUsPerChunk: m((r) => r.server.cpuUsPerChunk),
      // The breakdown of the round whose RSS peak is the one reported.
      memoryAtPeakMB: rs.reduce((a, b) => (b.server.peakRssMB > a.server.peakRssMB ? b : a)).server.memoryAtPeakMB,
    },
    simCpuPctOfCore: Math.round(m((r) => r.simCpuPctOfCore)),
    client: { processes: rs[0]!.client.processes, maxCpuPct: max((r) => r.client.maxCpuPct), maxLoopDelayP99Ms: max((r) => r.client.maxLoopDelayP99Ms) },
    events: Math.round(m((r) => r.events)),
    listenDrops: rs.some((r) => r.listenDrops === null) ? null : Math.round(m((r) => r.listenDrops ?? 0)),
  };
}

export async function runStreamsSeries(rig: Rig, s: BenchSettings, log: (line: string) => void): Promise<StreamLevel[]> {
  const workers = await startStreamWorkers(s.streamWorkers);
  await ask(rig.sim, { type: 'drip', drip: s.drip });
  const levels: StreamLevel[] = [];
  try {
    await warmStreams(rig, workers, s);
    for (const [li, streams] of s.streamLevels.entries()) {
      const got: Record<StreamTarget, StreamReading[]> = { direct: [], gateway: [], bare: [] };
      for (let round = 0; round < s.streamRounds; round++) {
        const order: StreamTarget[] = ['direct', 'gateway', 'bare'];
        for (let k = 0; k < (li + round) % order.length; k++) order.push(order.shift()!);
        for (const t of order) {
          const r = await measureStreams(rig, workers, t, streams, s);
          got[t].push(r);
          log(
            `streams ${streams} ${t}: ${r.completed} completed, ${r.failed.status + r.failed.truncated + r.failed.error} failed; TTFB p50 ${r.ttfbP50Ms} / p99 ${r.ttfbP99Ms} ms; probe p99 ${r.probe.p99Ms} ms; server CPU ${r.server.cpuPctOfCore} % (${r.server.cpuUsPerChunk} µs/chunk), loop p99 ${r.server.loopDelayP99Ms} ms, RSS ${r.server.peakRssMB} MB (${memoryText(r.server.memoryAtPeakMB)}); clients ≤ ${r.client.maxCpuPct} % of a core`,
          );
        }
      }
      const direct = average(got.direct);
      const gateway = average(got.gateway);
      const bare = average(got.bare);
      levels.push({
        streams,
        durationMs: s.streamMs,
        drip: s.drip,
        direct,
        gateway,
        bare,
        completedVsDirect: r2(gateway.completed / Math.max(1, direct.completed)),
        bareCompletedVsDirect: r2(bare.completed / Math.max(1, direct.completed)),
        addedTtfbP50Ms: r2(gateway.ttfbP50Ms - direct.ttfbP50Ms),
        addedTtfbP99Ms: r2(gateway.ttfbP99Ms - direct.ttfbP99Ms),
        bareAddedTtfbP50Ms: r2(bare.ttfbP50Ms - direct.ttfbP50Ms),
        bareAddedTtfbP99Ms: r2(bare.ttfbP99Ms - direct.ttfbP99Ms),
      });
    }
  } finally {
    await ask(rig.sim, { type: 'drip', drip: null });
    for (const w of workers) w.child.send({ type: 'stop' });
  }
  return levels;
}
