/**
 * Forecasts at work in the real gateway against the simulator (issue 15), with the gateway's
 * and the history's clock injected (one simulated minute per request, no waiting):
 *  - the ahead-of-time warning fires before the 429 would, and the desktop policy shows it;
 *    a limited account that frees up is announced once;
 *  - drain-soonest: three accounts with different weekly resets; new conversations go to the one
 *    whose weekly window resets first, skip one forecast to hit a limit within the lead time, and
 *    the activity log names the policy and the reason.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ActivityEvent, LimitForecast, RequestEntry } from '../../shared/activity.js';
import { startRuntime, type Runtime } from '../../electron/core/runtime.js';
import { createNotificationPolicy } from '../../electron/desktop/notifications.js';
import { ANTHROPIC_HEADERS, anthropicBody, TEST_KEY } from '../gateway/harness.js';
import { makeTempHome } from '../helpers/temp-home.js';
import { startSimulator, type SimAccount, type Simulator } from '../sim/server.js';

const MIN = 60_000;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Rig {
  sim: Simulator;
  core: Runtime;
  clock: { t: number };
  accounts: SimAccount[];
  events: ActivityEvent[];
  /** One request in a conversation; the clock then moves one minute and the history is flushed. */
  send(session: string): Promise<number>;
}

async function rig(n: number, env: Record<string, string> = {}): Promise<Rig> {
  const sim = await startSimulator();
  cleanups.push(() => sim.close());
  const { home, cleanup } = makeTempHome('rotary-forecast-');
  cleanups.push(cleanup);
  const clock = { t: Date.now() };
  const now = () => clock.t;
  const core = await startRuntime({
    env: { ROTARY_HOME: home, ROTARY_UPSTREAM: sim.url, ROTARY_SECRET_BACKEND: 'file', ROTARY_GATEWAY_KEY: TEST_KEY, ...env },
    home,
    warn: () => undefined,
    poller: { start: false, minIntervalMs: 0, jitterMs: 0 },
    gateway: { port: 0, now },
    history: { now, flushMs: 60_000, warningsEveryMs: 3_600_000 },
  });
  cleanups.push(() => core.close());
  const accounts: SimAccount[] = [];
  for (let i = 0; i < n; i++) {
    const acc = sim.addAccount('anthropic');
    const c = acc.credentials();
    await core.pool.add({ providerID: 'anthropic', label: `Account ${i + 1}`, accountId: c.accountId, secret: { access: c.access, refresh: c.refresh!, expires: c.expires! } });
    accounts.push(acc);
  }
  const events: ActivityEvent[] = [];
  core.gateway!.activity.subscribe((e) => events.push(e));
  return {
    sim,
    core,
    clock,
    accounts,
    events,
    async send(session) {
      const res = await fetch(`${core.gateway!.url}/anthropic/v1/messages`, {
        method: 'POST',
        headers: { ...ANTHROPIC_HEADERS, 'x-api-key': TEST_KEY, 'x-claude-code-session-id': session },
        body: anthropicBody(),
      });
      await res.arrayBuffer();
      clock.t += MIN;
      await core.history!.flush();
      return res.status;
    },
  };
}

const kinds = (events: ActivityEvent[]) => events.map((e) => e.kind);

/**
 * Forty minutes of work on Account 1, from 30 % at 120 %/h (its 5-hour limit 35 minutes in):
 * the request (minute) at which the warning came and the one that rotated away on the 429.
 */
async function workToTheLimit(r: Rig): Promise<{ log: Array<{ t: number; kinds: string[] }>; warnedAt: number; rotatedAt: number; warning: LimitForecast }> {
  const [a] = r.accounts;
  a!.fiveHour.utilization = 0.3;
  a!.costPerRequest = 0.02; // 2 points a request, a request a minute: 120 %/h
  const log: Array<{ t: number; kinds: string[] }> = [];
  for (let i = 0; i < 40; i++) {
    const before = r.events.length;
    const t = r.clock.t;
    expect(await r.send('work')).toBe(200);
    log.push({ t, kinds: kinds(r.events.slice(before)) });
  }
  const warnedAt = log.findIndex((x) => x.kinds.includes('limit-forecast'));
  const rotatedAt = log.findIndex((x) => x.kinds.includes('rotation'));
  const warning = (r.events.find((e) => e.kind === 'limit-forecast') as { warning: LimitForecast } | undefined)?.warning;
  expect(warning).toBeDefined();
  return { log, warnedAt, rotatedAt, warning: warning! };
}

describe('ahead-of-time warnings', () => {
  it('the forecast warning fires before the 429 would, once, with the limit time that then comes true', async () => {
    const r = await rig(2);
    const { log, warnedAt, rotatedAt, warning } = await workToTheLimit(r);
    expect(warnedAt).toBeGreaterThan(0);
    expect(rotatedAt).toBeGreaterThan(warnedAt);
    expect(warning).toMatchObject({ providerID: 'anthropic', label: 'Account 1', windowKey: 'five_hour', windowLabel: '5-hour', leadMinutes: 30 });
    // Warned within the lead time of the limit, and the limit came when it said (± 3 min).
    expect(warning.limitAt - warning.at).toBeLessThanOrEqual(30 * MIN);
    expect(Math.abs(warning.limitAt - log[rotatedAt]!.t)).toBeLessThanOrEqual(3 * MIN);
    expect(warning.message).toMatch(/^At this pace Account 1 reaches its 5-hour limit at \d\d:\d\d \(in \d+ min\)\.$/);
    // Said once for this window, not on every request after it.
    expect(r.events.filter((e) => e.kind === 'limit-forecast')).toHaveLength(1);
    // The desktop shows it (Electron's Notification is the only part not run here).
    const policy = createNotificationPolicy({ now: () => r.clock.t });
    expect(policy.notificationFor({ kind: 'limit-forecast', warning })).toEqual({ title: 'Anthropic: Account 1 runs out soon', body: warning.message });
    expect(policy.notificationFor({ kind: 'limit-forecast', warning })).toBeUndefined();
    // It is in the history too (GET /activity's events survive a restart).
    expect(r.core.gateway!.activity.recentEvents().some((e) => e.kind === 'limit-forecast')).toBe(true);

    // Account 1 is cooling down until its window resets; once that time has come it is announced, once.
    const until = r.core.pool.getRecord('anthropic', r.core.pool.getAccounts('anthropic')[0]!.id)!.health.cooldownUntil!;
    r.core.warnings!.check();
    expect(kinds(r.events)).not.toContain('account-freed');
    r.clock.t = until + 1;
    r.core.warnings!.check();
    r.core.warnings!.check();
    const freed = r.events.filter((e) => e.kind === 'account-freed');
    expect(freed).toHaveLength(1);
    expect(freed[0]).toMatchObject({ freed: { label: 'Account 1', message: 'Account 1 can take requests again.' } });
    // The desktop shows that too, once.
    expect(policy.notificationFor(freed[0]!)).toEqual({ title: 'Anthropic: Account 1 is available again', body: 'Account 1 can take requests again.' });
    expect(policy.notificationFor(freed[0]!)).toBeUndefined();
  });

  it('a shorter lead time (ROTARY_FORECAST_LEAD_MINUTES=10) warns later: within 10 minutes of the limit, not 30', async () => {
    const usual = await workToTheLimit(await rig(2));
    const short = await workToTheLimit(await rig(2, { ROTARY_FORECAST_LEAD_MINUTES: '10' }));
    expect(usual.warning.leadMinutes).toBe(30);
    expect(short.warning.leadMinutes).toBe(10);
    // With 30 minutes the warning came more than 10 minutes ahead; with 10 it waited until the limit was 10 minutes off.
    expect(usual.warning.limitAt - usual.warning.at).toBeGreaterThan(10 * MIN);
    expect(short.warning.limitAt - short.warning.at).toBeLessThanOrEqual(10 * MIN);
    expect(short.warnedAt).toBeGreaterThan(usual.warnedAt);
    // Still ahead of the 429, which the lead time does not move.
    expect(short.rotatedAt).toBeGreaterThan(short.warnedAt);
  });
});

/**
 * Three accounts whose weekly windows reset in 6, 1 and 3 days; drain-soonest gives the first
 * conversation to Account 2 (60 % of its 5-hour window used), which then works ten minutes:
 * 60 → 80 % at 120 %/h, so at that pace its 5-hour limit comes in 10 minutes.
 */
async function drainAccountTwo(r: Rig): Promise<{ ids: string[]; requests: () => RequestEntry[] }> {
  const nowS = Math.floor(r.clock.t / 1000);
  const [a1, a2, a3] = r.accounts;
  a1!.sevenDay.resetAt = nowS + 6 * 86400;
  a2!.sevenDay.resetAt = nowS + 1 * 86400;
  a3!.sevenDay.resetAt = nowS + 3 * 86400;
  a2!.fiveHour.utilization = 0.6;
  for (const a of r.accounts) a.costPerRequest = 0.02;
  await r.core.pool.updateSettings({ rotationPolicy: 'drain-soonest' });
  await r.core.poller!.refreshNow('anthropic');
  const ids = r.core.pool.getAccounts('anthropic').map((a) => a.id);

  // A new conversation: Account 2's weekly window resets first (in a day).
  expect(await r.send('first')).toBe(200);
  const requests = (): RequestEntry[] => r.core.gateway!.activity.requests(undefined, 100);
  expect(requests()[0]).toMatchObject({ recordID: ids[1], pick: { policy: 'drain-soonest', rule: 'drain-soonest' } });
  expect(requests()[0]!.pick!.reason).toMatch(/^its 7-day \(all\) window resets first \(\w{3} \d\d:\d\d\)$/);

  for (let i = 0; i < 9; i++) expect(await r.send('first')).toBe(200);
  expect(requests()[0]).toMatchObject({ recordID: ids[1], pick: { rule: 'bound' } });
  return { ids, requests };
}

describe('drain-soonest', () => {
  it('new conversations go to the account whose weekly window resets first, skip one forecast to hit a limit, and the log says why', async () => {
    const r = await rig(3);
    const { ids, requests } = await drainAccountTwo(r);

    // The next new conversation skips it (within the 30-minute lead time) for the next weekly reset: Account 3.
    expect(await r.send('second')).toBe(200);
    const second = requests()[0]!;
    expect(second).toMatchObject({ conversationID: 'anthropic:second', recordID: ids[2], pick: { policy: 'drain-soonest', rule: 'drain-soonest' } });
    expect(second.pick!.reason).toMatch(/^its 7-day \(all\) window resets first \(\w{3} \d\d:\d\d\); skipped Account 2 \(limit forecast at \d\d:\d\d\): within the 30-minute lead time$/);
    // The running conversation stays where its prompt cache is.
    expect(await r.send('first')).toBe(200);
    expect(requests()[0]).toMatchObject({ conversationID: 'anthropic:first', recordID: ids[1] });
    // Account 1 (weekly reset in 6 days) was never given one.
    expect(requests().some((e) => e.recordID === ids[0])).toBe(false);
    // GET /activity names the policy on every entry.
    const res = await fetch(`${r.core.gateway!.url}/activity`, { headers: { 'x-api-key': TEST_KEY } });
    const body = (await res.json()) as { requests: RequestEntry[] };
    expect(body.requests.every((e) => e.pick?.policy === 'drain-soonest')).toBe(true);
  });

  it('with a 5-minute lead time (the stored setting) Account 2, 10 minutes from its limit, is not skipped', async () => {
    const r = await rig(3);
    await r.core.pool.updateSettings({ forecastLeadMinutes: 5 });
    const { ids, requests } = await drainAccountTwo(r);
    expect(await r.send('second')).toBe(200);
    const second = requests()[0]!;
    expect(second).toMatchObject({ conversationID: 'anthropic:second', recordID: ids[1], pick: { policy: 'drain-soonest', rule: 'drain-soonest' } });
    expect(second.pick!.reason).toMatch(/^its 7-day \(all\) window resets first \(\w{3} \d\d:\d\d\)$/);
  });

  it('ROTARY_ROTATION_POLICY wins over the stored setting; a bad value stops the start with a message naming it', async () => {
    const r = await rig(2, { ROTARY_ROTATION_POLICY: 'drain-soonest' });
    const nowS = Math.floor(r.clock.t / 1000);
    r.accounts[0]!.sevenDay.resetAt = nowS + 5 * 86400;
    r.accounts[1]!.sevenDay.resetAt = nowS + 2 * 86400;
    await r.core.poller!.refreshNow('anthropic');
    expect(r.core.pool.settings().rotationPolicy).toBe('active-first');
    expect(await r.send('x')).toBe(200);
    expect(r.core.gateway!.activity.requests(undefined, 1)[0]).toMatchObject({ accountLabel: 'Account 2', pick: { policy: 'drain-soonest' } });

    const { home, cleanup } = makeTempHome('rotary-forecast-bad-');
    cleanups.push(cleanup);
    await expect(startRuntime({ env: { ROTARY_HOME: home, ROTARY_SECRET_BACKEND: 'file', ROTARY_ROTATION_POLICY: 'soonest' }, home, warn: () => undefined, gateway: { port: 0 } })).rejects.toThrow(
      'ROTARY_ROTATION_POLICY must be active-first or drain-soonest, not "soonest".',
    );
    await expect(startRuntime({ env: { ROTARY_HOME: home, ROTARY_SECRET_BACKEND: 'file', ROTARY_FORECAST_LEAD_MINUTES: '0' }, home, warn: () => undefined })).rejects.toThrow(
      /ROTARY_FORECAST_LEAD_MINUTES must be a whole number of minutes from 1 to 1440/,
    );
  });
});

it('active-first stays as it was: the active account, whatever the weekly resets', async () => {
  const r = await rig(3);
  const nowS = Math.floor(r.clock.t / 1000);
  r.accounts[1]!.sevenDay.resetAt = nowS + 3600;
  await r.core.poller!.refreshNow('anthropic');
  expect(await r.send('y')).toBe(200);
  expect(r.core.gateway!.activity.requests(undefined, 1)[0]).toMatchObject({ accountLabel: 'Account 1', pick: { policy: 'active-first', rule: 'active' } });
});
