/**
 * Shown before the main window while the core's vault is not open: unlock the encrypted
 * vault, create one (first run without a Secret Service), or read why the keychain cannot be
 * used. Asks `vault:status` once; `ready` (or a core without vault channels) goes straight to
 * the main window. The passphrase lives in this component's signals only until it is sent,
 * and is cleared whatever the answer.
 */
import LockKeyhole from 'lucide-solid/icons/lock-keyhole';
import { createSignal, Match, onMount, Show, Switch, type JSX } from 'solid-js';
import type { Result, RotaryApi, VaultStatus } from '../../../../shared/ipc';
import { Button } from '../../ui/button';
import { Spinner } from '../../ui/spinner';
import { TextField } from '../../ui/text-field';
import { newPassphraseProblem } from './vault-passphrase';

const PASS_THROUGH = new Set<string>(['unavailable', 'unauthorized', 'forbidden']);

type Gate = { kind: 'checking' } | { kind: 'open' } | { kind: 'closed'; status: VaultStatus } | { kind: 'failed'; message: string };

export function VaultGate(props: { api: RotaryApi; children: JSX.Element }) {
  const [gate, setGate] = createSignal<Gate>({ kind: 'checking' });

  async function check() {
    setGate({ kind: 'checking' });
    const result = await props.api.vault.status();
    if (result.ok) setGate(result.value.state === 'ready' ? { kind: 'open' } : { kind: 'closed', status: result.value });
    // A core without vault channels, one not reachable or one refusing this page's key: nothing to
    // unlock here; the main window shows its own error state for those (with the reason and a retry).
    else setGate(PASS_THROUGH.has(result.error.code) ? { kind: 'open' } : { kind: 'failed', message: result.error.message });
  }
  onMount(() => void check());

  const closed = () => {
    const g = gate();
    return g.kind === 'closed' ? g.status : undefined;
  };
  const failed = () => {
    const g = gate();
    return g.kind === 'failed' ? g.message : undefined;
  };

  return (
    <Switch>
      <Match when={gate().kind === 'open'}>{props.children}</Match>
      <Match when={gate().kind === 'checking'}>
        <Screen>
          <Spinner label="Opening Rotary…" />
        </Screen>
      </Match>
      <Match when={failed()}>{(message) => <Unavailable message={message()} onRetry={check} />}</Match>
      <Match when={closed()}>
        {(status) => (
          <Switch>
            <Match when={status().state === 'locked'}>
              <UnlockForm api={props.api} status={status()} onOpen={() => setGate({ kind: 'open' })} />
            </Match>
            <Match when={status().state === 'missing'}>
              <CreateForm api={props.api} status={status()} onOpen={() => setGate({ kind: 'open' })} />
            </Match>
            <Match when={status().state === 'unavailable'}>
              <Unavailable message={status().message ?? 'Rotary cannot reach the place it keeps your tokens.'} onRetry={check} />
            </Match>
          </Switch>
        )}
      </Match>
    </Switch>
  );
}

function Screen(props: { title?: string; children: JSX.Element }) {
  return (
    <main class="flex h-full items-center justify-center p-8" data-testid="vault-gate">
      <div class="w-full max-w-md rounded-xl border border-line bg-surface p-6 text-sm shadow-sm">
        <Show when={props.title}>
          <h1 class="mb-3 flex items-center gap-2 text-base font-semibold">
            <LockKeyhole size={18} aria-hidden="true" />
            {props.title}
          </h1>
        </Show>
        {props.children}
      </div>
    </main>
  );
}

/** Sends the passphrase once, clears it, and opens the main window on `ready`. */
function usePassphraseSubmit(onOpen: () => void) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string>();
  async function submit(send: () => Promise<Result<VaultStatus>>, clear: () => void) {
    setBusy(true);
    setError(undefined);
    const result = await send();
    clear();
    setBusy(false);
    if (result.ok && result.value.state === 'ready') onOpen();
    else setError(result.ok ? (result.value.message ?? 'The vault is still not open. Try again.') : result.error.message);
  }
  return { busy, error, setError, submit };
}

function UnlockForm(props: { api: RotaryApi; status: VaultStatus; onOpen: () => void }) {
  const [passphrase, setPassphrase] = createSignal('');
  const form = usePassphraseSubmit(() => props.onOpen());
  return (
    <Screen title="Unlock Rotary">
      <p class="mb-4 text-muted">
        Your tokens are in an encrypted vault{props.status.location ? ` (${props.status.location})` : ''}. Enter its passphrase to open Rotary.
      </p>
      <Show when={props.status.message}>{(m) => <p class="mb-4 text-muted">{m()}</p>}</Show>
      <form
        class="flex flex-col gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          void form.submit(() => props.api.vault.unlock({ passphrase: passphrase() }), () => setPassphrase(''));
        }}
      >
        <TextField
          label="Passphrase"
          type="password"
          autofocus
          value={passphrase()}
          onChange={(v) => {
            setPassphrase(v);
            form.setError(undefined);
          }}
          error={form.error()}
        />
        <Button type="submit" variant="primary" disabled={form.busy() || passphrase() === ''}>
          {form.busy() ? 'Unlocking…' : 'Unlock'}
        </Button>
      </form>
    </Screen>
  );
}

function CreateForm(props: { api: RotaryApi; status: VaultStatus; onOpen: () => void }) {
  const [first, setFirst] = createSignal('');
  const [second, setSecond] = createSignal('');
  const form = usePassphraseSubmit(() => props.onOpen());
  const clear = () => {
    setFirst('');
    setSecond('');
  };
  return (
    <Screen title="Protect your tokens with a passphrase">
      <Show when={props.status.message}>
        {(m) => (
          <p class="mb-3 rounded-md bg-surface-2 p-3 text-muted" data-testid="vault-missing-reason">
            {m()}
          </p>
        )}
      </Show>
      <p class="mb-3 text-muted">
        Rotary can keep your tokens in an encrypted file instead{props.status.location ? ` (${props.status.location})` : ''}: AES-256-GCM with a key
        made from your passphrase. Rotary asks for it each time it starts. It cannot be recovered if you forget it.
      </p>
      <p class="mb-4 text-muted">
        The app and the <code class="font-mono">rotary</code> command use this vault from now on; on servers set{' '}
        <code class="font-mono">ROTARY_SECRET_BACKEND=encrypted-file</code> and <code class="font-mono">ROTARY_VAULT_PASSPHRASE_FILE</code>.
      </p>
      <form
        class="flex flex-col gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          const problem = newPassphraseProblem(first(), second());
          if (problem) return form.setError(problem);
          void form.submit(() => props.api.vault.create({ passphrase: first() }), clear);
        }}
      >
        <TextField label="New passphrase" type="password" autofocus value={first()} onChange={(v) => (setFirst(v), form.setError(undefined))} />
        <TextField label="Repeat the passphrase" type="password" value={second()} onChange={(v) => (setSecond(v), form.setError(undefined))} error={form.error()} />
        <Button type="submit" variant="primary" disabled={form.busy()}>
          {form.busy() ? 'Creating…' : 'Create encrypted vault'}
        </Button>
      </form>
    </Screen>
  );
}

function Unavailable(props: { message: string; onRetry: () => void }) {
  return (
    <Screen title="Rotary cannot open its vault">
      <p class="mb-4 text-muted" role="alert">
        {props.message}
      </p>
      <Button variant="secondary" onClick={() => props.onRetry()}>
        Try again
      </Button>
    </Screen>
  );
}
