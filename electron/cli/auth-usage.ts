/**
 * `rotary auth usage [provider] [--json] [--refresh]`: every account's limits as bars, with
 * reset countdowns, the age of the numbers, and the account's state (active, cooling down,
 * needs re-login).
 */
import { terminalJson } from '../../shared/plain-text.js';
import type { AccountView, ProviderID } from '../../shared/domain.js';
import { HELP_OPTION, parseCommand } from './args.js';
import type { Command } from './command.js';
import { parseProvider, withCore } from './context.js';
import { EXIT_OK, printHelp, println } from './io.js';
import { refreshUsage } from './links.js';
import { accountBlock, accountsCount, providerName } from './render.js';

export const authUsage: Command = {
  name: 'auth usage',
  summary: 'usage limits of every account, as bars',
  help: `Usage: rotary auth usage [provider] [--json] [--refresh]

Shows each account's usage limits (5-hour, 7-day, monthly…) as bars with the time until
they reset and how old the numbers are. Marks the active account and accounts that are
cooling down or need a new login.

Arguments:
  provider    anthropic, openai or github-copilot (default: all)

Options:
  --refresh   ask the providers' usage endpoints for fresh numbers first
  --json      machine-readable output (no secrets)
  -h, --help  show this help`,
  async run(argv, io) {
    const { values, positionals } = parseCommand(
      'auth usage',
      { args: argv, options: { ...HELP_OPTION, json: { type: 'boolean' }, refresh: { type: 'boolean' } }, strict: true, allowPositionals: true },
      1,
    );
    if (values.help) return printHelp(io, this.help);
    const only = positionals[0] !== undefined ? parseProvider(positionals[0]) : undefined;
    return withCore(io, async (core) => {
      const providers = only ? [only] : core.pool.providers().map((p) => p.providerID);
      if (values.refresh) await refreshUsage(core, providers);
      const now = Date.now();
      const groups = providers.map((providerID) => ({ providerID, accounts: core.pool.getAccounts(providerID) }));
      if (values.json) {
        println(io.stdout, terminalJson(usageJSON(groups, now), 2));
        return EXIT_OK;
      }
      const shown = groups.filter((g) => g.accounts.length > 0);
      if (shown.length === 0) {
        println(io.stdout, only ? `${providerName(only)} has no accounts. Add one with \`rotary auth login ${only}\`.` : 'No accounts yet. Add one with `rotary auth login <provider>`.');
        return EXIT_OK;
      }
      for (const [i, group] of shown.entries()) {
        if (i > 0) println(io.stdout);
        println(io.stdout, `${providerName(group.providerID)}  (${accountsCount(group.accounts.length)})`);
        for (const account of group.accounts) for (const line of accountBlock(account, now, '  ')) println(io.stdout, line);
      }
      return EXIT_OK;
    }, { usage: values.refresh === true });
  },
};

/** The `--json` document: accounts as AccountView without anything secret (the pool never holds secrets). */
export function usageJSON(groups: Array<{ providerID: ProviderID; accounts: AccountView[] }>, now: number) {
  return {
    now,
    providers: groups.map((g) => ({
      providerID: g.providerID,
      name: providerName(g.providerID),
      accounts: g.accounts.map((a) => ({
        id: a.id,
        label: a.label,
        ...(a.email ? { email: a.email } : {}),
        isActive: a.isActive,
        status: a.status,
        health: a.health,
        usage: a.usage ?? null,
        createdAt: a.createdAt,
        updatedAt: a.updatedAt,
      })),
    })),
  };
}
