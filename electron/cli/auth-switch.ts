/**
 * `rotary auth switch [provider] [account]`: make an account the active one. Interactive
 * (pick provider, then account) or by arguments; the account is named by label, e-mail or id.
 * A running gateway sees the change on its next request (it watches the store file).
 */
import type { ProviderID } from '../../shared/domain.js';
import type { Core } from '../core/runtime.js';
import { HELP_OPTION, parseCommand } from './args.js';
import type { Command } from './command.js';
import { parseProvider, resolveAccount, withCore } from './context.js';
import { CliFailure, EXIT_OK, printHelp, println, type CliIO } from './io.js';
import { choose, intro, outro, requireTTY } from './prompts.js';
import { accountBlock, accountName, accountsCount, providerName, statusText } from './render.js';
import { DEFAULT_NAMESPACE } from '../../shared/domain.js';

export const authSwitch: Command = {
  name: 'auth switch',
  summary: 'make another account the active one',
  help: `Usage: rotary auth switch [provider] [account]

Makes an account the active one for its provider. Every conversation through the gateway
moves to it from the next request on. Without arguments it asks (needs a terminal).

Arguments:
  provider    anthropic, openai or github-copilot
  account     the account's label, e-mail or id

Examples:
  rotary auth switch
  rotary auth switch anthropic work@example.com
  rotary auth switch openai "Account 2"`,
  async run(argv, io) {
    const { values, positionals } = parseCommand('auth switch', { args: argv, options: { ...HELP_OPTION }, strict: true, allowPositionals: true }, 2);
    if (values.help) return printHelp(io, this.help);
    const [providerArg, accountArg] = positionals;
    const providerGiven = providerArg !== undefined ? parseProvider(providerArg) : undefined;
    if (accountArg === undefined) {
      requireTTY(io, providerGiven ? `pass the account: \`rotary auth switch ${providerGiven} <account>\`` : 'pass them as arguments: `rotary auth switch <provider> <account>`');
    }
    return withCore(io, async (core) => {
      if (accountArg !== undefined && providerGiven) {
        const record = resolveAccount(core, providerGiven, accountArg);
        await core.pool.setActive(providerGiven, record.namespace, record.id);
        printSwitched(core, io, providerGiven, record.id);
        return EXIT_OK;
      }
      intro(io, 'Switch account');
      const providerID = providerGiven ?? (await pickProvider(core, io, 'Select provider'));
      const accounts = core.pool.getAccounts(providerID);
      if (accounts.length === 0) throw new CliFailure(`${providerName(providerID)} has no accounts. Add one with \`rotary auth login ${providerID}\`.`);
      const now = Date.now();
      const recordID = await choose(
        io,
        'Switch to which account?',
        accounts.map((a) => ({
          value: a.id,
          label: accountName(a),
          ...(a.isActive ? { hint: 'active' } : a.status.kind !== 'ok' ? { hint: statusText(a.status, now) } : {}),
        })),
        accounts.find((a) => a.isActive)?.id,
      );
      await core.pool.setActive(providerID, DEFAULT_NAMESPACE, recordID);
      const chosen = core.pool.getAccounts(providerID).find((a) => a.id === recordID)!;
      outro(io, `Active ${providerName(providerID)} account: ${accountName(chosen)}`);
      printSwitched(core, io, providerID, recordID, false);
      return EXIT_OK;
    });
  },
};

/** Provider picker over the providers that have accounts (alphabetical, with counts). */
export async function pickProvider(core: Core, io: CliIO, message: string): Promise<ProviderID> {
  const providers = core.pool.providers().sort((a, b) => providerName(a.providerID).localeCompare(providerName(b.providerID)));
  if (providers.length === 0) throw new CliFailure('No accounts yet. Add one with `rotary auth login <provider>`.');
  return choose(
    io,
    message,
    providers.map((p) => ({ value: p.providerID, label: providerName(p.providerID), hint: accountsCount(p.count) })),
  );
}

function printSwitched(core: Core, io: CliIO, providerID: ProviderID, recordID: string, headline = true): void {
  const account = core.pool.getAccounts(providerID).find((a) => a.id === recordID);
  if (!account) return;
  if (headline) println(io.stdout, `Active ${providerName(providerID)} account: ${accountName(account)}`);
  for (const line of accountBlock(account, Date.now())) println(io.stdout, line);
}
