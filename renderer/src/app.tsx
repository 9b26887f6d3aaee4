/**
 * The main window: header, banners, then conversations | requests | context. From 1200 px on the
 * three panes sit side by side; below that one pane shows at a time, picked from a small tab bar
 * (a table squeezed beside two fixed panes is unreadable at 800 px).
 */
import { createEffect, createMemo, createSignal, For, Match, on, onCleanup, onMount, Show, Switch, type JSX } from 'solid-js';
import type { RequestEntry } from '../../shared/activity';
import { MAX_REQUESTS_PER_CALL } from '../../shared/ipc';
import { ContextPanel } from './features/context-panel/context-panel';
import { ConversationList } from './features/conversations/conversation-list';
import { ConversationRequests } from './features/conversations/conversation-requests';
import { EmptyState } from './features/conversations/empty-state';
import { GatewayDownBanner, GatewayStoppedBanner, LimitedBanner } from './features/header/app-banners';
import { AppHeader } from './features/header/app-header';
import { LoadError } from './features/header/load-error';
import { DialogSettings } from './features/settings/dialog-settings';
import { PlatformContext, type Platform } from './lib/api';
import { AppStateProvider, useAppState } from './lib/app-state';
import { Spinner } from './ui/spinner';
import { ToastRegion } from './ui/toast';

export function App(props: { platform: Platform }) {
  return (
    <PlatformContext.Provider value={props.platform}>
      <AppStateProvider>
        <MainWindow />
        <ToastRegion />
      </AppStateProvider>
    </PlatformContext.Provider>
  );
}

type Pane = 'conversations' | 'requests' | 'context';
const PANES: Array<{ value: Pane; label: string }> = [
  { value: 'conversations', label: 'Conversations' },
  { value: 'requests', label: 'Requests' },
  { value: 'context', label: 'Context' },
];

function MainWindow() {
  const app = useAppState();
  const [selectedID, setSelectedID] = createSignal<string>();
  const [requests, setRequests] = createSignal<RequestEntry[]>([]);
  const [requestsLoading, setRequestsLoading] = createSignal(false);
  const [requestsError, setRequestsError] = createSignal<string>();
  const [pane, setPane] = createSignal<Pane>('requests');

  // Follow the newest conversation until the user picks one.
  const [pinned, setPinned] = createSignal(false);
  createEffect(() => {
    const list = app.conversations();
    const current = selectedID();
    if (list.length === 0) return;
    if (!pinned() || !list.some((c) => c.id === current)) setSelectedID(list[0]!.id);
  });
  const selected = createMemo(() => app.conversations().find((c) => c.id === selectedID()));

  // Read a conversation once when it opens (and after a reconnect or a retry); then append what arrives.
  async function readRequests(id: string) {
    setRequestsLoading(true);
    const res = await app.loadRequests(id);
    if (selectedID() !== id) return;
    // A failure keeps whatever arrived meanwhile and says why: not an empty list, not loading.
    if (res.ok) setRequests(res.value);
    setRequestsError(res.ok ? undefined : res.error.message);
    setRequestsLoading(false);
  }
  createEffect(
    on([selectedID, app.reloadSeq], ([id]) => {
      setRequests([]);
      setRequestsError(undefined);
      if (id) void readRequests(id);
    }),
  );
  onCleanup(
    app.onRequest((entry) => {
      if (entry.conversationID !== selectedID()) return;
      setRequests((list) => {
        if (list.some((r) => r.id === entry.id)) return list;
        const next = [...list, entry];
        return next.length > MAX_REQUESTS_PER_CALL ? next.slice(next.length - MAX_REQUESTS_PER_CALL) : next;
      });
    }),
  );

  onMount(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key === ',') {
        e.preventDefault();
        app.settings.show(app.settings.open() ? app.settings.tab() : 'providers');
      }
    };
    window.addEventListener('keydown', onKey);
    onCleanup(() => window.removeEventListener('keydown', onKey));
  });

  // Below the breakpoint only the chosen pane shows; from 1200 px on all three do.
  const paneClass = (p: Pane) => `${pane() === p ? 'flex' : 'hidden'} min-[1200px]:flex`;

  return (
    <div class="flex h-full flex-col">
      <AppHeader />
      <GatewayDownBanner />
      <GatewayStoppedBanner />
      <For each={app.limited()}>{(notice) => <LimitedBanner notice={notice} />}</For>
      <Switch>
        <Match when={app.load().kind === 'loading'}>
          <div class="flex flex-1 items-center justify-center p-8" data-testid="app-loading">
            <Spinner label="Loading your accounts and conversations…" />
          </div>
        </Match>
        <Match when={app.load().kind === 'error'}>
          <LoadError />
        </Match>
        <Match when={app.load().kind === 'ready'}>
          <div role="group" aria-label="Show" class="flex gap-1 border-b border-line bg-surface px-3 py-1.5 min-[1200px]:hidden">
            <For each={PANES}>
              {(p) => (
                <button
                  type="button"
                  aria-pressed={pane() === p.value}
                  class="rounded-md px-3 py-1 text-xs font-medium text-muted hover:bg-surface-2 aria-pressed:bg-accent-soft aria-pressed:text-fg"
                  onClick={() => setPane(p.value)}
                >
                  {p.label}
                </button>
              )}
            </For>
          </div>
          <main class="grid min-h-0 flex-1 grid-cols-1 min-[1200px]:grid-cols-[240px_minmax(0,1fr)_320px]">
            <ConversationList
              class={paneClass('conversations')}
              selectedID={selectedID()}
              onSelect={(id) => {
                setPinned(true);
                setSelectedID(id);
                setPane('requests');
              }}
            />
            <div class={`${paneClass('requests')} min-h-0 min-w-0 flex-col`}>
              <Show when={selected()} fallback={<div class="min-h-0 flex-1 overflow-auto"><EmptyState /></div>}>
                {(c) => (
                  <ConversationRequests
                    conversation={c()}
                    requests={requests()}
                    loading={requestsLoading()}
                    error={requestsError()}
                    retry={() => readRequests(c().id)}
                  />
                )}
              </Show>
            </div>
            <ContextPanel class={paneClass('context')} conversation={selected()} requests={requests()} />
          </main>
        </Match>
      </Switch>
      <DialogSettings />
    </div>
  );
}

/** Shown in a browser that was not opened with the `#key=` link. */
export function MissingKey(): JSX.Element {
  return (
    <div class="flex h-full items-center justify-center p-8">
      <div class="max-w-md rounded-xl border border-line bg-surface p-6 text-sm shadow-sm" role="alert">
        <h1 class="text-base font-semibold">Open the link printed by Rotary</h1>
        <p class="mt-2 text-muted">
          This page talks to your local Rotary gateway and needs its key. Run{' '}
          <code class="rounded bg-surface-2 px-1 font-mono">rotary gateway --ui</code> and open the link it prints
          (it ends with <code class="font-mono">#key=…</code>).
        </p>
      </div>
    </div>
  );
}
