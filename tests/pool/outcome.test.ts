/** The outcome bookkeeping (pool/outcome.ts) as pure functions: what one request does to an account's health. */
import { describe, expect, it } from 'vitest';
import { applyOutcome, isSteadySuccess, pruneScopedCooldowns, type AccountHealth } from '../../electron/core/pool/outcome.js';

const NOW = 1_800_000_000_000;
const fresh = (extra: Partial<AccountHealth> = {}): AccountHealth => ({ successCount: 0, failureCount: 0, ...extra });

describe('applyOutcome', () => {
  it('a success counts, records the status and clears the cooldown and the re-login flag', () => {
    const h = fresh({ cooldownUntil: NOW + 60_000, cooldownReason: 'rate limit (429)', needsReauth: true, lastStatus: 429 });
    applyOutcome(h, { ok: true, status: 200 }, NOW);
    expect(h).toEqual({ successCount: 1, failureCount: 0, lastStatus: 200 });
  });

  it('a failure counts and sets the cooldown with its reason', () => {
    const h = fresh();
    applyOutcome(h, { ok: false, status: 429, cooldownUntil: NOW + 30_000, cooldownReason: 'rate limit (429)' }, NOW);
    expect(h).toEqual({ successCount: 0, failureCount: 1, lastStatus: 429, cooldownUntil: NOW + 30_000, cooldownReason: 'rate limit (429)' });
  });

  it('never shortens a running cooldown, but a later reset extends it', () => {
    const h = fresh({ cooldownUntil: NOW + 3_600_000, cooldownReason: 'plan limit (five_hour)' });
    applyOutcome(h, { ok: false, status: 429, cooldownUntil: NOW + 30_000, cooldownReason: 'rate limit (429)' }, NOW);
    expect(h.cooldownUntil).toBe(NOW + 3_600_000);
    expect(h.cooldownReason).toBe('plan limit (five_hour)');
    applyOutcome(h, { ok: false, status: 429, cooldownUntil: NOW + 7_200_000, cooldownReason: 'plan limit (seven_day)' }, NOW);
    expect(h.cooldownUntil).toBe(NOW + 7_200_000);
    expect(h.cooldownReason).toBe('plan limit (seven_day)');
  });

  it('an expired cooldown is replaced by a shorter new one', () => {
    const h = fresh({ cooldownUntil: NOW - 1, cooldownReason: 'old' });
    applyOutcome(h, { ok: false, status: 429, cooldownUntil: NOW + 1_000 }, NOW);
    expect(h.cooldownUntil).toBe(NOW + 1_000);
  });

  it('a scoped failure cools only that model family; a scoped success ends only that family', () => {
    const h = fresh();
    applyOutcome(h, { ok: false, status: 429, cooldownUntil: NOW + 60_000, cooldownReason: 'weekly Sonnet limit', scope: 'sonnet' }, NOW);
    applyOutcome(h, { ok: false, status: 429, cooldownUntil: NOW + 90_000, scope: 'opus' }, NOW);
    expect(h.cooldownUntil).toBeUndefined();
    expect(h.scopedCooldowns).toEqual({ sonnet: { until: NOW + 60_000, reason: 'weekly Sonnet limit' }, opus: { until: NOW + 90_000 } });
    applyOutcome(h, { ok: true, status: 200, scope: 'sonnet' }, NOW);
    expect(h.scopedCooldowns).toEqual({ opus: { until: NOW + 90_000 } });
    applyOutcome(h, { ok: true, status: 200, scope: 'opus' }, NOW);
    expect(h.scopedCooldowns).toBeUndefined();
  });

  it('a failure may flag a re-login', () => {
    const h = fresh();
    applyOutcome(h, { ok: false, status: 401, needsReauth: true }, NOW);
    expect(h).toMatchObject({ needsReauth: true, failureCount: 1, lastStatus: 401 });
    expect(h.cooldownUntil).toBeUndefined();
  });
});

describe('isSteadySuccess and pruneScopedCooldowns', () => {
  it('only a healthy account whose last answer was a success is steady', () => {
    expect(isSteadySuccess(fresh({ lastStatus: 200 }))).toBe(true);
    expect(isSteadySuccess(fresh())).toBe(false);
    expect(isSteadySuccess(fresh({ lastStatus: 429 }))).toBe(false);
    expect(isSteadySuccess(fresh({ lastStatus: 200, cooldownUntil: NOW }))).toBe(false);
    expect(isSteadySuccess(fresh({ lastStatus: 200, needsReauth: true }))).toBe(false);
    expect(isSteadySuccess(fresh({ lastStatus: 200, scopedCooldowns: { sonnet: { until: NOW } } }))).toBe(false);
  });

  it('finished family cooldowns are dropped, running ones kept', () => {
    const h = fresh({ scopedCooldowns: { sonnet: { until: NOW - 1 }, opus: { until: NOW + 1 } } });
    pruneScopedCooldowns(h, NOW);
    expect(h.scopedCooldowns).toEqual({ opus: { until: NOW + 1 } });
    pruneScopedCooldowns(h, NOW + 2);
    expect(h.scopedCooldowns).toBeUndefined();
  });
});
