/**
 * uPlot options and data for the two kinds of chart: one account's window (usage line, the
 * forecast as a dashed line, reset and "now" markers, the 100 % limit) and the pool (accounts
 * stacked). Colours resolve at draw time (chart-colors.ts).
 */
import type uPlot from 'uplot';
import type { PoolChart, UsageChart } from '../../../../shared/forecast';
import { formatClock } from '../../../../shared/usage-format';
import { accountColour, themeColour, withAlpha } from './chart-colors';

const axis = (values?: uPlot.Axis['values']): uPlot.Axis => ({
  stroke: () => themeColour('--fg-muted'),
  grid: { stroke: () => themeColour('--border'), width: 1 },
  ticks: { stroke: () => themeColour('--border'), width: 1 },
  font: '11px ui-sans-serif, system-ui, sans-serif',
  ...(values ? { values } : {}),
});

const percentAxis = (): uPlot.Axis => ({ ...axis((_u, vals) => vals.map((v) => `${Math.round(v)}%`)), size: 44 });

/** Times as the rest of the app writes them: "14:05", "Mon 14:05". */
const timeAxis = (now: () => number): uPlot.Axis => axis((_u, vals) => vals.map((v) => formatClock(v * 1000, now())));

/** Vertical dashed lines with a small label (resets, now) and the dashed 100 % line. */
function markers(lines: () => Array<{ at: number; label: string; colour: string }>, limit: boolean): NonNullable<uPlot.Hooks.Arrays['draw']> {
  return [
    (u: uPlot) => {
      const ctx = u.ctx;
      const { left, top, width, height } = u.bbox;
      const ratio = window.devicePixelRatio || 1;
      ctx.save();
      ctx.font = `${10 * ratio}px ui-sans-serif, system-ui, sans-serif`;
      ctx.lineWidth = ratio;
      ctx.setLineDash([4 * ratio, 3 * ratio]);
      if (limit) {
        const y = u.valToPos(100, 'y', true);
        ctx.strokeStyle = themeColour('--danger');
        ctx.beginPath();
        ctx.moveTo(left, y);
        ctx.lineTo(left + width, y);
        ctx.stroke();
      }
      for (const line of lines()) {
        const x = u.valToPos(line.at / 1000, 'x', true);
        if (x < left - 1 || x > left + width + 1) continue;
        ctx.strokeStyle = line.colour;
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        ctx.fillStyle = line.colour;
        const text = ctx.measureText(line.label).width;
        ctx.fillText(line.label, x + text + 4 * ratio > left + width ? x - text - 3 * ratio : x + 3 * ratio, top + 11 * ratio);
      }
      ctx.restore();
    },
  ];
}

export function usageChartData(chart: UsageChart): uPlot.AlignedData {
  const xs = new Set<number>(chart.points.map((p) => p[0]));
  if (chart.forecast) {
    xs.add(chart.forecast.from[0]);
    xs.add(chart.forecast.to[0]);
  }
  const times = [...xs].sort((a, b) => a - b);
  const used = new Map(chart.points.map((p) => [p[0], p[1]]));
  const ahead = new Map(chart.forecast ? [chart.forecast.from, chart.forecast.to] : []);
  return [times.map((t) => t / 1000), times.map((t) => used.get(t) ?? null), times.map((t) => ahead.get(t) ?? null)];
}

export function usageChartOptions(chart: () => UsageChart, colourIndex: number, now: () => number): Omit<uPlot.Options, 'width' | 'height'> {
  const colour = accountColour(colourIndex);
  return {
    scales: { x: { time: true, range: () => [chart().from / 1000, Math.max(chart().to, chart().forecast?.to[0] ?? 0) / 1000] }, y: { range: [0, 105] } },
    axes: [timeAxis(now), percentAxis()],
    series: [
      {},
      { label: 'Used', stroke: colour, width: 2, fill: withAlpha(colour, 0.15), spanGaps: true, points: { show: false } },
      { label: 'At this pace', stroke: colour, width: 1.5, dash: [6, 4], spanGaps: true, points: { show: false } },
    ],
    legend: { show: false },
    cursor: { show: false },
    hooks: {
      draw: markers(
        () => [
          ...chart().resets.map((at) => ({ at, label: 'reset', colour: themeColour('--warn') })),
          { at: chart().to, label: 'reset', colour: themeColour('--warn') },
          { at: now(), label: 'now', colour: themeColour('--fg-muted') },
        ],
        true,
      ),
    },
  };
}

/** Each account's values added to the ones below it (the first account at the bottom). */
export function poolChartData(chart: PoolChart): uPlot.AlignedData {
  const stacked: number[][] = [];
  chart.series.forEach((s, i) => stacked.push(s.values.map((v, k) => v + (i > 0 ? stacked[i - 1]![k]! : 0))));
  return [chart.times.map((t) => t / 1000), ...stacked];
}

export function poolChartOptions(chart: () => PoolChart, now: () => number): Omit<uPlot.Options, 'width' | 'height'> {
  const n = chart().series.length;
  return {
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(100, Math.ceil(max / 50) * 50)] } },
    axes: [timeAxis(now), percentAxis()],
    series: [
      {},
      ...chart().series.map((s, i) => ({
        label: s.label,
        stroke: accountColour(i),
        width: 1,
        points: { show: false },
        ...(i === 0 ? { fill: withAlpha(accountColour(0), 0.45) } : {}),
      })),
    ],
    // The band between an account's line and the one below it is that account's share.
    bands: Array.from({ length: Math.max(0, n - 1) }, (_, k) => ({ series: [k + 2, k + 1] as [number, number], fill: withAlpha(accountColour(k + 1), 0.45) })),
    legend: { show: false },
    cursor: { show: false },
    hooks: { draw: markers(() => [{ at: now(), label: 'now', colour: themeColour('--fg-muted') }], false) },
  };
}
