/**
 * The bench's measuring tools (no timings asserted): the CPU-profile summary attributes self
 * time, leaves idle and the profiler's own frames out and maps bundle frames back to the
 * TypeScript source; wrk's summary and its own CPU time are read from a real wrk run against
 * the simulator; the settings reject bad knobs with a message that names them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeProfile } from '../../bench/cpu-profile.js';
import { readSettings } from '../../bench/settings.js';
import { haveWrk, runWrk } from '../../bench/wrk.js';
import { startSimulator, type Simulator } from '../sim/server.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rotary-bench-tools-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('CPU-profile summary', () => {
  it('sums self time per function across call paths, as a share of busy time, and maps bundles to their source', async () => {
    // A real bundle with an external source map, as the bench builds the gateway child.
    const src = path.join(dir, 'hot.ts');
    fs.writeFileSync(src, 'export function cold(): number {\n  return 1;\n}\n\nexport function hotLoop(n: number): number {\n  let s = 0;\n  for (let i = 0; i < n; i++) s += i;\n  return s;\n}\n');
    const out = path.join(dir, 'hot.mjs');
    await build({ entryPoints: [src], outfile: out, bundle: true, format: 'esm', platform: 'node', sourcemap: 'external', logLevel: 'error' });
    const lines = fs.readFileSync(out, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('function hotLoop'));
    const url = pathToFileURL(out).href;
    const frame = (id: number, functionName: string, frameUrl = '', lineNumber = -1, columnNumber = -1) => ({ id, callFrame: { functionName, url: frameUrl, lineNumber, columnNumber, scriptId: '0' } });
    const profile = {
      nodes: [
        frame(1, '(root)'),
        frame(2, '(idle)'),
        frame(3, 'hotLoop', url, line, lines[line]!.indexOf('function hotLoop')),
        // The same function reached by another call path: merged with node 3.
        frame(4, 'hotLoop', url, line, lines[line]!.indexOf('function hotLoop')),
        frame(5, 'writev'),
        frame(6, 'post', 'node:inspector', 114, 2),
        frame(7, 'emit', 'node:events', 488, 10),
        frame(8, 'parseHeaders', pathToFileURL('/x/node_modules/undici/lib/core/util.js').href, 435, 0),
      ],
      startTime: 0,
      endTime: 1_000_000,
      samples: [2, 3, 4, 5, 6, 7, 8, 3],
      timeDeltas: [500_000, 100_000, 100_000, 50_000, 900_000, 25_000, 25_000, 100_000],
    };
    const file = path.join(dir, 'p.cpuprofile');
    fs.writeFileSync(file, JSON.stringify(profile));
    const s = summarizeProfile(file, 3);
    // Busy = everything but (idle) and the profiler's own node:inspector frame: 300 + 50 + 25 + 25 ms.
    expect(s.busyMs).toBe(400);
    expect(s.top).toHaveLength(3);
    expect(s.top[0]).toMatchObject({ function: 'hotLoop', selfMs: 300, pctOfBusy: 75 });
    expect(s.top[0]!.location).toMatch(new RegExp(`${path.basename(dir)}/hot\\.ts:5$`));
    expect(s.top[1]).toMatchObject({ function: 'writev', location: '', pctOfBusy: 12.5 });
    expect(s.byOrigin).toMatchObject({ rotary: 75, native: 0, node: 6.3, dependencies: 6.3, other: 12.5 });
  });
});

describe('wrk runner', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });

  it.skipIf(!haveWrk())('reads the summary and wrk’s own CPU time from a real run against the simulator', async () => {
    const acc = sim.addAccount('anthropic');
    // Thousands of requests a second: an account that never fills its windows.
    acc.costPerRequest = 0;
    acc.weeklyCostPerRequest = 0;
    const target = {
      name: 'test',
      origin: sim.url,
      path: '/api.anthropic.com/v1/messages',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'oauth-2025-04-20', authorization: `Bearer ${acc.credentials().access}` },
    };
    const body = JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{ role: 'user', content: 'a "quoted" body with \\ and ]] in it' }] });
    const r = await runWrk(target, body, { connections: 2, threads: 1, durationS: 1 });
    expect(r.ok).toBeGreaterThan(0);
    expect(r.errors).toBe(0);
    expect(r.cpuMicros).toBeGreaterThan(0);
    expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
    // The body arrived byte for byte (Lua long brackets, no escaping).
    expect(sim.requests.find((q) => q.path === '/v1/messages')?.body).toBe(body);
    // A wrong key: every answer is a 401, counted as errors, not as served requests.
    const bad = await runWrk({ ...target, headers: { ...target.headers, authorization: 'Bearer nope' } }, body, { connections: 1, threads: 1, durationS: 1 });
    expect(bad.ok).toBe(0);
    expect(bad.errors).toBeGreaterThan(0);
  });
});

describe('bench settings', () => {
  it('has defaults, a quick mode, and names a bad knob', () => {
    const d = readSettings({});
    expect(d.series).toEqual(['requests', 'streams', 'failover', 'profile']);
    expect(d.streamLevels).toEqual([256, 1000]);
    expect(d.drip).toEqual({ events: 50, intervalMs: 40 });
    const q = readSettings({ ROTARY_BENCH_QUICK: '1', ROTARY_BENCH_SERIES: 'streams, failover' });
    expect(q.series).toEqual(['streams', 'failover']);
    expect(q.rounds).toBe(1);
    expect(() => readSettings({ ROTARY_BENCH_SERIES: 'streams,nope' })).toThrow(/unknown nope/);
    expect(() => readSettings({ ROTARY_BENCH_STREAMS: '256,lots' })).toThrow(/positive integers/);
    expect(() => readSettings({ ROTARY_BENCH_STREAM_MS: '-1' })).toThrow(/ROTARY_BENCH_STREAM_MS/);
    expect(() => readSettings({ ROTARY_BENCH_LAYOUTS: 'diagonal' })).toThrow(/ROTARY_BENCH_LAYOUTS/);
  });
});
