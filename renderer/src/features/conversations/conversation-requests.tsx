/**
 * The selected conversation's requests, oldest first with the newest at the bottom, each
 * preceded by its rotation events. Windowed (see request-window.ts): only the rows in view are
 * drawn. The view follows the newest request while the reader is at the bottom; once they
 * scroll up it keeps their place and offers a jump back down.
 */
import ArrowDown from 'lucide-solid/icons/arrow-down';
import RotateCw from 'lucide-solid/icons/rotate-cw';
import { createEffect, createMemo, createSignal, For, Match, on, onCleanup, onMount, Show, Switch } from 'solid-js';
import type { ConversationSummary, RequestEntry } from '../../../../shared/activity';
import { PROVIDER_NAMES } from '../../../../shared/domain';
import { Button } from '../../ui/button';
import { LoadFailed } from '../../ui/load-failed';
import { Spinner } from '../../ui/spinner';
import { formatClock, formatLatency, pickText, shortModel, statusTone, tokensText, type StatusTone } from './activity-format';
import { isAtBottom, requestRows, rowWindow, type RequestRow } from './request-window';

const toneClass: Record<StatusTone, string> = {
  ok: 'text-ok',
  limited: 'text-warn',
  error: 'text-danger',
  pending: 'text-muted',
};

/** Every row's height in px (cells truncate, so it never grows): 16 px line + 2 × 8 px padding + 1 px rule. */
const ROW_HEIGHT = 33;
const cell = 'truncate border-b border-line px-2 py-2';

export interface ConversationRequestsProps {
  conversation: ConversationSummary;
  requests: RequestEntry[];
  /** The requests are still being read (the first answer for this conversation has not come). */
  loading?: boolean;
  /** Why the requests could not be read (shown with a retry instead of an empty table). */
  error?: string;
  retry: () => Promise<unknown>;
}

export function ConversationRequests(props: ConversationRequestsProps) {
  let scroller: HTMLDivElement | undefined;
  let head: HTMLTableSectionElement | undefined;
  const rows = createMemo(() => requestRows(props.requests));
  const [scrollTop, setScrollTop] = createSignal(0);
  const [viewport, setViewport] = createSignal(800);
  const [following, setFollowing] = createSignal(true);
  /** Rows there were when the reader last was at the bottom: the rest are new to them. */
  const [seen, setSeen] = createSignal(0);
  const win = createMemo(() => rowWindow(rows().length, ROW_HEIGHT, scrollTop() - (head?.offsetHeight ?? 0), viewport()));
  const visible = createMemo(() => rows().slice(win().start, win().end));
  const unseen = () => Math.max(0, rows().length - seen());

  function onScroll() {
    if (!scroller) return;
    setScrollTop(scroller.scrollTop);
    const bottom = isAtBottom(scroller.scrollTop, scroller.clientHeight, scroller.scrollHeight, ROW_HEIGHT);
    setFollowing(bottom);
    if (bottom) setSeen(rows().length);
  }

  function scrollToNewest() {
    // After the spacers have their new heights.
    requestAnimationFrame(() => {
      if (!scroller) return;
      scroller.scrollTop = scroller.scrollHeight;
      onScroll();
    });
  }

  // Another conversation: start at its newest request again.
  createEffect(
    on(
      () => props.conversation.id,
      () => {
        setFollowing(true);
        scrollToNewest();
      },
    ),
  );
  // New rows: follow them, or keep the reader's place. At the cap the oldest rows drop off the
  // top, which would slide everything under the reader: scroll up by as much.
  let previous: RequestRow[] = [];
  createEffect(
    on(rows, (next) => {
      const prev = previous;
      previous = next;
      if (following()) return scrollToNewest();
      if (!scroller || prev.length === 0 || next.length === 0 || prev[0] === next[0]) return;
      const dropped = prev.indexOf(next[0]!);
      if (dropped > 0) {
        scroller.scrollTop -= dropped * ROW_HEIGHT;
        setSeen((n) => Math.max(0, n - dropped));
      }
    }),
  );

  onMount(() => {
    if (!scroller) return;
    const el = scroller;
    const observer = new ResizeObserver(() => {
      setViewport(el.clientHeight);
      if (following()) scrollToNewest();
    });
    observer.observe(el);
    onCleanup(() => observer.disconnect());
  });

  const count = () => props.conversation.requestCount;
  return (
    <section aria-labelledby="requests-heading" class="flex min-h-0 flex-1 flex-col" data-testid="conversation-requests">
      <div class="border-b border-line px-4 py-3">
        <h2 id="requests-heading" class="truncate text-sm font-semibold" title={props.conversation.title}>
          {props.conversation.title}
        </h2>
        <p class="truncate text-xs text-muted">
          {PROVIDER_NAMES[props.conversation.providerID]} · {count().toLocaleString('en-US')} {count() === 1 ? 'request' : 'requests'}
        </p>
      </div>
      <div class="relative min-h-0 flex-1">
        <div
          ref={scroller}
          class="absolute inset-0 overflow-auto"
          onScroll={onScroll}
          role="region"
          aria-label="Requests, newest at the bottom"
          // Scrollable by keyboard (arrows, Page Up/Down) like any list.
          tabindex="0"
          data-testid="request-scroller"
        >
          <table class="w-full table-fixed border-separate border-spacing-0 text-left text-xs" aria-rowcount={rows().length + 1}>
            <colgroup>
              <col class="w-20" />
              <col />
              <col class="w-[18%]" />
              <col class="w-28" />
              <col class="w-20" />
              <col class="w-36" />
              <col class="w-[5.5rem]" />
            </colgroup>
            <thead ref={head} class="sticky top-0 z-10 bg-bg text-muted">
              <tr aria-rowindex={1}>
                <th scope="col" class="truncate border-b border-line py-2 pl-4 pr-2 font-medium">Time</th>
                <th scope="col" class="truncate border-b border-line px-2 py-2 font-medium">Model</th>
                <th scope="col" class="truncate border-b border-line px-2 py-2 font-medium">Account</th>
                <th scope="col" class="truncate border-b border-line px-2 py-2 font-medium">Picked by</th>
                <th scope="col" class="truncate border-b border-line px-2 py-2 font-medium">Status</th>
                <th scope="col" class="truncate border-b border-line px-2 py-2 text-right font-medium">Tokens (in → out)</th>
                <th scope="col" class="truncate border-b border-line py-2 pl-2 pr-4 text-right font-medium">Latency</th>
              </tr>
            </thead>
            <tbody>
              <Show when={win().before > 0}>
                <tr aria-hidden="true" style={{ height: `${win().before}px` }} />
              </Show>
              <For each={visible()}>{(row, i) => <RequestTableRow row={row} index={win().start + i() + 2} />}</For>
              <Show when={win().after > 0}>
                <tr aria-hidden="true" style={{ height: `${win().after}px` }} />
              </Show>
            </tbody>
          </table>
          <Switch>
            <Match when={props.error}>
              {(message) => (
                <div class="p-4">
                  <LoadFailed testid="requests-error" title="The requests could not be loaded." message={message()} retry={props.retry} focusNext={() => scroller} />
                </div>
              )}
            </Match>
            <Match when={props.loading && rows().length === 0}>
              <div class="p-4">
                <Spinner label="Loading the requests…" />
              </div>
            </Match>
          </Switch>
        </div>
        <Show when={!following() && rows().length > 0}>
          <Button
            size="sm"
            variant="primary"
            class="absolute bottom-3 left-1/2 z-20 -translate-x-1/2 shadow-lg"
            onClick={() => {
              // The button goes once the list follows again: the list keeps the keyboard focus.
              scroller?.focus({ preventScroll: true });
              setFollowing(true);
              scrollToNewest();
            }}
          >
            <ArrowDown size={14} aria-hidden="true" />
            {unseen() > 0 ? `Jump to the newest (${unseen().toLocaleString('en-US')} new)` : 'Jump to the newest'}
          </Button>
        </Show>
      </div>
    </section>
  );
}

function RequestTableRow(props: { row: RequestRow; index: number }) {
  return (
    <Switch>
      <Match when={props.row.kind === 'rotation' && props.row}>
        {(row) => {
          const text = () => `${formatClock(row().event.at)} · ${row().event.message}`;
          return (
            <tr class="bg-warn-soft" style={{ height: `${ROW_HEIGHT}px` }} aria-rowindex={props.index} data-testid="rotation-event">
              <td colspan="7" class={`${cell} pl-4 text-warn`} title={text()}>
                <RotateCw size={12} aria-hidden="true" class="mr-1.5 inline-block align-[-2px]" />
                {text()}
              </td>
            </tr>
          );
        }}
      </Match>
      <Match when={props.row.kind === 'request' && props.row}>
        {(row) => {
          const r = () => row().entry;
          return (
            <tr style={{ height: `${ROW_HEIGHT}px` }} aria-rowindex={props.index} data-testid="request-row" data-request-id={r().id}>
              <td class={`${cell} pl-4 tabular-nums`}>{formatClock(r().at)}</td>
              <td class={cell} title={r().model}>
                {shortModel(r().model)}
              </td>
              <td class={cell} title={r().accountLabel}>
                {r().accountLabel ?? '—'}
              </td>
              <td class={`${cell} text-muted`} title={r().pick ? `${r().pick!.policy}: ${r().pick!.reason}` : undefined} data-testid="request-pick">
                {pickText(r().pick)}
                <Show when={r().pick}>{(p) => <span class="sr-only">{`, ${p().policy} policy: ${p().reason}`}</span>}</Show>
              </td>
              <td class={`${cell} tabular-nums font-medium ${toneClass[statusTone(r().status)]}`}>
                {r().status === 0 ? '—' : r().status}
                <Show when={r().stream}>
                  <span class="ml-1 font-normal text-muted">stream</span>
                </Show>
              </td>
              <td class={`${cell} text-right tabular-nums`} title={tokensText(r())}>
                {tokensText(r())}
              </td>
              <td class={`${cell} pr-4 text-right tabular-nums`}>{formatLatency(r().latencyMs)}</td>
            </tr>
          );
        }}
      </Match>
    </Switch>
  );
}
