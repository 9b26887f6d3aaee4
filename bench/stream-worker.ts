/**
 * Bench helper: one process of the long-stream client. Holds `streams` concurrent SSE
 * streams against one target; each slot opens a stream, reads it to the end, and opens the
 * next until the deadline (streams under way then may finish, up to `drainMs`). A stream counts
 * as completed when it answered 200 and delivered exactly `expectedEvents` events ending with
 * `message_stop`. Reports its own CPU time and event-loop delay, so the results show the client
 * had headroom (a busy client would inflate every TTFB it measures).
 *
 * IPC: receives `{type: 'run', ...StreamJob}`, answers one `StreamReport`, then waits for more.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface StreamJob {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  streams: number;
  durationMs: number;
  drainMs: number;
  expectedEvents: number;
}

export interface StreamReport {
  completed: number;
  failed: { status: number; truncated: number; error: number };
  /** Failed streams by error code (`UND_ERR_CONNECT_TIMEOUT`, `ECONNRESET`, `aborted at the end`…). */
  errorCodes: Record<string, number>;
  /** Time to the first body byte of each completed stream, ms. */
  ttfbs: number[];
  /** Wall time of each completed stream, ms. */
  durations: number[];
  /** SSE events received, completed or not (what the proxy forwarded). */
  events: number;
  cpuMicros: number;
  wallMs: number;
  loopDelayP99Ms: number;
}

const NL = 0x0a;

/** `\n\n` separators in `chunk`; `prevNl` says whether the previous chunk ended with `\n`. */
function countEvents(chunk: Buffer, prevNl: boolean): number {
  let n = prevNl && chunk[0] === NL ? 1 : 0;
  let i = chunk.indexOf(NL);
  while (i >= 0 && i < chunk.length - 1) {
    if (chunk[i + 1] === NL) {
      n++;
      i = chunk.indexOf(NL, i + 2);
    } else i = chunk.indexOf(NL, i + 1);
  }
  return n;
}

async function runJob(job: StreamJob): Promise<StreamReport> {
  const pool = new Pool(job.origin, { connections: job.streams, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const report: StreamReport = { completed: 0, failed: { status: 0, truncated: 0, error: 0 }, errorCodes: {}, ttfbs: [], durations: [], events: 0, cpuMicros: 0, wallMs: 0, loopDelayP99Ms: 0 };
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const deadline = start + job.durationMs;
  const cut = new AbortController();
  const cutTimer = setTimeout(() => cut.abort(), job.durationMs + job.drainMs);

  const slot = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      let events = 0;
      try {
        const res = await pool.request({ path: job.path, method: 'POST', headers: job.headers, body: job.body, signal: cut.signal });
        let first = 0;
        let prevNl = false;
        let tail = '';
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          if (!first) first = performance.now();
          events += countEvents(chunk, prevNl);
          prevNl = chunk[chunk.length - 1] === NL;
          tail = chunk.length >= 64 ? chunk.toString('latin1', chunk.length - 64) : (tail + chunk.toString('latin1')).slice(-64);
        }
        report.events += events;
        if (res.statusCode !== 200) report.failed.status++;
        else if (events !== job.expectedEvents || !tail.includes('message_stop')) report.failed.truncated++;
        else {
          report.completed++;
          report.ttfbs.push(first - t0);
          report.durations.push(performance.now() - t0);
        }
      } catch (error) {
        report.events += events;
        report.failed.error++;
        const code = cut.signal.aborted ? 'cut at the end' : String((error as { code?: unknown }).code ?? (error as Error).name ?? 'error');
        report.errorCodes[code] = (report.errorCodes[code] ?? 0) + 1;
        if (cut.signal.aborted) return;
        // A refused or reset connection: do not spin on it.
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  await Promise.all(Array.from({ length: job.streams }, slot));
  clearTimeout(cutTimer);
  report.wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  report.cpuMicros = cpu.user + cpu.system;
  report.loopDelayP99Ms = Math.round((loop.percentile(99) / 1e6) * 100) / 100;
  loop.disable();
  await pool.close().catch(() => undefined);
  return report;
}

process.on('message', (m: unknown) => {
  const msg = m as { type?: string } & StreamJob;
  if (msg.type === 'run') void runJob(msg).then((r) => process.send?.(r));
  else if (msg.type === 'stop') process.exit(0);
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
