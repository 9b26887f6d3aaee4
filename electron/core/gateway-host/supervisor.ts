/**
 * Keeps the gateway process running: starts it (through a `ForkGateway`, so the same code
 * drives Electron's utilityProcess and Node's child_process), follows its state, hands its
 * events to subscribers (who stay subscribed across restarts), asks its activity log, and
 * restarts it when it dies: with backoff, and at most `maxRestarts` times in a row (a child
 * that stayed up `stableMs` resets the count). A start failure the child reports itself
 * (port in use, a bad setting) is not retried: the same start would fail the same way.
 * Once it has given up, `restart()` (the user's "Restart the gateway") starts afresh.
 */
import type { ActivityEvent } from '../../../shared/activity.js';
import type { Notice } from '../../../shared/ipc.js';
import { RotaryError } from '../errors.js';
import { isChildMessage, type ActivityAnswer, type ActivityQuery, type ChildMessage, type ParentMessage } from './messages.js';
import type { VaultHandoff } from './vault-handoff.js';

/** One gateway process as the supervisor sees it, whatever started it. */
export interface GatewayChild {
  readonly pid: number | undefined;
  send(message: ParentMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  /** `signal` is null where the platform does not say (Electron's utilityProcess). */
  onExit(listener: (exit: { code: number | null; signal: string | null }) => void): void;
  /** Hard stop, for a child that does not stop when asked. */
  kill(): void;
}

/** Start one gateway process with this environment. */
export type ForkGateway = (env: NodeJS.ProcessEnv) => GatewayChild;

export interface RestartPolicy {
  /** Restarts in a row before giving up (default 5). */
  maxRestarts: number;
  /** First delay; doubled per attempt up to `maxDelayMs` (defaults 250 ms and 10 s). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A child that was up this long resets the count (default 60 s). */
  stableMs: number;
  /** A child that neither listens nor fails within this is killed and counted as a crash (default 30 s). */
  startTimeoutMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxRestarts: 5, baseDelayMs: 250, maxDelayMs: 10_000, stableMs: 60_000, startTimeoutMs: 30_000 };

export type GatewayHostState =
  | { state: 'starting' }
  | { state: 'running'; url: string; port: number }
  /** `attempt` 0: started again by the user (`restart()`) after the supervisor gave up. */
  | { state: 'restarting'; attempt: number; error: string }
  | { state: 'failed'; error: string }
  | { state: 'stopped' };

export interface GatewaySupervisorOptions {
  fork: ForkGateway;
  /** The child's environment (the vault passphrase variables are taken out: the vault is handed over instead). */
  env: NodeJS.ProcessEnv;
  vault: VaultHandoff;
  port?: number;
  version?: string;
  restart?: Partial<RestartPolicy>;
  /** Restarts, give-ups and failures after the first start (the app service's `notify`). */
  notify?: (notice: Omit<Notice, 'at'>) => void;
  /** The child's log lines and the supervisor's own. */
  log?: (line: string) => void;
  now?: () => number;
}

export interface GatewaySupervisor {
  state(): GatewayHostState;
  /** Resolves once the first start has an outcome (running or failed); never rejects. */
  readonly started: Promise<void>;
  /** The current child's pid (tests kill it). */
  pid(): number | undefined;
  /** How many children were started so far. */
  forks(): number;
  /** Activity events of whichever child is running; survives restarts. */
  subscribe(listener: (event: ActivityEvent) => void): () => void;
  /** State changes (tests and shells that show it). */
  onState(listener: (state: GatewayHostState) => void): () => void;
  query(query: ActivityQuery): Promise<ActivityAnswer>;
  /**
   * After it gave up (state `failed`): start the gateway process again with a fresh restart
   * count, on the same port. False (and nothing done) in any other state: a running, starting
   * or restarting gateway needs no second start, and a stopped supervisor stays stopped.
   */
  restart(): boolean;
  stop(): Promise<void>;
}

/** Variables the child must not inherit: it gets the opened vault, not the means to open it. */
const WITHHELD_ENV = ['ROTARY_VAULT_PASSPHRASE', 'ROTARY_VAULT_PASSPHRASE_FILE'];
const QUERY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export function createGatewaySupervisor(options: GatewaySupervisorOptions): GatewaySupervisor {
  const policy = { ...DEFAULT_RESTART_POLICY, ...options.restart };
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const notify = options.notify ?? (() => undefined);
  const env = Object.fromEntries(Object.entries(options.env).filter(([name]) => !WITHHELD_ENV.includes(name)));

  let state: GatewayHostState = { state: 'starting' };
  let child: GatewayChild | undefined;
  let forks = 0;
  let crashes = 0;
  let upSince = 0;
  /** After the first listen, restarts take the same port: the tools are pointed at it (and port 0 picked one). */
  let port = options.port;
  let restartTimer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  let nextQueryID = 1;
  const pending = new Map<number, { resolve: (value: ActivityAnswer) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  const eventListeners = new Set<(event: ActivityEvent) => void>();
  const stateListeners = new Set<(state: GatewayHostState) => void>();
  let resolveStarted!: () => void;
  const started = new Promise<void>((resolve) => (resolveStarted = resolve));

  function setState(next: GatewayHostState): void {
    state = next;
    if (next.state === 'running' || next.state === 'failed' || next.state === 'stopped') resolveStarted();
    for (const listener of [...stateListeners]) listener(next);
  }

  function spawn(): void {
    const current = options.fork(env);
    child = current;
    forks += 1;
    let reportedFailure: string | undefined;
    let exited = false;
    const startTimer = setTimeout(() => {
      log(`the gateway process did not start within ${policy.startTimeoutMs} ms; stopping it`);
      current.kill();
    }, policy.startTimeoutMs);
    current.onMessage((message) => {
      if (!isChildMessage(message) || child !== current) return;
      if (message.type === 'listening') {
        clearTimeout(startTimer);
        const wasDown = state.state === 'restarting';
        upSince = now();
        port = message.port;
        setState({ state: 'running', url: message.url, port: message.port });
        if (wasDown) notify({ level: 'info', code: 'gateway-restarted', message: `The gateway is running again on ${message.url}.` });
      } else if (message.type === 'start-failed') {
        clearTimeout(startTimer);
        reportedFailure = message.message;
      } else handle(message);
    });
    // Every (re)start sends the same `start`: the vault, the port.
    send({ type: 'start', vault: options.vault, version: options.version ?? 'unknown', ...(port !== undefined ? { port } : {}) });
    current.onExit(({ code, signal }) => {
      if (exited) return;
      exited = true;
      clearTimeout(startTimer);
      if (child !== current) return;
      child = undefined;
      failPending('The gateway process stopped before it answered.');
      if (stopping) return;
      if (reportedFailure !== undefined) return giveUp(reportedFailure, 'gateway-start-failed');
      if (state.state === 'running' && now() - upSince >= policy.stableMs) crashes = 0;
      crashes += 1;
      const how = signal ? `was killed (${signal})` : `exited (code ${code ?? 'unknown'})`;
      if (crashes > policy.maxRestarts) {
        const times = crashes === 1 ? '' : ` and stopped ${crashes} times in a row`;
        return giveUp(`The gateway process ${how}${times}; Rotary stopped restarting it. Choose “Restart the gateway” to try again; if it keeps stopping, run \`rotary gateway\` in a terminal to see why.`, 'gateway-gave-up');
      }
      const error = `The gateway process ${how}; restarting it (attempt ${crashes} of ${policy.maxRestarts}).`;
      log(error);
      setState({ state: 'restarting', attempt: crashes, error });
      notify({ level: 'warning', code: 'gateway-restarting', message: error });
      const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (crashes - 1));
      restartTimer = setTimeout(() => {
        restartTimer = undefined;
        if (!stopping) spawn();
      }, delay);
    });
  }

  function giveUp(error: string, code: string): void {
    log(error);
    setState({ state: 'failed', error });
    notify({ level: 'error', code, message: error });
  }

  function handle(message: Exclude<ChildMessage, { type: 'listening' | 'start-failed' }>): void {
    if (message.type === 'activity') {
      for (const listener of [...eventListeners]) {
        // One broken subscriber must not keep the event from the others.
        try {
          listener(message.event);
        } catch (error) {
          log(`an activity subscriber failed: ${(error as Error).message}`);
        }
      }
    } else if (message.type === 'notice') notify(message.notice);
    else if (message.type === 'log') log(message.line);
    else {
      const waiting = pending.get(message.id);
      if (!waiting) return;
      pending.delete(message.id);
      clearTimeout(waiting.timer);
      if (message.ok) waiting.resolve(message.value);
      else waiting.reject(new Error(message.message));
    }
  }

  function failPending(message: string): void {
    for (const [id, waiting] of pending) {
      pending.delete(id);
      clearTimeout(waiting.timer);
      waiting.reject(new RotaryError('unavailable', message));
    }
  }

  function send(message: ParentMessage): void {
    try {
      child?.send(message);
    } catch (error) {
      // The channel closed under us; the exit handler restarts the child.
      log(`could not reach the gateway process: ${(error as Error).message}`);
    }
  }

  spawn();

  return {
    state: () => state,
    started,
    pid: () => child?.pid,
    forks: () => forks,
    subscribe(listener) {
      eventListeners.add(listener);
      return () => void eventListeners.delete(listener);
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => void stateListeners.delete(listener);
    },
    query(query) {
      if (state.state !== 'running' || !child) return Promise.reject(new RotaryError('unavailable', downMessage(state)));
      const id = nextQueryID++;
      return new Promise<ActivityAnswer>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new RotaryError('timeout', 'The gateway process did not answer in time.'));
        }, QUERY_TIMEOUT_MS);
        pending.set(id, { resolve, reject, timer });
        send({ type: 'query', id, query });
      });
    },
    restart() {
      if (state.state !== 'failed' || stopping || child) return false;
      const error = 'Starting the gateway process again.';
      log(error);
      crashes = 0;
      // The same state as an automatic restart: the window says it, and `listening` announces it is back.
      setState({ state: 'restarting', attempt: 0, error });
      spawn();
      return true;
    },
    stop() {
      stopping ??= (async () => {
        clearTimeout(restartTimer);
        const current = child;
        if (current) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(() => current.kill(), STOP_TIMEOUT_MS);
            current.onExit(() => {
              clearTimeout(timer);
              resolve();
            });
            send({ type: 'stop' });
          });
        }
        setState({ state: 'stopped' });
      })();
      return stopping;
    },
  };
}

/** What the app says while the gateway is not running. */
export function downMessage(state: GatewayHostState): string {
  if (state.state === 'starting') return 'The gateway process is starting.';
  if (state.state === 'restarting' || state.state === 'failed') return state.error;
  if (state.state === 'stopped') return 'The gateway is stopped.';
  return '';
}
