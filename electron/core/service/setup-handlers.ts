/**
 * The `setup:*` channels ("Connect a tool" in the app): the same setup engine as `rotary
 * setup`, against the running gateway's address. Over the web transport the files changed
 * are those of the machine the gateway runs on; `setup:list` names it. No result holds the
 * gateway key (the tools get it from `rotary key` or the environment).
 */
import os from 'node:os';
import type { Result } from '../../../shared/ipc.js';
import { applySetup, planSetup, setupStatus, undoSetup, type SetupContext } from '../clients/setup.js';
import { ConfigUnreadableError, SetupConflictError } from '../clients/types.js';
import { SETUP_TOOLS } from '../clients/registry.js';
import { RotaryError } from '../errors.js';
import { toResult } from './errors.js';
import type { GatewayPort, ServiceHandlers } from './types.js';

export interface SetupDeps {
  /** The environment the tools run in (HOME, CLAUDE_CONFIG_DIR, CODEX_HOME, XDG_CONFIG_HOME). */
  env: NodeJS.ProcessEnv;
  /** ROTARY_HOME (setup records). */
  home: string;
  /** argv that prints the gateway key, written into the tools' helper settings. */
  keyCommand: readonly string[];
}

type SetupHandlers = Pick<ServiceHandlers, 'setup:list' | 'setup:preview' | 'setup:apply' | 'setup:undo'>;

export function createSetupHandlers(deps: SetupDeps | undefined, gateway: GatewayPort | undefined): SetupHandlers {
  const context = (): SetupContext => {
    const url = gateway?.url();
    if (!deps) throw new RotaryError('bad-input', 'Tool setup is not available in this process.');
    if (!url) throw new RotaryError('bad-input', 'The gateway is not running, so there is no address to point a tool at yet.');
    return { env: deps.env, home: deps.home, target: { url, keyCommand: deps.keyCommand } };
  };
  const run = <T>(work: () => T): Promise<Result<T>> => toResult(() => explain(work));
  return {
    'setup:list': () => run(() => ({ host: os.hostname(), tools: SETUP_TOOLS.map((t) => setupStatus(t.id, context())) })),
    'setup:preview': ({ toolID }) => run(() => planSetup(toolID, context())),
    'setup:apply': ({ toolID }) =>
      run(() => {
        const ctx = context();
        const result = applySetup(toolID, ctx);
        const message = result.wrote
          ? `${result.plan.title} is set up: ${result.plan.file}${result.backup ? ` (original kept in ${result.backup})` : ''}.`
          : `${result.plan.title} was already set up; nothing changed.`;
        return { status: setupStatus(toolID, ctx), wrote: result.wrote, ...(result.backup ? { backup: result.backup } : {}), message };
      }),
    'setup:undo': ({ toolID }) =>
      run(() => {
        const ctx = context();
        const result = undoSetup(toolID, ctx);
        return { status: setupStatus(toolID, ctx), outcome: result.outcome, message: result.message };
      }),
  };
}

/** Setup's own errors carry messages for the user; the contract knows them as bad input. */
function explain<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ConfigUnreadableError || error instanceof SetupConflictError) throw new RotaryError('bad-input', error.message);
    throw error;
  }
}
