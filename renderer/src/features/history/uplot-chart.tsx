/**
 * uPlot inside a Solid component: created on mount at the container's width, fed new data
 * when it changes, resized with its container, redrawn when the theme changes (its colours are
 * resolved at draw time) and destroyed with the component. The canvas is decoration for
 * screen readers (aria-hidden): every chart comes with a text alternative beside it.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { createEffect, on, onCleanup, onMount } from 'solid-js';
import { theme } from '../../lib/theme';

export interface UPlotChartProps {
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height: number;
  testid?: string;
}

export function UPlotChart(props: UPlotChartProps) {
  let el: HTMLDivElement | undefined;
  let plot: uPlot | undefined;
  onMount(() => {
    if (!el) return;
    const host = el;
    plot = new uPlot({ ...props.options, width: Math.max(120, host.clientWidth), height: props.height }, props.data, host);
    const observer = new ResizeObserver(() => plot?.setSize({ width: Math.max(120, host.clientWidth), height: props.height }));
    observer.observe(host);
    onCleanup(() => {
      observer.disconnect();
      plot?.destroy();
      plot = undefined;
    });
  });
  createEffect(on(() => props.data, (data) => plot?.setData(data), { defer: true }));
  // `.dark` follows the system too; a class change on <html> is what every theme switch does.
  createEffect(on(theme, () => queueMicrotask(() => plot?.redraw()), { defer: true }));
  onMount(() => {
    const watch = new MutationObserver(() => plot?.redraw());
    watch.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
    onCleanup(() => watch.disconnect());
  });
  return <div ref={el} class="w-full" aria-hidden="true" data-testid={props.testid} />;
}
