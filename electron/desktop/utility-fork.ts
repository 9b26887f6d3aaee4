/**
 * `ForkGateway` in the desktop app: the gateway process as an Electron utilityProcess (a
 * Node-enabled child of the app, talking over a MessagePort: `postMessage` here,
 * `process.parentPort` in the child). Kept to a mapping on purpose — the supervisor's logic is
 * the same under plain Node (core/gateway-host/node-fork.ts), where the tests run it; the
 * Electron binary cannot run on the build machine, so only this mapping is tested with a fake
 * `utilityProcess` (tests/gateway-host/utility-fork.test.ts).
 *
 * Takes `utilityProcess` as an argument so this file (like all of desktop/) never imports Electron.
 */
import { createInterface } from 'node:readline';
import type { ForkGateway } from '../core/gateway-host/supervisor.js';
import { GATEWAY_NODE_FLAGS } from '../core/gateway/node-flags.js';

/** The parts of Electron's `UtilityProcess` used here. */
export interface UtilityProcessLike {
  readonly pid: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  once(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export interface UtilityProcessModuleLike {
  fork(modulePath: string, args: string[], options: { env: NodeJS.ProcessEnv; serviceName: string; stdio: 'pipe'; execArgv: string[] }): UtilityProcessLike;
}

export function utilityProcessFork(utilityProcess: UtilityProcessModuleLike, entry: string, output?: (line: string) => void): ForkGateway {
  return (env) => {
    const child = utilityProcess.fork(entry, [], { env, serviceName: 'Rotary gateway', stdio: 'pipe', execArgv: [...GATEWAY_NODE_FLAGS] });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => output?.(line));
    }
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => child.postMessage(message),
      onMessage: (listener) => void child.on('message', listener),
      // Electron reports the exit code only (a kill shows as a non-zero code).
      onExit: (listener) => void child.once('exit', (code) => listener({ code, signal: null })),
      kill: () => void child.kill(),
    };
  };
}
