/**
 * The engine under the account pool: an in-memory copy of the store file that reads never
 * leave (the gateway's hot path does not touch the disk), kept fresh by a watcher and by our
 * own writes, and two ways to change it:
 *
 * - `mutate`: write through at once, under the store's cross-process lock (user actions);
 * - `deferred` / `countSuccess` / `deferUsage`: applied in memory now and written in batches
 *   (per-request bookkeeping). Status changes (cooldowns, re-login flags, order) are written
 *   within `flushDelayMs`; the high-volume part — successes on healthy accounts and usage
 *   readings — is coalesced (a counter, the latest reading) and written every
 *   `bookkeepingDelayMs`, so a thousand requests cost one small write.
 *
 * It knows nothing about accounts beyond where a record sits in the file.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { ProviderID, UsageSnapshot } from '../../../shared/domain.js';
import type { PoolStore } from './store.js';
import { emptyStoreData, type StoreData } from './store-schema.js';

export type Mutator = (data: StoreData) => void;
type AsyncMutator = (data: StoreData) => void | Promise<void>;

export type PoolChange = { source: 'local' | 'file' };

export interface PoolSyncOptions {
  /** How long a status change (cooldown, re-login, order) may wait before it is written (ms). */
  flushDelayMs?: number;
  /** How long coalesced success counts and usage readings may wait (ms). */
  bookkeepingDelayMs?: number;
}

interface RecordRef {
  providerID: ProviderID;
  recordID: string;
}

const refKey = (ref: RecordRef): string => `${ref.providerID}:${ref.recordID}`;

function findRecord(data: StoreData, ref: RecordRef) {
  return data.providers[ref.providerID]?.records.find((r) => r.id === ref.recordID);
}

/** Bookkeeping already applied in memory but not yet written to the store file. */
class PendingWrites {
  private changes: Mutator[] = [];
  private successes = new Map<string, RecordRef & { count: number }>();
  private usage = new Map<string, RecordRef & { usage: UsageSnapshot }>();

  get empty(): boolean {
    return this.changes.length === 0 && this.successes.size === 0 && this.usage.size === 0;
  }

  change(mutator: Mutator): void {
    this.changes.push(mutator);
  }

  success(ref: RecordRef): void {
    const entry = this.successes.get(refKey(ref));
    if (entry) entry.count += 1;
    else this.successes.set(refKey(ref), { ...ref, count: 1 });
  }

  setUsage(ref: RecordRef, usage: UsageSnapshot): void {
    this.usage.set(refKey(ref), { ...ref, usage });
  }

  applyTo(data: StoreData): void {
    for (const apply of this.changes) apply(data);
    for (const s of this.successes.values()) {
      const record = findRecord(data, s);
      if (record) record.health.successCount += s.count;
    }
    for (const u of this.usage.values()) {
      const record = findRecord(data, u);
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

export class PoolSync {
  /** The live view: the file as last read or written, with pending bookkeeping applied. */
  data: StoreData = emptyStoreData();
  private diskData: StoreData = emptyStoreData();
  private pending = new PendingWrites();
  private readonly flushDelayMs: number;
  private readonly bookkeepingDelayMs: number;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushDue = Infinity;
  private flushing: Promise<void> | undefined;
  private watcher: fs.FSWatcher | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private readonly events = new EventEmitter();

  constructor(
    readonly store: PoolStore,
    options: PoolSyncOptions = {},
  ) {
    this.flushDelayMs = options.flushDelayMs ?? 250;
    this.bookkeepingDelayMs = options.bookkeepingDelayMs ?? 2000;
  }

  /** Called after any change, local or from another process. */
  onChange(listener: (change: PoolChange) => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  /** Watch the store file so changes made by another process (CLI ↔ app) show up live. */
  watch(): void {
    if (this.watcher) return;
    const dir = path.dirname(this.store.path);
    const base = path.basename(this.store.path);
    fs.mkdirSync(dir, { recursive: true });
    // Watch the folder, not the file: atomic writes replace the file, which ends a file watch.
    this.watcher = fs.watch(dir, (_event, name) => {
      if (name !== base) return;
      clearTimeout(this.reloadTimer);
      this.reloadTimer = setTimeout(() => void this.reload('file').catch(() => undefined), 30);
    });
    this.watcher.on('error', () => undefined);
  }

  /** Re-read the file (our pending bookkeeping stays applied on top). */
  async reload(source: PoolChange['source'] = 'file'): Promise<void> {
    const disk = await this.store.read();
    if (JSON.stringify(disk) === JSON.stringify(this.diskData) && source === 'file') return;
    this.setDisk(disk);
    this.events.emit('change', { source } satisfies PoolChange);
  }

  /** Write through now under the lock (user actions). Pending bookkeeping is written with it. */
  async mutate(change: AsyncMutator): Promise<void> {
    this.cancelFlushTimer();
    while (this.flushing) await this.flushing;
    const batch = this.pending.take();
    try {
      const written = await this.store.update(async (data) => {
        batch.applyTo(data);
        await change(data);
      });
      this.setDisk(written);
    } catch (error) {
      this.pending.restore(batch);
      if (!this.pending.empty) this.scheduleFlush(this.flushDelayMs);
      throw error;
    }
    this.events.emit('change', { source: 'local' } satisfies PoolChange);
  }

  /** A status change: applied to the live view now, written within `flushDelayMs`. */
  deferred(change: Mutator): void {
    change(this.data);
    this.pending.change(change);
    this.scheduleFlush(this.flushDelayMs);
  }

  /** A success that changes nothing but the counter (the caller already bumped it in the live view). */
  countSuccess(providerID: ProviderID, recordID: string): void {
    this.pending.success({ providerID, recordID });
    this.scheduleFlush(this.bookkeepingDelayMs);
  }

  /** The latest usage reading of an account (the caller already put it in the live view). */
  deferUsage(providerID: ProviderID, recordID: string, usage: UsageSnapshot): void {
    this.pending.setUsage({ providerID, recordID }, usage);
    this.scheduleFlush(this.bookkeepingDelayMs);
  }

  /** Write out batched bookkeeping now (tests, shutdown). */
  async flush(): Promise<void> {
    this.cancelFlushTimer();
    while (this.flushing) await this.flushing;
    if (this.pending.empty) return;
    const batch = this.pending.take();
    this.flushing = this.store
      .update((data) => batch.applyTo(data))
      .then((data) => {
        this.setDisk(data);
        this.events.emit('change', { source: 'local' } satisfies PoolChange);
      })
      .catch(() => {
        // Best effort: bookkeeping that could not be written is retried with the next batch.
        this.pending.restore(batch);
      })
      .finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  async close(): Promise<void> {
    this.watcher?.close();
    this.watcher = undefined;
    clearTimeout(this.reloadTimer);
    await this.flush();
  }

  private setDisk(disk: StoreData): void {
    this.diskData = disk;
    const view = structuredClone(disk);
    this.pending.applyTo(view);
    this.data = view;
  }

  /** Write pending bookkeeping within `delayMs` (an earlier deadline already set stands). */
  private scheduleFlush(delayMs: number): void {
    const due = Date.now() + delayMs;
    if (this.flushTimer && this.flushDue <= due) return;
    clearTimeout(this.flushTimer);
    this.flushDue = due;
    this.flushTimer = setTimeout(() => void this.flush(), delayMs);
    this.flushTimer.unref?.();
  }

  private cancelFlushTimer(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushDue = Infinity;
  }
}
