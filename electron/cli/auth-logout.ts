/**
 * `rotary auth logout`: remove one account or all accounts of a provider (metadata first,
 * then the keychain entry). Interactive like the feature request's sample, or by arguments
 * with `--yes` to skip the confirmation.
 */
import type { ProviderID } from '../../shared/domain.js';
import type { Core } from '../core/runtime.js';
import { HELP_OPTION, parseCommand } from './args.js';
import { pickProvider } from './auth-switch.js';
import type { Command } from './command.js';
import { parseProvider, resolveAccount, withCore } from './context.js';
import { CancelledError, CliFailure, EXIT_OK, printHelp, println, UsageError } from './io.js';
import { choose, confirm, intro, outro, requireTTY, spinner } from './prompts.js';
import { accountName, accountsCount, providerName, quotedName } from './render.js';

const ALL = '\u0000all';

export const authLogout: Command = {
  name: 'auth logout',
  summary: 'remove one account or all accounts of a provider',
  help: `Usage: rotary auth logout [provider] [account | --all] [--yes]

Removes an account (its record and its token in the keychain). Without arguments it asks
which provider, then "Remove all accounts (N)" or one account, then asks to confirm.

Arguments:
  provider    anthropic, openai or github-copilot
  account     the account's label, e-mail or id

Options:
  --all       remove every account of the provider
  -y, --yes   do not ask for confirmation (needed without a terminal)
  -h, --help  show this help

Examples:
  rotary auth logout
  rotary auth logout anthropic "Account 2" --yes
  rotary auth logout openai --all --yes`,
  async run(argv, io) {
    const { values, positionals } = parseCommand(
      'auth logout',
      { args: argv, options: { ...HELP_OPTION, all: { type: 'boolean' }, yes: { type: 'boolean', short: 'y' } }, strict: true, allowPositionals: true },
      2,
    );
    if (values.help) return printHelp(io, this.help);
    const [providerArg, accountArg] = positionals;
    const providerGiven = providerArg !== undefined ? parseProvider(providerArg) : undefined;
    if (values.all && accountArg !== undefined) throw new UsageError('pass either an account or --all, not both', 'see `rotary auth logout --help`');
    if (values.all && !providerGiven) throw new UsageError('--all needs a provider: `rotary auth logout <provider> --all`');
    const targetGiven = accountArg !== undefined || values.all === true;
    if (!targetGiven) {
      requireTTY(io, providerGiven ? `pass the account or --all: \`rotary auth logout ${providerGiven} <account> --yes\`` : 'pass the provider and account: `rotary auth logout <provider> <account|--all> --yes`');
    } else if (!values.yes) {
      requireTTY(io, 'pass --yes to remove without confirmation');
    }

    return withCore(io, async (core) => {
      if (targetGiven && providerGiven) {
        const targets = values.all ? allIDs(core, providerGiven) : [resolveAccount(core, providerGiven, accountArg!).id];
        if (!values.yes) {
          const question = values.all
            ? `Remove all ${accountsCount(targets.length)} of ${providerName(providerGiven)}?`
            : `Remove ${providerName(providerGiven)} account ${nameOf(core, providerGiven, targets[0]!)}?`;
          if (!(await confirm(io, question))) throw new CancelledError();
        }
        const remaining = await removeAll(core, providerGiven, targets);
        println(io.stdout, doneMessage(targets.length, remaining));
        return EXIT_OK;
      }

      intro(io, 'Remove credential');
      const providerID = providerGiven ?? (await pickProvider(core, io, 'Select provider'));
      const accounts = core.pool.getAccounts(providerID);
      if (accounts.length === 0) throw new CliFailure(`${providerName(providerID)} has no accounts.`);
      const choice = await choose(io, 'Remove which account?', [
        { value: ALL, label: `Remove all accounts (${accountsCount(accounts.length)})` },
        ...accounts.map((a) => ({ value: a.id, label: accountName(a), ...(a.isActive ? { hint: 'active' } : {}) })),
      ]);
      const targets = choice === ALL ? accounts.map((a) => a.id) : [choice];
      const question =
        choice === ALL ? `Remove all ${accountsCount(targets.length)} of ${providerName(providerID)}?` : `Remove ${nameOf(core, providerID, choice)}?`;
      if (!(await confirm(io, question))) throw new CancelledError();
      const spin = spinner(io);
      spin.start('Removing…');
      const remaining = await removeAll(core, providerID, targets);
      spin.stop(doneMessage(targets.length, remaining));
      outro(io, 'Done');
      return EXIT_OK;
    });
  },
};

function allIDs(core: Core, providerID: ProviderID): string[] {
  const ids = core.pool.getAccounts(providerID).map((a) => a.id);
  if (ids.length === 0) throw new CliFailure(`${providerName(providerID)} has no accounts.`);
  return ids;
}

function nameOf(core: Core, providerID: ProviderID, recordID: string): string {
  const record = core.pool.getRecord(providerID, recordID);
  return record ? quotedName(record) : 'this account';
}

/** Remove each target; one already removed by someone else is not an error. Returns how many remain. */
async function removeAll(core: Core, providerID: ProviderID, ids: string[]): Promise<number> {
  let remaining = core.pool.getAccounts(providerID).length;
  for (const id of ids) {
    if (!core.pool.getRecord(providerID, id)) continue;
    ({ remaining } = await core.pool.removeRecord(providerID, id));
  }
  return remaining;
}

export function doneMessage(removed: number, remaining: number): string {
  const head = removed === 1 ? 'Account removed.' : `${removed} accounts removed.`;
  return `${head} ${accountsCount(remaining)} remaining.`;
}
