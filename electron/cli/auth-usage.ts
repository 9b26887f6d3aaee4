/**
 * `rotary auth usage [provider] [--json] [--refresh] [--history]`: every account's limits as
 * bars, with reset countdowns, the age of the numbers, the account's state (active, cooling
 * down, needs re-login) and, from the history database, the forecast: "at this pace: limit
 * reached at 14:05" per window and how long the pool lasts. `--history` adds each account's
 * completed weeks and the share of the weekly limit that expired unused.
 */
import { terminalJson } from '../../shared/plain-text.js';
import type { AccountView, ProviderID } from '../../shared/domain.js';
import type { ProviderForecast, WastedWeek } from '../../shared/forecast.js';
import { poolCoverageText } from '../../shared/usage-format.js';
import { rotationEnv } from '../core/rotation/policy.js';
import { forecastView, usageHistoryView } from '../core/service/forecast-views.js';
import { HELP_OPTION, parseCommand } from './args.js';
import type { Command } from './command.js';
import { parseProvider, withCore } from './context.js';
import { EXIT_OK, printHelp, println } from './io.js';
import { refreshUsage } from './links.js';
import { accountBlock, accountsCount, providerName, wasteLines } from './render.js';

export const authUsage: Command = {
  name: 'auth usage',
  summary: 'usage limits of every account, as bars, with forecasts',
  help: `Usage: rotary auth usage [provider] [--json] [--refresh] [--history]

Shows each account's usage limits (5-hour, 7-day, monthly…) as bars with the time until
they reset and how old the numbers are. Marks the active account and accounts that are
cooling down or need a new login. From the usage history (kept by the app and the gateway)
each window gets a forecast ("at this pace: limit reached at 14:05" or "lasts past the reset
at 16:30") and each provider the time the pool of usable accounts lasts.

Arguments:
  provider    anthropic, openai or github-copilot (default: all)

Options:
  --refresh   ask the providers' usage endpoints for fresh numbers first
  --history   also the last weeks of each account: how much of its weekly limit expired unused
  --json      machine-readable output (no secrets)
  -h, --help  show this help`,
  async run(argv, io) {
    const { values, positionals } = parseCommand(
      'auth usage',
      { args: argv, options: { ...HELP_OPTION, json: { type: 'boolean' }, refresh: { type: 'boolean' }, history: { type: 'boolean' } }, strict: true, allowPositionals: true },
      1,
    );
    if (values.help) return printHelp(io, this.help);
    const only = positionals[0] !== undefined ? parseProvider(positionals[0]) : undefined;
    const env = rotationEnv(io.env);
    return withCore(io, async (core) => {
      const providers = only ? [only] : core.pool.providers().map((p) => p.providerID);
      if (values.refresh) await refreshUsage(core, providers);
      await core.history?.flush();
      const now = Date.now();
      const deps = { pool: core.pool, history: core.history, rotationEnv: env };
      const forecasts = new Map(providers.map((id) => [id, forecastView(deps, now, id).providers[0]!]));
      const waste = new Map<string, WastedWeek[]>();
      if (values.history) {
        for (const id of providers) for (const a of usageHistoryView(deps, id, now).accounts) waste.set(a.recordID, a.waste);
      }
      const groups = providers.map((providerID) => ({ providerID, accounts: core.pool.getAccounts(providerID), forecast: forecasts.get(providerID) }));
      if (values.json) {
        println(io.stdout, terminalJson(usageJSON(groups, now, values.history ? waste : undefined), 2));
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
        for (const account of group.accounts) {
          const forecast = group.forecast?.accounts.find((a) => a.recordID === account.id);
          for (const line of accountBlock(account, now, '  ', forecast)) println(io.stdout, line);
          if (values.history) for (const line of wasteLines(waste.get(account.id) ?? [], now, '      ')) println(io.stdout, line);
        }
        if (group.forecast) println(io.stdout, `  ${poolCoverageText(group.forecast.pool, now)}${paceText(group.forecast)}`);
      }
      return EXIT_OK;
    }, { usage: values.refresh === true });
  },
};

/** " Pace: 30 %/h of the 5-hour window." (the provider's, all accounts together). */
function paceText(forecast: ProviderForecast): string {
  const busy = forecast.pace.filter((p) => p.perHour >= 0.05);
  if (busy.length === 0) return '';
  return ` Pace: ${busy.map((p) => `${Math.round(p.perHour * 10) / 10} %/h of the ${p.label} window`).join(', ')}.`;
}

/** The `--json` document: accounts as AccountView without anything secret (the pool never holds secrets), with their forecasts. */
export function usageJSON(
  groups: Array<{ providerID: ProviderID; accounts: AccountView[]; forecast?: ProviderForecast | undefined }>,
  now: number,
  waste?: ReadonlyMap<string, WastedWeek[]>,
) {
  return {
    now,
    providers: groups.map((g) => ({
      providerID: g.providerID,
      name: providerName(g.providerID),
      ...(g.forecast ? { forecast: { policy: g.forecast.policy, leadMinutes: g.forecast.leadMinutes, pace: g.forecast.pace, pool: g.forecast.pool } } : {}),
      accounts: g.accounts.map((a) => {
        const forecast = g.forecast?.accounts.find((f) => f.recordID === a.id);
        return {
          id: a.id,
          label: a.label,
          ...(a.email ? { email: a.email } : {}),
          isActive: a.isActive,
          status: a.status,
          health: a.health,
          usage: a.usage ?? null,
          forecast: forecast ? { windows: forecast.windows, soonest: forecast.soonest ?? null, takeoverLimitAt: forecast.takeoverLimitAt ?? null } : null,
          ...(waste ? { wastedWeeks: waste.get(a.id) ?? [] } : {}),
          createdAt: a.createdAt,
          updatedAt: a.updatedAt,
        };
      }),
    })),
  };
}
