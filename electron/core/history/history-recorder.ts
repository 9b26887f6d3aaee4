/**
 * The write side of the history: what the gateway and the poller see is queued in memory (the
 * request's hot path only appends to a queue or sets a map entry) and written on a short timer,
 * one transaction per batch. Bounded at every step:
 *
 * - usage readings: at most one per window per minute (the newest of the minute wins), and a
 *   run of unchanged readings is kept as its first and last reading plus one every
 *   `heartbeatMs` — a flat stretch costs a few rows, not one a minute, and reads back the same;
 * - retention: readings 35 days; requests 30 days or 200,000 rows, whichever is smaller;
 *   events 30 days or 2,000; and a size cap on the file's data (oldest tenth dropped, with a notice);
 * - while the database cannot take a write (locked by another process, being rebuilt), batches
 *   wait in memory up to `maxPending` entries and are retried with a growing delay.
 */
import type { ActivityEvent, RequestEntry } from '../../../shared/activity.js';
import type { ProviderID, UsageSnapshot } from '../../../shared/domain.js';
import type { HistoryBatch, HistoryDatabase, ReadingRow, RequestRow, RetentionLimits } from './history-db.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export interface HistoryLimits extends RetentionLimits {
  /** Bytes of data (pages in use) the file may hold before the oldest tenth is dropped. */
  maxBytes: number;
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = {
  readingsMs: 35 * DAY,
  requestsMs: 30 * DAY,
  maxRequests: 200_000,
  eventsMs: 30 * DAY,
  maxEvents: 2_000,
  maxBytes: 200 * 1024 * 1024,
};

export interface HistoryNotice {
  level: 'warning' | 'error';
  /** `history-locked`, `history-rebuilt`, `history-off`, `history-failed`, `history-size-cap`, `history-dropped`. */
  code: string;
  message: string;
}

export interface HistoryRecorderOptions {
  db: HistoryDatabase;
  now?: () => number;
  /** Delay between a first queued item and the flush (ms, default 1000). */
  flushMs?: number;
  /** An unchanged window is written again after this long (ms, default 10 min). */
  heartbeatMs?: number;
  /** Retention runs at most this often (ms of the clock, default 10 min). */
  pruneEveryMs?: number;
  limits?: Partial<HistoryLimits>;
  /** Most requests (and, separately, readings) held while the database cannot take them (default 10,000). */
  maxPending?: number;
  notify?: (notice: HistoryNotice) => void;
  /** The readings a flush wrote, in time order (the live forecasts keep the recent ones). */
  onWritten?: (readings: ReadingRow[]) => void;
}

interface PendingUsage {
  providerID: ProviderID;
  recordID: string;
  usage: UsageSnapshot;
}

interface SeriesState {
  stored?: ReadingRow;
  /** The newest reading skipped because nothing changed: written when something changes. */
  held?: ReadingRow;
}

const seriesKey = (r: { providerID: string; recordID: string; key: string }): string => `${r.providerID}\u0000${r.recordID}\u0000${r.key}`;

function sameValue(a: ReadingRow, b: ReadingRow): boolean {
  if (Math.abs(a.percent - b.percent) > 1e-9) return false;
  if (a.resetsAt === undefined || b.resetsAt === undefined) return a.resetsAt === b.resetsAt;
  // Readings from the headers and from the usage endpoint round the reset time differently.
  return Math.abs(a.resetsAt - b.resetsAt) < MINUTE;
}

const minuteOf = (at: number): number => Math.floor(at / MINUTE);

export class HistoryRecorder {
  private readonly db: HistoryDatabase;
  private readonly now: () => number;
  private readonly flushMs: number;
  private readonly heartbeatMs: number;
  private readonly pruneEveryMs: number;
  readonly limits: HistoryLimits;
  private readonly maxPending: number;
  private readonly notify: (notice: HistoryNotice) => void;
  private readonly onWritten: (readings: ReadingRow[]) => void;

  private usage = new Map<string, PendingUsage>();
  /** Readings already down-sampled but not yet written (a batch that could not be written). */
  private readings: ReadingRow[] = [];
  private requests: RequestRow[] = [];
  private events: ActivityEvent[] = [];
  private readonly series = new Map<string, SeriesState>();
  private seeded = false;
  private timer: NodeJS.Timeout | undefined;
  private retryDelayMs = 0;
  private retryAt = 0;
  private failures = 0;
  private lastPrune = -Infinity;
  private lastCapNotice = -Infinity;
  private dropped = 0;
  private closed = false;
  /** Write transactions so far (the bench compares them with the requests served). */
  writes = 0;

  constructor(options: HistoryRecorderOptions) {
    this.db = options.db;
    this.now = options.now ?? Date.now;
    this.flushMs = options.flushMs ?? 1000;
    this.heartbeatMs = options.heartbeatMs ?? 10 * MINUTE;
    this.pruneEveryMs = options.pruneEveryMs ?? 10 * MINUTE;
    this.limits = { ...DEFAULT_HISTORY_LIMITS, ...options.limits };
    this.maxPending = options.maxPending ?? 10_000;
    this.notify = options.notify ?? (() => undefined);
    this.onWritten = options.onWritten ?? (() => undefined);
  }

  /** Nothing is waiting to be written. */
  get idle(): boolean {
    return this.usage.size === 0 && this.readings.length === 0 && this.requests.length === 0 && this.events.length === 0;
  }

  // ------------------------------------------------------------------ the hot path: queue only

  /** A usage snapshot of an account (headers or a poll). Failed polls (old numbers, an error) are not new readings. */
  recordUsage(providerID: ProviderID, recordID: string, usage: UsageSnapshot): void {
    if (this.closed || this.db.state === 'off' || usage.error !== undefined || usage.windows.length === 0 || !(usage.asOf > 0)) return;
    this.usage.set(`${providerID}\u0000${recordID}\u0000${minuteOf(usage.asOf)}`, { providerID, recordID, usage });
    this.schedule();
  }

  recordRequest(entry: RequestEntry, title: string): void {
    if (this.closed || this.db.state === 'off') return;
    this.requests.push({ entry, title });
    if (this.requests.length > this.maxPending) this.drop(this.requests, this.requests.length - this.maxPending);
    this.schedule();
  }

  recordEvent(event: ActivityEvent): void {
    if (this.closed || this.db.state === 'off' || event.kind === 'request') return;
    this.events.push(event);
    if (this.events.length > this.maxPending) this.drop(this.events, this.events.length - this.maxPending);
    this.schedule();
  }

  // ------------------------------------------------------------------ the flush

  /**
   * Write everything queued in one transaction (and run retention when it is due). Returns
   * false when it had to stay queued (database locked, being rebuilt, or off).
   */
  flush(): boolean {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.db.state === 'off') {
      // Nothing will take it: the activity log keeps its own copy in memory.
      this.usage.clear();
      this.readings = [];
      this.requests = [];
      this.events = [];
      return false;
    }
    if (this.db.state === 'rebuilding') {
      if (!this.idle) this.schedule();
      return false;
    }
    this.expandUsage();
    if (this.idle) return true;
    const batch: HistoryBatch = { readings: this.readings, requests: this.requests, events: this.events };
    this.readings = [];
    this.requests = [];
    this.events = [];
    const result = this.db.write(batch);
    if (result !== 'ok') {
      // Put it back ahead of what came meanwhile, and try again later.
      this.readings = batch.readings.concat(this.readings);
      this.requests = batch.requests.concat(this.requests);
      this.events = batch.events.concat(this.events);
      this.trimPending();
      this.failed(result);
      return false;
    }
    this.writes++;
    if (this.failures > 0) {
      this.failures = 0;
      this.retryDelayMs = 0;
      this.retryAt = 0;
    }
    for (const r of batch.readings) {
      const state = this.series.get(seriesKey(r));
      if (state) state.stored = r;
    }
    if (batch.readings.length) this.onWritten(batch.readings);
    this.maybePrune();
    return true;
  }

  /** A write is being retried after a failure: reads should not wait on another attempt now. */
  get backingOff(): boolean {
    return this.retryAt > Date.now();
  }

  close(): void {
    this.flush();
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer) return;
    const delay = Math.max(this.flushMs, this.retryAt - Date.now());
    this.timer = setTimeout(() => void this.flush(), delay);
    this.timer.unref?.();
  }

  private failed(result: 'busy' | 'failed'): void {
    this.failures += 1;
    this.retryDelayMs = Math.min(60_000, Math.max(this.flushMs, this.retryDelayMs * 2 || this.flushMs));
    this.retryAt = Date.now() + this.retryDelayMs;
    if (this.failures === 3 && result === 'busy') {
      this.notify({
        level: 'warning',
        code: 'history-locked',
        message: `The history database (${this.db.file}) has been locked by another process for a while. Rotary keeps the newest entries in memory and retries; the gateway is not affected.`,
      });
    }
    this.schedule();
  }

  /** Turn the queued snapshots into readings, one per window, down-sampled (see the module comment). */
  private expandUsage(): void {
    if (this.usage.size === 0) return;
    if (!this.seeded) {
      this.seeded = true;
      for (const r of this.db.latestReadings() ?? []) this.series.set(seriesKey(r), { stored: r });
    }
    const snapshots = [...this.usage.values()].sort((a, b) => a.usage.asOf - b.usage.asOf);
    this.usage.clear();
    for (const { providerID, recordID, usage } of snapshots) {
      for (const w of usage.windows) {
        if (!Number.isFinite(w.percentUsed)) continue;
        const reading: ReadingRow = { providerID, recordID, key: w.key, label: w.label, at: usage.asOf, percent: w.percentUsed, ...(w.resetsAt !== undefined ? { resetsAt: w.resetsAt } : {}) };
        this.downsample(reading);
      }
    }
    this.trimPending();
  }

  private downsample(r: ReadingRow): void {
    const key = seriesKey(r);
    let state = this.series.get(key);
    if (!state) this.series.set(key, (state = {}));
    // `last`: the newest reading already chosen for writing (queued or stored).
    const last = state.stored;
    if (last && r.at < last.at) return;
    if (last && minuteOf(r.at) === minuteOf(last.at)) {
      // The same minute: the newer reading replaces it (an upsert of that minute's row).
      if (!sameValue(r, last)) this.queueReading(state, r);
      return;
    }
    if (last && sameValue(r, last) && r.at - last.at < this.heartbeatMs) {
      state.held = r;
      return;
    }
    // Something changed: first the end of the unchanged run, so it reads back flat up to the change.
    const held = state.held;
    if (held && last && !sameValue(r, last) && minuteOf(held.at) !== minuteOf(r.at) && minuteOf(held.at) !== minuteOf(last.at)) this.queueReading(state, held);
    this.queueReading(state, r);
  }

  private queueReading(state: SeriesState, r: ReadingRow): void {
    this.readings.push(r);
    // Chosen for writing: later readings compare with it even before the write happens.
    state.stored = r;
    state.held = undefined;
  }

  private trimPending(): void {
    if (this.readings.length > this.maxPending) this.drop(this.readings, this.readings.length - this.maxPending);
    if (this.requests.length > this.maxPending) this.drop(this.requests, this.requests.length - this.maxPending);
  }

  private drop(list: unknown[], n: number): void {
    list.splice(0, n);
    const before = this.dropped;
    this.dropped += n;
    // One notice when dropping starts, then one per further 10,000.
    if (before === 0 || Math.floor(before / 10_000) !== Math.floor(this.dropped / 10_000)) {
      this.notify({
        level: 'warning',
        code: 'history-dropped',
        message: `The history database could not take writes for a while; ${this.dropped.toLocaleString('en-US')} of the oldest waiting entries were left out of the history (the gateway is not affected).`,
      });
    }
  }

  private maybePrune(): void {
    const now = this.now();
    if (now - this.lastPrune < this.pruneEveryMs) return;
    this.lastPrune = now;
    this.db.prune(now, this.limits);
    const used = this.db.usedBytes();
    if (used === undefined || used <= this.limits.maxBytes) return;
    let removed = { readings: 0, requests: 0 };
    for (let i = 0; i < 20; i++) {
      const step = this.db.dropOldest();
      if (!step || step.readings + step.requests === 0) break;
      removed = { readings: removed.readings + step.readings, requests: removed.requests + step.requests };
      const size = this.db.usedBytes();
      if (size === undefined || size <= this.limits.maxBytes * 0.9) break;
    }
    if (now - this.lastCapNotice >= 60 * MINUTE) {
      this.lastCapNotice = now;
      const mb = Math.round(this.limits.maxBytes / 1024 / 1024);
      this.notify({
        level: 'warning',
        code: 'history-size-cap',
        message: `The history database reached its size cap of ${mb} MB (ROTARY_HISTORY_MAX_MB); the oldest ${removed.requests.toLocaleString('en-US')} requests and ${removed.readings.toLocaleString('en-US')} usage readings were removed to make room.`,
      });
    }
  }
}
