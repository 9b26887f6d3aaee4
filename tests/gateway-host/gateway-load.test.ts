/**
 * The app's process stays responsive while the gateway process is under load: 200 concurrent
 * streaming requests (806 SSE events each) through the gateway child, with the simulator and
 * the load generator in processes of their own, so what is measured here is only what the
 * app's process does meanwhile (events and queries from the child, store reloads).
 *
 * Two readings of this process during the load: the event-loop delay p99
 * (`monitorEventLoopDelay`; the window's IPC and the tray wait that long) and the CPU time per
 * streamed event (it must not grow with the chunks: they never pass through here). The bounds
 * are generous on purpose (a noisy 2-core machine). Run with the gateway in this process — the
 * arrangement before issue 16: `ROTARY_TEST_GATEWAY_IN_PROCESS=1` — the CPU bound fails every
 * time (5.8–7.2 µs per event against 0.6 µs in a child, 1.4 µs while the whole suite runs
 * beside it); the delay bound only sometimes (p99 80–290 ms in process against 16–33 ms in a
 * child, 98 ms beside the whole suite), so the CPU reading is the one that separates the two
 * arrangements.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../electron/core/runtime.js';
import { makeTempHome } from '../helpers/temp-home.js';
import { ROOT, startHosted, startSimProcess, type SimProcess } from './harness.js';

const STREAMS = 200;
const WORDS = 800;
/** message_start, content_block_start, ping, one delta per word, content_block_stop, message_delta, message_stop. */
const EVENTS_PER_STREAM = WORDS + 6;
const IN_PROCESS = process.env.ROTARY_TEST_GATEWAY_IN_PROCESS === '1';
const KEY = 'rotary-test-load-key-0123456789abcdef';

let sim: SimProcess;
let runtime: Runtime;
let url: string;
let cleanup: () => void;

beforeAll(async () => {
  sim = await startSimProcess('anthropic:4');
  const replyText = Array.from({ length: WORDS }, (_, i) => `w${i}`).join(' ');
  for (const a of sim.accounts) await sim.patch(a.id, { replyText, costPerRequest: 0, weeklyCostPerRequest: 0 });
  const temp = makeTempHome('rotary-gwload-');
  cleanup = temp.cleanup;
  const env = { ROTARY_HOME: temp.home, ROTARY_UPSTREAM: sim.url, ROTARY_SECRET_BACKEND: 'file', ROTARY_GATEWAY_KEY: KEY, PATH: process.env.PATH };
  if (IN_PROCESS) {
    runtime = await startRuntime({ env, home: temp.home, warn: () => undefined, watch: true, service: { shell: 'electron', version: 't' }, gateway: { port: 0 } });
    url = runtime.gateway!.url;
  } else {
    const hosted = await startHosted({ env, home: temp.home });
    runtime = hosted.runtime;
    url = (hosted.host.state() as { url: string }).url;
  }
  for (const a of sim.accounts) {
    const c = a.credentials;
    await runtime.pool.add({ providerID: 'anthropic', accountId: c.accountId, secret: { access: c.access, refresh: c.refresh!, expires: c.expires! } });
  }
  // The gateway process reads the accounts from the store file.
  for (;;) {
    const text = await (await fetch(`${url}/auth/accounts`, { headers: { 'x-api-key': KEY } })).text();
    if ((text.match(/"label"/g) ?? []).length === sim.accounts.length) break;
    await new Promise((r) => setTimeout(r, 20));
  }
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await sim?.close();
  cleanup?.();
});

function runLoad(): Promise<{ completed: number; failed: number; events: number; firstFailure?: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests/gateway-host/fixtures/stream-load.ts'), url, String(STREAMS)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ROTARY_TEST_GATEWAY_KEY: KEY },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as never) : reject(new Error(`the load generator exited ${code}: ${out}`))));
  });
}

it(`this process stays responsive while ${STREAMS} streams go through the gateway ${IN_PROCESS ? 'in this process (old arrangement)' : 'process'}`, async () => {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const cpuBefore = process.cpuUsage();
  delay.enable();
  const load = await runLoad();
  delay.disable();
  const cpu = process.cpuUsage(cpuBefore);
  const cpuUsPerEvent = (cpu.user + cpu.system) / load.events;
  const p99Ms = delay.percentile(99) / 1e6;
  console.log(`gateway ${IN_PROCESS ? 'in process' : 'in a child'}: ${load.completed}/${STREAMS} streams, ${load.events} events; this process: event-loop delay p99 ${p99Ms.toFixed(1)} ms, CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms = ${cpuUsPerEvent.toFixed(2)} µs per event`);

  expect(load, load.firstFailure).toMatchObject({ completed: STREAMS, failed: 0, events: STREAMS * EVENTS_PER_STREAM });
  expect(p99Ms).toBeLessThan(200);
  expect(cpuUsPerEvent).toBeLessThan(3);
}, 120_000);
