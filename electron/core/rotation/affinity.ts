/**
 * Which account a request should try first, and in which order the rest follow
 * (PRODUCT §3): the conversation's bound account (prompt caches are per account) → the
 * active account → the others in pool order, skipping accounts that cool down, need a new
 * login or are disabled. Plus, for new conversations, the rotation policy: active-first with
 * the proactive switch, or drain-soonest (issue 15). Every plan says why its first account
 * was picked (`pick`), for the activity log.
 */
import type { AccountPick, RotationPolicy } from '../../../shared/activity.js';
import type { AccountRecord, PoolSnapshot, ProviderID, UsageWindow } from '../../../shared/domain.js';
import { formatClock } from '../../../shared/usage-format.js';
import { cycleAfter, isAvailable } from '../pool/order.js';

interface Binding {
  providerID: ProviderID;
  recordID: string;
  at: number;
}

export interface AffinityOptions {
  /** Bindings kept at most (oldest dropped first). */
  maxEntries?: number;
  /** A conversation idle longer than this starts fresh (its prompt cache is long gone anyway). */
  idleMs?: number;
}

/**
 * Conversation → account bindings, in memory (a restart loses them, which only costs one
 * prompt-cache miss). Keys already carry the provider (`anthropic:<session>`).
 */
export class AffinityMap {
  private readonly bindings = new Map<string, Binding>();
  private readonly seenSwitch = new Map<ProviderID, number>();
  private readonly maxEntries: number;
  private readonly idleMs: number;

  constructor(options: AffinityOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.idleMs = options.idleMs ?? 6 * 3600_000;
  }

  get(key: string, now: number): string | undefined {
    const b = this.bindings.get(key);
    if (!b) return undefined;
    if (now - b.at > this.idleMs) {
      this.bindings.delete(key);
      return undefined;
    }
    return b.recordID;
  }

  bind(providerID: ProviderID, key: string, recordID: string, now: number): void {
    const b = this.bindings.get(key);
    if (b && b.recordID === recordID) {
      b.at = now;
      return;
    }
    this.bindings.delete(key);
    this.bindings.set(key, { providerID, recordID, at: now });
    if (this.bindings.size > this.maxEntries) {
      const oldest = this.bindings.keys().next().value;
      if (oldest !== undefined) this.bindings.delete(oldest);
    }
  }

  clearProvider(providerID: ProviderID): void {
    for (const [key, b] of this.bindings) if (b.providerID === providerID) this.bindings.delete(key);
  }

  /**
   * A manual switch wins: when the pool's switch counter moved (the user or the CLI in
   * another process called setActive), every binding of that provider is dropped.
   */
  syncSwitch(providerID: ProviderID, seq: number): void {
    const seen = this.seenSwitch.get(providerID);
    if (seen !== undefined && seen !== seq) this.clearProvider(providerID);
    this.seenSwitch.set(providerID, seq);
  }

  get size(): number {
    return this.bindings.size;
  }
}

export interface CandidatePlan {
  /** Available accounts in the order to try them. */
  candidates: AccountRecord[];
  /** Every account of the provider (namespace), for the all-limited answer. */
  all: AccountRecord[];
  /** Set when a new conversation was moved off a nearly-full active account. */
  proactive?: { fromID: string; toID: string };
  /** Why `candidates[0]` goes first (absent when there is no candidate). */
  pick?: AccountPick;
}

/** What the drain-soonest policy needs to know about an account (from the forecasts). */
export interface DrainInputs {
  /** Lead time: an account forecast to reach a limit sooner than this is not given a new conversation. */
  leadMs: number;
  /** The account's long (weekly) window: when it resets and what it is called. */
  weekly(record: AccountRecord): { resetsAt: number; label: string } | undefined;
  /** When it would reach a limit if it took the traffic (undefined: not before its windows reset). */
  takeoverLimitAt(record: AccountRecord): number | undefined;
}

export interface PlanInput {
  snapshot: PoolSnapshot;
  /** The conversation's bound account, if any. */
  boundID: string | undefined;
  now: number;
  /** Fraction (0.95): new conversations avoid an active account above it. */
  proactiveThreshold: number;
  /** Model family of the request: accounts cooling down for that family are skipped. */
  family?: string | undefined;
  /** The window the proactive switch watches (the provider's 5-hour one), from the provider's rules. */
  sessionWindow(record: AccountRecord): UsageWindow | undefined;
  /** The policy for new conversations (default active-first). */
  policy?: RotationPolicy | undefined;
  /** Needed by drain-soonest; without it drain-soonest plans like active-first. */
  drain?: DrainInputs | undefined;
}

/** The watched window's percent used, when current (a window past its reset counts as empty). */
function sessionPercent(window: UsageWindow | undefined, now: number): number | undefined {
  if (!window) return undefined;
  return window.resetsAt !== undefined && window.resetsAt <= now ? 0 : window.percentUsed;
}

export function planCandidates({ snapshot, boundID, now, proactiveThreshold, family, sessionWindow, policy = 'active-first', drain }: PlanInput): CandidatePlan {
  const byID = new Map(snapshot.records.map((r) => [r.id, r]));
  const all = snapshot.orderedIDs.map((id) => byID.get(id)).filter((r): r is AccountRecord => r !== undefined);
  const ordered: AccountRecord[] = [];
  const push = (id: string | undefined): void => {
    if (!id) return;
    const r = byID.get(id);
    if (r && isAvailable(r, now, family) && !ordered.includes(r)) ordered.push(r);
  };
  const boundOK = boundID !== undefined && byID.has(boundID) && isAvailable(byID.get(boundID)!, now, family);
  if (boundOK) push(boundID);
  push(snapshot.activeID);
  // The others in the user's order, starting after the active one: the account that failed last comes last.
  for (const id of cycleAfter(snapshot.orderedIDs, snapshot.activeID)) push(id);

  const first = ordered[0];
  if (!first) return { candidates: ordered, all };
  if (boundOK) return { candidates: ordered, all, pick: { policy, rule: 'bound', reason: 'the conversation stays on its account (its prompt cache is there)' } };
  if (policy === 'drain-soonest' && drain) return { ...drainSoonest(ordered, drain, now), all };

  // Proactive switch: only for conversations without a (healthy) binding; running ones stay put.
  if (ordered.length > 1) {
    const limit = proactiveThreshold * 100;
    const pct = sessionPercent(sessionWindow(first), now);
    if (pct !== undefined && pct >= limit) {
      const idx = ordered.findIndex((r, i) => i > 0 && (sessionPercent(sessionWindow(r), now) ?? 0) < limit);
      if (idx > 0) {
        const [next] = ordered.splice(idx, 1);
        ordered.unshift(next!);
        const reason = `${first.label} is above ${Math.round(limit)} % of its 5-hour window`;
        return { candidates: ordered, all, proactive: { fromID: first.id, toID: next!.id }, pick: { policy, rule: 'proactive', reason } };
      }
    }
  }
  const active = snapshot.activeID !== undefined ? byID.get(snapshot.activeID) : undefined;
  const reason = first.id === snapshot.activeID ? 'the active account' : `the active account${active ? `, ${active.label},` : ''} is not available; next in the order`;
  return { candidates: ordered, all, pick: { policy, rule: 'active', reason } };
}

/**
 * Drain soonest: the usable account whose weekly window resets first goes first (what it has
 * left expires soonest), then the others by their reset; an account forecast to reach a limit
 * within the lead time goes behind every other one. When every account is, the one that lasts
 * longest goes first: a request is never refused for a forecast.
 */
function drainSoonest(ordered: AccountRecord[], drain: DrainInputs, now: number): Pick<CandidatePlan, 'candidates' | 'pick'> {
  const horizon = now + drain.leadMs;
  const rows = ordered.map((record, i) => ({ record, i, weekly: drain.weekly(record), limitAt: drain.takeoverLimitAt(record) }));
  const soon = (r: (typeof rows)[number]) => r.limitAt !== undefined && r.limitAt <= horizon;
  const fine = rows.filter((r) => !soon(r)).sort((a, b) => (a.weekly?.resetsAt ?? Infinity) - (b.weekly?.resetsAt ?? Infinity) || a.i - b.i);
  const risky = rows.filter(soon).sort((a, b) => b.limitAt! - a.limitAt! || a.i - b.i);
  const leadMin = Math.round(drain.leadMs / 60_000);
  const head = fine[0] ?? risky[0]!;
  let reason: string;
  if (fine.length > 0) {
    reason = head.weekly ? `its ${head.weekly.label} window resets first (${formatClock(head.weekly.resetsAt, now)})` : 'no weekly reset known; first in the order';
    if (risky.length > 0) {
      const skipped = risky.map((r) => `${r.record.label} (limit forecast at ${formatClock(r.limitAt!, now)})`).join(', ');
      reason += `; skipped ${skipped}: within the ${leadMin}-minute lead time`;
    }
  } else {
    reason = `every account is forecast to reach a limit within ${leadMin} min; this one lasts longest (until ${formatClock(head.limitAt!, now)})`;
  }
  return { candidates: [...fine, ...risky].map((r) => r.record), pick: { policy: 'drain-soonest', rule: 'drain-soonest', reason } };
}

/**
 * Earliest moment an unavailable account frees up for a request of `family` (only cooldowns
 * end by themselves: an account is free once both its own and that family's cooldown are over).
 */
export function earliestFree(records: AccountRecord[], now: number, family?: string): number | undefined {
  let best: number | undefined;
  for (const r of records) {
    const h = r.health;
    if (h.disabled || h.needsReauth) continue;
    const scoped = family === undefined ? undefined : h.scopedCooldowns?.[family]?.until;
    const until = Math.max(h.cooldownUntil ?? 0, scoped ?? 0);
    if (until > now && (best === undefined || until < best)) best = until;
  }
  return best;
}

/** True when what keeps the accounts out is a cooldown of `family`, not an account-wide one. */
export function limitedByFamily(records: AccountRecord[], now: number, family: string | undefined): boolean {
  if (!family) return false;
  return records.some((r) => (r.health.scopedCooldowns?.[family]?.until ?? 0) > now && isAvailable(r, now));
}
