/**
 * The real stack the end-to-end tests (and `npm run demo`) drive: provider simulator, core
 * (store + vault + pool) in a temp ROTARY_HOME, token manager, usage poller, gateway on a free
 * port, the application service and the web transport serving the built renderer at /ui/.
 * Nothing is mocked; only the upstream is the simulator (via ROTARY_UPSTREAM).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppService } from '../../electron/core/service/app-service.js';
import { startRuntime, type Runtime } from '../../electron/core/runtime.js';
import { createGateway, type Gateway } from '../../electron/core/gateway/gateway.js';
import { mountWebTransport } from '../../electron/core/web/web-transport.js';
import type { AccountRecord } from '../../shared/domain.js';
import { createKeytarVault } from '../../electron/core/pool/vault-keytar.js';
import type { RotaryUsagePoller } from '../../electron/core/providers/usage-poller.js';
import { startSimulator, type SimAccount, type Simulator } from '../sim/server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RENDERER_DIST = path.join(ROOT, 'renderer', 'dist');

export interface StackOptions {
  /** Anthropic accounts to create in the simulator and add to the pool (default 3). */
  anthropicAccounts?: number;
  /** `keychain` (default; a private service name in the real keychain) or `file`. */
  secrets?: 'keychain' | 'file';
  /** Gateway port (default 0 = free port). */
  port?: number;
  /** Fixed gateway key (default random). */
  key?: string;
  /** Start the background usage poller (default false: tests refresh explicitly). */
  pollUsage?: boolean;
  /** The gateway's and the history's clock (tests that build up a usage history without waiting). */
  now?: () => number;
  log?: (line: string) => void;
  /** Extra environment for the core (e.g. a temporary HOME for "Connect a tool", which writes the tools' config files there). */
  env?: Record<string, string>;
}

export interface Stack {
  sim: Simulator;
  core: Runtime;
  env: NodeJS.ProcessEnv;
  home: string;
  gateway: Gateway;
  service: AppService;
  poller: RotaryUsagePoller;
  /** Simulator account and pool record, in the order they were added ("Account 1" first). */
  accounts: Array<{ sim: SimAccount; record: AccountRecord }>;
  /** `http://127.0.0.1:PORT/ui/#key=…` */
  uiURL: string;
  /** Create an Anthropic or OpenAI account in the simulator and add it to the pool, as a login would. */
  addAccount(provider: 'anthropic' | 'openai', label: string, email?: string): Promise<{ sim: SimAccount; record: AccountRecord }>;
  /** Every token the simulator has issued so far (access, refresh, id tokens). */
  simTokens(): string[];
  /**
   * The gateway going away: its HTTP server (and with it the web transport and every open event
   * stream) is closed; the core and the service stay. `startGateway()` brings it back.
   */
  stopGateway(): Promise<void>;
  /** A new gateway server on the same port, key and activity log, with the web transport mounted again. */
  startGateway(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  if (!existsSync(path.join(RENDERER_DIST, 'index.html'))) {
    throw new Error('renderer/dist is missing: run `npx vite build` (npm test runs `npm run build:web` first).');
  }
  const sim = await startSimulator();
  const home = await mkdtemp(path.join(tmpdir(), 'rotary-e2e-'));
  const secrets = options.secrets ?? 'keychain';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ROTARY_HOME: home,
    ROTARY_UPSTREAM: sim.url,
    ROTARY_SECRET_BACKEND: secrets,
    ...options.env,
  };
  // A service name of its own keeps parallel test files from reconciling each other's secrets away.
  const vaultService = `Rotary-e2e-${randomBytes(4).toString('hex')}`;
  const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  // The process `rotary gateway --ui` starts: core, token manager, poller, service, gateway, web UI.
  const core = await startRuntime({
    env,
    home,
    reconcile: false,
    ...(secrets === 'keychain' ? { vault: createKeytarVault(vaultService) } : { warn: () => undefined }),
    poller: { start: options.pollUsage ?? false, jitterMs: 0, minIntervalMs: 0 },
    service: { shell: 'web', version, callbackPorts: [0] },
    gateway: { port: options.port ?? 0, key: options.key ?? `rk-test-${randomBytes(12).toString('hex')}`, ...(options.log ? { log: options.log } : {}), ...(options.now ? { now: options.now } : {}) },
    web: { staticDir: RENDERER_DIST },
    ...(options.now ? { history: { now: options.now } } : {}),
  });
  const service = core.service!;
  // The service reads `core.gateway` lazily, so replacing it (stop, start) is what the UI sees.
  const first = core.gateway!;
  const gatewayOptions = {
    port: first.port,
    key: first.key,
    activity: first.activity,
    ...(core.forecasts ? { forecasts: core.forecasts } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
  const poller = core.poller!;

  const issued = new Set<string>();
  async function addAccount(provider: 'anthropic' | 'openai', label: string, email?: string) {
    const acc = sim.addAccount(provider, email ? { email } : {});
    const creds = acc.credentials();
    const record = await core.pool.add({
      providerID: provider,
      label,
      email: acc.email,
      accountId: creds.accountId,
      secret: {
        access: creds.access,
        ...(creds.refresh ? { refresh: creds.refresh } : {}),
        ...(creds.expires ? { expires: creds.expires } : {}),
        // What the OpenAI login keeps: the ChatGPT account id sent as `chatgpt-account-id`.
        ...(provider === 'openai' ? { extras: { accountId: creds.accountId } } : {}),
      },
    });
    return { sim: acc, record };
  }
  const accounts: Stack['accounts'] = [];
  for (let i = 1; i <= (options.anthropicAccounts ?? 3); i++) {
    accounts.push(await addAccount('anthropic', `Account ${i}`, `user${i}@example.com`));
  }

  return {
    sim,
    core,
    env,
    home,
    get gateway() {
      return core.gateway ?? first;
    },
    service,
    poller,
    accounts,
    uiURL: `${first.url}/ui/#key=${first.key}`,
    addAccount,
    simTokens() {
      for (const acc of sim.accounts()) {
        const c = acc.credentials();
        for (const t of [c.access, c.refresh, c.idToken]) if (t) issued.add(t);
      }
      return [...issued];
    },
    async stopGateway() {
      core.web?.close();
      await core.gateway?.close();
      delete core.web;
      delete core.gateway;
      core.gatewayError = 'stopped by the test';
    },
    async startGateway() {
      core.gateway = await createGateway({ pool: core.pool, tokens: core.tokens, env, control: service, ...gatewayOptions });
      core.web = mountWebTransport(core.gateway, service, { staticDir: RENDERER_DIST });
      delete core.gatewayError;
    },
    async close() {
      // Leave nothing in the shared keychain.
      for (const key of await core.vault.list().catch(() => [] as string[])) await core.vault.delete(key).catch(() => false);
      await core.close();
      await sim.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
