/**
 * The history of a Rotary home (issue 15): usage readings and request summaries in
 * `ROTARY_HOME/history.db`, shared by every process of that home. One object per process:
 * the database, the recorder that batches writes off the request's hot path, the recent
 * readings kept in memory for the gateway's forecasts, the activity store the activity log
 * reads and writes through, and notices (locked, rebuilt, size cap) for the UI and the log.
 *
 * `ROTARY_HISTORY=off` turns it off (the bench's baseline): the activity log then stays in
 * memory, as before this database existed.
 */
import type { ActivityEvent, ConversationSummary, RequestEntry } from '../../../shared/activity.js';
import type { ProviderID, UsageSnapshot } from '../../../shared/domain.js';
import { RotaryError } from '../errors.js';
import { HistoryDatabase, type HistoryProblem, type ReadingFilter, type ReadingRow } from './history-db.js';
import { HistoryRecorder, type HistoryLimits, type HistoryNotice } from './history-recorder.js';
import { RecentReadings } from './live-forecasts.js';

export type { HistoryNotice };

/** What the gateway's activity log writes through and reads from (undefined from a read: use memory). */
export interface ActivityStore {
  addRequest(entry: RequestEntry, title: string): void;
  addEvent(event: ActivityEvent): void;
  conversations(limit: number): ConversationSummary[] | undefined;
  requests(conversationID: string | undefined, limit: number): RequestEntry[] | undefined;
  events(limit: number): ActivityEvent[] | undefined;
}

export interface NoticeSource {
  pendingNotices(): HistoryNotice[];
  onNotice(listener: (notice: HistoryNotice) => void): () => void;
}

export interface HistoryOptions {
  home: string;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  flushMs?: number;
  busyTimeoutMs?: number;
  limits?: Partial<HistoryLimits>;
  /** One line per notice (the gateway's log). */
  log?: (line: string) => void;
}

export interface History {
  readonly file: string;
  readonly db: HistoryDatabase;
  readonly recorder: HistoryRecorder;
  /** The last day's readings of this process (seeded from the file at start). */
  readonly recent: RecentReadings;
  readonly activity: ActivityStore;
  readonly notices: NoticeSource;
  recordUsage(providerID: ProviderID, recordID: string, usage: UsageSnapshot): void;
  /** Readings from the file (what every process wrote), after writing this process's queue. */
  readings(filter: ReadingFilter): ReadingRow[] | undefined;
  /** After each successful flush (the warnings look again). */
  onFlush(listener: () => void): () => void;
  /** Write what is queued now and wait for a rebuild in progress (tests, shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** `ROTARY_HISTORY`: `off` turns the history off; unset or `on` keeps it. */
export function historyEnabled(env: NodeJS.ProcessEnv): boolean {
  const raw = env.ROTARY_HISTORY?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'on') return true;
  if (raw === 'off') return false;
  throw new RotaryError('bad-input', `ROTARY_HISTORY must be "on" or "off", not "${env.ROTARY_HISTORY!.slice(0, 20)}".`);
}

/** `ROTARY_HISTORY_MAX_MB`: the size cap of the history database (default 200). */
export function historyMaxBytes(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.ROTARY_HISTORY_MAX_MB?.trim();
  if (!raw) return undefined;
  const mb = Number(raw);
  if (!/^\d+$/.test(raw) || mb < 1 || mb > 100_000) throw new RotaryError('bad-input', `ROTARY_HISTORY_MAX_MB must be a whole number of megabytes (1–100000), not "${raw.slice(0, 20)}".`);
  return mb * 1024 * 1024;
}

function problemNotice(problem: HistoryProblem): HistoryNotice | undefined {
  switch (problem.kind) {
    case 'rebuilt':
      return { level: 'warning', code: 'history-rebuilt', message: problem.message };
    case 'off':
      return { level: 'warning', code: 'history-off', message: problem.message };
    case 'failed':
      return { level: 'warning', code: 'history-failed', message: problem.message };
    case 'busy':
      // Said by the recorder once a lock lasts (a single busy moment is normal between processes).
      return undefined;
  }
}

export function openHistory(options: HistoryOptions): History | undefined {
  const env = options.env ?? process.env;
  if (!historyEnabled(env)) return undefined;
  const maxBytes = historyMaxBytes(env);
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);

  const pending: HistoryNotice[] = [];
  const listeners = new Set<(notice: HistoryNotice) => void>();
  const lastSaid = new Map<string, number>();
  const notify = (notice: HistoryNotice): void => {
    // The same problem is said at most once every 10 minutes (a locked file retried every few seconds).
    const t = Date.now();
    if ((lastSaid.get(notice.code) ?? -Infinity) > t - 10 * 60_000) return;
    lastSaid.set(notice.code, t);
    pending.push(notice);
    if (pending.length > 20) pending.shift();
    log(`history: ${notice.message}`);
    for (const listener of listeners) listener(notice);
  };

  const db = new HistoryDatabase({
    home: options.home,
    ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
    onProblem: (problem) => {
      const notice = problemNotice(problem);
      if (notice) notify(notice);
    },
  });
  const recent = new RecentReadings(now);
  const flushListeners = new Set<() => void>();
  const recorder = new HistoryRecorder({
    db,
    now,
    ...(options.flushMs !== undefined ? { flushMs: options.flushMs } : {}),
    limits: { ...options.limits, ...(maxBytes !== undefined ? { maxBytes } : {}) },
    notify,
    onWritten: (rows) => {
      recent.add(rows);
      for (const listener of flushListeners) listener();
    },
  });
  recent.add(db.readings({ since: now() - 24 * 60 * 60_000 }) ?? []);

  /** Reads see this process's own queue: write it first (not when a write is being retried). */
  const readThrough = <T>(read: () => T | undefined): T | undefined => {
    if (!recorder.idle && !recorder.backingOff) recorder.flush();
    return read();
  };

  const activity: ActivityStore = {
    addRequest: (entry, title) => recorder.recordRequest(entry, title),
    addEvent: (event) => recorder.recordEvent(event),
    conversations: (limit) => readThrough(() => db.conversations(limit)),
    requests: (conversationID, limit) => readThrough(() => db.requests(conversationID, limit)),
    events: (limit) => readThrough(() => db.events(limit)),
  };

  let closing: Promise<void> | undefined;
  return {
    file: db.file,
    db,
    recorder,
    recent,
    activity,
    notices: {
      pendingNotices: () => [...pending],
      onNotice(listener) {
        listeners.add(listener);
        return () => void listeners.delete(listener);
      },
    },
    recordUsage: (providerID, recordID, usage) => recorder.recordUsage(providerID, recordID, usage),
    readings: (filter) => readThrough(() => db.readings(filter)),
    onFlush(listener) {
      flushListeners.add(listener);
      return () => void flushListeners.delete(listener);
    },
    async flush() {
      await db.settled();
      recorder.flush();
    },
    close() {
      closing ??= (async () => {
        await db.settled();
        recorder.close();
        db.close();
      })();
      return closing;
    },
  };
}
