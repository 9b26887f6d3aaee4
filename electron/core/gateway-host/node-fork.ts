/**
 * `ForkGateway` under plain Node: the gateway process as a `child_process.fork` child with an
 * IPC channel. The desktop app uses Electron's utilityProcess instead (desktop/utility-fork.ts);
 * the supervisor sees the same `GatewayChild` either way.
 */
import { fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import { GATEWAY_NODE_FLAGS } from '../gateway/node-flags.js';
import type { ForkGateway } from './supervisor.js';

export interface NodeForkOptions {
  /** The entry file: electron/gateway-process.ts (with tsx) or a built gateway-process bundle. */
  entry: string;
  /** e.g. `['--import', 'tsx']` to run the TypeScript entry (the gateway's V8 heap flags always come first). */
  execArgv?: string[];
  /** The child's stdout/stderr lines (a crash's stack trace lands here). */
  output?: (line: string) => void;
}

export function nodeFork(options: NodeForkOptions): ForkGateway {
  return (env) => {
    const child = fork(options.entry, [], { env, execArgv: [...GATEWAY_NODE_FLAGS, ...(options.execArgv ?? [])], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json' });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => options.output?.(line));
    }
    // A send racing the child's exit fails with EPIPE/ERR_IPC_CHANNEL_CLOSED; the exit is what counts.
    child.on('error', (error) => options.output?.(`gateway process: ${error.message}`));
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => void child.on('message', listener),
      onExit: (listener) => void child.once('exit', (code, signal) => listener({ code, signal })),
      kill: () => void child.kill('SIGKILL'),
    };
  };
}
