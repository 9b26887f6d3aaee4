/**
 * Shared setup for the provider tests: a simulator, a temporary ROTARY_HOME, a keychain vault
 * under a unique service name (real Secret Service, see scripts/with-keyring.sh) and the core.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openCore, type Core } from '../../electron/core/runtime.js';
import type { Vault } from '../../electron/core/pool/vault.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../sim/server.js';
import { testKeychainVault } from '../helpers/keychain.js';
import { makeTempHome } from '../helpers/temp-home.js';

export interface Harness {
  sim: Simulator;
  home: string;
  env: NodeJS.ProcessEnv;
  vault: Vault & { service: string };
  core: Core;
  /** A second core on the same home and keychain service: what a CLI process next to the app sees. */
  openSecondCore(): Promise<Core>;
  close(): Promise<void>;
}

export async function startHarness(label: string, simOptions: SimulatorOptions = {}): Promise<Harness> {
  const sim = await startSimulator({ github: { deviceInterval: 0 }, ...simOptions });
  const { home, cleanup } = makeTempHome(`rotary-prov-${label}-`);
  const env: NodeJS.ProcessEnv = { ROTARY_UPSTREAM: sim.url, ROTARY_HOME: home, ROTARY_OPENAI_CALLBACK_PORT: '0' };
  const vault = testKeychainVault(label);
  const core = await openCore({ env, home, vault, reconcile: false });
  const extra: Core[] = [];
  return {
    sim,
    home,
    env,
    vault,
    core,
    async openSecondCore() {
      const second = await openCore({ env, home, vault, reconcile: false });
      extra.push(second);
      return second;
    },
    async close() {
      for (const c of extra) await c.close();
      await core.close();
      for (const key of await vault.list()) await vault.delete(key);
      await sim.close();
      cleanup();
    },
  };
}

/** Pool records + vault keys, to assert that a failed flow left nothing behind. */
export async function poolState(h: Harness): Promise<{ records: string[]; keys: string[] }> {
  const records = h.core.pool.providers().flatMap((p) => h.core.pool.getAccounts(p.providerID).map((r) => r.id));
  return { records: records.sort(), keys: (await h.vault.list()).sort() };
}

/** An upstream that answers every request with an HTML 502 page (a proxy in front of a dead provider). */
export async function startHtmlBadGateway(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits += 1;
    const body = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>';
    res.writeHead(502, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Plays the browser: GET with manual redirects; a `localhost` Location is followed on 127.0.0.1 (where the loopback server listens). */
export async function browserGet(url: string): Promise<{ status: number; location?: string; text: string }> {
  const res = await fetch(url, { redirect: 'manual' });
  const text = await res.text();
  const location = res.headers.get('location') ?? undefined;
  return { status: res.status, ...(location ? { location } : {}), text };
}

export function viaLoopback(location: string): string {
  const u = new URL(location);
  if (u.hostname === 'localhost') u.hostname = '127.0.0.1';
  return u.toString();
}

/** True when nothing accepts connections on the port any more. */
export async function portClosed(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/auth/callback`, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}
