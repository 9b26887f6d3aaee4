/** Connected providers (alphabetical, with account counts) and "Add provider" with search. */
import ChevronRight from 'lucide-solid/icons/chevron-right';
import Search from 'lucide-solid/icons/search';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import type { LoginKind, ProvidersView } from '../../../../shared/ipc';
import { useAppState } from '../../lib/app-state';
import { Button } from '../../ui/button';
import { LoadFailed } from '../../ui/load-failed';
import { Spinner } from '../../ui/spinner';
import { TextField } from '../../ui/text-field';
import { filterProviders, sortByName } from './provider-search';

const loginKindText: Record<LoginKind, string> = {
  'paste-code': 'Log in in the browser, then paste the code',
  callback: 'Log in in the browser; Rotary finishes by itself',
  'device-code': 'Enter a short code on the provider’s page',
};

export function SettingsProviders() {
  const app = useAppState();
  const [query, setQuery] = createSignal('');
  const connected = () => sortByName(app.providers()?.connected ?? []);
  const results = () => filterProviders(sortByName(app.providers()?.supported ?? []), query());

  const loadError = () => {
    const l = app.load();
    return l.kind === 'error' ? l.message : undefined;
  };

  return (
    <Switch>
      <Match when={!app.providers() && loadError()}>
        {(message) => (
          <LoadFailed
            dialogFocus
            testid="providers-error"
            title="The providers could not be loaded."
            message={message()}
            retry={app.reload}
            focusNext={() => document.querySelector<HTMLElement>('[role=dialog] [data-dialog-focus]')}
          />
        )}
      </Match>
      <Match when={!app.providers()}>
        <Spinner label="Loading the providers…" />
      </Match>
      <Match when={app.providers()}>
        <ProvidersLists query={query()} setQuery={setQuery} connected={connected()} results={results()} />
      </Match>
    </Switch>
  );
}

function ProvidersLists(props: {
  query: string;
  setQuery: (q: string) => void;
  connected: ProvidersView['connected'];
  results: ProvidersView['supported'];
}) {
  const app = useAppState();
  const connected = () => props.connected;
  const results = () => props.results;
  const query = () => props.query;
  const setQuery = (q: string) => props.setQuery(q);
  return (
    <div class="flex flex-col gap-6">
      <section aria-labelledby="connected-heading">
        <h2 id="connected-heading" class="mb-2 text-xs font-semibold uppercase tracking-wide text-muted">
          Connected providers
        </h2>
        <Show
          when={connected().length > 0}
          fallback={<p class="text-sm text-muted">No provider connected yet. Add one below.</p>}
        >
          <ul class="flex flex-col gap-1.5" aria-label="Connected providers">
            <For each={connected()}>
              {(p) => (
                <li>
                  <button
                    type="button"
                    class="flex w-full items-center justify-between gap-3 rounded-lg border border-line bg-surface px-3 py-2.5 text-left hover:bg-surface-2 focus-visible:outline-2 focus-visible:outline-focus"
                    onClick={() => app.settings.openProvider(p.providerID)}
                    data-testid="connected-provider"
                    data-provider={p.providerID}
                  >
                    <span class="flex flex-col">
                      <span class="text-sm font-medium">{p.name}</span>
                      <span class="text-xs text-muted">
                        {p.count === 1 ? '1 account' : `${p.count} accounts`}
                        <Show when={p.activeLabel}> · active: {p.activeLabel}</Show>
                      </span>
                    </span>
                    <ChevronRight size={16} aria-hidden="true" class="text-muted" />
                  </button>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </section>

      <section aria-labelledby="add-heading" class="flex flex-col gap-2">
        <h2 id="add-heading" class="text-xs font-semibold uppercase tracking-wide text-muted">
          Add provider
        </h2>
        <div class="relative">
          <Search size={14} aria-hidden="true" class="pointer-events-none absolute left-3 top-[11px] text-muted" />
          <TextField
            label="Search providers"
            dialogFocus
            hideLabel
            type="search"
            placeholder="Search: Claude, Codex, Copilot…"
            value={query()}
            onChange={setQuery}
            class="[&_input]:pl-8"
          />
        </div>
        <ul class="flex flex-col gap-1.5" aria-label="Supported providers">
          <For each={results()} fallback={<li class="text-sm text-muted">No supported provider matches “{query()}”.</li>}>
            {(p) => (
              <li class="flex items-center justify-between gap-3 rounded-lg border border-line px-3 py-2.5">
                <span class="flex flex-col">
                  <span class="text-sm font-medium">{p.name}</span>
                  <span class="text-xs text-muted">{loginKindText[p.loginKind]}</span>
                </span>
                <Button
                  size="sm"
                  variant={p.connected ? 'secondary' : 'primary'}
                  onClick={() => app.settings.openProvider(p.providerID, true)}
                  aria-label={p.connected ? `Add another ${p.name} account` : `Add ${p.name}`}
                >
                  {p.connected ? 'Add account' : 'Add'}
                </Button>
              </li>
            )}
          </For>
        </ul>
      </section>
    </div>
  );
}
