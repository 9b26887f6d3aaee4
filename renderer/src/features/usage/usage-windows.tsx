/** The usage bars of one account, in reading order, with the age of the numbers. */
import { For, Show } from 'solid-js';
import type { UsageSnapshot } from '../../../../shared/domain';
import { UsageBar } from '../../ui/usage-bar';
import { ageText, isStale, sortWindows } from '../../ui/usage-metrics';

export interface UsageWindowsProps {
  usage: UsageSnapshot | undefined;
  now: number;
  /** Shown when there are no numbers yet. */
  emptyText?: string;
  columns?: 1 | 3;
}

export function UsageWindows(props: UsageWindowsProps) {
  const windows = () => sortWindows(props.usage?.windows ?? []);
  const stale = () => isStale(props.usage?.asOf, props.now) || props.usage?.error !== undefined;
  return (
    <Show
      when={windows().length > 0}
      fallback={<p class="text-xs text-muted">{props.emptyText ?? 'No usage numbers yet.'}</p>}
    >
      <div class="flex flex-col gap-2" data-testid="usage-windows">
        <div class={props.columns === 3 ? 'grid grid-cols-1 gap-3 sm:grid-cols-3' : 'flex flex-col gap-3'}>
          <For each={windows()}>
            {(w) => <UsageBar label={w.label} percentUsed={w.percentUsed} resetsAt={w.resetsAt} now={props.now} stale={stale()} />}
          </For>
        </div>
        <p class="text-[11px] text-muted">
          {ageText(props.usage?.asOf, props.now)}
          <Show when={props.usage?.error}>
            {(err) => <span class="text-warn"> · last refresh failed: {err()}</span>}
          </Show>
        </p>
      </div>
    </Show>
  );
}
