/**
 * What one request's outcome does to an account's health (PRODUCT §3), as pure functions:
 * the pool applies them to its live view and to the file, the tests call them directly.
 */
import type { AccountRecord } from '../../../shared/domain.js';

export type AccountHealth = AccountRecord['health'];

/** What the rotating fetch reports about one attempt on one account. */
export interface Outcome {
  ok: boolean;
  status: number;
  /** Cool the account down until this time (epoch ms). */
  cooldownUntil?: number;
  cooldownReason?: string;
  /**
   * Model family the outcome concerns. With a cooldown: the cooldown binds only that family
   * (the account keeps serving other models). With a success: that family's cooldown ends.
   */
  scope?: string;
  needsReauth?: boolean;
}

/** Healthy and last answered with a success: another success changes nothing but a counter. */
export function isSteadySuccess(health: AccountHealth): boolean {
  return (
    health.cooldownUntil === undefined &&
    !health.scopedCooldowns &&
    !health.needsReauth &&
    health.lastStatus !== undefined &&
    health.lastStatus >= 200 &&
    health.lastStatus < 300
  );
}

/** Model-family cooldowns end by themselves; drop the finished ones so they do not pile up in the file. */
export function pruneScopedCooldowns(health: AccountHealth, now: number): void {
  if (!health.scopedCooldowns) return;
  for (const [family, c] of Object.entries(health.scopedCooldowns)) if (c.until <= now) delete health.scopedCooldowns[family];
  if (Object.keys(health.scopedCooldowns).length === 0) delete health.scopedCooldowns;
}

/**
 * Apply one outcome to `health` (in place). A success clears the account's cooldown, its
 * re-login flag and the cooldown of the request's model family. A failure counts, may flag a
 * re-login, and sets a cooldown — never shortening one that is still running, so a later,
 * vaguer 429 cannot undo a plan-limit reset.
 */
export function applyOutcome(health: AccountHealth, outcome: Outcome, now: number): void {
  health.lastStatus = outcome.status;
  pruneScopedCooldowns(health, now);
  if (outcome.ok) {
    health.successCount += 1;
    delete health.cooldownUntil;
    delete health.cooldownReason;
    delete health.needsReauth;
    if (outcome.scope && health.scopedCooldowns) {
      delete health.scopedCooldowns[outcome.scope];
      if (Object.keys(health.scopedCooldowns).length === 0) delete health.scopedCooldowns;
    }
    return;
  }
  health.failureCount += 1;
  if (outcome.needsReauth) health.needsReauth = true;
  if (outcome.cooldownUntil === undefined) return;
  if (outcome.scope) {
    const scoped = (health.scopedCooldowns ??= {});
    const current = scoped[outcome.scope];
    if (!current || current.until <= now || outcome.cooldownUntil >= current.until) {
      scoped[outcome.scope] = { until: outcome.cooldownUntil, ...(outcome.cooldownReason ? { reason: outcome.cooldownReason } : {}) };
    }
    return;
  }
  const current = health.cooldownUntil !== undefined && health.cooldownUntil > now ? health.cooldownUntil : 0;
  if (outcome.cooldownUntil >= current) {
    health.cooldownUntil = outcome.cooldownUntil;
    if (outcome.cooldownReason) health.cooldownReason = outcome.cooldownReason;
  }
}
