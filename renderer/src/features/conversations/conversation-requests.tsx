/** The selected conversation's requests, oldest first, each followed by its rotation events. */
import RotateCw from 'lucide-solid/icons/rotate-cw';
import { For, Show } from 'solid-js';
import type { ConversationSummary, RequestEntry } from '../../../../shared/activity';
import { PROVIDER_NAMES } from '../../../../shared/domain';
import { formatClock, formatLatency, shortModel, statusTone, tokensText, type StatusTone } from './activity-format';

const toneClass: Record<StatusTone, string> = {
  ok: 'text-ok',
  limited: 'text-warn',
  error: 'text-danger',
  pending: 'text-muted',
};

export interface ConversationRequestsProps {
  conversation: ConversationSummary;
  requests: RequestEntry[];
}

export function ConversationRequests(props: ConversationRequestsProps) {
  return (
    <section aria-labelledby="requests-heading" class="flex min-h-0 flex-col" data-testid="conversation-requests">
      <div class="border-b border-line px-5 py-3">
        <h2 id="requests-heading" class="truncate text-sm font-semibold">
          {props.conversation.title}
        </h2>
        <p class="text-xs text-muted">
          {PROVIDER_NAMES[props.conversation.providerID]} · {props.conversation.requestCount}{' '}
          {props.conversation.requestCount === 1 ? 'request' : 'requests'}
        </p>
      </div>
      <div class="min-h-0 flex-1 overflow-auto">
        <table class="w-full text-left text-xs">
          <thead class="sticky top-0 bg-bg text-muted">
            <tr>
              <th scope="col" class="px-5 py-2 font-medium">Time</th>
              <th scope="col" class="px-2 py-2 font-medium">Model</th>
              <th scope="col" class="px-2 py-2 font-medium">Account</th>
              <th scope="col" class="px-2 py-2 font-medium">Status</th>
              <th scope="col" class="px-2 py-2 text-right font-medium">Tokens (in → out)</th>
              <th scope="col" class="px-5 py-2 text-right font-medium">Latency</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.requests}>
              {(r) => (
                <>
                  <For each={r.rotations}>
                    {(ev) => (
                      <tr class="bg-warn/10" data-testid="rotation-event">
                        <td colspan="6" class="px-5 py-1.5 text-warn">
                          <span class="inline-flex items-center gap-1.5">
                            <RotateCw size={12} aria-hidden="true" />
                            {formatClock(ev.at)} · {ev.message}
                          </span>
                        </td>
                      </tr>
                    )}
                  </For>
                  <tr class="border-b border-line" data-testid="request-row">
                    <td class="px-5 py-2 tabular-nums">{formatClock(r.at)}</td>
                    <td class="px-2 py-2">{shortModel(r.model)}</td>
                    <td class="px-2 py-2">{r.accountLabel ?? '—'}</td>
                    <td class={`px-2 py-2 tabular-nums font-medium ${toneClass[statusTone(r.status)]}`}>
                      {r.status === 0 ? '—' : r.status}
                      <Show when={r.stream}>
                        <span class="ml-1 font-normal text-muted">stream</span>
                      </Show>
                    </td>
                    <td class="px-2 py-2 text-right tabular-nums">{tokensText(r)}</td>
                    <td class="px-5 py-2 text-right tabular-nums">{formatLatency(r.latencyMs)}</td>
                  </tr>
                </>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </section>
  );
}
