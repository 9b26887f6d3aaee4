/**
 * Provider Detail's usage history (issue 15): the pool with its accounts stacked, each
 * account's current 5-hour or 7-day window with its reset and the forecast line, and a table
 * of the weekly limits' expired share. Every chart has a text alternative (a summary sentence
 * and, for screen readers, a table of its readings). Read from the history when shown and
 * again every minute while open. With many accounts it starts folded (50 charts cost time).
 */
import ChevronDown from 'lucide-solid/icons/chevron-down';
import { createEffect, createSignal, For, on, onCleanup, Show } from 'solid-js';
import type { ProviderID } from '../../../../shared/domain';
import type { UsageChart, UsageHistoryView } from '../../../../shared/forecast';
import { formatClock } from '../../../../shared/usage-format';
import { useAppState } from '../../lib/app-state';
import { LoadFailed } from '../../ui/load-failed';
import { Spinner } from '../../ui/spinner';
import { accountColour } from './chart-colors';
import { poolChartData, poolChartOptions, usageChartData, usageChartOptions } from './chart-options';
import { chartRows, poolChartSummary, usageChartSummary, wasteText } from './chart-text';
import { UPlotChart } from './uplot-chart';

type Range = 'session' | 'weekly';
const RANGES: Array<{ value: Range; label: string; span: string }> = [
  { value: 'session', label: '5 hours', span: 'last 5 hours' },
  { value: 'weekly', label: '7 days', span: 'last 7 days' },
];
/** Folded by default above this many accounts. */
const OPEN_UP_TO = 6;

export function UsageHistory(props: { providerID: ProviderID; accountCount: number }) {
  const app = useAppState();
  const [open, setOpen] = createSignal(props.accountCount <= OPEN_UP_TO);
  const [range, setRange] = createSignal<Range>('session');
  const [view, setView] = createSignal<UsageHistoryView>();
  const [loading, setLoading] = createSignal(false);
  const [error, setError] = createSignal<string>();

  async function load() {
    setLoading(true);
    const res = await app.loadUsageHistory(props.providerID);
    setLoading(false);
    setError(res.ok ? undefined : res.error.message);
    if (res.ok && res.value.providerID === props.providerID) setView(res.value);
  }
  createEffect(
    on([() => props.providerID, open, app.reloadSeq], ([, isOpen]) => {
      if (!isOpen) return;
      void load();
      const timer = setInterval(() => void load(), 60_000);
      onCleanup(() => clearInterval(timer));
    }),
  );
  const pool = () => view()?.pool.find((p) => p.kind === range());
  const span = () => RANGES.find((r) => r.value === range())!.span;

  return (
    <section aria-labelledby={`history-${props.providerID}`} class="flex flex-col gap-3 border-t border-line pt-4" data-testid="usage-history">
      <div class="flex flex-wrap items-center justify-between gap-2">
        <h3 id={`history-${props.providerID}`} class="text-sm font-semibold">
          <button
            type="button"
            class="inline-flex items-center gap-1 rounded focus-visible:outline-2 focus-visible:outline-focus"
            aria-expanded={open()}
            aria-controls={`history-body-${props.providerID}`}
            onClick={() => setOpen(!open())}
          >
            <ChevronDown size={14} aria-hidden="true" class={open() ? '' : '-rotate-90'} />
            Usage history and forecast
          </button>
        </h3>
        <Show when={open()}>
          <div role="radiogroup" aria-label="Window shown" class="inline-flex rounded-md border border-line p-0.5">
            <For each={RANGES}>
              {(r) => (
                <button
                  type="button"
                  role="radio"
                  aria-checked={range() === r.value}
                  class="rounded px-3 py-1 text-xs aria-checked:bg-accent aria-checked:text-accent-fg focus-visible:outline-2 focus-visible:outline-focus"
                  onClick={() => setRange(r.value)}
                  data-testid={`history-range-${r.value}`}
                >
                  {r.label}
                </button>
              )}
            </For>
          </div>
        </Show>
      </div>
      <Show when={open()}>
        <div id={`history-body-${props.providerID}`} class="flex flex-col gap-4">
          <Show when={error()}>
            {(message) => (
              <LoadFailed testid="history-error" title="The usage history could not be read." message={message()} retry={load} focusNext={() => document.getElementById(`history-${props.providerID}`)?.querySelector('button')} />
            )}
          </Show>
          <Show when={view()} fallback={<Show when={loading() && !error()}><Spinner label="Reading the usage history…" /></Show>}>
            {(v) => (
              <>
                <Show when={pool()} fallback={<p class="text-xs text-muted">No usage readings for this window yet.</p>}>
                  {(p) => (
                    <figure class="flex flex-col gap-1.5" data-testid="pool-chart">
                      <figcaption class="text-xs">
                        <span class="font-medium">Pool</span> <span class="text-muted">{poolChartSummary(p(), span())}</span>
                      </figcaption>
                      <UPlotChart options={poolChartOptions(p, app.now)} data={poolChartData(p())} height={150} testid="pool-chart-canvas" />
                      <ul class="flex flex-wrap gap-x-3 gap-y-1 text-[11px] text-muted" aria-label="Accounts in the pool chart">
                        <For each={p().series}>
                          {(s, i) => (
                            <li class="flex items-center gap-1">
                              <span class="inline-block h-2 w-2 rounded-sm" style={{ background: accountColour(i()) }} aria-hidden="true" />
                              {s.label}
                            </li>
                          )}
                        </For>
                      </ul>
                    </figure>
                  )}
                </Show>
                <div class="grid grid-cols-1 gap-4 sm:grid-cols-2">
                  <For each={v().accounts}>
                    {(account, i) => (
                      <Show when={account.charts.find((c) => c.kind === range())}>
                        {(chart) => <AccountChart account={account.label} chart={chart()} colourIndex={i()} />}
                      </Show>
                    )}
                  </For>
                </div>
                <WasteTable view={v()} />
              </>
            )}
          </Show>
        </div>
      </Show>
    </section>
  );
}

function AccountChart(props: { account: string; chart: UsageChart; colourIndex: number }) {
  const app = useAppState();
  const summary = () => usageChartSummary(props.account, props.chart, app.now());
  return (
    <figure class="flex min-w-0 flex-col gap-1" data-testid="account-chart" data-kind={props.chart.kind}>
      <figcaption class="text-xs">
        <span class="font-medium">{props.account}</span> <span class="text-muted">· {props.chart.label}</span>
        <span class="sr-only">. {summary()}</span>
      </figcaption>
      <UPlotChart options={usageChartOptions(() => props.chart, props.colourIndex, app.now)} data={usageChartData(props.chart)} height={120} />
      <p class="text-[11px] text-muted" aria-hidden="true" data-testid="chart-summary">
        {summary()}
      </p>
      <table class="sr-only">
        <caption>Readings of {props.account}, {props.chart.label} window</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Used</th>
          </tr>
        </thead>
        <tbody>
          <For each={chartRows(props.chart, app.now())}>
            {([time, used]) => (
              <tr>
                <td>{time}</td>
                <td>{used}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </figure>
  );
}

/** Completed weeks (newest first, at most five) per account: the share of the weekly limit that expired unused. */
function WasteTable(props: { view: UsageHistoryView }) {
  const app = useAppState();
  const rows = () => props.view.accounts.filter((a) => a.waste.length > 0);
  return (
    <section aria-labelledby={`waste-${props.view.providerID}`} class="flex flex-col gap-1.5" data-testid="waste">
      <h4 id={`waste-${props.view.providerID}`} class="text-xs font-semibold uppercase tracking-wide text-muted">
        What was wasted
      </h4>
      <Show when={rows().length > 0} fallback={<p class="text-xs text-muted">No completed week in the history yet: the share of each weekly limit that expired unused shows here.</p>}>
        <table class="w-full text-left text-xs">
          <thead class="text-muted">
            <tr>
              <th scope="col" class="py-1 pr-3 font-medium">Account</th>
              <th scope="col" class="py-1 pr-3 font-medium">Week ending</th>
              <th scope="col" class="py-1 font-medium">Used / expired unused</th>
            </tr>
          </thead>
          <tbody>
            <For each={rows()}>
              {(a) => (
                <For each={a.waste}>
                  {(week, k) => (
                    <tr class="border-t border-line" data-testid="waste-row">
                      <td class="py-1 pr-3">{k() === 0 ? a.label : ''}</td>
                      <td class="py-1 pr-3 tabular-nums">{formatClock(week.endedAt, app.now())}</td>
                      <td class={`py-1 tabular-nums ${week.wastedPercent >= 50 ? 'text-warn' : ''}`}>{wasteText(week)}</td>
                    </tr>
                  )}
                </For>
              )}
            </For>
          </tbody>
        </table>
      </Show>
    </section>
  );
}
