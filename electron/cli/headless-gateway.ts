/**
 * `rotary gateway`: the gateway under plain Node, for terminals and servers. Starts a runtime
 * with the gateway and the application service (following store changes other processes
 * make), prints the address and the client settings, and shuts down cleanly on SIGINT/SIGTERM
 * (batched bookkeeping flushed). With `ui` it also polls usage and serves the web UI.
 */
import { WEB_UI_PREFIX } from '../../shared/ipc.js';
import { errorMessage } from '../core/errors.js';
import type { Vault } from '../core/pool/vault.js';
import { formatClientSettings, gatewayClientSettings } from '../core/providers/client-settings.js';
import { startRuntime, type Runtime } from '../core/runtime.js';
import type { Gateway } from '../core/gateway/gateway.js';

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
  /** Also poll usage and serve the web UI from this folder (the built renderer). */
  ui?: { staticDir: string; version: string };
  /** An already opened vault (the CLI asks for the encrypted vault's passphrase first). */
  vault?: Vault;
}

export interface HeadlessGateway {
  gateway: Gateway;
  core: Runtime;
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

  const runtime = await startRuntime({
    env,
    watch: true,
    warn: (m) => log(m),
    ...(options.vault ? { vault: options.vault } : {}),
    service: { shell: 'web', version: options.ui?.version ?? 'unknown' },
    gateway: { log, ...(options.port !== undefined ? { port: options.port } : {}) },
    ...(options.ui ? { poller: { start: true }, web: { staticDir: options.ui.staticDir } } : {}),
  });
  const gateway = runtime.gateway!;

  const accounts = runtime.pool.providers();
  stdout.write(`Rotary gateway listening on ${gateway.url}\n`);
  stdout.write(
    accounts.length
      ? `Accounts: ${accounts.map((p) => `${p.providerID} ${p.count}`).join(', ')}\n\n`
      : 'No accounts yet: add one with "rotary auth login <provider>".\n\n',
  );
  stdout.write(`Point your tools at it:\n\n${formatClientSettings(gatewayClientSettings({ url: gateway.url, key: gateway.key }))}\n`);
  // The key goes in the fragment: browsers never send it to a server or put it in logs.
  if (options.ui) stdout.write(`Web UI: ${gateway.url}${WEB_UI_PREFIX}#key=${encodeURIComponent(gateway.key)}\n\n`);
  stdout.write('Press Ctrl+C to stop.\n');

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
      await runtime.close().catch((e: unknown) => log(`stopping: ${errorMessage(e)}`));
      log('stopped');
      resolveDone();
    })();
    return stopping;
  };
  if (options.handleSignals !== false) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return { gateway, core: runtime, stop, done };
}
