/**
 * The login session state machine with a scripted driver (the provider flows themselves are
 * exercised against the simulator in app-service.test.ts): start failures, retryable paste
 * errors, double submits, cancellation racing a result, and the time limit.
 */
import { describe, expect, it } from 'vitest';
import { RotaryError } from '../../electron/core/errors.js';
import { createLoginSessions, type LoginDriver, type LoginResult } from '../../electron/core/service/login-sessions.js';
import type { LoginSession } from '../../shared/ipc.js';

const account = {
  id: 'r1',
  providerID: 'anthropic' as const,
  namespace: 'default',
  label: 'me@example.com',
  createdAt: 1,
  updatedAt: 1,
  health: { successCount: 0, failureCount: 0 },
  isActive: true,
  status: { kind: 'ok' as const },
};
const pool = { getAccounts: () => [account], relabel: async () => undefined };

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('login sessions', () => {
  it('answers unavailable without a driver', async () => {
    const s = createLoginSessions({ driver: undefined, pool, emit: () => undefined });
    const r = await s.start('anthropic');
    expect(!r.ok && r.error.code).toBe('unavailable');
  });

  it('a driver that fails to start gives a failed, non-retryable step', async () => {
    const driver: LoginDriver = { begin: async () => Promise.reject(new RotaryError('port-in-use', 'Port 1455 is in use.')) };
    const s = createLoginSessions({ driver, pool, emit: () => undefined });
    const r = await s.start('openai');
    expect(r.ok && r.value.step).toEqual({ kind: 'failed', error: { code: 'unavailable', message: 'Port 1455 is in use.' }, retryable: false });
  });

  it('paste: a bad code is retryable, a double submit is refused, a good code finishes', async () => {
    const pending = deferred<LoginResult>();
    let calls = 0;
    const driver: LoginDriver = {
      begin: async () => ({
        kind: 'paste-code',
        authorizeUrl: 'https://claude.ai/oauth/authorize?x',
        submit: async (code) => {
          calls++;
          if (code === 'bad') throw new RotaryError('bad-input', 'That does not look like a login code.');
          return pending.promise;
        },
      }),
    };
    const events: LoginSession[] = [];
    const s = createLoginSessions({ driver, pool, emit: (e) => events.push(e) });
    const started = await s.start('anthropic');
    const id = started.ok ? started.value.sessionID : '';
    const bad = await s.submitCode(id, 'bad');
    expect(bad.ok && bad.value.step).toMatchObject({ kind: 'failed', retryable: true, error: { code: 'bad-input' } });
    const good = s.submitCode(id, 'good#state');
    const twice = await s.submitCode(id, 'good#state');
    expect(!twice.ok && twice.error.code).toBe('bad-input');
    pending.resolve({ recordID: 'r1' });
    const done = await good;
    expect(done.ok && done.value.step).toMatchObject({ kind: 'done', account: { id: 'r1' } });
    expect(calls).toBe(2);
    expect(events.map((e) => e.step.kind)).toEqual(['paste-code', 'working', 'failed', 'working', 'done']);
    expect(await s.submitCode('unknown', 'x')).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('cancel wins over a late result and aborts the driver', async () => {
    const result = deferred<LoginResult>();
    let signal: AbortSignal | undefined;
    const driver: LoginDriver = {
      begin: async (_p, o) => {
        signal = o.signal;
        return { kind: 'device-code', userCode: 'ABCD-EFGH', verificationUri: 'https://github.com/login/device', result: result.promise };
      },
    };
    const events: LoginSession[] = [];
    const s = createLoginSessions({ driver, pool, emit: (e) => events.push(e) });
    const started = await s.start('github-copilot');
    const id = started.ok ? started.value.sessionID : '';
    expect(s.cancel(id)).toEqual({ ok: true, value: { cancelled: true } });
    expect(signal?.aborted).toBe(true);
    result.reject(new RotaryError('cancelled', 'cancelled'));
    await new Promise((r) => setTimeout(r, 10));
    expect(events.at(-1)!.step.kind).toBe('cancelled');
    expect(s.cancel(id)).toEqual({ ok: true, value: { cancelled: false } });
    s.close();
  });

  it('a login that runs past its time limit fails with expired', async () => {
    const driver: LoginDriver = { begin: async () => ({ kind: 'await-callback', authorizeUrl: 'https://auth.openai.com/x', result: new Promise<LoginResult>(() => undefined) }) };
    const events: LoginSession[] = [];
    const s = createLoginSessions({ driver, pool, emit: (e) => events.push(e), ttlMs: 20 });
    await s.start('openai');
    await expect.poll(() => events.at(-1)?.step.kind).toBe('failed');
    expect(events.at(-1)!.step).toMatchObject({ error: { code: 'expired' } });
    s.close();
  });
});
