/**
 * Forecast sentences (issue 15): per account "At this pace: 5-hour limit reached at 14:05 ·
 * 7-day (all) lasts past the reset at Sun 16:30", per provider how long the pool lasts and
 * which policy places new conversations. Texts come from shared/usage-format.ts, as in the CLI.
 */
import { Show } from 'solid-js';
import type { AccountForecast, ProviderForecast } from '../../../../shared/forecast';
import { forecastText, poolCoverageText } from '../../../../shared/usage-format';

export const POLICY_NAMES = { 'active-first': 'active first', 'drain-soonest': 'drain soonest' } as const;

/** Windows with something to say, as "5-hour limit reached at 14:05"; undefined when none has enough readings. */
export function accountForecastText(forecast: AccountForecast | undefined, now: number): string | undefined {
  const parts = (forecast?.windows ?? []).filter((w) => w.outcome !== 'unknown').map((w) => `${w.label} ${forecastText(w, now)}`);
  return parts.length > 0 ? `At this pace: ${parts.join(' · ')}` : undefined;
}

export function AccountForecastLine(props: { forecast: AccountForecast | undefined; now: number }) {
  const text = () => accountForecastText(props.forecast, props.now);
  return (
    <Show when={text()}>
      {(t) => (
        <p class={`text-[11px] ${props.forecast?.soonest ? 'text-warn' : 'text-muted'}`} data-testid="account-forecast">
          {t()}
        </p>
      )}
    </Show>
  );
}

export function PoolForecastLine(props: { forecast: ProviderForecast | undefined; now: number }) {
  return (
    <Show when={props.forecast}>
      {(f) => (
        <p class="text-xs text-muted" data-testid="pool-forecast">
          {poolCoverageText(f().pool, props.now)} New conversations: {POLICY_NAMES[f().policy]}
          {f().policy === 'drain-soonest' ? ` (weekly window that resets first; none forecast to hit a limit within ${f().leadMinutes} min)` : ''}.
        </p>
      )}
    </Show>
  );
}
