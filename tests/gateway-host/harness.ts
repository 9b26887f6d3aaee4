/**
 * The app service with its gateway in a child process, started the way the desktop app
 * starts it (`startRuntime({ gatewayProcess })`), except that the child is a Node
 * `child_process.fork` of electron/gateway-process.ts (run with tsx) instead of an Electron
 * utilityProcess — the Electron binary cannot run here. Every message between the two
 * processes is recorded, so tests can check what crossed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../electron/core/runtime.js';
import { nodeFork } from '../../electron/core/gateway-host/node-fork.js';
import type { ForkGateway, GatewayHostState, GatewaySupervisor, RestartPolicy } from '../../electron/core/gateway-host/supervisor.js';
import type { Vault } from '../../electron/core/pool/vault.js';
import type { ProviderID } from '../../shared/domain.js';
import type { SimCredentials } from '../sim/types.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const GATEWAY_ENTRY = path.join(ROOT, 'electron/gateway-process.ts');

export interface CrossedMessage {
  to: 'child' | 'parent';
  message: unknown;
}

/** The Node fork of the real gateway entry, recording what crosses the channel. */
export function recordingFork(crossed: CrossedMessage[], output: string[]): ForkGateway {
  const fork = nodeFork({ entry: GATEWAY_ENTRY, execArgv: ['--import', 'tsx'], output: (line) => output.push(line) });
  return (env) => {
    const child = fork(env);
    return {
      get pid() {
        return child.pid;
      },
      send(message) {
        crossed.push({ to: 'child', message });
        child.send(message);
      },
      onMessage: (listener) =>
        child.onMessage((message) => {
          crossed.push({ to: 'parent', message });
          listener(message);
        }),
      onExit: (listener) => child.onExit(listener),
      kill: () => child.kill(),
    };
  };
}

export interface Hosted {
  runtime: Runtime;
  host: GatewaySupervisor;
  crossed: CrossedMessage[];
  /** The children's stdout/stderr and the supervisor's log. */
  output: string[];
  close(): Promise<void>;
}

export async function startHosted(options: {
  env: NodeJS.ProcessEnv;
  home: string;
  vault?: Vault;
  port?: number;
  restart?: Partial<RestartPolicy>;
  extra?: NonNullable<RuntimeOptions['service']>['extra'];
}): Promise<Hosted> {
  const crossed: CrossedMessage[] = [];
  const output: string[] = [];
  const runtime = await startRuntime({
    env: options.env,
    home: options.home,
    ...(options.vault ? { vault: options.vault } : {}),
    warn: () => undefined,
    watch: true,
    service: { shell: 'electron', version: '0.0.0-test', extra: { poolEventDelayMs: 5, ...options.extra } },
    gatewayProcess: {
      fork: recordingFork(crossed, output),
      port: options.port ?? 0,
      restart: { baseDelayMs: 50, ...options.restart },
      log: (line) => output.push(`[supervisor] ${line}`),
    },
  });
  return { runtime, host: runtime.gatewayHost!, crossed, output, close: () => runtime.close() };
}

/** Resolves with the first state `accept` takes (the current one included). */
export function untilState(host: GatewaySupervisor, accept: (state: GatewayHostState) => boolean, timeoutMs = 30_000): Promise<GatewayHostState> {
  if (accept(host.state())) return Promise.resolve(host.state());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`the gateway host stayed ${JSON.stringify(host.state())}`));
    }, timeoutMs);
    const off = host.onState((state) => {
      if (!accept(state)) return;
      clearTimeout(timer);
      off();
      resolve(state);
    });
  });
}

export function anthropicRequest(url: string, key: string, options: { stream?: boolean; session?: string } = {}): Promise<Response> {
  return fetch(`${url}/anthropic/v1/messages`, {
    method: 'POST',
    headers: {
      'x-api-key': key,
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
      ...(options.session ? { 'x-claude-code-session-id': options.session } : {}),
    },
    body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 10, ...(options.stream ? { stream: true } : {}), messages: [{ role: 'user', content: 'hi' }] }),
  });
}

/** The provider simulator in a process of its own (`npm run sim`), so its work is not the parent's. */
export interface SimProcess {
  url: string;
  accounts: Array<{ id: string; provider: ProviderID; accountId: string; credentials: SimCredentials }>;
  patch(id: string, knobs: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function startSimProcess(spec: string): Promise<SimProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'tests/sim/cli.ts'), '--port', '0', '--accounts', spec], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const accounts: SimProcess['accounts'] = [];
  const expected = spec.split(',').reduce((n, part) => n + Number(part.split(':')[1] ?? 1), 0);
  const url = await new Promise<string>((resolve, reject) => {
    let found = '';
    child.once('exit', (code) => reject(new Error(`the simulator exited (${code})`)));
    lines.on('line', (line) => {
      if (line.startsWith('ROTARY_UPSTREAM=')) found = line.slice('ROTARY_UPSTREAM='.length);
      else if (line.startsWith('{')) accounts.push(JSON.parse(line) as SimProcess['accounts'][number]);
      if (found && accounts.length === expected) resolve(found);
    });
  });
  return {
    url,
    accounts,
    async patch(id, knobs) {
      const res = await fetch(`${url}/__sim/accounts/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(knobs) });
      if (!res.ok) throw new Error(`PATCH ${id}: ${res.status} ${await res.text()}`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
