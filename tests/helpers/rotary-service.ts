/**
 * Test harness for the application service: a real runtime on a temp ROTARY_HOME (keychain
 * vault under a unique service name when a Secret Service runs, else the file backend),
 * the provider simulator as upstream, and the service started exactly as the app starts it.
 */
import { startRuntime, type Runtime } from '../../electron/core/runtime.js';
import type { AppService } from '../../electron/core/service/app-service.js';
import type { Gateway } from '../../electron/core/gateway/gateway.js';
import type { ProviderID } from '../../shared/domain.js';
import { startSimulator, type SimAccount, type Simulator } from '../sim/server.js';
import { hasSecretService, testKeychainVault } from './keychain.js';
import { makeTempHome } from './temp-home.js';

export interface ServiceHarness {
  sim: Simulator;
  core: Runtime;
  env: NodeJS.ProcessEnv;
  service: AppService;
  /** Every token the simulator handed out for accounts added through `addAccount`. */
  tokens: string[];
  addAccount(providerID: ProviderID, options?: { label?: string }): Promise<{ sim: SimAccount; recordID: string }>;
  /** Add every token-like string of an account's vault secret (access, refresh, extras) to `tokens`. */
  trackSecret(providerID: ProviderID, recordID: string): Promise<void>;
  close(): Promise<void>;
}

/** `gateway`: also start the gateway (with this key) in the same runtime, as `rotary gateway --ui` does. */
export async function startServiceHarness(options: { label: string; gateway?: { key: string } }): Promise<ServiceHarness & { gateway?: Gateway }> {
  const sim = await startSimulator();
  const { home, cleanup } = makeTempHome(`rotary-${options.label}-`);
  const env: NodeJS.ProcessEnv = {
    ROTARY_HOME: home,
    ROTARY_UPSTREAM: sim.url,
    ...(hasSecretService ? {} : { ROTARY_SECRET_BACKEND: 'file' }),
    PATH: process.env.PATH,
  };
  const vault = hasSecretService ? testKeychainVault(options.label) : undefined;
  const core = await startRuntime({
    env,
    home,
    ...(vault ? { vault } : {}),
    warn: () => undefined,
    poller: { start: false, minIntervalMs: 0, jitterMs: 0 },
    service: { shell: 'web', version: '0.0.0-test', callbackPorts: [0], extra: { poolEventDelayMs: 5 } },
    ...(options.gateway ? { gateway: { port: 0, key: options.gateway.key } } : {}),
  });
  const service = core.service!;
  const gateway = core.gateway;
  const tokens: string[] = [];
  return {
    sim,
    core,
    env,
    service,
    tokens,
    ...(gateway ? { gateway } : {}),
    async addAccount(providerID, opts = {}) {
      const acc = sim.addAccount(providerID);
      const creds = acc.credentials();
      tokens.push(creds.access, ...(creds.refresh ? [creds.refresh] : []), ...(creds.idToken ? [creds.idToken] : []));
      const record = await core.pool.add({
        providerID,
        email: acc.email,
        accountId: creds.accountId,
        ...(opts.label ? { label: opts.label } : {}),
        secret: { access: creds.access, ...(creds.refresh ? { refresh: creds.refresh } : {}), ...(creds.expires ? { expires: creds.expires } : {}) },
      });
      return { sim: acc, recordID: record.id };
    },
    async trackSecret(providerID, recordID) {
      const secret = await core.pool.getSecret(providerID, recordID);
      // `accountId` is the provider-side identity (also on the record, shown to the user), not a secret.
      const walk = (v: unknown): void => {
        if (typeof v === 'string' && v.length >= 16) tokens.push(v);
        else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== 'accountId') walk(x);
      };
      walk({ access: secret?.access, refresh: secret?.refresh, extras: secret?.extras });
    },
    async close() {
      // Remove what the test left in the keychain, then the home folder.
      for (const key of await core.vault.list().catch(() => [] as string[])) await core.vault.delete(key).catch(() => undefined);
      await core.close();
      await sim.close();
      cleanup();
    },
  };
}

/** Fails with the offending substring when any token appears in `text`. */
export function expectNoTokens(text: string, tokens: string[]): void {
  for (const token of tokens) {
    if (token.length >= 8 && text.includes(token)) throw new Error(`a token leaked: …${token.slice(-6)} found in a payload`);
    // Also the long tail of a token (catches truncated / partially masked copies).
    const tail = token.slice(-16);
    if (tail.length === 16 && text.includes(tail)) throw new Error(`part of a token leaked: …${token.slice(-6)}`);
  }
}
