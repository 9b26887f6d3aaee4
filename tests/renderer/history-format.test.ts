/** The charts' text alternatives, the chart data, the forecast sentences and the request list's "Picked by" text. */
import { describe, expect, it } from 'vitest';
import type { UsageChart } from '../../shared/forecast.js';
import { forecastText, poolCoverageText } from '../../shared/usage-format.js';
import { chartRows, poolChartSummary, usageChartSummary, wasteText } from '../../renderer/src/features/history/chart-text.js';
import { poolChartData, usageChartData } from '../../renderer/src/features/history/chart-options.js';
import { accountForecastText } from '../../renderer/src/features/forecast/forecast-lines.js';
import { pickText } from '../../renderer/src/features/conversations/activity-format.js';

const at = (h: number, m = 0) => new Date(2026, 6, 1, h, m).getTime();
const NOW = at(12);

const chart: UsageChart = {
  key: 'five_hour',
  label: '5-hour',
  kind: 'session',
  from: at(10),
  to: at(15),
  points: [
    [at(10), 0],
    [at(11), 20],
    [at(12), 52],
  ],
  resets: [],
  forecast: { from: [at(12), 52], to: [at(13, 36), 100], outcome: 'limit' },
};

describe('chart text alternatives', () => {
  it('says the window, the use now and where this pace leads', () => {
    expect(usageChartSummary('Account 1', chart, NOW)).toBe('Account 1, 5-hour window from 10:00 to 15:00: 52 % used now. At this pace the limit is reached at 13:36.');
    const lasts: UsageChart = { ...chart, forecast: { from: [at(12), 52], to: [at(15), 80], outcome: 'lasts' }, resets: [at(10, 30)] };
    expect(usageChartSummary('Account 2', lasts, NOW)).toBe('Account 2, 5-hour window from 10:00 to 15:00: 52 % used now. At this pace it lasts past the reset at 15:00 (about 80 % by then). Reset at 10:30.');
    expect(usageChartSummary('Account 3', { ...chart, points: [], forecast: undefined } as UsageChart, NOW)).toBe('Account 3, 5-hour window from 10:00 to 15:00: no readings yet.');
  });

  it('a table of at most 12 readings, first and last kept', () => {
    const many: UsageChart = { ...chart, points: Array.from({ length: 100 }, (_, i) => [at(10) + i * 60_000, i] as [number, number]) };
    const rows = chartRows(many, NOW);
    expect(rows).toHaveLength(12);
    expect(rows[0]).toEqual(['10:00', '0 %']);
    expect(rows.at(-1)).toEqual(['11:39', '99 %']);
    expect(chartRows(chart, NOW)).toEqual([['10:00', '0 %'], ['11:00', '20 %'], ['12:00', '52 %']]);
  });

  it('the pool summary and the waste text', () => {
    const pool = { kind: 'session' as const, label: '5-hour', from: at(7), to: NOW, times: [at(7), NOW], series: [{ recordID: 'a', label: 'A', values: [0, 62] }, { recordID: 'b', label: 'B', values: [5, 10] }] };
    expect(poolChartSummary(pool, 'last 5 hours')).toBe('5-hour windows of every account, stacked, over the last 5 hours; now: A 62 %, B 10 %.');
    expect(poolChartData(pool)).toEqual([[at(7) / 1000, NOW / 1000], [0, 62], [5, 72]]);
    expect(wasteText({ endedAt: NOW, usedPercent: 62.4, wastedPercent: 37.6, lastReadingAt: NOW })).toBe('62 % used, 38 % expired unused');
  });

  it('chart data: the readings and the forecast line on one time axis', () => {
    expect(usageChartData(chart)).toEqual([
      [at(10) / 1000, at(11) / 1000, at(12) / 1000, at(13, 36) / 1000],
      [0, 20, 52, null],
      [null, null, 52, 100],
    ]);
  });
});

describe('forecast sentences', () => {
  it('per window, per account and for the pool', () => {
    expect(forecastText({ outcome: 'limit', limitAt: at(14, 5) }, NOW)).toBe('limit reached at 14:05');
    expect(forecastText({ outcome: 'lasts', resetsAt: at(16, 30), perHour: 5 }, NOW)).toBe('lasts past the reset at 16:30');
    expect(forecastText({ outcome: 'lasts', resetsAt: at(16, 30), perHour: 0 }, NOW)).toBe('no use lately; resets at 16:30');
    expect(forecastText({ outcome: 'unknown' }, NOW)).toBe('not enough readings yet');
    expect(
      accountForecastText(
        {
          recordID: 'a',
          label: 'A',
          windows: [
            { key: 'five_hour', label: '5-hour', percentUsed: 52, outcome: 'limit', limitAt: at(14, 5) },
            { key: 'seven_day', label: '7-day (all)', percentUsed: 10, outcome: 'unknown' },
          ],
        },
        NOW,
      ),
    ).toBe('At this pace: 5-hour limit reached at 14:05');
    expect(poolCoverageText({ kind: 'until', at: at(14, 5), freesAt: at(16, 30) }, NOW)).toBe('At this pace the pool covers you until 14:05 (the first account frees up at 16:30).');
  });

  it('a pool with nothing left now says so instead of "covers you until" the present minute', () => {
    expect(poolCoverageText({ kind: 'until', at: NOW, freesAt: at(16, 30) }, NOW)).toBe('The pool is used up: the first account frees up at 16:30.');
    expect(poolCoverageText({ kind: 'until', at: NOW - 60_000 }, NOW)).toBe('The pool is used up.');
  });

  it('the Picked by cell', () => {
    expect(pickText({ policy: 'drain-soonest', rule: 'drain-soonest', reason: 'x' })).toBe('drain soonest');
    expect(pickText({ policy: 'active-first', rule: 'bound', reason: 'x' })).toBe('conversation');
    expect(pickText({ policy: 'active-first', rule: 'failover', reason: 'x' })).toBe('failover');
    expect(pickText(undefined)).toBe('—');
  });
});
