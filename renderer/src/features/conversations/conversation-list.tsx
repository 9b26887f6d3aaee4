/** Recent conversations through the gateway, newest first. */
import { For, Show } from 'solid-js';
import { useAppState } from '../../lib/app-state';
import { PROVIDER_SHORT_NAMES } from '../../../../shared/domain';
import { relativeTime, shortModel } from './activity-format';

export interface ConversationListProps {
  /** Layout classes from the window (which panes show at this width). */
  class?: string;
  selectedID: string | undefined;
  onSelect: (id: string) => void;
}

export function ConversationList(props: ConversationListProps) {
  const app = useAppState();
  return (
    <nav aria-label="Recent conversations" class={`min-h-0 flex-col border-r border-line bg-surface ${props.class ?? 'flex'}`}>
      <h2 class="px-4 pb-2 pt-4 text-xs font-semibold uppercase tracking-wide text-muted">Conversations</h2>
      <Show
        when={app.conversations().length > 0}
        fallback={<p class="px-4 text-xs text-muted">No traffic through the gateway yet.</p>}
      >
        <ul class="min-h-0 flex-1 overflow-auto px-2 pb-2" data-testid="conversation-list">
          <For each={app.conversations()}>
            {(c) => (
              <li>
                <button
                  type="button"
                  class="flex w-full flex-col gap-0.5 rounded-md px-2 py-2 text-left hover:bg-surface-2 focus-visible:outline-2 focus-visible:outline-focus aria-[current=true]:bg-accent-soft"
                  aria-current={props.selectedID === c.id ? 'true' : undefined}
                  onClick={() => props.onSelect(c.id)}
                  data-testid="conversation"
                  data-conversation-id={c.id}
                >
                  <span class="truncate text-sm font-medium" title={c.title}>
                    {c.title}
                  </span>
                  <span class="truncate text-[11px] text-muted">
                    {PROVIDER_SHORT_NAMES[c.providerID]} · {c.requestCount.toLocaleString('en-US')} {c.requestCount === 1 ? 'request' : 'requests'} ·{' '}
                    {relativeTime(c.lastAt, app.now())}
                  </span>
                  <span class="truncate text-[11px] text-muted">
                    {shortModel(c.lastModel)}
                    <Show when={c.accountLabel}> · {c.accountLabel}</Show>
                  </span>
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </nav>
  );
}
