/**
 * The gateway process of the desktop app: the same runtime as `rotary gateway`
 * (`gatewayRuntimeOptions`: store under ROTARY_HOME followed across processes, the gateway, its
 * control API and activity log, the history database), started in a process of its own so a
 * loaded gateway never stalls the window, the tray or an IPC call. Started by the supervisor
 * (core/gateway-host/supervisor.ts): as an Electron utilityProcess in the app (bundled to
 * dist/electron/gateway-process.cjs), as a Node child process under plain Node (tests).
 *
 * It talks only to its parent (messages.ts): waits for `start` (the vault to open, the port),
 * says `listening` or `start-failed`, forwards activity events, store/history notices and log
 * lines, answers activity queries, and on `stop` closes cleanly. It prints nothing itself:
 * `rotary gateway`'s banner carries the key, and nothing here may.
 */
import { errorMessage, isRotaryError } from './core/errors.js';
import { startRuntime, type Runtime } from './core/runtime.js';
import type { ChildMessage, ParentMessage } from './core/gateway-host/messages.js';
import { isParentMessage } from './core/gateway-host/messages.js';
import { openHandedVault } from './core/gateway-host/vault-handoff.js';
import { gatewayRuntimeOptions } from './cli/headless-gateway.js';
import { onNotices, pendingNotices } from './core/service/notice-sources.js';

/** The parent at the other end: Electron's `process.parentPort`, or Node's IPC channel. */
interface ParentLink {
  send(message: ChildMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The parent went away (Node only: Electron ends its utility processes with the app). */
  onDisconnect(listener: () => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

function parentLink(): ParentLink {
  const parentPort = (process as NodeJS.Process & { parentPort?: ElectronParentPort }).parentPort;
  if (parentPort) {
    return { send: (m) => parentPort.postMessage(m), onMessage: (l) => parentPort.on('message', (e) => l(e.data)), onDisconnect: () => undefined };
  }
  if (process.send) {
    return {
      // After the parent went away a send would throw; the child is stopping by then anyway.
      send: (m) => void (process.connected && process.send?.(m)),
      onMessage: (l) => void process.on('message', l),
      onDisconnect: (l) => void process.once('disconnect', l),
    };
  }
  throw new Error('This is the desktop app\'s gateway process; the app starts it. To run a gateway in a terminal use `rotary gateway`.');
}

function run(link: ParentLink): void {
  let runtime: Runtime | undefined;
  let starting: Promise<void> | undefined;
  let stopping: Promise<void> | undefined;
  const log = (line: string): void => link.send({ type: 'log', line });

  async function start(message: Extract<ParentMessage, { type: 'start' }>): Promise<void> {
    try {
      const vault = openHandedVault(message.vault, log);
      runtime = await startRuntime(gatewayRuntimeOptions({ env: process.env, log, vault, port: message.port, version: message.version }));
    } catch (error) {
      link.send({ type: 'start-failed', ...(isRotaryError(error) ? { code: error.code } : {}), message: errorMessage(error) });
      exitSoon(1);
      return;
    }
    const gateway = runtime.gateway!;
    gateway.activity.subscribe((event) => link.send({ type: 'activity', event }));
    // Store notices (a damaged file restored) and history notices, the ones from start-up first.
    const sources = { store: runtime.store, history: runtime.history };
    for (const notice of pendingNotices(sources)) link.send({ type: 'notice', notice });
    onNotices(sources, (notice) => link.send({ type: 'notice', notice }));
    link.send({ type: 'listening', url: gateway.url, port: gateway.port });
  }

  function answer(message: Extract<ParentMessage, { type: 'query' }>): void {
    const activity = runtime?.gateway?.activity;
    if (!activity) {
      link.send({ type: 'answer', id: message.id, ok: false, message: 'The gateway has not started yet.' });
      return;
    }
    try {
      const { query } = message;
      const value = query.name === 'conversations' ? activity.conversations(query.limit) : activity.requests(query.conversationID, query.limit);
      link.send({ type: 'answer', id: message.id, ok: true, value });
    } catch (error) {
      link.send({ type: 'answer', id: message.id, ok: false, message: errorMessage(error) });
    }
  }

  function stop(): Promise<void> {
    stopping ??= (async () => {
      await starting?.catch(() => undefined);
      await runtime?.close().catch((e: unknown) => log(`stopping: ${errorMessage(e)}`));
      exitSoon(0);
    })();
    return stopping;
  }

  link.onMessage((message) => {
    if (!isParentMessage(message)) return;
    if (message.type === 'start') starting ??= start(message);
    else if (message.type === 'query') answer(message);
    else void stop();
  });
  // Under Node a parent that dies without saying `stop` must not leave a gateway holding the port.
  link.onDisconnect(() => void stop());
}

/** Exit once the last messages are flushed to the parent. */
function exitSoon(code: number): void {
  setTimeout(() => process.exit(code), 50).unref();
  process.exitCode = code;
}

run(parentLink());
