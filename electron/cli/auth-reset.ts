/**
 * `rotary auth reset <provider> <account>` / `--all`: clear cooldowns by hand (PRODUCT §3:
 * "the user can clear a cooldown"), for when the user knows an account can take requests
 * again before the reset the provider reported. The gateway tries it on the next request.
 */
import { HELP_OPTION, parseCommand } from './args.js';
import type { Command } from './command.js';
import { parseProvider, resolveAccount, withCore } from './context.js';
import { EXIT_OK, printHelp, println, UsageError } from './io.js';
import { accountName, providerName } from './render.js';

export const authReset: Command = {
  name: 'auth reset',
  summary: 'clear an account\'s cooldown so it takes requests again',
  help: `Usage: rotary auth reset <provider> <account>
       rotary auth reset <provider> --all

Clears the cooldown of an account (also its model-family limits, such as a weekly Sonnet
limit), so the gateway tries it again on the next request. Use it when you know the limit
is over sooner than the provider said; if it is not, the account simply cools down again.

Arguments:
  provider    anthropic, openai or github-copilot
  account     the account's label, e-mail or id

Options:
  --all       every account of the provider
  -h, --help  show this help

Example:
  rotary auth reset anthropic work@example.com`,
  async run(argv, io) {
    const { values, positionals } = parseCommand(
      'auth reset',
      { args: argv, options: { ...HELP_OPTION, all: { type: 'boolean' } }, strict: true, allowPositionals: true },
      2,
    );
    if (values.help) return printHelp(io, this.help);
    const [providerArg, accountArg] = positionals;
    if (providerArg === undefined) throw new UsageError('missing <provider>', 'usage: `rotary auth reset <provider> <account>` or `--all`');
    const providerID = parseProvider(providerArg);
    if ((accountArg === undefined) === !values.all) {
      throw new UsageError('name one account or pass --all', `usage: \`rotary auth reset ${providerID} <account>\` or \`rotary auth reset ${providerID} --all\``);
    }
    return withCore(io, async (core) => {
      const targets = accountArg !== undefined ? [resolveAccount(core, providerID, accountArg)] : core.pool.getAccounts(providerID);
      for (const record of targets) await core.pool.clearCooldown(providerID, record.id);
      const names = targets.map((t) => accountName(t));
      println(io.stdout, names.length === 0 ? `${providerName(providerID)} has no accounts.` : `Cleared the cooldown of ${names.join(', ')} (${providerName(providerID)}).`);
      return EXIT_OK;
    });
  },
};
