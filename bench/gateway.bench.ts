/**
 * `npm run bench`: the gateway against calling the simulator directly, side by side in one
 * run. For each case (non-streaming with a ~1 KB body, streaming) and concurrency (1, 16, 64,
 * 256) the two targets alternate in short rounds so drift on a noisy machine hits both alike.
 * Reports req/s, p50/p99 latency, added latency, throughput ratio, time to first byte and the
 * gateway's peak RSS (it runs in its own process, as does the simulator). Prints a table and
 * writes JSON under bench/results/.
 *
 * A third target, a bare pass-through proxy with none of Rotary's logic (bare-proxy-child.ts),
 * runs in the same rounds: on a small machine the load generator, the simulator and the proxy
 * share the cores, so any proxy costs throughput; the bare proxy shows that floor, and CPU time
 * per request (gateway vs bare) shows what Rotary's own work adds.
 *
 * Two layouts, both reported: `shared` (every process may run on every core) and, where
 * `taskset` exists and there are at least 2 cores, `pinned`: the load generator and the
 * simulator on core 0, the proxy under test on core 1. Pinned is closer to real use, where
 * the provider's servers are not on the user's machine: it shows what the gateway itself
 * costs rather than how the proxy and the simulator fight over 2 cores.
 *
 * A fourth target is the same gateway with its history off (`ROTARY_HISTORY=off`), in the same
 * alternating rounds: CPU time per request with recording against without (issue 15: ≤ 5 %
 * more), and how many history write transactions the recording gateway made per request (the
 * hot path makes none: the recorder batches them on a timer).
 *
 * Env: ROTARY_BENCH_ROUND_MS (default 2000), ROTARY_BENCH_ROUNDS (default 2 per target),
 * ROTARY_BENCH_LAYOUTS (default "shared,pinned").
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { Pool } from 'undici';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROUND_MS = Number(process.env.ROTARY_BENCH_ROUND_MS ?? 2000);
const ROUNDS = Number(process.env.ROTARY_BENCH_ROUNDS ?? 2);
const CONCURRENCY = [1, 16, 64, 256];
const MODES = ['non-streaming', 'streaming'] as const;
type Mode = (typeof MODES)[number];

interface Target {
  name: 'direct' | 'gateway' | 'bare' | 'gateway-no-history';
  origin: string;
  path: string;
  headers: Record<string, string>;
}

interface Sample {
  count: number;
  errors: number;
  elapsedMs: number;
  latencies: number[];
  ttfbs: number[];
}

/**
 * The children run as plain JS bundled with esbuild (dependencies external), as the shipped
 * CLI does: under tsx a loader thread would add its own memory to the gateway's RSS.
 */
async function bundle(script: string): Promise<string> {
  const outfile = path.join(here, '..', 'node_modules', '.cache', 'rotary-bench', script.replace(/\.ts$/, '.mjs'));
  await build({ entryPoints: [path.join(here, script)], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' });
  return outfile;
}

type Layout = 'shared' | 'pinned';

function canPin(): boolean {
  if (os.cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Set the cores a process (all its threads) may run on. */
function setCores(pid: number, cores: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { stdio: 'ignore' });
}

async function startChild(script: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; info: Record<string, unknown> }> {
  const child = fork(await bundle(script), [], { env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve({ child, info: JSON.parse(buf.slice(0, nl)) as Record<string, unknown> });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

function ask<T>(child: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(message);
  });
}

function body(stream: boolean): string {
  // ~1 KB request, like a short conversation turn.
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

async function runRound(target: Target, mode: Mode, concurrency: number, durationMs: number): Promise<Sample> {
  const pool = new Pool(target.origin, { connections: concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const payload = body(mode === 'streaming');
  const sample: Sample = { count: 0, errors: 0, elapsedMs: 0, latencies: [], ttfbs: [] };
  const start = performance.now();
  const end = start + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        const res = await pool.request({ path: target.path, method: 'POST', headers: target.headers, body: payload });
        let first = 0;
        for await (const _chunk of res.body) if (!first) first = performance.now();
        const t1 = performance.now();
        if (res.statusCode !== 200) {
          sample.errors++;
          continue;
        }
        sample.count++;
        sample.latencies.push(t1 - t0);
        sample.ttfbs.push((first || t1) - t0);
      } catch {
        sample.errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  sample.elapsedMs = performance.now() - start;
  await pool.close();
  return sample;
}

function merge(samples: Sample[]): Sample {
  return samples.reduce(
    (a, b) => ({
      count: a.count + b.count,
      errors: a.errors + b.errors,
      elapsedMs: a.elapsedMs + b.elapsedMs,
      latencies: a.latencies.concat(b.latencies),
      ttfbs: a.ttfbs.concat(b.ttfbs),
    }),
    { count: 0, errors: 0, elapsedMs: 0, latencies: [], ttfbs: [] },
  );
}

function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const r2 = (n: number): number => Math.round(n * 100) / 100;

interface Row {
  layout: Layout;
  mode: Mode;
  concurrency: number;
  direct: { rps: number; p50: number; p99: number; ttfbP50: number; errors: number };
  gateway: { rps: number; p50: number; p99: number; ttfbP50: number; errors: number };
  bare: { rps: number; p50: number; p99: number; ttfbP50: number; errors: number };
  /** Gateway throughput relative to the bare proxy. */
  vsBareRatio: number;
  /** CPU time per request (user + system) of each proxy process. */
  gatewayCpuUsPerReq: number;
  bareCpuUsPerReq: number;
  /** The same gateway with the history off: its throughput and CPU per request. */
  noHistory: { rps: number; p50: number; p99: number; ttfbP50: number; errors: number };
  noHistoryCpuUsPerReq: number;
  /** CPU per request with recording / without (1.03 = 3 % more). */
  recordingCpuRatio: number;
  /** History write transactions per request served by the recording gateway. */
  historyWritesPerReq: number;
  addedP50Ms: number;
  addedP99Ms: number;
  addedTtfbP50Ms: number;
  throughputRatio: number;
  gatewayPeakRssMB: number;
}

function summarize(s: Sample): Row['direct'] {
  return { rps: r2(s.count / (s.elapsedMs / 1000)), p50: r2(pct(s.latencies, 50)), p99: r2(pct(s.latencies, 99)), ttfbP50: r2(pct(s.ttfbs, 50)), errors: s.errors };
}

async function main(): Promise<void> {
  const baseEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), NODE_ENV: 'production' };
  const sim = await startChild('sim-child.ts', baseEnv);
  const setup = sim.info as { url: string; accounts: Array<{ access: string }> };
  const gw = await startChild('gateway-child.ts', { ...baseEnv, ROTARY_BENCH_SETUP: JSON.stringify(setup) });
  const gwInfo = gw.info as { url: string; key: string };
  const bare = await startChild('bare-proxy-child.ts', { ...baseEnv, ROTARY_BENCH_SETUP: JSON.stringify(setup) });
  const bareInfo = bare.info as { url: string };
  const quiet = await startChild('gateway-child.ts', { ...baseEnv, ROTARY_BENCH_SETUP: JSON.stringify(setup), ROTARY_HISTORY: 'off' });
  const quietInfo = quiet.info as { url: string; key: string };

  const simURL = new URL(setup.url);
  const common = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };
  const direct: Target = {
    name: 'direct',
    origin: simURL.origin,
    path: '/api.anthropic.com/v1/messages',
    headers: { ...common, authorization: `Bearer ${setup.accounts[0]!.access}`, 'anthropic-beta': 'oauth-2025-04-20' },
  };
  const gateway: Target = { name: 'gateway', origin: new URL(gwInfo.url).origin, path: '/anthropic/v1/messages', headers: { ...common, 'x-api-key': gwInfo.key } };
  const bareProxy: Target = { name: 'bare', origin: new URL(bareInfo.url).origin, path: '/anthropic/v1/messages', headers: { ...common, 'x-api-key': 'unused' } };
  const noHistory: Target = { name: 'gateway-no-history', origin: new URL(quietInfo.url).origin, path: '/anthropic/v1/messages', headers: { ...common, 'x-api-key': quietInfo.key } };

  const allCores = `0-${os.cpus().length - 1}`;
  const applyLayout = (layout: Layout): void => {
    if (!pinning) return;
    const loadSide = layout === 'pinned' ? '0' : allCores;
    const proxySide = layout === 'pinned' ? '1' : allCores;
    setCores(process.pid, loadSide);
    setCores(sim.child.pid!, loadSide);
    setCores(gw.child.pid!, proxySide);
    setCores(bare.child.pid!, proxySide);
    setCores(quiet.child.pid!, proxySide);
  };
  const pinning = canPin();
  const wanted = (process.env.ROTARY_BENCH_LAYOUTS ?? 'shared,pinned').split(',').map((x) => x.trim()) as Layout[];
  const layouts = wanted.filter((l) => l === 'shared' || (l === 'pinned' && pinning));

  const rows: Row[] = [];
  const startedAt = new Date();
  for (const layout of layouts) {
  applyLayout(layout);
  for (const mode of MODES) {
    for (const c of CONCURRENCY) {
      // Warm every path (connections, JIT) before measuring.
      for (const t of [direct, gateway, bareProxy, noHistory]) await runRound(t, mode, c, 300);
      gw.child.send('stats-reset');
      bare.child.send('stats-reset');
      quiet.child.send('stats-reset');
      const d: Sample[] = [];
      const g: Sample[] = [];
      const b: Sample[] = [];
      const q: Sample[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // Rotate which goes first so none always gets the warmer machine; the two gateways run back to back.
        const order: Array<[Target, Sample[]]> = [[direct, d], [gateway, g], [noHistory, q], [bareProxy, b]];
        for (let k = 0; k < round % 4; k++) order.push(order.shift()!);
        for (const [t, into] of order) into.push(await runRound(t, mode, c, ROUND_MS));
      }
      const gwStats = await ask<{ rss: number; cpuMicros: number; historyWrites?: number }>(gw.child, 'stats-get');
      const bareStats = await ask<{ rss: number; cpuMicros: number }>(bare.child, 'stats-get');
      const quietStats = await ask<{ rss: number; cpuMicros: number }>(quiet.child, 'stats-get');
      const rss = gwStats.rss;
      const ds = summarize(merge(d));
      const gs = summarize(merge(g));
      const bs = summarize(merge(b));
      const gAll = merge(g);
      const bAll = merge(b);
      const qAll = merge(q);
      const gatewayCpu = gwStats.cpuMicros / Math.max(1, gAll.count + gAll.errors);
      const quietCpu = quietStats.cpuMicros / Math.max(1, qAll.count + qAll.errors);
      const row: Row = {
        layout,
        mode,
        concurrency: c,
        direct: ds,
        gateway: gs,
        bare: bs,
        vsBareRatio: r2(gs.rps / bs.rps),
        // Warm-up requests are outside the stats window; errors still cost CPU, so count them.
        gatewayCpuUsPerReq: Math.round(gatewayCpu),
        bareCpuUsPerReq: Math.round(bareStats.cpuMicros / Math.max(1, bAll.count + bAll.errors)),
        noHistory: summarize(qAll),
        noHistoryCpuUsPerReq: Math.round(quietCpu),
        recordingCpuRatio: Math.round((gatewayCpu / quietCpu) * 1000) / 1000,
        historyWritesPerReq: Math.round(((gwStats.historyWrites ?? 0) / Math.max(1, gAll.count + gAll.errors)) * 10_000) / 10_000,
        addedP50Ms: r2(gs.p50 - ds.p50),
        addedP99Ms: r2(gs.p99 - ds.p99),
        addedTtfbP50Ms: r2(gs.ttfbP50 - ds.ttfbP50),
        throughputRatio: r2(gs.rps / ds.rps),
        gatewayPeakRssMB: r2(rss / 1024 / 1024),
      };
      rows.push(row);
      process.stderr.write(
        `${layout} ${mode} c=${c}: direct ${ds.rps} req/s, gateway ${gs.rps} req/s (${Math.round(row.throughputRatio * 100)} %; bare proxy ${bs.rps}), +${row.addedP50Ms} ms p50, CPU ${row.gatewayCpuUsPerReq} vs ${row.bareCpuUsPerReq} µs/req; history off ${row.noHistoryCpuUsPerReq} µs/req (recording ×${row.recordingCpuRatio}, ${row.historyWritesPerReq} writes/req)\n`,
      );
    }
  }

  }

  gw.child.send('stop');
  bare.child.send('stop');
  quiet.child.send('stop');
  sim.child.send('stop');

  const header =
    '| cores | case | c | direct req/s | gateway req/s | ratio | bare proxy req/s | gw / bare | direct p50/p99 ms | gateway p50/p99 ms | added p50/p99 ms | TTFB p50 direct/gw ms | added TTFB ms | CPU µs/req gw / bare | gateway peak RSS MB |';
  const sep = '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map(
    (r) =>
      `| ${r.layout} | ${r.mode} | ${r.concurrency} | ${r.direct.rps} | ${r.gateway.rps} | ${Math.round(r.throughputRatio * 100)} % | ${r.bare.rps} | ${Math.round(r.vsBareRatio * 100)} % | ${r.direct.p50} / ${r.direct.p99} | ${r.gateway.p50} / ${r.gateway.p99} | ${r.addedP50Ms} / ${r.addedP99Ms} | ${r.direct.ttfbP50} / ${r.gateway.ttfbP50} | ${r.addedTtfbP50Ms} | ${r.gatewayCpuUsPerReq} / ${r.bareCpuUsPerReq} | ${r.gatewayPeakRssMB} |`,
  );
  // Recording (history on) against the same gateway with the history off, in the same alternating rounds.
  const historyHeader = '| cores | case | c | gateway req/s history on / off | CPU µs/req history on / off | CPU ratio on / off | history writes per request |';
  const historySep = '|---|---|---:|---:|---:|---:|---:|';
  const historyLines = rows.map(
    (r) =>
      `| ${r.layout} | ${r.mode} | ${r.concurrency} | ${r.gateway.rps} / ${r.noHistory.rps} | ${r.gatewayCpuUsPerReq} / ${r.noHistoryCpuUsPerReq} | ${r.recordingCpuRatio.toFixed(3)} | ${r.historyWritesPerReq} |`,
  );
  // One figure for all rows: the geometric mean of the per-row ratios (each row weighs the same, noise averages out).
  const overallRatio = Math.round(Math.exp(rows.reduce((s, r) => s + Math.log(r.recordingCpuRatio), 0) / Math.max(1, rows.length)) * 1000) / 1000;
  const maxWrites = Math.max(0, ...rows.map((r) => r.historyWritesPerReq));
  const summary = `Recording (history on / off): CPU per request ×${overallRatio.toFixed(3)} (geometric mean over ${rows.length} rows); at most ${maxWrites} history write transactions per request.`;
  const table = [header, sep, ...lines, '', historyHeader, historySep, ...historyLines, '', summary].join('\n');
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${os.platform()}`;
  process.stdout.write(`\nRotary gateway bench — ${startedAt.toISOString()} — ${machine}\nRounds: ${ROUNDS} × ${ROUND_MS} ms per target, alternating.\n\n${table}\n`);

  const errors = rows.reduce((n, r) => n + r.direct.errors + r.gateway.errors + r.bare.errors + r.noHistory.errors, 0);
  if (errors) process.stdout.write(`\n${errors} requests failed (counted as errors, excluded from latency).\n`);
  const out = { startedAt: startedAt.toISOString(), machine, roundMs: ROUND_MS, rounds: ROUNDS, rows, recordingCpuRatio: overallRatio, table };
  const dir = path.join(here, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `gateway-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'gateway-latest.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`\nWrote ${path.relative(process.cwd(), file)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
