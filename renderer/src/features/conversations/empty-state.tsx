/** First run: how to add an account and point a tool at the gateway. */
import { Show } from 'solid-js';
import { useAppState } from '../../lib/app-state';
import { Button } from '../../ui/button';
import { GatewayClientSettings } from '../header/gateway-connect';

export function EmptyState() {
  const app = useAppState();
  const hasAccounts = () => (app.pool()?.providers.some((p) => p.accounts.length > 0) ?? false);
  return (
    <div class="mx-auto flex w-full max-w-2xl flex-col gap-6 p-8" data-testid="empty-state">
      <div>
        <h2 class="text-lg font-semibold">
          {hasAccounts() ? 'No conversations yet' : 'Welcome to Rotary'}
        </h2>
        <p class="mt-1 text-sm text-muted">
          Rotary keeps several subscriptions per provider and runs a local gateway that switches to the next account
          when one hits its rate limit.
        </p>
      </div>
      <ol class="flex flex-col gap-5">
        <li class="flex gap-3">
          <span class={`flex h-6 w-6 shrink-0 items-center justify-center rounded-full text-xs font-semibold ${hasAccounts() ? 'bg-ok text-white' : 'bg-accent text-accent-fg'}`}>
            1
          </span>
          <div class="flex flex-col gap-2">
            <h3 class="text-sm font-medium">Add your accounts</h3>
            <p class="text-sm text-muted">
              Open Settings → Providers, pick Anthropic, OpenAI or GitHub Copilot and log in. Add each subscription you
              have; the gateway rotates between them.
            </p>
            <Show when={!hasAccounts()}>
              <div>
                <Button variant="primary" size="sm" onClick={() => app.settings.show('providers')}>
                  Add an account
                </Button>
              </div>
            </Show>
          </div>
        </li>
        <li class="flex gap-3">
          <span class="flex h-6 w-6 shrink-0 items-center justify-center rounded-full bg-accent text-xs font-semibold text-accent-fg">
            2
          </span>
          <div class="flex min-w-0 flex-1 flex-col gap-2">
            <h3 class="text-sm font-medium">Point a tool at the gateway</h3>
            <GatewayClientSettings />
          </div>
        </li>
      </ol>
    </div>
  );
}
