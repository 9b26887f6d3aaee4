/**
 * What a CLI command gets from the outside world. Passing these in (instead of touching
 * `process`) lets the tests run every command in-process with their own streams and env,
 * and the real binary run the same code with the process's streams.
 */
import type { Readable, Writable } from 'node:stream';
import { escapeControls } from '../../shared/plain-text.js';

export interface CliIO {
  env: NodeJS.ProcessEnv;
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable;
  stderr: Writable;
  /** True when a person can answer prompts (stdin and stdout are terminals). */
  isTTY: boolean;
  /** Aborted on Ctrl+C (SIGINT) while a long-running step (login, gateway) waits. */
  signal?: AbortSignal;
}

/** Exit codes: 0 success, 1 failure, 2 usage error (bad arguments, a prompt that cannot be shown). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Bad arguments or a missing answer: printed as one line plus a hint, exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The user cancelled a prompt (Ctrl+C / Escape): nothing was changed, exit 1. */
export class CancelledError extends Error {
  constructor(message = 'Cancelled; nothing was changed.') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** A failure whose message is already written for the user (exit 1). */
export class CliFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliFailure';
  }
}

export function println(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}

/** Stderr line in the one format every error uses (messages may quote labels: control characters are escaped). */
export function printError(io: CliIO, message: string): void {
  println(io.stderr, `rotary: ${escapeControls(oneLine(message))}`);
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export function printHelp(io: Pick<CliIO, 'stdout'>, text: string): number {
  println(io.stdout, text);
  return EXIT_OK;
}
