/**
 * "Add account": runs one provider's login flow and shows each step with a way out.
 * Anthropic: open the page, paste `code#state` (or the callback URL). OpenAI: open the page,
 * Rotary's loopback server finishes by itself. Copilot: show the device code, open the page, poll.
 */
import ExternalLink from 'lucide-solid/icons/external-link';
import { createSignal, Match, onCleanup, onMount, Show, Switch } from 'solid-js';
import type { ProviderID } from '../../../../shared/domain';
import { PROVIDER_NAMES } from '../../../../shared/domain';
import type { LoginSession, LoginStep } from '../../../../shared/ipc';
import { useApi } from '../../lib/api';
import { Button } from '../../ui/button';
import { CopyButton, copyText } from '../../ui/copy-button';
import { Spinner } from '../../ui/spinner';
import { TextField } from '../../ui/text-field';
import { notify } from '../../ui/toast';
import { formatDuration } from '../../ui/usage-metrics';

export interface LoginFlowProps {
  providerID: ProviderID;
  now: number;
  onClose: (outcome: 'done' | 'cancelled') => void;
  /** The flow's section (focusable), so the opener can move focus into it. */
  sectionRef?: (el: HTMLElement) => void;
}

type Finished = 'done' | 'cancelled' | undefined;

export function LoginFlow(props: LoginFlowProps) {
  const api = useApi();
  const [session, setSession] = createSignal<LoginSession>();
  const [startError, setStartError] = createSignal<string>();
  const [code, setCode] = createSignal('');
  const [submitting, setSubmitting] = createSignal(false);
  /** The last step that asks something of the user; a retryable failure keeps showing it. */
  const [askStep, setAskStep] = createSignal<LoginStep>();
  let finished: Finished;

  const step = () => session()?.step;
  const failure = () => {
    const s = step();
    return s?.kind === 'failed' ? s : undefined;
  };

  function accept(next: LoginSession) {
    const current = session();
    if (current && next.sessionID !== current.sessionID) return;
    setSession(next);
    const s = next.step;
    if (s.kind === 'paste-code' || s.kind === 'await-callback' || s.kind === 'device-code') setAskStep(s);
    if (s.kind === 'done' && !finished) {
      finished = 'done';
      notify('success', `Added ${s.account.label}`);
      props.onClose('done');
    } else if (s.kind === 'cancelled' && !finished) {
      finished = 'cancelled';
      props.onClose('cancelled');
    }
  }

  // Events can arrive before `login:start` answers; keep the newest per session until we know ours.
  const early = new Map<string, LoginSession>();
  const off = api.onLogin((s) => {
    if (!session()) early.set(s.sessionID, s);
    else accept(s);
  });

  async function start() {
    setStartError(undefined);
    setSession(undefined);
    setAskStep(undefined);
    setCode('');
    early.clear();
    const res = await api.login.start({ providerID: props.providerID });
    if (!res.ok) {
      setStartError(res.error.message);
      return;
    }
    accept(res.value);
    const later = early.get(res.value.sessionID);
    if (later && later.step.kind !== res.value.step.kind) accept(later);
  }

  async function submit() {
    const s = session();
    const value = code().trim();
    if (!s || !value || submitting()) return;
    setSubmitting(true);
    const res = await api.login.submitCode({ sessionID: s.sessionID, code: value });
    setSubmitting(false);
    if (res.ok) accept(res.value);
    else setSession({ ...s, step: { kind: 'failed', error: res.error, retryable: res.error.code === 'bad-input' } });
  }

  async function cancel() {
    const s = session();
    if (!finished) finished = 'cancelled';
    if (s) await api.login.cancel({ sessionID: s.sessionID });
    props.onClose('cancelled');
  }

  const open = (url: string) => void api.app.openExternal({ url });

  onMount(() => void start());
  onCleanup(() => {
    off();
    // Closing the dialog mid-flow must not leave a loopback server or a poller running.
    const s = session();
    if (s && !finished) void api.login.cancel({ sessionID: s.sessionID });
  });

  const shown = () => {
    const s = step();
    if (s?.kind === 'failed' && s.retryable) return askStep();
    return s;
  };

  return (
    <section
      ref={(el) => props.sectionRef?.(el)}
      tabindex="-1"
      aria-label={`Add ${PROVIDER_NAMES[props.providerID]} account`}
      class="flex flex-col gap-3 rounded-lg border border-accent/40 bg-accent-soft/40 p-4 outline-offset-2"
      data-testid="login-flow"
    >
      <div class="flex items-center justify-between gap-2">
        <h3 class="text-sm font-semibold">Add {PROVIDER_NAMES[props.providerID]} account</h3>
        <Button size="sm" variant="ghost" onClick={() => void cancel()}>
          Cancel
        </Button>
      </div>

      <Show when={startError()}>
        {(err) => <LoginError message={`Could not start the login: ${err()}`} onRetry={() => void start()} />}
      </Show>

      <Show when={!session() && !startError()}>
        <Spinner label="Starting the login…" />
      </Show>

      <Switch>
        <Match when={shown()?.kind === 'paste-code' && (shown() as Extract<LoginStep, { kind: 'paste-code' }>)}>
          {(s) => (
            <form
              class="flex flex-col gap-3"
              onSubmit={(e) => {
                e.preventDefault();
                void submit();
              }}
            >
              <p class="text-sm text-muted">{s().message}</p>
              <ol class="flex list-decimal flex-col gap-3 pl-5 text-sm">
                <li>
                  <LoginPageLinks url={s().authorizeUrl} onOpen={open} />
                </li>
                <li>
                  <TextField
                    label="Authorization code"
                    placeholder="code#state, or the whole callback URL"
                    description="After you approve, the page shows a code. Paste it here."
                    value={code()}
                    onChange={setCode}
                    error={failure()?.error.message}
                    autofocus
                  />
                </li>
              </ol>
              <div class="flex justify-end gap-2">
                <Button type="submit" variant="primary" disabled={!code().trim() || submitting()}>
                  {submitting() ? 'Checking…' : 'Add account'}
                </Button>
              </div>
            </form>
          )}
        </Match>
        <Match when={shown()?.kind === 'await-callback' && (shown() as Extract<LoginStep, { kind: 'await-callback' }>)}>
          {(s) => (
            <div class="flex flex-col gap-3 text-sm">
              <p class="text-muted">{s().message}</p>
              <LoginPageLinks url={s().authorizeUrl} onOpen={open} />
              <Spinner label="Waiting for the browser to finish the login…" />
              <Show when={s().callbackUrl}>
                <p class="text-xs text-muted">Rotary listens on {s().callbackUrl}.</p>
              </Show>
            </div>
          )}
        </Match>
        <Match when={shown()?.kind === 'device-code' && (shown() as Extract<LoginStep, { kind: 'device-code' }>)}>
          {(s) => (
            <div class="flex flex-col gap-3 text-sm">
              <p class="text-muted">{s().message}</p>
              <div class="flex flex-wrap items-center gap-3">
                <code
                  class="rounded-md border border-line bg-surface px-3 py-1.5 font-mono text-lg tracking-widest"
                  aria-label="Your device code"
                  data-testid="device-code"
                >
                  {s().userCode}
                </code>
                <CopyButton size="sm" label="Copy code" copy={() => copyText(s().userCode)} />
                <Button size="sm" variant="primary" onClick={() => open(s().verificationUri)}>
                  <ExternalLink size={14} aria-hidden="true" /> Open {new URL(s().verificationUri).host}
                </Button>
              </div>
              <Spinner
                label={`Waiting for you to approve…${
                  s().expiresAt ? ` (code expires in ${formatDuration((s().expiresAt ?? 0) - props.now)})` : ''
                }`}
              />
            </div>
          )}
        </Match>
        <Match when={step()?.kind === 'working' && (step() as Extract<LoginStep, { kind: 'working' }>)}>
          {(s) => <Spinner label={s().message} />}
        </Match>
      </Switch>

      <Show when={failure() && !failure()!.retryable && failure()}>
        {(f) => <LoginError message={f().error.message} onRetry={() => void start()} />}
      </Show>
    </section>
  );
}

/** "Open the login page" and "Copy link" (for a browser on another machine or profile). */
function LoginPageLinks(props: { url: string; onOpen: (url: string) => void }) {
  return (
    <div class="flex flex-wrap items-center gap-2">
      <Button size="sm" variant="primary" onClick={() => props.onOpen(props.url)}>
        <ExternalLink size={14} aria-hidden="true" /> Open the login page
      </Button>
      <CopyButton size="sm" label="Copy link" copy={() => copyText(props.url)} />
    </div>
  );
}

/** A login that cannot go on: what went wrong and a way to start over. */
function LoginError(props: { message: string; onRetry: () => void }) {
  return (
    <div role="alert" class="rounded-md border border-danger/50 bg-danger-soft p-3 text-sm text-danger">
      {props.message}
      <div class="mt-2">
        <Button size="sm" onClick={() => props.onRetry()}>
          Try again
        </Button>
      </div>
    </div>
  );
}
