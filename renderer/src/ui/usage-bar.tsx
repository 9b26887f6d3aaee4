/**
 * One usage window as a bar. The root is Kobalte's Meter (role="meter", value range, value
 * text); the label, track and fill are plain elements: Kobalte's parts cost a context and a
 * polymorphic wrapper each, which adds up in Provider Detail with 50 accounts × 3 windows.
 * Numbers come from usage-metrics.ts.
 */
import { Meter } from '@kobalte/core/meter';
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
    <Meter
      value={pct()}
      minValue={0}
      maxValue={100}
      aria-label={props.label}
      getValueLabel={() => usageAriaText(props.label, props.percentUsed, props.resetsAt, props.now)}
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
    </Meter>
  );
}
