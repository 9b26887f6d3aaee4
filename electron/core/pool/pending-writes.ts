/**
 * Pool bookkeeping that is already applied in memory but not yet written to the store file.
 * Status changes (cooldowns, re-login flags, rotation order) are kept as an ordered list of
 * changes and written soon. The high-volume part of a busy gateway — successes on healthy
 * accounts and passive usage readings — is coalesced: a success only bumps a counter and a
 * usage reading replaces the previous one, so a thousand requests cost one small write.
 */
import type { ProviderID, UsageSnapshot } from '../../../shared/domain.js';
import type { StoreData } from './store-schema.js';

export type Mutator = (data: StoreData) => void;

interface RecordRef {
  providerID: ProviderID;
  recordID: string;
}

export class PendingWrites {
  private changes: Mutator[] = [];
  private successes = new Map<string, RecordRef & { count: number }>();
  private usage = new Map<string, RecordRef & { usage: UsageSnapshot }>();

  /** Something that changes an account's status is waiting (write it soon). */
  get urgent(): boolean {
    return this.changes.length > 0;
  }

  get empty(): boolean {
    return this.changes.length === 0 && this.successes.size === 0 && this.usage.size === 0;
  }

  change(mutator: Mutator): void {
    this.changes.push(mutator);
  }

  /** A success on an account that was already healthy: only its counter moves. */
  success(providerID: ProviderID, recordID: string): void {
    const key = `${providerID}:${recordID}`;
    const entry = this.successes.get(key);
    if (entry) entry.count += 1;
    else this.successes.set(key, { providerID, recordID, count: 1 });
  }

  setUsage(providerID: ProviderID, recordID: string, usage: UsageSnapshot): void {
    this.usage.set(`${providerID}:${recordID}`, { providerID, recordID, usage });
  }

  applyTo(data: StoreData): void {
    for (const apply of this.changes) apply(data);
    for (const s of this.successes.values()) {
      const record = data.providers[s.providerID]?.records.find((r) => r.id === s.recordID);
      if (record) record.health.successCount += s.count;
    }
    for (const u of this.usage.values()) {
      const record = data.providers[u.providerID]?.records.find((r) => r.id === u.recordID);
      if (record) record.usage = u.usage;
    }
  }

  /** Hand over everything pending and start empty. */
  take(): PendingWrites {
    const taken = new PendingWrites();
    [taken.changes, taken.successes, taken.usage] = [this.changes, this.successes, this.usage];
    this.changes = [];
    this.successes = new Map();
    this.usage = new Map();
    return taken;
  }

  /** Put back a batch that could not be written, ahead of what came since. */
  restore(batch: PendingWrites): void {
    this.changes = [...batch.changes, ...this.changes];
    for (const [key, s] of batch.successes) {
      const current = this.successes.get(key);
      if (current) current.count += s.count;
      else this.successes.set(key, s);
    }
    for (const [key, u] of batch.usage) if (!this.usage.has(key)) this.usage.set(key, u);
  }
}
