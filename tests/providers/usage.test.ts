import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageSnapshotSchema } from '../../shared/domain.js';
import { parseAnthropicUsage } from '../../electron/core/providers/anthropic/usage.js';
import { parseCopilotUsage } from '../../electron/core/providers/copilot/usage.js';
import { parseOpenAIUsage, windowLabel } from '../../electron/core/providers/openai/usage.js';
import { parseTime } from '../../electron/core/providers/http.js';
import { createTokenManager } from '../../electron/core/providers/token-manager.js';
import { createUsagePoller } from '../../electron/core/providers/usage-poller.js';
import { startHarness, type Harness } from './harness.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(fixtures, name), 'utf8'));
const NOW = Date.UTC(2026, 6, 18, 12);

describe('usage parsing from recorded shapes (PROTOCOLS §1.6, §2.6, §3.5)', () => {
  it('Anthropic: prefers limits[]; a scoped model gets its own window', () => {
    const s = parseAnthropicUsage(fixture('anthropic-usage-full.json'), NOW);
    expect(UsageSnapshotSchema.parse(s)).toEqual(s);
    expect(s.source).toBe('endpoint');
    expect(s.asOf).toBe(NOW);
    expect(s.windows).toEqual([
      { key: 'five_hour', label: '5-hour', percentUsed: 15, resetsAt: Date.parse('2026-07-19T03:39:59.570Z') },
      { key: 'seven_day', label: '7-day (all)', percentUsed: 48, resetsAt: Date.parse('2026-07-23T14:59:59Z') },
      { key: 'scoped:Fable', label: '7-day (Fable)', percentUsed: 81, resetsAt: Date.parse('2026-07-23T14:59:59.570Z') },
    ]);
  });

  it('Anthropic: Sonnet/Opus scoped limits map to the legacy keys; unknown kinds are skipped; null reset is absent', () => {
    const s = parseAnthropicUsage(fixture('anthropic-usage-scoped.json'), NOW);
    expect(s.windows.map((w) => [w.key, w.label, w.percentUsed])).toEqual([
      ['five_hour', '5-hour', 5],
      ['seven_day', '7-day (all)', 10],
      ['seven_day_sonnet', '7-day (Sonnet)', 30],
      ['seven_day_opus', '7-day (Opus)', 12],
    ]);
    // limits[] had resets_at null for weekly_all: the legacy value is not mixed in.
    expect(s.windows[1]!.resetsAt).toBeUndefined();
  });

  it('Anthropic: legacy body without limits[] (utilization over 100 kept, null reset, Z and offset forms)', () => {
    const s = parseAnthropicUsage(fixture('anthropic-usage-legacy.json'), NOW);
    expect(s.windows).toEqual([
      { key: 'five_hour', label: '5-hour', percentUsed: 140, resetsAt: Date.parse('2026-07-19T03:39:59Z') },
      { key: 'seven_day', label: '7-day (all)', percentUsed: 48.5 },
      { key: 'seven_day_sonnet', label: '7-day (Sonnet)', percentUsed: 30, resetsAt: Date.parse('2026-07-23T14:59:59Z') },
      { key: 'seven_day_opus', label: '7-day (Opus)', percentUsed: 12, resetsAt: Date.parse('2026-07-23T14:59:59.570Z') },
    ]);
  });

  it('Anthropic: garbage bodies give no windows rather than throwing', () => {
    expect(parseAnthropicUsage(null, NOW).windows).toEqual([]);
    expect(parseAnthropicUsage({ limits: 'nope', five_hour: { utilization: 'x' } }, NOW).windows).toEqual([]);
  });

  it('ChatGPT: primary and secondary windows labelled by their length', () => {
    const s = parseOpenAIUsage(fixture('openai-wham-usage.json'), NOW);
    expect(s.windows).toEqual([
      { key: 'primary', label: '5-hour', percentUsed: 8, resetsAt: 1761548349 * 1000 },
      { key: 'secondary', label: 'Weekly', percentUsed: 15, resetsAt: 1761596280 * 1000 },
    ]);
    const weekly = parseOpenAIUsage(fixture('openai-wham-usage-weekly-only.json'), NOW);
    expect(weekly.windows).toEqual([{ key: 'primary', label: 'Weekly', percentUsed: 42.5, resetsAt: NOW + 1_000_000 }]);
    expect(windowLabel(undefined, 'secondary')).toBe('Secondary');
  });

  it('Copilot: premium requests used = 100 − percent_remaining, monthly reset from quota_reset_date_utc; unlimited → 0 %', () => {
    expect(parseCopilotUsage(fixture('copilot-user.json'), NOW).windows).toEqual([
      { key: 'premium', label: 'Premium requests (monthly)', percentUsed: 70, resetsAt: Date.parse('2026-07-01T00:00:00.000Z') },
    ]);
    expect(parseCopilotUsage(fixture('copilot-user-unlimited.json'), NOW).windows[0]!.percentUsed).toBe(0);
  });

  it('parseTime is lenient: microseconds, Z, offsets, epoch seconds, null and garbage', () => {
    expect(parseTime('2026-07-19T03:39:59.570750+00:00')).toBe(Date.parse('2026-07-19T03:39:59.570Z'));
    expect(parseTime('2026-07-19T05:39:59+02:00')).toBe(Date.parse('2026-07-19T03:39:59Z'));
    expect(parseTime(1761548349)).toBe(1761548349000);
    expect(parseTime(null)).toBeUndefined();
    expect(parseTime('soon')).toBeUndefined();
  });
});

describe('usage poller against the simulator', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness('usage');
  });
  afterEach(async () => {
    await h.close();
  });

  async function addAll() {
    const a = h.sim.addAccount('anthropic');
    a.fiveHour.utilization = 0.25;
    a.sevenDaySonnet = { utilization: 0.5, resetAt: Math.floor(Date.now() / 1000) + 3600 };
    const o = h.sim.addAccount('openai');
    o.sevenDay.utilization = 0.4;
    const g = h.sim.addAccount('github-copilot');
    g.premium = { entitlement: 300, remaining: 150, unlimited: false };
    const add = (acc: typeof a) => {
      const c = acc.credentials();
      return h.core.pool.add({
        providerID: acc.provider,
        accountId: acc.accountId,
        secret: { access: c.access, ...(c.refresh ? { refresh: c.refresh } : {}), ...(c.expires ? { expires: c.expires } : {}), ...(acc.provider === 'openai' ? { extras: { accountId: acc.accountId } } : {}) },
      });
    };
    return { a, o, g, ra: await add(a), ro: await add(o), rg: await add(g) };
  }

  it('fills every provider\'s usage through refreshNow, and respects the minimum interval', async () => {
    const { ra, ro, rg } = await addAll();
    let clock = Date.now();
    const tokens = createTokenManager({ pool: h.core.pool, env: h.env });
    const poller = createUsagePoller({ pool: h.core.pool, tokens, env: h.env, now: () => clock, jitterMs: 0 });
    await Promise.all([poller.refreshNow('anthropic'), poller.refreshNow('openai'), poller.refreshNow('github-copilot')]);
    const ua = h.core.pool.getRecord('anthropic', ra.id)!.usage!;
    expect(ua.windows.find((w) => w.key === 'five_hour')?.percentUsed).toBe(25);
    expect(ua.windows.find((w) => w.key === 'seven_day_sonnet')?.label).toBe('7-day (Sonnet)');
    expect(h.core.pool.getRecord('openai', ro.id)!.usage!.windows.find((w) => w.key === 'secondary')?.percentUsed).toBe(40);
    expect(h.core.pool.getRecord('github-copilot', rg.id)!.usage!.windows[0]).toMatchObject({ key: 'premium', percentUsed: 50 });
    expect(h.sim.counters.usageCalls).toBe(3);

    // Opening the view again right away does not poll again.
    await poller.refreshNow('anthropic', ra.id);
    expect(h.sim.counters.usageCalls).toBe(3);
    clock += 61_000;
    await poller.refreshNow('anthropic', ra.id);
    expect(h.sim.counters.usageCalls).toBe(4);
  });

  it('on 429 keeps the last good numbers with their age, sets the error, backs off and never refreshes the token', async () => {
    const { a, ra } = await addAll();
    let clock = Date.now();
    const tokens = createTokenManager({ pool: h.core.pool, env: h.env });
    const poller = createUsagePoller({ pool: h.core.pool, tokens, env: h.env, now: () => clock, jitterMs: 0, minIntervalMs: 60_000 });
    await poller.refreshNow('anthropic', ra.id);
    const good = h.core.pool.getRecord('anthropic', ra.id)!.usage!;
    expect(good.error).toBeUndefined();

    a.usage429 = 5;
    clock += 61_000;
    await poller.refreshNow('anthropic', ra.id);
    const failed = h.core.pool.getRecord('anthropic', ra.id)!.usage!;
    expect(failed.error).toMatch(/HTTP 429/);
    expect(failed.windows).toEqual(good.windows);
    expect(failed.asOf).toBe(good.asOf);
    expect(h.sim.counters.refreshCalls).toBe(0);
    const calls = h.sim.counters.byProvider.anthropic.usageCalls;

    // Back-off: 2 × the interval after the first failure; neither the scheduler nor refreshNow polls before that.
    clock += 61_000;
    await poller.refreshNow('anthropic', ra.id);
    await poller.tick();
    expect(h.sim.counters.byProvider.anthropic.usageCalls).toBe(calls);
    clock += 60_000;
    await poller.tick();
    expect(h.sim.counters.byProvider.anthropic.usageCalls).toBe(calls + 1);
    expect(h.sim.counters.refreshCalls).toBe(0);
  });

  it('the scheduler polls due accounts on tick and start/stop do not keep the process alive', async () => {
    await addAll();
    let clock = Date.now();
    const tokens = createTokenManager({ pool: h.core.pool, env: h.env });
    const poller = createUsagePoller({ pool: h.core.pool, tokens, env: h.env, now: () => clock, jitterMs: 10_000, random: () => 0.5 });
    await poller.tick(); // first sight: schedules each account within the jitter window
    expect(h.sim.counters.usageCalls).toBe(0);
    clock += 5_001;
    await poller.tick();
    expect(h.sim.counters.usageCalls).toBe(3);
    poller.start();
    poller.stop();
  });

  it('a 401 on the usage endpoint refreshes once and retries', async () => {
    const { a, ra } = await addAll();
    a.expireAccessToken();
    const tokens = createTokenManager({ pool: h.core.pool, env: h.env, now: () => Date.now() - 3_600_000 }); // believes the token is fresh
    const poller = createUsagePoller({ pool: h.core.pool, tokens, env: h.env, jitterMs: 0 });
    const snapshot = await poller.fetchUsage('anthropic', ra.id);
    expect(snapshot.windows.length).toBeGreaterThan(0);
    expect(h.sim.counters.refreshCalls).toBe(1);
  });
});
