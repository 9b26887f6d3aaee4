/**
 * Login sessions the UI drives step by step. A session wraps one provider login flow
 * (driver) and turns its progress into `LoginStep`s, pushed as `events:login` and returned
 * from the calls. The driver owns the OAuth details and adds the account to the pool; this
 * module owns ids, the state machine, cancellation and clean-up.
 */
import { randomUUID } from 'node:crypto';
import type { ProviderID } from '../../../shared/domain.js';
import type { LoginSession, LoginStep, Result } from '../../../shared/ipc.js';
import { RotaryError } from '../errors.js';
import type { AccountPool } from '../pool/account-pool.js';
import { toIpcError } from './errors.js';
import { findAccountView } from './views.js';

/** The account a finished login added (or refreshed) in the pool. */
export interface LoginResult {
  recordID: string;
}

/** What a provider flow hands back once it has started. */
export type LoginHandle =
  | {
      kind: 'paste-code';
      authorizeUrl: string;
      /** Redeems the pasted `code#state` or callback URL. Throws RotaryError('bad-input') for garbage (the user may try again). */
      submit(code: string): Promise<LoginResult>;
    }
  | { kind: 'await-callback'; authorizeUrl: string; callbackUrl?: string; result: Promise<LoginResult> }
  | { kind: 'device-code'; userCode: string; verificationUri: string; expiresAt?: number; result: Promise<LoginResult> };

/** Starts provider login flows (adapter over `providers/<p>/login.ts`). */
export interface LoginDriver {
  begin(providerID: ProviderID, options: { signal: AbortSignal; label?: string }): Promise<LoginHandle>;
}

interface Session {
  id: string;
  providerID: ProviderID;
  label?: string;
  step: LoginStep;
  handle?: LoginHandle;
  abort: AbortController;
  busy: boolean;
  timer?: NodeJS.Timeout;
}

export interface LoginSessionsOptions {
  driver: LoginDriver | undefined;
  pool: Pick<AccountPool, 'getAccounts' | 'relabel'>;
  emit(session: LoginSession): void;
  /** A session that is not finished after this long is cancelled (default 15 min). */
  ttlMs?: number;
}

const FINISHED = new Set<LoginStep['kind']>(['done', 'cancelled']);

export function createLoginSessions(options: LoginSessionsOptions) {
  const sessions = new Map<string, Session>();
  const ttlMs = options.ttlMs ?? 15 * 60_000;

  const view = (s: Session): LoginSession => ({ sessionID: s.id, providerID: s.providerID, step: s.step });

  function setStep(s: Session, step: LoginStep): void {
    s.step = step;
    options.emit(view(s));
    if (FINISHED.has(step.kind) || (step.kind === 'failed' && !step.retryable)) {
      s.abort.abort();
      // Keep the finished session a little while so a late `submitCode`/`cancel` gets a clear answer.
      clearTimeout(s.timer);
      s.timer = setTimeout(() => sessions.delete(s.id), 60_000);
      s.timer.unref?.();
    }
  }

  async function finish(s: Session, result: LoginResult): Promise<void> {
    if (s.label) await options.pool.relabel(s.providerID, result.recordID, s.label).catch(() => undefined);
    const account = findAccountView(options.pool, s.providerID, result.recordID);
    if (!account) throw new RotaryError('provider-error', 'The login finished but the account is not in the pool.');
    setStep(s, { kind: 'done', account, message: `Added ${account.label}.` });
  }

  function fail(s: Session, error: unknown, retryable: boolean): void {
    if (s.abort.signal.aborted && FINISHED.has(s.step.kind)) return;
    const ipc = toIpcError(error);
    setStep(s, { kind: 'failed', error: ipc, retryable: retryable && ipc.code === 'bad-input' });
  }

  function follow(s: Session, result: Promise<LoginResult>): void {
    result.then(
      (r) => finish(s, r).catch((e) => fail(s, e, false)),
      (e) => fail(s, e, false),
    );
  }

  return {
    async start(providerID: ProviderID, label?: string): Promise<Result<LoginSession>> {
      if (!options.driver) {
        return { ok: false, error: { code: 'unavailable', message: 'Logging in is not available in this build yet.' } };
      }
      const s: Session = {
        id: randomUUID(),
        providerID,
        ...(label ? { label } : {}),
        step: { kind: 'working', message: 'Starting the login…' },
        abort: new AbortController(),
        busy: false,
      };
      sessions.set(s.id, s);
      s.timer = setTimeout(() => {
        if (!FINISHED.has(s.step.kind)) setStep(s, { kind: 'failed', error: { code: 'expired', message: 'The login took too long and was stopped. Start again.' }, retryable: false });
      }, ttlMs);
      s.timer.unref?.();
      let handle: LoginHandle;
      try {
        handle = await options.driver.begin(providerID, { signal: s.abort.signal, ...(label ? { label } : {}) });
      } catch (error) {
        fail(s, error, false);
        return { ok: true, value: view(s) };
      }
      s.handle = handle;
      if (handle.kind === 'paste-code') {
        setStep(s, {
          kind: 'paste-code',
          authorizeUrl: handle.authorizeUrl,
          message: 'Sign in in the browser, then paste the code it shows (code#state) or the whole callback URL.',
        });
      } else if (handle.kind === 'await-callback') {
        setStep(s, {
          kind: 'await-callback',
          authorizeUrl: handle.authorizeUrl,
          ...(handle.callbackUrl ? { callbackUrl: handle.callbackUrl } : {}),
          message: 'Sign in in the browser; Rotary continues by itself when the browser comes back.',
        });
        follow(s, handle.result);
      } else {
        setStep(s, {
          kind: 'device-code',
          userCode: handle.userCode,
          verificationUri: handle.verificationUri,
          ...(handle.expiresAt !== undefined ? { expiresAt: handle.expiresAt } : {}),
          message: 'Open the GitHub page, enter this code and approve; Rotary continues by itself.',
        });
        follow(s, handle.result);
      }
      return { ok: true, value: view(s) };
    },

    async submitCode(sessionID: string, code: string): Promise<Result<LoginSession>> {
      const s = sessions.get(sessionID);
      if (!s) return { ok: false, error: { code: 'not-found', message: 'This login is no longer running. Start again.' } };
      const handle = s.handle;
      const canPaste = s.step.kind === 'paste-code' || (s.step.kind === 'failed' && s.step.retryable);
      if (!handle || handle.kind !== 'paste-code' || !canPaste) {
        return { ok: false, error: { code: 'bad-input', message: 'This login does not take a pasted code right now.' } };
      }
      if (s.busy) return { ok: false, error: { code: 'bad-input', message: 'The code is already being checked.' } };
      s.busy = true;
      setStep(s, { kind: 'working', message: 'Checking the code…' });
      try {
        await finish(s, await handle.submit(code.trim()));
      } catch (error) {
        fail(s, error, true);
      } finally {
        s.busy = false;
      }
      return { ok: true, value: view(s) };
    },

    cancel(sessionID: string): Result<{ cancelled: boolean }> {
      const s = sessions.get(sessionID);
      if (!s || FINISHED.has(s.step.kind) || (s.step.kind === 'failed' && !s.step.retryable)) return { ok: true, value: { cancelled: false } };
      setStep(s, { kind: 'cancelled' });
      return { ok: true, value: { cancelled: true } };
    },

    /** Abort every running flow (app quit). */
    close(): void {
      for (const s of sessions.values()) {
        s.abort.abort();
        clearTimeout(s.timer);
      }
      sessions.clear();
    },
  };
}

export type LoginSessions = ReturnType<typeof createLoginSessions>;
