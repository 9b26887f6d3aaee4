/**
 * Per-request bookkeeping for the healthy case, coalesced: a success on an account that is
 * already healthy only bumps a counter here, and passive usage keeps only its latest reading;
 * both go to the pool every couple of seconds. The pool batches too, but each of its flushes
 * is a synchronous, fsynced file write under a lock, which at hundreds of requests per second
 * would stall the event loop several times a second. Anything that changes an account's
 * status (clearing a cooldown, a failure) goes to the pool at once.
 */
import type { AccountRecord, ProviderID, UsageSnapshot } from '../../../shared/domain.js';
import type { AccountPool } from '../pool/account-pool.js';

export const BOOKKEEPING_INTERVAL_MS = 2000;

interface Pending {
  providerID: ProviderID;
  successes: number;
  lastStatus: number;
  usage?: UsageSnapshot;
}

export class Bookkeeper {
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: AccountPool,
    private readonly intervalMs = BOOKKEEPING_INTERVAL_MS,
  ) {}

  success(providerID: ProviderID, record: Readonly<AccountRecord>, status: number): void {
    const h = record.health;
    const clean = h.cooldownUntil === undefined && !h.needsReauth && h.lastStatus !== undefined && h.lastStatus >= 200 && h.lastStatus < 300;
    if (!clean) {
      // Status changes (cooldown cleared, first success) are visible at once.
      this.pool.recordOutcome({ providerID, recordID: record.id, ok: true, status });
      return;
    }
    const p = this.entry(providerID, record.id);
    p.successes += 1;
    p.lastStatus = status;
    this.schedule();
  }

  usage(providerID: ProviderID, recordID: string, usage: UsageSnapshot): void {
    this.entry(providerID, recordID).usage = usage;
    this.schedule();
  }

  /** Hand everything pending to the pool (which writes it in its next batch). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const [recordID, p] of this.pending) {
      for (let i = 0; i < p.successes; i++) this.pool.recordOutcome({ providerID: p.providerID, recordID, ok: true, status: p.lastStatus });
      if (p.usage) this.pool.setUsage(p.providerID, recordID, p.usage);
    }
    this.pending.clear();
  }

  private entry(providerID: ProviderID, recordID: string): Pending {
    let p = this.pending.get(recordID);
    if (!p) {
      p = { providerID, successes: 0, lastStatus: 200 };
      this.pending.set(recordID, p);
    }
    return p;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.intervalMs);
    this.timer.unref?.();
  }
}
