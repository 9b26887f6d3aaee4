/**
 * @clack/prompts on the command's own streams. Every prompt first checks that a person can
 * answer it: without a terminal nothing waits; the command says which argument to pass.
 */
import * as clack from '@clack/prompts';
import type { Option } from '@clack/prompts';
import { CancelledError, UsageError, type CliIO } from './io.js';

/** Throw a usage error (exit 2) unless prompts can be shown. */
export function requireTTY(io: CliIO, hint: string): void {
  if (!io.isTTY) throw new UsageError('this needs an interactive terminal', hint);
}

function streams(io: CliIO) {
  return { input: io.stdin, output: io.stdout, ...(io.signal ? { signal: io.signal } : {}) };
}

function unwrap<T>(value: T): Exclude<T, symbol> {
  if (clack.isCancel(value)) throw new CancelledError();
  return value as Exclude<T, symbol>;
}

export async function choose<V>(io: CliIO, message: string, options: Option<V>[], initialValue?: V): Promise<V> {
  return unwrap<V | symbol>(
    await clack.select<V>({ message, options, ...(initialValue !== undefined ? { initialValue } : {}), ...streams(io) }),
  );
}

export async function chooseMany<V>(io: CliIO, message: string, options: Option<V>[], initialValues?: V[]): Promise<V[]> {
  return unwrap<V[] | symbol>(
    await clack.multiselect<V>({ message, options, required: false, ...(initialValues ? { initialValues } : {}), ...streams(io) }),
  );
}

export async function confirm(io: CliIO, message: string, initialValue = false): Promise<boolean> {
  return unwrap(await clack.confirm({ message, initialValue, ...streams(io) }));
}

export async function askText(io: CliIO, message: string, validate?: (value: string) => string | undefined): Promise<string> {
  return unwrap(
    await clack.text({
      message,
      ...(validate ? { validate: (v: string | undefined) => validate(v ?? '') } : {}),
      ...streams(io),
    }),
  );
}

/** A masked prompt (the vault passphrase). The answer is never echoed or kept by the prompt. */
export async function askPassword(io: CliIO, message: string, validate?: (value: string) => string | undefined): Promise<string> {
  return unwrap(
    await clack.password({
      message,
      clearOnError: true,
      ...(validate ? { validate: (v: string | undefined) => validate(v ?? '') } : {}),
      ...streams(io),
    }),
  );
}

export function intro(io: CliIO, title: string): void {
  clack.intro(title, { output: io.stdout });
}

export function outro(io: CliIO, message: string): void {
  clack.outro(message, { output: io.stdout });
}

export function note(io: CliIO, message: string, title?: string): void {
  clack.note(message, title, { output: io.stdout });
}

export const log = {
  info: (io: CliIO, message: string) => clack.log.info(message, { output: io.stdout }),
  success: (io: CliIO, message: string) => clack.log.success(message, { output: io.stdout }),
  warn: (io: CliIO, message: string) => clack.log.warn(message, { output: io.stdout }),
  step: (io: CliIO, message: string) => clack.log.step(message, { output: io.stdout }),
  message: (io: CliIO, message: string) => clack.log.message(message, { output: io.stdout }),
};

/** A spinner on stdout when it is a terminal; plain lines otherwise (logs stay readable). */
export function spinner(io: CliIO): { start(msg: string): void; stop(msg: string): void; error(msg: string): void } {
  if (!io.isTTY) {
    return {
      start: (msg) => io.stdout.write(`${msg}\n`),
      stop: (msg) => io.stdout.write(`${msg}\n`),
      error: () => undefined,
    };
  }
  const s = clack.spinner({ output: io.stdout });
  return { start: (m) => s.start(m), stop: (m) => s.stop(m), error: (m) => s.error(m) };
}
