/**
 * One usage window as a bar: an element with role="meter" and its value range and value text
 * (what Kobalte's Meter renders, written out), the label, track and fill inside. Plain
 * elements, not Kobalte's Meter: its root and parts cost a context, a props merge and a
 * polymorphic wrapper each, and Provider Detail draws 50 accounts × 3 windows (issue 5's
 * 100 ms target). Numbers come from usage-metrics.ts.
 */
import { Show } from 'solid-js';
import { displayPercent, resetText, usageAriaText, usageLevel, usedText, type UsageLevel } from './usage-metrics';

const fillColour: Record<UsageLevel, string> = {
  low: 'bg-ok',
  medium: 'bg-warn',
  high: 'bg-high',
  full: 'bg-danger',
};

export interface UsageBarProps {
  label: string;
  percentUsed: number;
  resetsAt?: number | undefined;
  /** Epoch ms; the caller ticks it so all bars count down together. */
  now: number;
  /** Faded when the numbers are old or the last poll failed. */
  stale?: boolean;
}

export function UsageBar(props: UsageBarProps) {
  const pct = () => displayPercent(props.percentUsed);
  return (
    <div
      role="meter"
      aria-valuenow={pct()}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-label={props.label}
      aria-valuetext={usageAriaText(props.label, props.percentUsed, props.resetsAt, props.now)}
      class={`flex flex-col gap-1 ${props.stale ? 'opacity-60' : ''}`}
      data-usage-level={usageLevel(props.percentUsed)}
    >
      <div class="flex items-baseline justify-between gap-2 text-xs" aria-hidden="true">
        <span class="font-medium text-fg">{props.label}</span>
        <span class="tabular-nums text-muted">{usedText(props.percentUsed)}</span>
      </div>
      <div class="h-1.5 w-full overflow-hidden rounded-full bg-track" aria-hidden="true">
        <div
          class={`h-full rounded-full transition-[width] duration-300 ${fillColour[usageLevel(props.percentUsed)]}`}
          style={{ width: `${pct()}%` }}
        />
      </div>
      <Show when={resetText(props.resetsAt, props.now)}>
        {(text) => (
          <span class="text-[11px] text-muted" aria-hidden="true">
            {text()}
          </span>
        )}
      </Show>
    </div>
  );
}
