import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotaryError } from '../../electron/core/errors.js';
import { startCopilotLogin } from '../../electron/core/providers/copilot/login.js';
import { readCopilotCache } from '../../electron/core/providers/copilot/refresh.js';
import { poolState, startHarness, startHtmlBadGateway, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness('copilot-login');
});
afterEach(async () => {
  await h.close();
});

/** A sleep that returns at once and runs `onPoll(n)` before the n-th poll. */
function instantSleep(onPoll?: (n: number, ms: number) => void) {
  const waits: number[] = [];
  let n = 0;
  return {
    waits,
    sleep: async (ms: number) => {
      waits.push(ms);
      n += 1;
      onPoll?.(n, ms);
    },
  };
}

describe('GitHub Copilot device login', () => {
  it('shows the code, polls until approved, verifies Copilot and adds the account labelled with the login', async () => {
    const acc = h.sim.addAccount('github-copilot', { login: 'octo-cat', email: 'octo@example.com' });
    let userCode = '';
    let opened = '';
    const clock = instantSleep((n) => {
      if (n === 3) h.sim.approveDevice(userCode, acc.id); // two pending polls first
    });
    const login = await startCopilotLogin({
      pool: h.core.pool,
      env: h.env,
      onUserCode: (info) => void (userCode = info.userCode),
      openUrl: (u) => void (opened = u),
      sleep: clock.sleep,
    });
    expect(login.userCode).toBe(userCode);
    expect(opened).toBe(login.verificationUri);
    const record = await login.done;
    expect(record.label).toBe('octo-cat');
    expect(record.email).toBe('octo@example.com');
    expect(record.accountId).toBe(acc.accountId);
    const secret = await h.core.pool.getSecret('github-copilot', record.id);
    expect(secret?.access).toBe(acc.credentials().access);
    const cache = readCopilotCache(secret!);
    expect(cache?.api).toBe('https://api.githubcopilot.com');
    expect(cache!.refreshAt).toBeLessThan(cache!.expiresAt);
    const c = h.sim.counters.byProvider['github-copilot'];
    expect(c.deviceCodeCalls).toBe(1);
    expect(c.tokenCalls).toBe(3);
    expect(c.copilotTokenCalls).toBe(1);
  });

  it('honours slow_down by waiting the longer interval GitHub returns', async () => {
    h.sim.github.deviceInterval = 2;
    const acc = h.sim.addAccount('github-copilot');
    let userCode = '';
    // Our sleeps return at once, so the second poll comes too fast and GitHub answers slow_down.
    const clock = instantSleep((n) => {
      if (n === 3) {
        h.sim.github.enforceSlowDown = false;
        h.sim.approveDevice(userCode, acc.id);
      }
    });
    const login = await startCopilotLogin({ pool: h.core.pool, env: h.env, onUserCode: (i) => void (userCode = i.userCode), sleep: clock.sleep });
    const record = await login.done;
    expect(record.accountId).toBe(acc.accountId);
    // 2 s from device/code, then 2 + 5 = 7 s from the slow_down answer.
    expect(clock.waits.slice(0, 3)).toEqual([2000, 2000, 7000]);
  });

  it('reports an expired device code and adds nothing', async () => {
    h.sim.github.deviceExpiresIn = 0;
    const before = await poolState(h);
    const login = await startCopilotLogin({ pool: h.core.pool, env: h.env, sleep: instantSleep().sleep, now: () => 0 });
    const error = await login.done.catch((e: unknown) => e);
    expect((error as RotaryError).code).toBe('timeout');
    expect((error as Error).message).toMatch(/code expired before it was approved/);
    expect(await poolState(h)).toEqual(before);
  });

  it('reports a login declined on GitHub (access_denied)', async () => {
    let userCode = '';
    const clock = instantSleep((n) => {
      if (n === 2) h.sim.denyDevice(userCode);
    });
    const login = await startCopilotLogin({ pool: h.core.pool, env: h.env, onUserCode: (i) => void (userCode = i.userCode), sleep: clock.sleep });
    await expect(login.done).rejects.toThrow(/declined on the GitHub page \(access_denied\)/);
    expect(h.core.pool.getAccounts('github-copilot')).toHaveLength(0);
  });

  it('can be cancelled while polling', async () => {
    let cancel = () => {};
    const clock = instantSleep((n) => {
      if (n === 2) cancel();
    });
    const login = await startCopilotLogin({ pool: h.core.pool, env: h.env, sleep: clock.sleep });
    cancel = login.cancel;
    await expect(login.done).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('reports a device-code answer that is not JSON (HTML 502)', async () => {
    const bad = await startHtmlBadGateway();
    try {
      const error = await startCopilotLogin({ pool: h.core.pool, env: { ...h.env, ROTARY_UPSTREAM: bad.url } }).catch((e: unknown) => e);
      expect((error as RotaryError).code).toBe('provider-error');
      expect((error as Error).message).toMatch(/HTTP 502 with something that is not JSON/);
    } finally {
      await bad.close();
    }
  });
});
