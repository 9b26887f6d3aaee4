/** The main window: header, conversations, the selected conversation's requests, context panel. */
import { createEffect, createMemo, createSignal, on, onCleanup, onMount, Show, type JSX } from 'solid-js';
import type { RequestEntry } from '../../shared/activity';
import { AppHeader } from './features/header/app-header';
import { ContextPanel } from './features/context-panel/context-panel';
import { ConversationList } from './features/conversations/conversation-list';
import { ConversationRequests } from './features/conversations/conversation-requests';
import { EmptyState } from './features/conversations/empty-state';
import { DialogSettings } from './features/settings/dialog-settings';
import { PlatformContext, type Platform } from './lib/api';
import { AppStateProvider, useAppState } from './lib/app-state';
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

function MainWindow() {
  const app = useAppState();
  const [selectedID, setSelectedID] = createSignal<string>();
  const [requests, setRequests] = createSignal<RequestEntry[]>([]);

  // Follow the newest conversation until the user picks one.
  const [pinned, setPinned] = createSignal(false);
  createEffect(() => {
    const list = app.conversations();
    const current = selectedID();
    if (list.length === 0) return;
    if (!pinned() || !list.some((c) => c.id === current)) setSelectedID(list[0]!.id);
  });
  const selected = createMemo(() => app.conversations().find((c) => c.id === selectedID()));

  createEffect(
    on([selectedID, app.activitySeq], async ([id]) => {
      if (!id) return setRequests([]);
      const rows = await app.loadRequests(id);
      if (selectedID() === id) setRequests(rows);
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

  return (
    <div class="flex h-full flex-col">
      <AppHeader />
      <Show when={app.loadError()}>
        {(err) => (
          <div role="alert" class="border-b border-danger/40 bg-danger-soft px-4 py-2 text-sm text-danger">
            {err()}
          </div>
        )}
      </Show>
      <main class="grid min-h-0 flex-1 grid-cols-[240px_minmax(0,1fr)_320px]">
        <ConversationList
          selectedID={selectedID()}
          onSelect={(id) => {
            setPinned(true);
            setSelectedID(id);
          }}
        />
        <div class="min-h-0 overflow-auto">
          <Show when={selected()} fallback={<EmptyState />}>
            {(c) => <ConversationRequests conversation={c()} requests={requests()} />}
          </Show>
        </div>
        <ContextPanel conversation={selected()} requests={requests()} />
      </main>
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
