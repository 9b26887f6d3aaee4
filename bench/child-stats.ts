/**
 * Bench helper used by the measured child processes. Answers IPC:
 * - `stats-reset` / `stats-get`: `{rss, cpuMicros, loopDelay, atPeak}` — peak RSS, CPU time
 *   (user + system), the event-loop delay (`perf_hooks.monitorEventLoopDelay`, ms) since the
 *   reset and what the memory consisted of at the RSS peak (`process.memoryUsage()` of that
 *   sample: V8 heap, external/ArrayBuffer memory), plus whatever counters `extra` reports
 *   (counted from the reset too);
 * - `{type: 'profile-start'}` / `{type: 'profile-stop', file}`: the V8 CPU profiler through the
 *   inspector, so a profile covers exactly the load window (not start-up); the `.cpuprofile` is
 *   written to `file` and the answer is `{file}`.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** `process.memoryUsage()` at the RSS peak, bytes. */
export interface MemoryAtPeak {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  /** C++ objects bound to JS and ArrayBuffers (socket and body buffers); includes `arrayBuffers`. */
  external: number;
  arrayBuffers: number;
}

export interface ChildStats {
  rss: number;
  cpuMicros: number;
  loopDelay: LoopDelay;
  atPeak: MemoryAtPeak;
  [counter: string]: number | LoopDelay | MemoryAtPeak;
}

/** Sampling interval of the CPU profiler (µs): finer than V8's 1 ms default, cheap enough under load. */
const PROFILE_INTERVAL_US = 250;

export function serveStats(extra: () => Record<string, number> = () => ({})): void {
  let extraStart = extra();
  let atPeak: MemoryAtPeak = process.memoryUsage();
  let peak = atPeak.rss;
  let cpuStart = process.cpuUsage();
  // 10 ms resolution: a probe timer that costs nothing next to the load, fine enough for a p99.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let session: Session | undefined;
  // Every 100 ms: fine enough for a peak over multi-second rounds, cheap inside the measured process.
  // The full breakdown (a few µs) only when the cheap RSS read says this is a new peak.
  const sample = (): void => {
    const rss = process.memoryUsage.rss();
    if (rss <= peak) return;
    peak = rss;
    atPeak = process.memoryUsage();
  };
  setInterval(sample, 100).unref();
  const ms = (ns: number): number => Math.round((ns / 1e6) * 100) / 100;
  process.on('message', (m: unknown) => {
    if (m === 'stats-reset') {
      atPeak = process.memoryUsage();
      peak = atPeak.rss;
      cpuStart = process.cpuUsage();
      extraStart = extra();
      loop.reset();
    } else if (m === 'stats-get') {
      const cpu = process.cpuUsage(cpuStart);
      const counters = Object.fromEntries(Object.entries(extra()).map(([k, v]) => [k, v - (extraStart[k] ?? 0)]));
      const loopDelay: LoopDelay = { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max), mean: ms(loop.mean) };
      sample();
      const stats: ChildStats = { rss: peak, cpuMicros: cpu.user + cpu.system, loopDelay, atPeak, ...counters };
      process.send?.(stats);
    } else if (isCommand(m, 'profile-start')) {
      void (async () => {
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: PROFILE_INTERVAL_US });
        await session.post('Profiler.start');
        process.send?.({ ok: true });
      })();
    } else if (isCommand(m, 'profile-stop') && session) {
      const s = session;
      session = undefined;
      void (async () => {
        const { profile } = await s.post('Profiler.stop');
        s.disconnect();
        fs.writeFileSync(String((m as { file: string }).file), JSON.stringify(profile));
        process.send?.({ file: (m as { file: string }).file });
      })();
    }
  });
}

function isCommand(m: unknown, type: string): boolean {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type;
}
