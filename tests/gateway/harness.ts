/**
 * Test harness: the provider simulator, a temp ROTARY_HOME with a real pool (file vault: these
 * tests are about the gateway, not the keychain), the real token manager, and the gateway on
 * a free loopback port. Accounts are added to the simulator and the pool in the same order.
 */
import { startRuntime, type Runtime, type RuntimeOptions } from '../../electron/core/runtime.js';
import type { Gateway } from '../../electron/core/gateway/gateway.js';
import type { AccountRecord, ProviderID } from '../../shared/domain.js';
import { startSimulator, type SimAccount, type Simulator } from '../sim/server.js';
import { makeTempHome } from '../helpers/temp-home.js';

export const TEST_KEY = 'rotary-test-key-0123456789';

export interface HarnessAccount {
  sim: SimAccount;
  record: AccountRecord;
}

export interface Harness {
  sim: Simulator;
  core: Runtime;
  gw: Gateway;
  env: NodeJS.ProcessEnv;
  home: string;
  logs: string[];
  accounts: Record<ProviderID, HarnessAccount[]>;
  /** Simulator account id (`anthropic-2`) → pool record id. */
  recordOf(simID: string): string;
  simOf(recordID: string): string | undefined;
  close(): Promise<void>;
}

export interface HarnessOptions {
  accounts?: Partial<Record<ProviderID, number>>;
  gateway?: NonNullable<RuntimeOptions['gateway']>;
  env?: Record<string, string>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = await startSimulator();
  const { home, cleanup } = makeTempHome('rotary-gw-');
  const env: NodeJS.ProcessEnv = {
    ROTARY_HOME: home,
    ROTARY_UPSTREAM: sim.url,
    ROTARY_SECRET_BACKEND: 'file',
    ROTARY_GATEWAY_KEY: TEST_KEY,
    ...options.env,
  };
  const logs: string[] = [];
  // The gateway process as `rotary gateway` starts it: core, token manager, service, gateway.
  const core = await startRuntime({
    env,
    home,
    warn: (m) => logs.push(m),
    service: { shell: 'web', version: '0.0.0-test' },
    gateway: { port: 0, log: (l) => logs.push(l), ...options.gateway },
  });
  const gw = core.gateway!;
  const accounts: Record<ProviderID, HarnessAccount[]> = { anthropic: [], openai: [], 'github-copilot': [] };
  for (const providerID of ['anthropic', 'openai', 'github-copilot'] as const) {
    const n = options.accounts?.[providerID] ?? 0;
    for (let i = 0; i < n; i++) {
      const simAcc = sim.addAccount(providerID);
      const c = simAcc.credentials();
      const record = await core.pool.add({
        providerID,
        label: `Account ${i + 1}`,
        email: simAcc.email,
        accountId: c.accountId,
        secret: { access: c.access, ...(c.refresh ? { refresh: c.refresh } : {}), ...(c.expires ? { expires: c.expires } : {}) },
      });
      accounts[providerID].push({ sim: simAcc, record });
    }
  }
  const bySim = new Map<string, string>();
  const byRecord = new Map<string, string>();
  for (const list of Object.values(accounts)) for (const a of list) {
    bySim.set(a.sim.id, a.record.id);
    byRecord.set(a.record.id, a.sim.id);
  }
  return {
    sim,
    core,
    gw,
    env,
    home,
    logs,
    accounts,
    recordOf: (simID) => bySim.get(simID)!,
    simOf: (recordID) => byRecord.get(recordID),
    async close() {
      await core.close();
      await sim.close();
      cleanup();
    },
  };
}

/** Plain fetch to the gateway with the key. */
export function gwFetch(h: Harness, path: string, init: RequestInit & { key?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.key !== null && !headers.has('x-api-key') && !headers.has('authorization')) headers.set('x-api-key', init.key ?? TEST_KEY);
  return fetch(`${h.gw.url}${path}`, { ...init, headers });
}

export function anthropicBody(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }], ...extra });
}

export const ANTHROPIC_HEADERS = { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' };

/** Inference requests the simulator saw, as simulator account ids. */
export function inferenceAccounts(sim: Simulator, path = '/v1/messages'): Array<string | undefined> {
  return sim.requests.filter((r) => r.path === path).map((r) => r.accountId);
}

/** Response body as loosely typed JSON (assertions check the shape). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const jsonOf = async (res: Response): Promise<any> => res.json();
