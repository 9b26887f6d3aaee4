/** Version, project links, keyboard shortcuts and the theme choice. */
import ExternalLink from 'lucide-solid/icons/external-link';
import { For, Show } from 'solid-js';
import { useApi } from '../../lib/api';
import { useAppState } from '../../lib/app-state';
import { isMac, shortcutForOS } from '../../lib/shortcut-format';
import { setTheme, theme, type Theme } from '../../lib/theme';

const themes: Array<{ value: Theme; label: string }> = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

export function SettingsAbout() {
  const app = useAppState();
  const api = useApi();
  return (
    <div class="flex flex-col gap-6 text-sm">
      <section>
        <h2 class="text-base font-semibold">{app.info()?.name ?? 'Rotary'}</h2>
        <p class="text-muted" data-testid="app-version">
          Version {app.info()?.version ?? '…'}
          <Show when={app.info()?.shell === 'web'}> · browser UI of the headless gateway</Show>
        </p>
      </section>

      <section aria-labelledby="links-heading">
        <h3 id="links-heading" class="mb-2 text-xs font-semibold uppercase tracking-wide text-muted">
          Links
        </h3>
        <ul class="flex flex-col gap-1">
          <For each={app.info()?.links ?? []}>
            {(link) => (
              <li>
                <a
                  href={link.url}
                  target="_blank"
                  rel="noopener noreferrer"
                  class="inline-flex items-center gap-1 text-accent underline-offset-2 hover:underline"
                  onClick={(e) => {
                    e.preventDefault();
                    void api.app.openExternal({ url: link.url });
                  }}
                >
                  {link.label} <ExternalLink size={12} aria-hidden="true" />
                </a>
              </li>
            )}
          </For>
        </ul>
      </section>

      <section aria-labelledby="shortcuts-heading">
        <h3 id="shortcuts-heading" class="mb-2 text-xs font-semibold uppercase tracking-wide text-muted">
          Keyboard shortcuts
        </h3>
        <table class="w-full text-left" data-testid="shortcuts">
          <tbody>
            <For each={app.info()?.shortcuts ?? []}>
              {(s) => (
                <tr class="border-b border-line last:border-0">
                  <td class="py-1.5 pr-4">
                    <kbd class="rounded border border-line bg-surface-2 px-1.5 py-0.5 font-mono text-xs">{shortcutForOS(s.keys, isMac())}</kbd>
                  </td>
                  <td class="py-1.5 text-muted">{s.action}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </section>

      <section aria-labelledby="theme-heading">
        <h3 id="theme-heading" class="mb-2 text-xs font-semibold uppercase tracking-wide text-muted">
          Theme
        </h3>
        <div role="radiogroup" aria-labelledby="theme-heading" class="inline-flex rounded-md border border-line p-0.5">
          <For each={themes}>
            {(t) => (
              <button
                type="button"
                role="radio"
                aria-checked={theme() === t.value}
                class="rounded px-3 py-1 text-xs aria-checked:bg-accent aria-checked:text-accent-fg focus-visible:outline-2 focus-visible:outline-focus"
                onClick={() => setTheme(t.value)}
              >
                {t.label}
              </button>
            )}
          </For>
        </div>
      </section>
    </div>
  );
}
