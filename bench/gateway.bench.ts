/**
 * `npm run bench`: the gateway measured beside calling the simulator directly and beside a bare
 * Node pass-through proxy (bare-proxy-child.ts, the floor any Node proxy costs), each process
 * on its own, in one run. Series (README "Benchmark"):
 *
 * - requests: ~1 KB non-streaming and short-streaming requests at c = 1…256, driven by `wrk`
 *   (never the bottleneck: its own CPU is in every row), direct / gateway / gateway with the
 *   history off / bare alternating in short rounds, `shared` and `pinned` core layouts;
 * - streams: 256 and 1000 concurrent real-length streams (drip mode: 50 events 40 ms apart)
 *   held for a fixed time: completed/failed, added TTFB, a c=1 probe, event-loop delay, CPU per
 *   stream and per chunk, peak RSS; the stream clients are processes of their own;
 * - failover: the same request with and without one 429 first, against one upstream round trip;
 * - profile: the gateway's CPU profile under c=64 and under 256 streams, top self-time functions.
 *
 * Prints the tables and every reading against its target, and writes bench/results/
 * gateway-<time>.json and, for a complete run (all series, not quick), gateway-latest.json. Knobs: bench/settings.ts (ROTARY_BENCH_SERIES,
 * ROTARY_BENCH_QUICK=1 for a smoke run, …).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFailoverSeries } from './failover-series.js';
import { runProfileSeries } from './profile-series.js';
import { recordingRatio, renderReport, targetChecks, type Results } from './report.js';
import { runRequestsSeries } from './requests-series.js';
import { startRig } from './rig.js';
import { readSettings, SERIES } from './settings.js';
import { runStreamsSeries } from './streams-series.js';
import { haveWrk } from './wrk.js';

const here = path.dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const settings = readSettings();
  if (!haveWrk() && (settings.series.includes('requests') || settings.series.includes('profile'))) {
    throw new Error('wrk is needed for the requests and profile series: apt-get install wrk (or ROTARY_BENCH_SERIES=streams,failover)');
  }
  const startedAt = new Date();
  const t0 = Date.now();
  const log = (line: string): void => void process.stderr.write(`[${Math.round((Date.now() - t0) / 1000)} s] ${line}\n`);
  const rig = await startRig();
  const results: Results = {};
  try {
    if (settings.series.includes('requests')) results.requests = await runRequestsSeries(rig, settings, log);
    if (settings.series.includes('streams')) results.streams = await runStreamsSeries(rig, settings, log);
    if (settings.series.includes('failover')) results.failover = await runFailoverSeries(rig, settings, log);
    if (settings.series.includes('profile')) results.profile = await runProfileSeries(rig, settings, log);
  } finally {
    rig.stop();
  }

  const checks = targetChecks(results);
  const table = renderReport(results, checks);
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${os.platform()}`;
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const tookS = Math.round((Date.now() - t0) / 1000);
  const mode = settings.quick ? 'QUICK smoke run (short rounds: figures are indicative only)' : `requests: ${settings.rounds} × ${settings.roundS} s per target, alternating`;
  process.stdout.write(`\nRotary gateway bench — ${startedAt.toISOString()} — ${machine} — load average ${load} — ${tookS} s\n${mode}; series: ${settings.series.join(', ')}\n\n${table}\n`);
  const missed = checks.filter((c) => !c.met);
  process.stdout.write(`\n${checks.length - missed.length} of ${checks.length} targets met${missed.length ? `; missed: ${missed.map((c) => c.name).join('; ')}` : ''}.\n`);

  const out = {
    startedAt: startedAt.toISOString(),
    machine,
    loadAverage: os.loadavg(),
    durationS: tookS,
    settings,
    // Kept at the top level as before issue 16, for readers of the earlier layout.
    roundMs: settings.roundS * 1000,
    rounds: settings.rounds,
    rows: results.requests ?? [],
    recordingCpuRatio: results.requests?.length ? recordingRatio(results.requests) : null,
    series: results,
    targets: checks,
    table,
  };
  const dir = path.join(here, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `gateway-${startedAt.toISOString().replace(/[:.]/g, '-')}${settings.quick ? '-quick' : ''}.json`);
  fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  // A smoke run or a partial one does not replace the committed latest full results.
  const complete = !settings.quick && settings.series.length === SERIES.length;
  if (complete) fs.writeFileSync(path.join(dir, 'gateway-latest.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`\nWrote ${path.relative(process.cwd(), file)}${complete ? ' and bench/results/gateway-latest.json' : ' (gateway-latest.json is written by complete runs only)'}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
