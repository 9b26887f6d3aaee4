/** Token composition of the latest request as one stacked bar plus a legend. */
import { For, Show } from 'solid-js';
import type { ContextBreakdown as Breakdown } from '../../../../shared/activity';
import { formatTokens } from '../conversations/activity-format';
import { breakdownParts } from './context-metrics';

export function ContextBreakdown(props: { breakdown: Breakdown | undefined; model?: string | undefined }) {
  const data = () => (props.breakdown ? breakdownParts(props.breakdown) : undefined);
  return (
    <section aria-labelledby="breakdown-heading" class="flex flex-col gap-3" data-testid="context-breakdown">
      <h2 id="breakdown-heading" class="text-xs font-semibold uppercase tracking-wide text-muted">
        Context Breakdown
      </h2>
      <Show
        when={data()?.total}
        fallback={<p class="text-xs text-muted">No request yet. The token mix of the latest request shows here.</p>}
      >
        <div>
          <div class="mb-1 flex justify-between text-xs">
            <span class="text-muted">{props.model ?? 'Latest request'}</span>
            <span class="tabular-nums font-medium">{formatTokens(data()!.total)} tokens</span>
          </div>
          <div
            class="flex h-2 w-full overflow-hidden rounded-full bg-track"
            role="img"
            aria-label={data()!
              .parts.filter((p) => p.tokens > 0)
              .map((p) => `${p.label} ${p.percent}%`)
              .join(', ')}
          >
            <For each={data()!.parts}>
              {(p) => <div class={`h-full ${p.colour}`} style={{ width: `${p.percent}%` }} />}
            </For>
          </div>
        </div>
        <ul class="grid grid-cols-2 gap-x-4 gap-y-1 text-xs">
          <For each={data()!.parts}>
            {(p) => (
              <li class="flex items-center justify-between gap-2">
                <span class="flex items-center gap-1.5">
                  <span class={`inline-block h-2 w-2 rounded-sm ${p.colour}`} aria-hidden="true" />
                  {p.label}
                </span>
                <span class="tabular-nums text-muted">{formatTokens(p.tokens)}</span>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}
