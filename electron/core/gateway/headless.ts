/**
 * `rotary gateway`: the gateway under plain Node, for terminals and servers. Opens the core
 * (following store changes other processes make), starts the gateway, prints the address and
 * the client settings, and shuts down cleanly on SIGINT/SIGTERM (batched bookkeeping flushed).
 */
import { openCore, type Core } from '../core.js';
import type { Vault } from '../pool/vault.js';
import { errorMessage } from '../errors.js';
import { createTokenManager } from '../providers/token-manager.js';
import { formatClientSettings, gatewayClientSettings } from './client-settings.js';
import { createGateway, type Gateway } from './gateway.js';

export interface OutputStream {
  write(chunk: string): unknown;
}

export interface HeadlessOptions {
  env?: NodeJS.ProcessEnv;
  stdout?: OutputStream;
  stderr?: OutputStream;
  /** Overrides ROTARY_GATEWAY_PORT. */
  port?: number;
  /** Install SIGINT/SIGTERM handlers (default true). */
  handleSignals?: boolean;
  /** An already opened vault (the CLI asks for the encrypted vault's passphrase first). */
  vault?: Vault;
}

export interface HeadlessGateway {
  gateway: Gateway;
  core: Core;
  /** Stop serving, flush the pool, close the store. Idempotent. */
  stop(): Promise<void>;
  /** Resolves once stopped (by a signal or `stop()`). */
  done: Promise<void>;
}

export async function runHeadlessGateway(options: HeadlessOptions = {}): Promise<HeadlessGateway> {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const log = (line: string): void => void stderr.write(`[${new Date().toISOString()}] ${line}\n`);

  const core = await openCore({ env, watch: true, warn: (m) => log(m), ...(options.vault ? { vault: options.vault } : {}) });
  let gateway: Gateway;
  try {
    const tokens = createTokenManager({ pool: core.pool, env });
    gateway = await createGateway({ pool: core.pool, tokens, env, log, ...(options.port !== undefined ? { port: options.port } : {}) });
  } catch (error) {
    await core.close().catch(() => undefined);
    throw error;
  }

  const accounts = core.pool.providers();
  stdout.write(`Rotary gateway listening on ${gateway.url}\n`);
  stdout.write(
    accounts.length
      ? `Accounts: ${accounts.map((p) => `${p.providerID} ${p.count}`).join(', ')}\n\n`
      : 'No accounts yet: add one with "rotary auth login <provider>".\n\n',
  );
  stdout.write(`Point your tools at it:\n\n${formatClientSettings(gatewayClientSettings({ url: gateway.url, key: gateway.key }))}\nPress Ctrl+C to stop.\n`);

  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  let stopping: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping`);
    void stop();
  };
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (options.handleSignals !== false) {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      await gateway.close().catch((e: unknown) => log(`closing the gateway: ${errorMessage(e)}`));
      await core.close().catch((e: unknown) => log(`closing the store: ${errorMessage(e)}`));
      log('stopped');
      resolveDone();
    })();
    return stopping;
  };
  if (options.handleSignals !== false) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return { gateway, core, stop, done };
}

export { gatewayClientSettings, formatClientSettings } from './client-settings.js';
