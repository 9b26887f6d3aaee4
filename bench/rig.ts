/**
 * The processes under test and how to reach them: the simulator, the gateway (started through
 * startRuntime, as `rotary gateway` does: gateway-child.ts), the same gateway with its history
 * off, and the bare pass-through proxy; the four HTTP targets; and the core layouts.
 *
 * Layouts: `shared` (every process may run on every core) and, where `taskset` exists and there
 * are at least 2 cores, `pinned`: the load generator and the simulator on core 0, the proxies
 * on core 1 — closer to real use, where the provider's servers are not on the user's machine.
 */
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { GATEWAY_NODE_FLAGS } from '../electron/core/gateway/node-flags.js';
import { ALL_CORES, ask, canPin, setCores, startChild } from './children.js';
import type { ChildStats } from './child-stats.js';
import type { HttpTarget } from './wrk.js';

export type Layout = 'shared' | 'pinned';
export type TargetName = 'direct' | 'gateway' | 'gateway-no-history' | 'bare';

export interface Rig {
  sim: ChildProcess;
  /** The proxy process behind each target (none for direct). */
  proxies: Record<Exclude<TargetName, 'direct'>, ChildProcess>;
  targets: Record<TargetName, HttpTarget>;
  pinning: boolean;
  /** Cores the load generator may use in the current layout (a taskset list) and how many. */
  loadCores: { list: string | undefined; count: number };
  applyLayout(layout: Layout): void;
  stats(name: Exclude<TargetName, 'direct'> | 'sim'): Promise<ChildStats>;
  resetStats(...names: Array<Exclude<TargetName, 'direct'> | 'sim'>): void;
  stop(): void;
}

export async function startRig(): Promise<Rig> {
  const baseEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), NODE_ENV: 'production' };
  const sim = await startChild('sim-child.ts', baseEnv);
  const setup = sim.info as { url: string; accounts: Array<{ access: string }> };
  const childEnv = { ...baseEnv, ROTARY_BENCH_SETUP: JSON.stringify(setup) };
  const [gw, quiet, bare] = await Promise.all([
    startChild('gateway-child.ts', childEnv, GATEWAY_NODE_FLAGS),
    startChild('gateway-child.ts', { ...childEnv, ROTARY_HISTORY: 'off' }, GATEWAY_NODE_FLAGS),
    startChild('bare-proxy-child.ts', childEnv),
  ]);
  const gwInfo = gw.info as { url: string; key: string };
  const quietInfo = quiet.info as { url: string; key: string };
  const simURL = new URL(setup.url);
  const common = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };
  const targets: Rig['targets'] = {
    direct: {
      name: 'direct',
      origin: simURL.origin,
      path: '/api.anthropic.com/v1/messages',
      headers: { ...common, authorization: `Bearer ${setup.accounts[0]!.access}`, 'anthropic-beta': 'oauth-2025-04-20' },
    },
    gateway: { name: 'gateway', origin: new URL(gwInfo.url).origin, path: '/anthropic/v1/messages', headers: { ...common, 'x-api-key': gwInfo.key } },
    'gateway-no-history': { name: 'gateway-no-history', origin: new URL(quietInfo.url).origin, path: '/anthropic/v1/messages', headers: { ...common, 'x-api-key': quietInfo.key } },
    bare: { name: 'bare', origin: new URL((bare.info as { url: string }).url).origin, path: '/anthropic/v1/messages', headers: { ...common, 'x-api-key': 'unused' } },
  };
  const proxies = { gateway: gw.child, 'gateway-no-history': quiet.child, bare: bare.child };
  const pinning = canPin();
  const rig: Rig = {
    sim: sim.child,
    proxies,
    targets,
    pinning,
    loadCores: { list: undefined, count: os.cpus().length },
    applyLayout(layout) {
      if (!pinning) return;
      const loadSide = layout === 'pinned' ? '0' : ALL_CORES;
      const proxySide = layout === 'pinned' ? '1' : ALL_CORES;
      setCores(process.pid, loadSide);
      setCores(sim.child.pid!, loadSide);
      for (const p of Object.values(proxies)) setCores(p.pid!, proxySide);
      rig.loadCores = layout === 'pinned' ? { list: '0', count: 1 } : { list: undefined, count: os.cpus().length };
    },
    stats: (name) => ask<ChildStats>(name === 'sim' ? sim.child : proxies[name], 'stats-get'),
    resetStats(...names) {
      for (const n of names) (n === 'sim' ? sim.child : proxies[n]).send('stats-reset');
    },
    stop() {
      for (const p of [...Object.values(proxies), sim.child]) p.send('stop');
    },
  };
  return rig;
}
