/**
 * Settings → Rotation (issue 15): which account a new conversation starts on (active first, or
 * drain soonest: the weekly window that resets first, never one forecast to hit a limit within
 * the lead time) and the lead time of the forecast warnings. Stored in rotary.json, like
 * `rotary config set`; an environment variable that decides a setting is named beside it.
 */
import { createEffect, createSignal, For, on, Show } from 'solid-js';
import type { RotationPolicy } from '../../../../shared/activity';
import { useAppState } from '../../lib/app-state';
import { Button } from '../../ui/button';
import { LoadFailed } from '../../ui/load-failed';
import { Spinner } from '../../ui/spinner';
import { notify } from '../../ui/toast';

const POLICIES: Array<{ value: RotationPolicy; title: string; text: string }> = [
  {
    value: 'active-first',
    title: 'Active first',
    text: 'New conversations go to the active account; on a limit the next account in your order takes over. An active account above the proactive threshold of its 5-hour window hands new conversations to the next one.',
  },
  {
    value: 'drain-soonest',
    title: 'Drain soonest',
    text: 'New conversations go to the usable account whose weekly window resets first, so capacity that would expire unused is spent first — never to an account forecast to hit a limit within the lead time. Running conversations stay on their account.',
  },
];

export function SettingsRotation() {
  const app = useAppState();
  const view = () => app.rotation();
  const [lead, setLead] = createSignal('');
  const [leadError, setLeadError] = createSignal<string>();
  const [saving, setSaving] = createSignal(false);
  createEffect(on(() => view()?.stored.forecastLeadMinutes, (v) => v !== undefined && setLead(String(v))));
  // Its own read failed, or the whole first load did (then it was never read).
  const loadError = () => {
    const l = app.load();
    return app.rotationError() ?? (l.kind === 'error' ? l.message : undefined);
  };

  async function choose(policy: RotationPolicy) {
    if (view()?.stored.rotationPolicy === policy) return;
    setSaving(true);
    if (await app.setRotation({ rotationPolicy: policy })) notify('success', `New conversations: ${POLICIES.find((p) => p.value === policy)!.title.toLowerCase()}`);
    setSaving(false);
  }

  async function saveLead(e: Event) {
    e.preventDefault();
    const n = Number(lead());
    if (!/^\d+$/.test(lead().trim()) || n < 1 || n > 1440) {
      setLeadError('A whole number of minutes from 1 to 1440.');
      return;
    }
    setLeadError(undefined);
    setSaving(true);
    if (await app.setRotation({ forecastLeadMinutes: n })) notify('success', `Forecast warnings ${n} min ahead`);
    setSaving(false);
  }

  return (
    <Show
      when={view()}
      fallback={
        <Show when={loadError()} fallback={<Spinner label="Loading the settings…" />}>
          {(message) => (
            <LoadFailed
              dialogFocus
              testid="rotation-error"
              title="The rotation settings could not be loaded."
              message={message()}
              retry={() => (app.rotationError() ? app.reloadRotation() : app.reload())}
              focusNext={() => document.querySelector<HTMLElement>('[data-testid=settings-rotation] [data-dialog-focus]')}
            />
          )}
        </Show>
      }
    >
      {(v) => (
        <div class="flex flex-col gap-6 text-sm" data-testid="settings-rotation">
          <fieldset class="flex flex-col gap-2">
            <legend class="mb-2 text-base font-semibold outline-none" tabindex="-1" data-dialog-focus>
              New conversations
            </legend>
            <For each={POLICIES}>
              {(p) => (
                <label class={`flex cursor-pointer gap-3 rounded-lg border p-3 ${v().stored.rotationPolicy === p.value ? 'border-accent bg-accent-soft/30' : 'border-line'}`}>
                  <input
                    type="radio"
                    name="rotation-policy"
                    value={p.value}
                    class="mt-0.5 accent-[var(--accent)]"
                    checked={v().stored.rotationPolicy === p.value}
                    disabled={saving()}
                    onChange={() => void choose(p.value)}
                    data-testid={`policy-${p.value}`}
                  />
                  <span class="flex flex-col gap-0.5">
                    <span class="font-medium">{p.title}</span>
                    <span class="text-xs text-muted">{p.text}</span>
                  </span>
                </label>
              )}
            </For>
            <Show when={v().fromEnv.rotationPolicy}>
              {(name) => (
                <p class="text-xs text-warn" data-testid="policy-env">
                  {name()} is set for the gateway, so it uses {POLICIES.find((p) => p.value === v().effective.rotationPolicy)!.title.toLowerCase()}; the choice here applies when it is unset.
                </p>
              )}
            </Show>
          </fieldset>

          {/* noValidate: our own message (with role="alert") instead of the browser's bubble. */}
          <form class="flex flex-col gap-2" noValidate onSubmit={(e) => void saveLead(e)}>
            <label for="forecast-lead" class="font-semibold">
              Warn ahead of a limit
            </label>
            <p id="forecast-lead-help" class="text-xs text-muted">
              Minutes before an account is forecast to hit a limit at its current pace: a notification then, and drain soonest gives it no new conversation.
            </p>
            <div class="flex items-center gap-2">
              <input
                id="forecast-lead"
                type="number"
                min="1"
                max="1440"
                inputMode="numeric"
                value={lead()}
                onInput={(e) => setLead(e.currentTarget.value)}
                aria-describedby={leadError() ? 'forecast-lead-error' : 'forecast-lead-help'}
                aria-invalid={leadError() ? 'true' : undefined}
                class="h-9 w-24 rounded-md border border-line bg-bg px-3 text-sm text-fg focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-focus aria-[invalid]:border-danger"
                data-testid="forecast-lead"
              />
              <span class="text-xs text-muted">minutes</span>
              <Button size="sm" variant="secondary" type="submit" disabled={saving()}>
                Save
              </Button>
            </div>
            <Show when={leadError()}>
              <p id="forecast-lead-error" role="alert" class="text-xs text-danger">
                {leadError()}
              </p>
            </Show>
            <Show when={v().fromEnv.forecastLeadMinutes}>
              {(name) => (
                <p class="text-xs text-warn">
                  {name()} is set for the gateway ({v().effective.forecastLeadMinutes} min); the value here applies when it is unset.
                </p>
              )}
            </Show>
          </form>
        </div>
      )}
    </Show>
  );
}
