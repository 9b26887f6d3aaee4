/** Right-hand panel: Context Breakdown of the latest request, then the provider's rate limits. */
import { Show } from 'solid-js';
import type { ConversationSummary, RequestEntry } from '../../../../shared/activity';
import type { ProviderID } from '../../../../shared/domain';
import { useAppState } from '../../lib/app-state';
import { shortModel } from '../conversations/activity-format';
import { ContextBreakdown } from './context-breakdown';
import { ProviderLimits } from './provider-limits';

export interface ContextPanelProps {
  /** Layout classes from the window (which panes show at this width). */
  class?: string;
  conversation: ConversationSummary | undefined;
  requests: RequestEntry[];
}

export function ContextPanel(props: ContextPanelProps) {
  const app = useAppState();
  const latest = () => {
    for (let i = props.requests.length - 1; i >= 0; i--) {
      const r = props.requests[i];
      if (r?.breakdown) return r;
    }
    return undefined;
  };
  // Without a conversation, show the first connected provider so limits and switching are one glance away.
  const providerID = (): ProviderID | undefined =>
    props.conversation?.providerID ?? app.pool()?.providers.find((p) => p.accounts.length > 0)?.providerID;
  // The account that served this conversation's latest request (not necessarily the active one).
  const conversationRecordID = () => {
    for (let i = props.requests.length - 1; i >= 0; i--) {
      const id = props.requests[i]?.recordID;
      if (id) return id;
    }
    return props.conversation?.recordID;
  };

  return (
    <aside
      aria-label="Context"
      class={`min-h-0 flex-col gap-6 overflow-auto border-l border-line bg-surface p-4 ${props.class ?? 'flex'}`}
      data-testid="context-panel"
    >
      <ContextBreakdown breakdown={latest()?.breakdown} model={latest() ? shortModel(latest()?.model) : undefined} />
      <div class="border-t border-line" />
      <Show when={providerID()} fallback={<p class="text-xs text-muted">Rate limits appear once an account is added.</p>}>
        {(id) => <ProviderLimits providerID={id()} conversationRecordID={props.conversation ? conversationRecordID() : undefined} />}
      </Show>
    </aside>
  );
}
