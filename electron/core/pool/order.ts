/**
 * Pure helpers over a provider entry: rotation order, active account, account status.
 * Kept free of I/O so they are easy to test and cheap on the gateway's hot path.
 */
import type { AccountRecord, AccountStatus } from '../../../shared/domain.js';
import type { ProviderEntry } from './store-schema.js';

/** IDs in rotation order: known IDs from `order` first (deduplicated), then records missing from it. */
export function orderedIDs(entry: ProviderEntry | undefined, namespace: string): string[] {
  if (!entry) return [];
  const ids = entry.records.filter((r) => r.namespace === namespace).map((r) => r.id);
  const present = new Set(ids);
  const result: string[] = [];
  for (const id of entry.order[namespace] ?? []) {
    if (present.has(id) && !result.includes(id)) result.push(id);
  }
  for (const id of ids) if (!result.includes(id)) result.push(id);
  return result;
}

/**
 * The user's order read as a cycle starting after `fromID`: [A, B, C] from B → [C, A]. Rotation
 * walks this instead of rewriting the order, so the order the user set never moves.
 */
export function cycleAfter(ids: readonly string[], fromID: string | undefined): string[] {
  const i = fromID === undefined ? -1 : ids.indexOf(fromID);
  if (i < 0) return [...ids];
  return [...ids.slice(i + 1), ...ids.slice(0, i)];
}

/** True when `ids` is exactly `current` in some order (no id missing, added or repeated). */
export function isPermutation(ids: readonly string[], current: readonly string[]): boolean {
  if (ids.length !== current.length || new Set(ids).size !== ids.length) return false;
  const known = new Set(current);
  return ids.every((id) => known.has(id));
}

export function accountStatus(record: AccountRecord, now: number): AccountStatus {
  const h = record.health;
  if (h.disabled) return { kind: 'disabled' };
  if (h.needsReauth) return { kind: 'needs-reauth' };
  if (h.cooldownUntil !== undefined && h.cooldownUntil > now) {
    return { kind: 'cooling', until: h.cooldownUntil, ...(h.cooldownReason ? { reason: h.cooldownReason } : {}) };
  }
  return { kind: 'ok' };
}

/** Available for requests; with `family`, also not cooling down for that model family. */
export function isAvailable(record: AccountRecord, now: number, family?: string): boolean {
  if (accountStatus(record, now).kind !== 'ok') return false;
  const scoped = family === undefined ? undefined : record.health.scopedCooldowns?.[family];
  return scoped === undefined || scoped.until <= now;
}

/**
 * The active account: the stored one when it still exists, else the first available
 * account in order, else the first account.
 */
export function effectiveActiveID(entry: ProviderEntry | undefined, namespace: string, now: number): string | undefined {
  if (!entry) return undefined;
  const ids = orderedIDs(entry, namespace);
  const stored = entry.active[namespace];
  if (stored && ids.includes(stored)) return stored;
  const byID = new Map(entry.records.map((r) => [r.id, r]));
  return ids.find((id) => isAvailable(byID.get(id)!, now)) ?? ids[0];
}
