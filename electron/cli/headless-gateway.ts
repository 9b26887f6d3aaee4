/**
 * `rotary gateway`: the gateway under plain Node, for terminals and servers. Starts a runtime
 * with the gateway and the application service (following store changes other processes
 * make), prints the address and the client settings, and shuts down cleanly on SIGINT/SIGTERM
 * (batched bookkeeping flushed). With `ui` it also polls usage and serves the web UI. Store
 * notices (a damaged store file restored) go to stderr at start and whenever they happen.
 */
import { WEB_UI_PREFIX } from '../../shared/ipc.js';
import { escapeControls } from '../../shared/plain-text.js';
import { errorMessage } from '../core/errors.js';
import type { Vault } from '../core/pool/vault.js';
import { formatClientSettings, gatewayClientSettings } from '../core/clients/registry.js';
import { startRuntime, type Runtime, type RuntimeOptions } from '../core/runtime.js';
import { rotaryKeyCommand } from './key-command.js';
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

/**
 * The runtime of `rotary gateway`; the desktop app's gateway process (core/gateway-host/child.ts)
 * starts this same one, so both serve, log and follow the store the same way. `staticDir`
 * adds usage polling and the web UI (`--ui`).
 */
export function gatewayRuntimeOptions(o: {
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  vault?: Vault | undefined;
  port?: number | undefined;
  version?: string | undefined;
  staticDir?: string | undefined;
}): RuntimeOptions {
  return {
    env: o.env,
    watch: true,
    warn: (m) => o.log(m),
    ...(o.vault ? { vault: o.vault } : {}),
    service: { shell: 'web', version: o.version ?? 'unknown', keyCommand: rotaryKeyCommand() },
    gateway: { log: o.log, ...(o.port !== undefined ? { port: o.port } : {}) },
    ...(o.staticDir ? { poller: { start: true }, web: { staticDir: o.staticDir } } : {}),
  };
}

export async function runHeadlessGateway(options: HeadlessOptions = {}): Promise<HeadlessGateway> {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  // One entry per line: whatever a line quotes (labels, paths) has its control characters escaped.
  const log = (line: string): void => void stderr.write(`[${new Date().toISOString()}] ${escapeControls(line)}\n`);

  const runtime = await startRuntime(
    gatewayRuntimeOptions({ env, log, vault: options.vault, port: options.port, version: options.ui?.version, staticDir: options.ui?.staticDir }),
  );
  const gateway = runtime.gateway!;
  // Store notices (a damaged file restored from its last good copy): the ones from start-up, then each as it happens.
  for (const notice of runtime.store.pendingNotices()) log(`store: ${notice.message}`);
  const offNotice = runtime.store.onNotice((notice) => log(`store: ${notice.message}`));

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
      offNotice();
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
