/**
 * The charts' text alternatives (issue 15): a summary sentence every reader gets, and a short
 * table of the readings for screen readers. Pure; the clock is passed in.
 */
import type { PoolChart, UsageChart, WastedWeek } from '../../../../shared/forecast';
import { formatClock } from '../../../../shared/usage-format';

const pct = (n: number): string => `${Math.round(n)} %`;

/** "Account 1, 5-hour window from 13:30 to 18:30: 52 % used now. At this pace the limit is reached at 14:05." */
export function usageChartSummary(account: string, chart: UsageChart, now: number): string {
  const last = chart.points.at(-1);
  const used = last ? `${pct(last[1])} used now` : 'no readings yet';
  const window = `${account}, ${chart.label} window from ${formatClock(chart.from, now)} to ${formatClock(chart.to, now)}`;
  let ahead = '';
  if (chart.forecast?.outcome === 'limit') ahead = ` At this pace the limit is reached at ${formatClock(chart.forecast.to[0], now)}.`;
  else if (chart.forecast?.outcome === 'lasts') ahead = ` At this pace it lasts past the reset at ${formatClock(chart.to, now)} (about ${pct(chart.forecast.to[1])} by then).`;
  const resets = chart.resets.length ? ` Reset${chart.resets.length > 1 ? 's' : ''} at ${chart.resets.map((r) => formatClock(r, now)).join(', ')}.` : '';
  return `${window}: ${used}.${ahead}${resets}`;
}

/** At most `rows` readings, evenly picked (first and last kept), as [time, used] texts. */
export function chartRows(chart: UsageChart, now: number, rows = 12): Array<[string, string]> {
  const points = chart.points;
  if (points.length <= rows) return points.map(([t, v]) => [formatClock(t, now), pct(v)]);
  const out: Array<[string, string]> = [];
  for (let i = 0; i < rows; i++) {
    const [t, v] = points[Math.round((i * (points.length - 1)) / (rows - 1))]!;
    out.push([formatClock(t, now), pct(v)]);
  }
  return out;
}

/** "5-hour windows, last 5 hours, now: Account 1 62 %, Account 2 10 %." */
export function poolChartSummary(chart: PoolChart, span: string): string {
  const now = chart.series.map((s) => `${s.label} ${pct(s.values.at(-1) ?? 0)}`).join(', ');
  return `${chart.label} windows of every account, stacked, over the ${span}; now: ${now || 'no accounts'}.`;
}

/** "62 % used, 38 % expired unused" for one week. */
export function wasteText(week: WastedWeek): string {
  return `${pct(week.usedPercent)} used, ${pct(week.wastedPercent)} expired unused`;
}
