import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotaryError } from '../../electron/core/errors.js';
import { openaiCallbackPorts, startOpenAILogin } from '../../electron/core/providers/openai/login.js';
import { browserGet, poolState, portClosed, startHarness, startHtmlBadGateway, viaLoopback, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness('openai-login');
});
afterEach(async () => {
  await h.close();
});

describe('ChatGPT/Codex loopback login', () => {
  it('completes end to end with an HTTP client playing the browser', async () => {
    const acc = h.sim.addAccount('openai', { email: 'bob@example.com' });
    const login = await startOpenAILogin({ pool: h.core.pool, env: h.env });
    expect(login.redirectUri).toBe(`http://localhost:${login.port}/auth/callback`);
    const url = new URL(login.url);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('codex_cli_simplified_flow')).toBe('true');

    const consent = await browserGet(`${login.url}&sim_account=${acc.id}`);
    expect(consent.status).toBe(302);
    const callback = await browserGet(viaLoopback(consent.location!));
    expect(callback.status).toBe(200);
    expect(callback.text).toContain('Rotary added bob@example.com');

    const record = await login.done;
    expect(record.label).toBe('bob@example.com');
    expect(record.email).toBe('bob@example.com');
    expect(record.accountId).toBe(acc.accountId);
    const secret = await h.core.pool.getSecret('openai', record.id);
    expect(secret?.access).toBe(acc.credentials().access);
    expect(secret?.refresh).toBe(acc.credentials().refresh);
    expect(secret?.extras?.accountId).toBe(acc.accountId);
    expect(await portClosed(login.port)).toBe(true);
  });

  it('explains a workspace without Codex (access_denied / missing_codex_entitlement) and adds nothing', async () => {
    const before = await poolState(h);
    const login = await startOpenAILogin({ pool: h.core.pool, env: h.env });
    const consent = await browserGet(`${login.url}&sim_deny=1`);
    const callback = await browserGet(viaLoopback(consent.location!));
    expect(callback.status).toBe(400);
    expect(callback.text).toContain('does not include Codex');
    const error = await login.done.catch((e: unknown) => e);
    expect((error as RotaryError).code).toBe('auth-failed');
    expect((error as Error).message).toMatch(/missing_codex_entitlement/);
    expect(await poolState(h)).toEqual(before);
    expect(await portClosed(login.port)).toBe(true);
  });

  it('rejects a callback with the wrong state without redeeming the code', async () => {
    const acc = h.sim.addAccount('openai');
    const before = await poolState(h);
    const login = await startOpenAILogin({ pool: h.core.pool, env: h.env });
    const consent = await browserGet(`${login.url}&sim_account=${acc.id}`);
    const tampered = new URL(viaLoopback(consent.location!));
    tampered.searchParams.set('state', 'someone-elses-state');
    const callback = await browserGet(tampered.toString());
    expect(callback.status).toBe(400);
    await expect(login.done).rejects.toThrow(/state mismatch/);
    expect(h.sim.counters.byProvider.openai.authCodeCalls).toBe(0);
    expect(await poolState(h)).toEqual(before);
  });

  it('times out when the browser never comes back (closed tab) and closes the server', async () => {
    const before = await poolState(h);
    const login = await startOpenAILogin({ pool: h.core.pool, env: h.env, timeoutMs: 150 });
    const error = await login.done.catch((e: unknown) => e);
    expect((error as RotaryError).code).toBe('timeout');
    expect((error as Error).message).toMatch(/timed out .* \(was the tab closed\?\)/);
    expect(await portClosed(login.port)).toBe(true);
    expect(await poolState(h)).toEqual(before);
  });

  it('can be cancelled, which closes the server', async () => {
    const login = await startOpenAILogin({ pool: h.core.pool, env: h.env });
    login.cancel();
    await expect(login.done).rejects.toMatchObject({ code: 'cancelled' });
    expect(await portClosed(login.port)).toBe(true);
  });

  it('falls back to the next port when the first is busy', async () => {
    const blocker = http.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busy = (blocker.address() as AddressInfo).port;
    try {
      const login = await startOpenAILogin({ pool: h.core.pool, env: h.env, ports: [busy, 0] });
      expect(login.port).not.toBe(busy);
      expect(login.redirectUri).toBe(`http://localhost:${login.port}/auth/callback`);
      login.cancel();
      await expect(login.done).rejects.toMatchObject({ code: 'cancelled' });
      await expect(startOpenAILogin({ pool: h.core.pool, env: h.env, ports: [busy] })).rejects.toMatchObject({ code: 'port-in-use' });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('reports a token endpoint that answers HTML (502) and adds nothing', async () => {
    const bad = await startHtmlBadGateway();
    try {
      const before = await poolState(h);
      const login = await startOpenAILogin({ pool: h.core.pool, env: { ...h.env, ROTARY_UPSTREAM: bad.url } });
      const state = new URL(login.url).searchParams.get('state')!;
      const callback = await browserGet(`http://127.0.0.1:${login.port}/auth/callback?code=ac_fromthebrowser&state=${state}`);
      expect(callback.status).toBe(500);
      const error = await login.done.catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/not JSON/);
      expect(await poolState(h)).toEqual(before);
    } finally {
      await bad.close();
    }
  });

  it('reads ROTARY_OPENAI_CALLBACK_PORT and rejects a bad value', () => {
    expect(openaiCallbackPorts({})).toEqual([1455, 1457]);
    expect(openaiCallbackPorts({ ROTARY_OPENAI_CALLBACK_PORT: '0' })).toEqual([0]);
    expect(() => openaiCallbackPorts({ ROTARY_OPENAI_CALLBACK_PORT: 'abc' })).toThrow(/must be a port number/);
  });
});
