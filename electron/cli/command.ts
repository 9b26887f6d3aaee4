/**
 * The shape every command module exports, so `main.ts` can route, print help and list
 * commands from one table.
 */
import type { CliIO } from './io.js';

export interface Command {
  /** Words after `rotary`, e.g. `auth list`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full `--help` text (usage, arguments, options, examples). */
  help: string;
  /** Returns the exit code; throws UsageError / CliFailure / RotaryError for the error path. */
  run(argv: string[], io: CliIO): Promise<number>;
}
