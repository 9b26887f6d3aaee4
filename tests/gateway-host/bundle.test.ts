/**
 * The gateway process as the desktop app ships it: scripts/build-electron.mjs bundles
 * electron/gateway-process.ts to gateway-process.cjs next to main.cjs (which names that file),
 * and that bundle starts and serves. Electron's utilityProcess cannot run here, so plain Node
 * runs the bundle (it needs nothing from Electron: `process.parentPort` is the only difference,
 * and without it the child uses Node's IPC channel).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startRuntime } from '../../electron/core/runtime.js';
import { nodeFork } from '../../electron/core/gateway-host/node-fork.js';
import { makeTempHome } from '../helpers/temp-home.js';
import { startSimulator } from '../sim/server.js';
import { anthropicRequest, ROOT } from './harness.js';

// Under dist/ so the bundle finds keytar (external) in the package's node_modules, as in the app.
const OUT = path.join(ROOT, 'dist', `test-gateway-bundle-${process.pid}`);
afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));

it('the bundled gateway-process.cjs that main.cjs starts runs and serves', async () => {
  execFileSync(process.execPath, ['scripts/build-electron.mjs'], { cwd: ROOT, env: { ...process.env, ROTARY_ELECTRON_OUT: OUT }, stdio: 'pipe' });
  const entry = path.join(OUT, 'gateway-process.cjs');
  expect(fs.existsSync(entry)).toBe(true);
  expect(fs.readFileSync(path.join(OUT, 'main.cjs'), 'utf8')).toContain('"gateway-process.cjs"');

  const sim = await startSimulator();
  const { home, cleanup } = makeTempHome('rotary-gwbundle-');
  const key = 'rotary-test-bundle-key-0123456789';
  const output: string[] = [];
  const runtime = await startRuntime({
    env: { ROTARY_HOME: home, ROTARY_UPSTREAM: sim.url, ROTARY_SECRET_BACKEND: 'file', ROTARY_GATEWAY_KEY: key, PATH: process.env.PATH },
    home,
    warn: () => undefined,
    watch: true,
    service: { shell: 'electron', version: 't' },
    gatewayProcess: { fork: nodeFork({ entry, output: (line) => output.push(line) }), port: 0 },
  });
  try {
    const state = runtime.gatewayHost!.state();
    expect(state.state, output.join('\n')).toBe('running');
    const c = sim.addAccount('anthropic').credentials();
    const record = await runtime.pool.add({ providerID: 'anthropic', accountId: c.accountId, secret: { access: c.access, refresh: c.refresh!, expires: c.expires! } });
    const url = (state as { url: string }).url;
    while (!(await (await fetch(`${url}/auth/accounts`, { headers: { 'x-api-key': key } })).text()).includes(record.id)) await new Promise((r) => setTimeout(r, 20));
    const res = await anthropicRequest(url, key);
    expect(res.status).toBe(200);
    await res.text();
  } finally {
    await runtime.close();
    await sim.close();
    cleanup();
  }
}, 90_000);
