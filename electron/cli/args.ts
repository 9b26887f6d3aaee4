/**
 * Argument parsing on node:util `parseArgs`, with its errors turned into one-line usage
 * errors that name the command and point at its `--help`. Unknown options are never echoed
 * with their value: someone may have typed a token there.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Spread into every command's options: `--help` / `-h`. */
export const HELP_OPTION = {
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpec;

/**
 * `parseArgs` with strict options and positionals allowed; its errors become usage errors.
 * Callers pass `strict: true, allowPositionals: true` themselves so the result type is exact.
 */
export function parseCommand<const T extends ParseArgsConfig & { args: string[]; strict: true; allowPositionals: true }>(
  command: string,
  config: T,
  maxPositionals: number,
): ReturnType<typeof parseArgs<T>> {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    throw toUsageError(command, config.args, error);
  }
  const help = (parsed.values as Record<string, unknown>).help === true;
  if (!help && parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals[maxPositionals]!;
    throw new UsageError(`unexpected argument ${describeArg(extra)} for \`rotary ${command}\``, `see \`rotary ${command} --help\``);
  }
  return parsed;
}

function toUsageError(command: string, argv: string[], error: unknown): UsageError {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const hint = `see \`rotary ${command} --help\``;
  const optionName = /'(-{1,2}[^'\s=]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return new UsageError(`unknown option ${optionName ?? ''} for \`rotary ${command}\``.replace('  ', ' '), hint);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = optionName ?? argv.find((a) => a.startsWith('-')) ?? 'an option';
    return new UsageError(`option ${name.split('=')[0]} ${/argument missing/.test(message) ? 'needs a value' : 'has a value of the wrong kind'}`, hint);
  }
  return new UsageError(`could not read the arguments of \`rotary ${command}\``, hint);
}

/** Quote a user-typed argument in a message unless it could be a secret. */
export function describeArg(arg: string): string {
  if (arg.length > 40 || looksLikeSecret(arg)) return '(value hidden)';
  return `"${arg}"`;
}

/** Token shapes of the supported providers, and anything long and random-looking. */
export function looksLikeSecret(text: string): boolean {
  return /^(sk-|gh[opusr]_|github_pat_|eyJ|rt_|ya29\.)/.test(text) || /^[A-Za-z0-9_\-.~+/=]{32,}$/.test(text);
}

/** Parse `--port`-like integer options. */
export function parseIntOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number, not ${describeArg(value)}`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}`);
  return n;
}
