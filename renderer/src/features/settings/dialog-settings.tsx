/** The Settings dialog: Providers, Provider Detail, Rotation and About as Kobalte tabs. */
import { Show } from 'solid-js';
import { PROVIDER_NAMES } from '../../../../shared/domain';
import { useAppState, type SettingsTab } from '../../lib/app-state';
import { Button } from '../../ui/button';
import { Dialog } from '../../ui/dialog';
import { Spinner } from '../../ui/spinner';
import { Tabs } from '../../ui/tabs';
import { SettingsAbout } from './settings-about';
import { SettingsProviderDetail } from './settings-provider-detail';
import { SettingsProviders } from './settings-providers';
import { SettingsRotation } from './settings-rotation';

export function DialogSettings() {
  const app = useAppState();
  // Provider Detail shows the chosen provider, else the first connected one.
  const detailProvider = () =>
    app.settings.providerID() ?? app.providers()?.connected[0]?.providerID;

  return (
    <Dialog
      open={app.settings.open()}
      onOpenChange={app.settings.setOpen}
      title="Settings"
      size="lg"
      initialFocus='[role="tab"][aria-selected="true"]'
    >
      <Tabs
        ariaLabel="Settings sections"
        value={app.settings.tab()}
        onChange={(v) => app.settings.setTab(v as SettingsTab)}
        class="h-[min(68vh,640px)]"
        items={[
          { value: 'providers', label: 'Providers', content: () => <SettingsProviders /> },
          {
            value: 'detail',
            // A fragment keeps the expression reactive (the tab is renamed when another provider opens).
            label: <>{detailProvider() ? PROVIDER_NAMES[detailProvider()!] : 'Provider detail'}</>,
            content: () => (
              <Show
                when={detailProvider()}
                fallback={
                  <Show when={app.providers()} fallback={<Spinner label="Loading the providers…" />}>
                    <div class="flex flex-col items-start gap-3 text-sm text-muted">
                      <p>No provider connected yet.</p>
                      <Button size="sm" variant="primary" onClick={() => app.settings.setTab('providers')} data-dialog-focus>
                        Add a provider
                      </Button>
                    </div>
                  </Show>
                }
              >
                {(id) => <SettingsProviderDetail providerID={id()} />}
              </Show>
            ),
          },
          { value: 'rotation', label: 'Rotation', content: () => <SettingsRotation /> },
          { value: 'about', label: 'About', content: () => <SettingsAbout /> },
        ]}
      />
    </Dialog>
  );
}
