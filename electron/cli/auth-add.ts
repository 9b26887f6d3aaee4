/**
 * `rotary auth add <provider> [--label NAME]`: add an account from a credential JSON piped on
 * standard input (`{"access": "...", "refresh": "...", "expires": <epoch ms>}`), for example a
 * long-lived token from `claude setup-token`. The provider is asked first where it can: a token
 * it rejects is not added (exit 1); an account already in the pool is not added twice. Never from argv: arguments are visible to
 * every user of the machine (`ps`), so token-like arguments are refused.
 */
import { escapeControls, labelProblem } from '../../shared/plain-text.js';
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

The provider is asked first where it can (Anthropic's profile, GitHub and the Copilot
token exchange): a token it rejects is not added (exit 1). An account already in Rotary
(same token, or the same account as the provider names it) is not added twice.

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
    const labelError = values.label !== undefined ? labelProblem(values.label, '--label') : undefined;
    if (labelError) throw new UsageError(labelError.replace(/\.$/, ''));
    if (io.stdin.isTTY) throw new UsageError('nothing piped on stdin', PIPE_HINT);

    const text = (await readAllStdin(io.stdin)).trim();
    if (!text) throw new UsageError('no credential on stdin', PIPE_HINT);

    return withCore(io, async (core) => {
      let added;
      try {
        added = await addCredential(core, { providerID, text, ...(values.label ? { label: values.label } : {}) });
      } catch (error) {
        // Parser and provider messages may quote the input; never let a token through.
        const message = scrubSecrets(errorMessage(error), text);
        if (isRotaryError(error) || error instanceof CliFailure) throw new CliFailure(message);
        throw new CliFailure(`could not add the account: ${message}`);
      }
      const { record, outcome, unchecked } = added;
      const name = `${providerName(providerID)} account ${quotedName(record)}`;
      if (unchecked) println(io.stderr, `rotary: note: the credential could not be checked with ${providerName(providerID)} (${escapeControls(scrubSecrets(unchecked, text))}); it was added anyway.`);
      if (outcome === 'duplicate') println(io.stdout, `${name} is already in Rotary (same token); nothing was added.`);
      else if (outcome === 'updated') println(io.stdout, `${name} is already in Rotary (the provider says it is the same account); its credential was updated.`);
      else println(io.stdout, `Added ${name} (${accountsCount(core.pool.getAccounts(providerID).length)}).`);
      return EXIT_OK;
    });
  },
};
