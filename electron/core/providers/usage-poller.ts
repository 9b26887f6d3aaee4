/**
 * Polls each account's usage endpoint, politely: at most once per `minIntervalMs` per
 * account (default 60 s) plus jitter so accounts do not poll in lockstep (Anthropic's usage
 * endpoint rate-limits per IP), exponential back-off on 429 (never a token refresh: a 429
 * there says nothing about the token), and the last good numbers kept with their `asOf`
 * when a poll fails. Results go to `pool.setUsage`.
 */
import type { ProviderID, UsageSnapshot } from '../../../shared/domain.js';
import { PROVIDER_IDS } from '../../../shared/domain.js';
import { errorMessage, RotaryError } from '../errors.js';
import type { AccountPool } from '../pool/account-pool.js';
import { provider } from './registry.js';
import type { TokenManager } from './token-manager.js';
import { UsageFetchError } from './usage-fetch.js';

export interface UsagePollerOptions {
  pool: AccountPool;
  tokens: TokenManager;
  env: NodeJS.ProcessEnv;
  now?: () => number;
  /** Minimum time between two polls of one account (default 60 s). */
  minIntervalMs?: number;
  /** Up to this much random delay is added to each schedule (default 15 s). */
  jitterMs?: number;
  /** Back-off ceiling after repeated failures (default 30 min). */
  maxBackoffMs?: number;
  /** How often the scheduler looks for due accounts (default 5 s). */
  tickMs?: number;
  random?: () => number;
}

export interface RotaryUsagePoller {
  /** Poll the usage endpoint for one account (the caller rate-limits). */
  fetchUsage(providerID: ProviderID, recordID: string): Promise<UsageSnapshot>;
  /** Start the background schedule (idempotent). Timers are unref'd: they never keep a CLI alive. */
  start(): void;
  stop(): void;
  /**
   * A usage view opened: poll these accounts now, unless one was polled less than
   * `minIntervalMs` ago or is backing off after a 429. Resolves when the polls are done.
   */
  refreshNow(providerID: ProviderID, recordID?: string): Promise<void>;
  /** Poll whatever is due now (what the timer does; exposed for tests). */
  tick(): Promise<void>;
}

interface AccountState {
  lastAttempt?: number;
  nextDue: number;
  failures: number;
  /** 429 back-off end; refreshNow does not override it. */
  backoffUntil?: number;
  running?: Promise<void>;
}

export function createUsagePoller(options: UsagePollerOptions): RotaryUsagePoller {
  const { pool, tokens, env } = options;
  const now = options.now ?? Date.now;
  const minInterval = options.minIntervalMs ?? 60_000;
  const jitter = options.jitterMs ?? 15_000;
  const maxBackoff = options.maxBackoffMs ?? 30 * 60_000;
  const tickMs = options.tickMs ?? 5_000;
  const random = options.random ?? Math.random;
  const states = new Map<string, AccountState>();
  let timer: NodeJS.Timeout | undefined;

  const stateOf = (providerID: ProviderID, recordID: string): AccountState => {
    const key = `${providerID}:${recordID}`;
    let state = states.get(key);
    if (!state) {
      // First poll spread over the jitter window so a fresh start does not hit every account at once.
      state = { nextDue: now() + random() * jitter, failures: 0 };
      states.set(key, state);
    }
    return state;
  };

  async function fetchUsage(providerID: ProviderID, recordID: string): Promise<UsageSnapshot> {
    const ctx = { env, now: now() };
    const source = provider(providerID).usage;
    if (source.auth === 'account-token') return source.fetch(await tokens.accountToken(providerID, recordID), ctx);
    const credential = await tokens.credential(providerID, recordID);
    try {
      return await source.fetch(credential, ctx);
    } catch (error) {
      // A 401 means the token went stale early: refresh once (shared with the gateway) and retry.
      if (error instanceof UsageFetchError && error.status === 401) return source.fetch(await tokens.refreshAfter401(providerID, recordID, credential), ctx);
      throw error;
    }
  }

  async function pollOne(providerID: ProviderID, recordID: string): Promise<void> {
    const state = stateOf(providerID, recordID);
    if (state.running) return state.running;
    state.lastAttempt = now();
    state.running = (async () => {
      try {
        const snapshot = await fetchUsage(providerID, recordID);
        state.failures = 0;
        delete state.backoffUntil;
        state.nextDue = now() + minInterval + random() * jitter;
        pool.setUsage(providerID, recordID, snapshot);
      } catch (error) {
        state.failures += 1;
        const backoff = Math.min(maxBackoff, minInterval * 2 ** state.failures);
        const is429 = error instanceof UsageFetchError && error.status === 429;
        const wait = Math.max(backoff, is429 ? (error.retryAfterMs ?? 0) : 0) + random() * jitter;
        state.nextDue = now() + wait;
        if (is429) state.backoffUntil = state.nextDue;
        const record = pool.getRecord(providerID, recordID);
        if (!record) return;
        const last = record.usage;
        // Keep the last good numbers and their age; only the error is new.
        pool.setUsage(providerID, recordID, {
          windows: last?.windows ?? [],
          asOf: last?.asOf ?? 0,
          source: last?.source ?? 'endpoint',
          error: errorMessage(error),
        });
        if (error instanceof RotaryError && error.code === 'needs-reauth') state.nextDue = now() + maxBackoff;
      } finally {
        state.running = undefined;
      }
    })();
    return state.running;
  }

  function accounts(providerID?: ProviderID): Array<[ProviderID, string]> {
    const list: Array<[ProviderID, string]> = [];
    for (const p of providerID ? [providerID] : PROVIDER_IDS) {
      for (const record of pool.getAccounts(p)) {
        if (!record.health.disabled && !record.health.needsReauth) list.push([p, record.id]);
      }
    }
    return list;
  }

  async function tick(): Promise<void> {
    const t = now();
    const due = accounts().filter(([p, id]) => stateOf(p, id).nextDue <= t);
    await Promise.all(due.map(([p, id]) => pollOne(p, id)));
  }

  return {
    fetchUsage,
    tick,
    start() {
      if (timer) return;
      timer = setInterval(() => void tick().catch(() => undefined), tickMs);
      timer.unref?.();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    async refreshNow(providerID, recordID) {
      const t = now();
      const targets = accounts(providerID).filter(([, id]) => recordID === undefined || id === recordID);
      await Promise.all(
        targets.map(([p, id]) => {
          const state = stateOf(p, id);
          if (state.backoffUntil !== undefined && state.backoffUntil > t) return state.running;
          if (state.lastAttempt !== undefined && t - state.lastAttempt < minInterval) return state.running;
          return pollOne(p, id);
        }),
      );
    },
  };
}
