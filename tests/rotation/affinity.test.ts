import { describe, expect, it } from 'vitest';
import { AffinityMap, earliestFree, planCandidates as planWith, type PlanInput } from '../../electron/core/rotation/affinity.js';
import { rulesFor } from '../../electron/core/providers/registry.js';
import { mergeUsage } from '../../electron/core/rotation/rotating-fetch.js';
import type { AccountRecord, PoolSnapshot } from '../../shared/domain.js';

const NOW = 1_800_000_000_000;
function rec(id: string, extra: Partial<AccountRecord['health']> = {}, fiveHour?: number): AccountRecord {
  return {
    id,
    providerID: 'anthropic',
    namespace: 'default',
    label: id,
    createdAt: 0,
    updatedAt: 0,
    health: { successCount: 0, failureCount: 0, ...extra },
    ...(fiveHour !== undefined ? { usage: { asOf: NOW, source: 'headers' as const, windows: [{ key: 'five_hour', label: '5-hour', percentUsed: fiveHour, resetsAt: NOW + 3600_000 }] } } : {}),
  };
}
// The proactive switch watches the window the provider's rules name (Anthropic: the 5-hour one).
const planCandidates = (input: Omit<PlanInput, 'sessionWindow'>) => planWith({ ...input, sessionWindow: (r) => rulesFor('anthropic').sessionWindow(r.usage) });
const snap = (records: AccountRecord[], activeID: string): PoolSnapshot => ({ records, orderedIDs: records.map((r) => r.id), activeID });

describe('planCandidates', () => {
  it('bound → active → the others in the user\'s order from after the active one, skipping cooling, needs-reauth and disabled', () => {
    const s = snap([rec('a'), rec('b', { cooldownUntil: NOW + 1000 }), rec('c'), rec('d', { needsReauth: true }), rec('e', { disabled: true }), rec('f')], 'c');
    expect(planCandidates({ snapshot: s, boundID: 'f', now: NOW, proactiveThreshold: 0.95 }).candidates.map((r) => r.id)).toEqual(['f', 'c', 'a']);
    // After the active c comes f (d, e are out), then a around the cycle.
    expect(planCandidates({ snapshot: s, boundID: 'b', now: NOW, proactiveThreshold: 0.95 }).candidates.map((r) => r.id)).toEqual(['c', 'f', 'a']);
    // An expired cooldown counts as healthy again.
    expect(planCandidates({ snapshot: s, boundID: undefined, now: NOW + 2000, proactiveThreshold: 0.95 }).candidates.map((r) => r.id)).toEqual(['c', 'f', 'a', 'b']);
  });

  it('proactive switch only for unbound conversations, to the next account below the threshold', () => {
    const s = snap([rec('a', {}, 97), rec('b', {}, 99), rec('c', {}, 10)], 'a');
    const fresh = planCandidates({ snapshot: s, boundID: undefined, now: NOW, proactiveThreshold: 0.95 });
    expect(fresh.candidates.map((r) => r.id)).toEqual(['c', 'a', 'b']);
    expect(fresh.proactive).toEqual({ fromID: 'a', toID: 'c' });
    expect(planCandidates({ snapshot: s, boundID: 'a', now: NOW, proactiveThreshold: 0.95 }).candidates[0]!.id).toBe('a');
    // A window past its reset counts as empty.
    expect(planCandidates({ snapshot: s, boundID: undefined, now: NOW + 3600_001, proactiveThreshold: 0.95 }).candidates[0]!.id).toBe('a');
  });

  it('OpenAI: the proactive switch watches the 5-hour window found by its length, whichever number Codex gives it', () => {
    // Codex numbers its windows; on this plan `primary` is the weekly one and `secondary` the 5-hour one.
    const openai = rulesFor('openai');
    const codex = (id: string, weeklyUsed: number, fiveHourUsed: number): AccountRecord => ({
      ...rec(id),
      providerID: 'openai',
      usage: openai.usageFromHeaders(
        {
          'x-codex-primary-used-percent': String(weeklyUsed),
          'x-codex-primary-window-minutes': '10080',
          'x-codex-primary-reset-after-seconds': String(3 * 86_400),
          'x-codex-secondary-used-percent': String(fiveHourUsed),
          'x-codex-secondary-window-minutes': '300',
          'x-codex-secondary-reset-after-seconds': '3600',
        },
        NOW,
      ),
    });
    expect(openai.sessionWindow(codex('a', 20, 97).usage)).toMatchObject({ key: 'secondary', label: '5-hour', percentUsed: 97 });
    const plan = (s: PoolSnapshot, boundID?: string) =>
      planWith({ snapshot: s, boundID, now: NOW, proactiveThreshold: 0.95, sessionWindow: (r) => openai.sessionWindow(r.usage) });

    // Active a is at 97 % of its 5-hour window: new conversations go to c (b is at 99 %), even
    // though c's weekly window is nearly full; bound ones stay on a.
    const s = snap([codex('a', 20, 97), codex('b', 10, 99), codex('c', 98, 10)], 'a');
    expect(plan(s).candidates.map((r) => r.id)).toEqual(['c', 'a', 'b']);
    expect(plan(s).proactive).toEqual({ fromID: 'a', toID: 'c' });
    expect(plan(s, 'a').candidates[0]!.id).toBe('a');
    expect(plan(s, 'a').proactive).toBeUndefined();

    // A full weekly window is not the 5-hour one: no proactive switch away from x.
    const weeklyFull = snap([codex('x', 99, 10), codex('y', 0, 0)], 'x');
    expect(plan(weeklyFull).candidates[0]!.id).toBe('x');
    expect(plan(weeklyFull).proactive).toBeUndefined();
  });

  it('earliestFree ignores accounts that will not free up by themselves', () => {
    expect(earliestFree([rec('a', { cooldownUntil: NOW + 5000 }), rec('b', { cooldownUntil: NOW + 1000, needsReauth: true }), rec('c', { cooldownUntil: NOW + 3000 })], NOW)).toBe(NOW + 3000);
    expect(earliestFree([rec('a', { needsReauth: true })], NOW)).toBeUndefined();
  });
});

describe('AffinityMap', () => {
  it('binds, expires idle bindings, caps its size, and drops a provider on a manual switch', () => {
    const m = new AffinityMap({ maxEntries: 2, idleMs: 1000 });
    m.syncSwitch('anthropic', 0);
    m.bind('anthropic', 'anthropic:1', 'a', NOW);
    m.bind('openai', 'openai:1', 'x', NOW);
    expect(m.get('anthropic:1', NOW + 10)).toBe('a');
    expect(m.get('anthropic:1', NOW + 2000)).toBeUndefined();
    m.bind('anthropic', 'anthropic:2', 'b', NOW);
    m.bind('anthropic', 'anthropic:3', 'c', NOW);
    expect(m.size).toBe(2);
    m.syncSwitch('anthropic', 1);
    expect(m.get('anthropic:3', NOW)).toBeUndefined();
  });
});

it('mergeUsage keeps windows only the usage endpoint knows', () => {
  const prev = { asOf: 1, source: 'endpoint' as const, windows: [{ key: 'five_hour', label: '5-hour', percentUsed: 1 }, { key: 'seven_day_opus', label: '7-day (Opus)', percentUsed: 5 }] };
  const fresh = { asOf: 2, source: 'headers' as const, windows: [{ key: 'five_hour', label: '5-hour', percentUsed: 9 }] };
  expect(mergeUsage(prev, fresh).windows.map((w) => [w.key, w.percentUsed])).toEqual([['five_hour', 9], ['seven_day_opus', 5]]);
});

describe('planCandidates: drain-soonest (new conversations)', () => {
  const weekly: Record<string, number | undefined> = { a: NOW + 6 * 86_400_000, b: NOW + 86_400_000, c: NOW + 3 * 86_400_000, d: undefined };
  const drain = (limits: Record<string, number | undefined>) => ({
    leadMs: 30 * 60_000,
    weekly: (r: AccountRecord) => (weekly[r.id] !== undefined ? { resetsAt: weekly[r.id]!, label: '7-day (all)' } : undefined),
    takeoverLimitAt: (r: AccountRecord) => limits[r.id],
  });
  const s = snap([rec('a'), rec('b'), rec('c'), rec('d')], 'a');

  it('orders by weekly reset, unknown resets last; a bound conversation stays', () => {
    const plan = planCandidates({ snapshot: s, boundID: undefined, now: NOW, proactiveThreshold: 0.95, policy: 'drain-soonest', drain: drain({}) });
    expect(plan.candidates.map((r) => r.id)).toEqual(['b', 'c', 'a', 'd']);
    expect(plan.pick).toEqual({ policy: 'drain-soonest', rule: 'drain-soonest', reason: expect.stringMatching(/^its 7-day \(all\) window resets first/) });
    const bound = planCandidates({ snapshot: s, boundID: 'a', now: NOW, proactiveThreshold: 0.95, policy: 'drain-soonest', drain: drain({}) });
    expect(bound.candidates[0]!.id).toBe('a');
    expect(bound.pick?.rule).toBe('bound');
  });

  it('puts accounts forecast to hit a limit within the lead time last; when every one is, the one that lasts longest', () => {
    const soon = planCandidates({ snapshot: s, boundID: undefined, now: NOW, proactiveThreshold: 0.95, policy: 'drain-soonest', drain: drain({ b: NOW + 10 * 60_000, c: NOW + 2 * 3600_000 }) });
    expect(soon.candidates.map((r) => r.id)).toEqual(['c', 'a', 'd', 'b']);
    expect(soon.pick?.reason).toMatch(/; skipped b \(limit forecast at \d\d:\d\d\): within the 30-minute lead time$/);
    const all = planCandidates({
      snapshot: s,
      boundID: undefined,
      now: NOW,
      proactiveThreshold: 0.95,
      policy: 'drain-soonest',
      drain: drain({ a: NOW + 60_000, b: NOW + 5 * 60_000, c: NOW + 20 * 60_000, d: NOW + 2 * 60_000 }),
    });
    expect(all.candidates.map((r) => r.id)).toEqual(['c', 'b', 'd', 'a']);
    expect(all.pick?.reason).toMatch(/^every account is forecast to reach a limit within 30 min; this one lasts longest/);
  });

  it('without forecasts (drain inputs missing) it plans like active-first', () => {
    const plan = planCandidates({ snapshot: s, boundID: undefined, now: NOW, proactiveThreshold: 0.95, policy: 'drain-soonest' });
    expect(plan.candidates[0]!.id).toBe('a');
    expect(plan.pick).toEqual({ policy: 'drain-soonest', rule: 'active', reason: 'the active account' });
  });
});
