/**
 * The request load generator: `wrk` (C, epoll, one thread per core it may use), so the
 * generator is never what caps a row. Its own CPU time comes from the shell's `times` after it
 * exits (user + system of the finished child, exact, no sampling), so every row can show the
 * generator had CPU to spare.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface HttpTarget {
  name: string;
  origin: string;
  path: string;
  headers: Record<string, string>;
}

export interface WrkResult {
  /** Answers with a 2xx/3xx status. */
  ok: number;
  /** Non-2xx answers plus connect/read/write/timeout errors. */
  errors: number;
  elapsedMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** CPU time (user + system) wrk itself used. */
  cpuMicros: number;
}

export function haveWrk(): boolean {
  try {
    fs.accessSync('/usr/bin/wrk', fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A wrk Lua script that POSTs `body` with `headers` and prints the summary as one JSON line. */
function script(target: HttpTarget, body: string): string {
  // Long brackets: the body goes in verbatim (LuaJIT has no \u escapes).
  const fence = '='.repeat(4);
  const headers = Object.entries(target.headers)
    .map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = [${fence}[${v}]${fence}]`)
    .join('\n');
  return `wrk.method = "POST"
wrk.path = [${fence}[${target.path}]${fence}]
wrk.body = [${fence}[${body}]${fence}]
${headers}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
`;
}

/** `0m1.234s` → µs. */
function shellTime(text: string): number {
  const m = /(\d+)m([\d.]+)s/.exec(text);
  return m ? Math.round((Number(m[1]) * 60 + Number(m[2])) * 1e6) : 0;
}

/**
 * Runs wrk for `durationS` seconds at `connections` connections with `threads` threads, on
 * `cores` (taskset list) when given.
 */
export async function runWrk(target: HttpTarget, body: string, opts: { connections: number; threads: number; durationS: number; cores?: string | undefined }): Promise<WrkResult> {
  const file = path.join(os.tmpdir(), `rotary-bench-wrk-${process.pid}-${target.name}.lua`);
  fs.writeFileSync(file, script(target, body));
  const threads = Math.max(1, Math.min(opts.threads, opts.connections));
  const wrk = ['wrk', '-t', String(threads), '-c', String(opts.connections), '-d', `${opts.durationS}s`, '--timeout', '10s', '-s', file, target.origin];
  const cmd = [...(opts.cores ? ['taskset', '-c', opts.cores] : []), ...wrk].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  // `times` prints the shell's own times, then its finished children's: the second line is wrk's.
  const { stdout } = await run('bash', ['-c', `${cmd}; times`], { maxBuffer: 16 * 1024 * 1024 });
  fs.rmSync(file, { force: true });
  const line = stdout.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
  const s = JSON.parse(line.slice('WRKJSON '.length)) as Record<string, number>;
  const timeLines = stdout.trimEnd().split('\n').slice(-1)[0]!.trim().split(/\s+/);
  const cpuMicros = shellTime(timeLines[0] ?? '') + shellTime(timeLines[1] ?? '');
  const errors = s.status! + s.connect! + s.read! + s.write! + s.timeout!;
  return {
    ok: s.requests! - s.status!,
    errors,
    elapsedMs: s.duration! / 1000,
    p50Ms: s.p50! / 1000,
    p90Ms: s.p90! / 1000,
    p99Ms: s.p99! / 1000,
    cpuMicros,
  };
}
