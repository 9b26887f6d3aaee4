/**
 * `rotary auth add <provider> [--label NAME]`: add an account from a credential JSON piped on
 * standard input (`{"access": "...", "refresh": "...", "expires": <epoch ms>}`), for example a
 * long-lived token from `claude setup-token`. Never from argv: arguments are visible to
 * every user of the machine (`ps`), so token-like arguments are refused.
 */
import { errorMessage, isRotaryError } from '../core/errors.js';
import { HELP_OPTION, looksLikeSecret, parseCommand } from './args.js';
import type { Command } from './command.js';
import { parseProvider, withCore } from './context.js';
import { CliFailure, EXIT_OK, printHelp, println, UsageError } from './io.js';
import { addCredential } from './links.js';
import { accountsCount, providerName, quotedName } from './render.js';
import { readAllStdin, scrubSecrets } from './stdin.js';

const PIPE_HINT = 'pipe the credential JSON on stdin, e.g. `rotary auth add anthropic < credential.json`';
const SECRET_FLAGS = /^--?(token|access|access-token|refresh|refresh-token|credential|credentials|secret|key|api-key|password)(=|$)/i;

export const authAdd: Command = {
  name: 'auth add',
  summary: 'add an account from a credential JSON on stdin',
  help: `Usage: rotary auth add <provider> [--label NAME] < credential.json

Adds an account from a credential piped on standard input:
  {"access": "...", "refresh": "...", "expires": <epoch ms>}
"refresh" and "expires" are optional (for example a long-lived token from
\`claude setup-token\`). Tokens are never accepted as arguments: other users of the
machine can read a command line.

Arguments:
  provider       anthropic, openai or github-copilot

Options:
  --label NAME   name the account (default: its e-mail, else "Account N")
  -h, --help     show this help

Example:
  printf '{"access":"%s"}' "$TOKEN" | rotary auth add anthropic --label ci`,
  async run(argv, io) {
    // Before parsing: a token typed as an argument gets the explanation, never an echo.
    if (argv.some((a) => SECRET_FLAGS.test(a) || looksLikeSecret(a))) {
      throw new UsageError('credentials are not accepted as arguments (other users can read them)', PIPE_HINT);
    }
    const { values, positionals } = parseCommand(
      'auth add',
      { args: argv, options: { ...HELP_OPTION, label: { type: 'string' } }, strict: true, allowPositionals: true },
      1,
    );
    if (values.help) return printHelp(io, this.help);
    if (positionals[0] === undefined) throw new UsageError('which provider? `rotary auth add <provider>`', PIPE_HINT);
    const providerID = parseProvider(positionals[0]);
    if (values.label !== undefined && !values.label.trim()) throw new UsageError('--label cannot be empty');
    if (io.stdin.isTTY) throw new UsageError('nothing piped on stdin', PIPE_HINT);

    const text = (await readAllStdin(io.stdin)).trim();
    if (!text) throw new UsageError('no credential on stdin', PIPE_HINT);

    return withCore(io, async (core) => {
      let record;
      try {
        record = await addCredential(core, { providerID, text, ...(values.label ? { label: values.label } : {}) });
      } catch (error) {
        // Parser and provider messages may quote the input; never let a token through.
        const message = scrubSecrets(errorMessage(error), text);
        if (isRotaryError(error) || error instanceof CliFailure) throw new CliFailure(message);
        throw new CliFailure(`could not add the account: ${message}`);
      }
      const count = core.pool.getAccounts(providerID).length;
      println(io.stdout, `Added ${providerName(providerID)} account ${quotedName(record)} (${accountsCount(count)}).`);
      return EXIT_OK;
    });
  },
};
