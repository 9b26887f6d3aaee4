/**
 * `rotary auth disable <provider> <account>` / `rotary auth enable …`: take an account out of
 * rotation without removing it (PRODUCT §3: disabled accounts are skipped), and put it back.
 * A disabled account keeps its login; the gateway and the usage poller leave it alone.
 */
import { HELP_OPTION, parseCommand } from './args.js';
import type { Command } from './command.js';
import { parseProvider, resolveAccount, withCore } from './context.js';
import { EXIT_OK, printHelp, println, UsageError } from './io.js';
import { accountName, providerName } from './render.js';

function toggle(disabled: boolean): Command {
  const verb = disabled ? 'disable' : 'enable';
  return {
    name: `auth ${verb}`,
    summary: disabled ? 'take an account out of rotation without removing it' : 'put a disabled account back into rotation',
    help: `Usage: rotary auth ${verb} <provider> <account>

${
  disabled
    ? 'Takes the account out of rotation: the gateway skips it and its usage is no longer polled.\nIts login stays, so `rotary auth enable` brings it back at once.'
    : 'Puts a disabled account back into rotation.'
}

Arguments:
  provider    anthropic, openai or github-copilot
  account     the account's label, e-mail or id

Options:
  -h, --help  show this help`,
    async run(argv, io) {
      const { values, positionals } = parseCommand(`auth ${verb}`, { args: argv, options: { ...HELP_OPTION }, strict: true, allowPositionals: true }, 2);
      if (values.help) return printHelp(io, this.help);
      const [providerArg, accountArg] = positionals;
      if (providerArg === undefined || accountArg === undefined) {
        throw new UsageError(`missing <${providerArg === undefined ? 'provider' : 'account'}>`, `usage: \`rotary auth ${verb} <provider> <account>\``);
      }
      const providerID = parseProvider(providerArg);
      return withCore(io, async (core) => {
        const record = resolveAccount(core, providerID, accountArg);
        await core.pool.setDisabled(providerID, record.id, disabled);
        const what = disabled ? 'is disabled: the gateway skips it until you run `rotary auth enable`' : 'is back in rotation';
        println(io.stdout, `${accountName(record)} (${providerName(providerID)}) ${what}.`);
        return EXIT_OK;
      });
    },
  };
}

export const authDisable = toggle(true);
export const authEnable = toggle(false);
