/** `rotary auth list`: providers (alphabetical) with account counts and the active account. */
import { escapeControls, terminalJson } from '../../shared/plain-text.js';
import { parseCommand, HELP_OPTION } from './args.js';
import type { Command } from './command.js';
import { withCore } from './context.js';
import { EXIT_OK, printHelp, println } from './io.js';
import { accountsCount, providerName } from './render.js';

export const authList: Command = {
  name: 'auth list',
  summary: 'providers with their account counts',
  help: `Usage: rotary auth list [--json]

Lists the providers that have accounts (alphabetical), how many accounts each has and
which one is active.

Options:
  --json      machine-readable output (no secrets)
  -h, --help  show this help`,
  async run(argv, io) {
    const { values } = parseCommand('auth list', { args: argv, options: { ...HELP_OPTION, json: { type: 'boolean' } }, strict: true, allowPositionals: true }, 0);
    if (values.help) return printHelp(io, this.help);
    return withCore(io, async (core) => {
      const rows = core.pool.providers().map(({ providerID, count }) => {
        const active = core.pool.getAccounts(providerID).find((a) => a.isActive);
        return { providerID, name: providerName(providerID), count, active };
      });
      rows.sort((a, b) => a.name.localeCompare(b.name));
      if (values.json) {
        const json = rows.map((r) => ({
          providerID: r.providerID,
          name: r.name,
          accounts: r.count,
          active: r.active ? { id: r.active.id, label: r.active.label, ...(r.active.email ? { email: r.active.email } : {}) } : null,
        }));
        println(io.stdout, terminalJson({ providers: json }, 2));
        return EXIT_OK;
      }
      if (rows.length === 0) {
        println(io.stdout, 'No accounts yet. Add one with `rotary auth login <provider>` (anthropic, openai, github-copilot).');
        return EXIT_OK;
      }
      const nameWidth = Math.max(...rows.map((r) => r.name.length));
      const countWidth = Math.max(...rows.map((r) => accountsCount(r.count).length));
      for (const r of rows) {
        const active = r.active ? `  active: ${escapeControls(r.active.label)}` : '';
        println(io.stdout, `${r.name.padEnd(nameWidth)}  ${accountsCount(r.count).padEnd(countWidth)}${active}`.trimEnd());
      }
      return EXIT_OK;
    });
  },
};

