/**
 * The `rotary` command: routes `rotary <command> [sub-command] [args]` to one module per
 * command, prints help and version, and turns every failure into one stderr line and an
 * exit code (0 success, 1 failure, 2 usage error).
 *
 * `run(argv, io)` is the whole CLI and never touches `process`, so tests drive it in-process;
 * `main()` binds it to the real process (streams, Ctrl+C, exit code).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ZodError } from 'zod';
import { isRotaryError } from '../core/errors.js';
import { describeArg } from './args.js';
import { authAdd } from './auth-add.js';
import { authDisable, authEnable } from './auth-disable.js';
import { authImport } from './auth-import.js';
import { authList } from './auth-list.js';
import { authLogin } from './auth-login.js';
import { authLogout } from './auth-logout.js';
import { authReset } from './auth-reset.js';
import { authSwitch } from './auth-switch.js';
import { authUsage } from './auth-usage.js';
import type { Command } from './command.js';
import { doctor } from './doctor.js';
import { config } from './config.js';
import { gateway } from './gateway.js';
import { CancelledError, CliFailure, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, oneLine, printError, printHelp, println, UsageError, type CliIO } from './io.js';
import { packageInfo } from './package-root.js';
import { scrubSecrets } from './stdin.js';
import { vault } from './vault.js';
// Connecting tools (issue 13): rotary setup, rotary env, rotary key.
import { env } from './env.js';
import { key } from './key.js';
import { setup } from './setup.js';

export const COMMANDS: Command[] = [authList, authUsage, authSwitch, authReset, authDisable, authEnable, authLogout, authLogin, authAdd, authImport, gateway, vault, config, doctor, setup, env, key];

const AUTH_HELP = `Usage: rotary auth <command> [options]

Commands:
${COMMANDS.filter((c) => c.name.startsWith('auth ')).map((c) => `  ${c.name.slice(5).padEnd(8)}  ${c.summary}`).join('\n')}

Run \`rotary auth <command> --help\` for its options.`;

const TOP_HELP = `Usage: rotary <command> [options]

Several AI coding subscriptions, one local gateway that rotates accounts on rate limits.
Uses the same accounts and keychain as the Rotary app.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(12)}  ${c.summary}`).join('\n')}

Options:
  -h, --help     show help (also after any command)
  -v, --version  show the version

Environment:
  ROTARY_HOME            data folder (default: the app's folder)
  ROTARY_SECRET_BACKEND  keychain (default), encrypted-file or file (see \`rotary vault --help\`)
  ROTARY_VAULT_PASSPHRASE, ROTARY_VAULT_PASSPHRASE_FILE  the encrypted vault's passphrase
  ROTARY_UPSTREAM        replace every provider host (tests, demo)
  ROTARY_ROTATION_POLICY, ROTARY_FORECAST_LEAD_MINUTES  override \`rotary config\` (see its --help)
  ROTARY_HISTORY=off     keep no usage and request history (history.db)
  ROTARY_DEBUG=1         show stack traces of unexpected errors`;

/** Run the CLI with `argv` (without `node` and the script). Returns the exit code; never throws. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    return report(error, io, argv);
  }
}

async function dispatch(argv: string[], io: CliIO): Promise<number> {
  const [first, second, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help') return printHelp(io, TOP_HELP);
  if (first === '-v' || first === '-V' || first === '--version') {
    println(io.stdout, version());
    return EXIT_OK;
  }
  if (first === 'help') return dispatch([...argv.slice(1), '--help'], io);
  if (first === 'auth') {
    if (second === undefined || second === '-h' || second === '--help') return printHelp(io, AUTH_HELP);
    const command = COMMANDS.find((c) => c.name === `auth ${second}`);
    if (!command) {
      throw new UsageError(
        second.startsWith('-') ? `unknown option ${second.split('=')[0]} for \`rotary auth\`` : `unknown command \`rotary auth ${describeArg(second).replace(/"/g, '')}\``,
        'see `rotary auth --help`',
      );
    }
    return command.run(rest, io);
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (command) return command.run(argv.slice(1), io);
  if (first.startsWith('-')) throw new UsageError(`unknown option ${first.split('=')[0]}`, 'see `rotary --help`');
  const guess = COMMANDS.find((c) => c.name.split(' ').at(-1) === first);
  throw new UsageError(`unknown command ${describeArg(first)}`, guess ? `did you mean \`rotary ${guess.name}\`?` : 'see `rotary --help`');
}

/** One stderr line per failure; the exit code says which kind. */
function report(error: unknown, io: CliIO, argv: string[]): number {
  // An argument may hold something secret (a mistake); never echo it back inside a message.
  const scrub = (message: string) => scrubSecrets(message, argv.filter((a) => a.length >= 24).join(' '));
  if (error instanceof UsageError) {
    printError(io, `${scrub(error.message)}${error.hint ? `; ${error.hint}` : ''}`);
    return EXIT_USAGE;
  }
  if (error instanceof CancelledError || isRotaryError(error, 'cancelled')) {
    printError(io, error.message);
    return EXIT_FAILURE;
  }
  if (error instanceof CliFailure || isRotaryError(error)) {
    printError(io, scrub(error.message));
    return EXIT_FAILURE;
  }
  if (error instanceof ZodError) {
    printError(io, 'unexpected data in the account store or a provider answer (set ROTARY_DEBUG=1 for details)');
  } else {
    const message = error instanceof Error ? error.message : String(error);
    printError(io, `unexpected error: ${oneLine(scrub(message)).slice(0, 300)} (set ROTARY_DEBUG=1 for details)`);
  }
  if (io.env.ROTARY_DEBUG === '1' && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return EXIT_FAILURE;
}

/** The package version. */
export function version(): string {
  return packageInfo()?.version ?? 'unknown';
}

/** Bind the CLI to this process: real streams, Ctrl+C aborts the running step, exit code set. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const abort = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    // First Ctrl+C: cancel cleanly (the command prints what happened). Second: leave now.
    if (interrupts > 1) process.exit(130);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    });
  }
  const code = await run(argv, {
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    signal: abort.signal,
  });
  // Exit explicitly: keep-alive sockets or the keychain's D-Bus connection must not hold the process open.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  await new Promise<void>((resolve) => process.stderr.write('', () => resolve()));
  process.exit(code);
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(path.resolve(entry)).href) void main();
