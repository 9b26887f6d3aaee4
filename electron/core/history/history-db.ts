/**
 * The history database file: one SQLite connection (Node's built-in `node:sqlite`) in WAL mode,
 * so the desktop app, a headless gateway and CLI commands can all read it while one of them
 * writes, and each process can read what another wrote. Writes are short transactions (one per
 * batch) with a short busy timeout; SQLite's own locks order writers across processes.
 *
 * It never throws into its callers. A failure is classified and reported once through `onProblem`:
 *  - busy/locked: the write is refused for now (the caller keeps the batch and retries later);
 *  - corrupt or not a database: the file (with its -wal/-shm) is moved aside as
 *    `history.db.corrupt-<time>` under a cross-process lock and a fresh database is started;
 *  - anything else (disk full, read-only folder, a file from a newer Rotary): the database is
 *    off for this process and its callers fall back to memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { ActivityEvent, ConversationSummary, RequestEntry } from '../../../shared/activity.js';
import type { ProviderID } from '../../../shared/domain.js';
import { errorMessage } from '../errors.js';
import { withFileLock } from '../pool/file-lock.js';
import { HISTORY_FILE, HISTORY_MIGRATIONS, HISTORY_SCHEMA_VERSION } from './history-schema.js';

/** One account window's reading, as stored (at most one per series per minute). */
export interface ReadingRow {
  providerID: ProviderID;
  recordID: string;
  key: string;
  label: string;
  at: number;
  percent: number;
  resetsAt?: number;
}

export interface ReadingFilter {
  providerID?: ProviderID;
  recordID?: string;
  key?: string;
  since: number;
}

export interface RequestRow {
  entry: RequestEntry;
  title: string;
}

/** What one flush writes, in one transaction. */
export interface HistoryBatch {
  readings: ReadingRow[];
  requests: RequestRow[];
  events: ActivityEvent[];
}

export type HistoryProblem =
  | { kind: 'busy'; message: string }
  | { kind: 'rebuilt'; message: string; backupPath: string }
  | { kind: 'off'; message: string }
  | { kind: 'failed'; message: string };

export type WriteResult = 'ok' | 'busy' | 'failed';

export interface RetentionLimits {
  readingsMs: number;
  requestsMs: number;
  maxRequests: number;
  eventsMs: number;
  maxEvents: number;
}

export interface HistoryDatabaseOptions {
  home: string;
  /** SQLite busy timeout: how long one statement waits for another process's write lock (ms). */
  busyTimeoutMs?: number;
  onProblem?: (problem: HistoryProblem) => void;
}

const MINUTE = 60_000;

/** SQLite primary result codes (the low byte of node:sqlite's `errcode`). */
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;

type Failure = 'busy' | 'corrupt' | 'other';

function classify(error: unknown): Failure {
  const code = ((error as { errcode?: number }).errcode ?? -1) & 0xff;
  if (code === SQLITE_BUSY || code === SQLITE_LOCKED) return 'busy';
  if (code === SQLITE_CORRUPT || code === SQLITE_NOTADB) return 'corrupt';
  return 'other';
}

class NewerSchemaError extends Error {}

interface Statements {
  series: StatementSync;
  reading: StatementSync;
  request: StatementSync;
  conversation: StatementSync;
  event: StatementSync;
}

export class HistoryDatabase {
  readonly file: string;
  /** `open`: usable; `rebuilding`: a fresh file is being made; `off`: not usable in this process. */
  state: 'open' | 'rebuilding' | 'off' = 'off';
  private db: DatabaseSync | undefined;
  private inode: number | undefined;
  private statements: Statements | undefined;
  private readonly seriesIDs = new Map<string, number>();
  private readonly busyTimeoutMs: number;
  private readonly onProblem: (problem: HistoryProblem) => void;
  private rebuilding: Promise<void> | undefined;

  constructor(options: HistoryDatabaseOptions) {
    this.file = path.join(options.home, HISTORY_FILE);
    this.busyTimeoutMs = options.busyTimeoutMs ?? 250;
    this.onProblem = options.onProblem ?? (() => undefined);
    this.connect();
  }

  /** Resolves when a rebuild in progress is over (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.rebuilding) await this.rebuilding;
  }

  // ------------------------------------------------------------------ writes

  /** Write one batch in one transaction. */
  write(batch: HistoryBatch): WriteResult {
    const result = this.guard('write the history', (db, st) => {
      db.exec('BEGIN IMMEDIATE');
      try {
        for (const r of batch.readings) {
          st.reading.run(this.seriesID(st, r), Math.floor(r.at / MINUTE), r.at, r.percent, r.resetsAt ?? null);
        }
        for (const { entry: e, title } of batch.requests) {
          st.request.run(
            e.id,
            e.conversationID,
            e.providerID,
            e.at,
            e.method,
            e.path,
            e.model ?? null,
            e.stream ? 1 : 0,
            e.recordID ?? null,
            e.accountLabel ?? null,
            e.status,
            e.latencyMs,
            e.inputTokens ?? null,
            e.outputTokens ?? null,
            e.breakdown ? JSON.stringify(e.breakdown) : null,
            e.rotations.length ? JSON.stringify(e.rotations) : null,
            e.pick ? JSON.stringify(e.pick) : null,
          );
          st.conversation.run(e.conversationID, e.providerID, title, e.at, e.at, e.recordID ?? null, e.accountLabel ?? null, e.model ?? null);
        }
        for (const event of batch.events) st.event.run(eventTime(event), JSON.stringify(event));
        db.exec('COMMIT');
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw error;
      }
      return 'ok' as const;
    });
    if (result.ok) return 'ok';
    return result.failure === 'busy' ? 'busy' : 'failed';
  }

  /** Retention: readings older than `readingsMs`, requests older than `requestsMs` or beyond `maxRequests`, the same for events. */
  prune(now: number, limits: RetentionLimits): { readings: number; requests: number } | undefined {
    const result = this.guard('prune the history', (db) => {
      db.exec('BEGIN IMMEDIATE');
      try {
        // Through the primary key, one series at a time: no second index to keep up on every insert.
        const readings = Number(
          db.prepare('DELETE FROM readings WHERE series_id IN (SELECT id FROM series) AND minute < ?').run(Math.floor((now - limits.readingsMs) / MINUTE)).changes,
        );
        let requests = Number(db.prepare('DELETE FROM requests WHERE at < ?').run(now - limits.requestsMs).changes);
        requests += Number(db.prepare('DELETE FROM requests WHERE seq <= (SELECT seq FROM requests ORDER BY seq DESC LIMIT 1 OFFSET ?)').run(limits.maxRequests).changes);
        db.prepare('DELETE FROM conversations WHERE last_at < ?').run(now - limits.requestsMs);
        db.prepare('DELETE FROM events WHERE at < ?').run(now - limits.eventsMs);
        db.prepare('DELETE FROM events WHERE seq <= (SELECT seq FROM events ORDER BY seq DESC LIMIT 1 OFFSET ?)').run(limits.maxEvents);
        db.exec('COMMIT');
        return { readings, requests };
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw error;
      }
    });
    return result.ok ? result.value : undefined;
  }

  /** Bytes the data takes (pages in use, not the free ones a delete left for reuse). */
  usedBytes(): number | undefined {
    const result = this.guard('measure the history', (db) => {
      const pages = Number((db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count);
      const free = Number((db.prepare('PRAGMA freelist_count').get() as { freelist_count: number }).freelist_count);
      const size = Number((db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size);
      return (pages - free) * size;
    });
    return result.ok ? result.value : undefined;
  }

  /**
   * Remove the oldest tenth of the requests and of the readings (the size cap), then give the
   * freed pages back to the file system. Returns how many rows went.
   */
  dropOldest(): { readings: number; requests: number } | undefined {
    const result = this.guard('trim the history', (db) => {
      db.exec('BEGIN IMMEDIATE');
      try {
        const requests = db
          .prepare('DELETE FROM requests WHERE seq <= (SELECT seq FROM requests ORDER BY seq LIMIT 1 OFFSET (SELECT count(*) / 10 FROM requests))')
          .run().changes;
        const readings = db
          .prepare('DELETE FROM readings WHERE minute <= (SELECT minute FROM readings ORDER BY minute LIMIT 1 OFFSET (SELECT count(*) / 10 FROM readings))')
          .run().changes;
        db.prepare('DELETE FROM conversations WHERE id NOT IN (SELECT DISTINCT conversation_id FROM requests)').run();
        db.exec('COMMIT');
        db.exec('PRAGMA incremental_vacuum');
        return { readings: Number(readings), requests: Number(requests) };
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw error;
      }
    });
    return result.ok ? result.value : undefined;
  }

  // ------------------------------------------------------------------ reads

  conversations(limit: number): ConversationSummary[] | undefined {
    const result = this.guard('read the conversations', (db) =>
      (db.prepare('SELECT * FROM conversations ORDER BY last_at DESC, rowid DESC LIMIT ?').all(limit) as unknown as ConversationRowData[]).map(toConversation),
    );
    return result.ok ? result.value : undefined;
  }

  /** Newest first; one conversation's when `conversationID` is given. */
  requests(conversationID: string | undefined, limit: number): RequestEntry[] | undefined {
    const result = this.guard('read the requests', (db) => {
      const rows = conversationID
        ? db.prepare('SELECT * FROM requests WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?').all(conversationID, limit)
        : db.prepare('SELECT * FROM requests ORDER BY seq DESC LIMIT ?').all(limit);
      return (rows as unknown as RequestRowData[]).map(toRequestEntry);
    });
    return result.ok ? result.value : undefined;
  }

  /** Newest first. */
  events(limit: number): ActivityEvent[] | undefined {
    const result = this.guard('read the events', (db) =>
      (db.prepare('SELECT event FROM events ORDER BY seq DESC LIMIT ?').all(limit) as Array<{ event: string }>).flatMap((row) => {
        const event = parseJSON<ActivityEvent>(row.event);
        return event ? [event] : [];
      }),
    );
    return result.ok ? result.value : undefined;
  }

  /** Readings since `since` (epoch ms), oldest first per series; of one provider, optionally of one account and window. */
  readings(filter: ReadingFilter): ReadingRow[] | undefined {
    const result = this.guard('read the usage history', (db) => {
      const where = ['r.minute >= ?'];
      const args: Array<string | number> = [Math.floor(filter.since / MINUTE)];
      if (filter.providerID) {
        where.push('s.provider = ?');
        args.push(filter.providerID);
      }
      if (filter.recordID) {
        where.push('s.record_id = ?');
        args.push(filter.recordID);
      }
      if (filter.key) {
        where.push('s.window_key = ?');
        args.push(filter.key);
      }
      const rows = db
        .prepare(
          `SELECT s.provider, s.record_id, s.window_key, s.label, r.at, r.percent, r.resets_at FROM readings r JOIN series s ON s.id = r.series_id
           WHERE ${where.join(' AND ')} ORDER BY r.series_id, r.minute`,
        )
        .all(...args) as unknown as ReadingRowData[];
      return rows.map(toReading);
    });
    return result.ok ? result.value : undefined;
  }

  /** The newest reading of every series (what down-sampling compares the next reading with). */
  latestReadings(): ReadingRow[] | undefined {
    const result = this.guard('read the latest readings', (db) =>
      (
        db
          .prepare(
            `SELECT s.provider, s.record_id, s.window_key, s.label, r.at, r.percent, r.resets_at FROM series s
             JOIN readings r ON r.series_id = s.id AND r.minute = (SELECT max(minute) FROM readings WHERE series_id = s.id)`,
          )
          .all() as unknown as ReadingRowData[]
      ).map(toReading),
    );
    return result.ok ? result.value : undefined;
  }

  close(): void {
    try {
      this.db?.close();
    } catch {
      // Closing a broken connection: nothing left to save.
    }
    this.db = undefined;
    this.statements = undefined;
    this.seriesIDs.clear();
    if (this.state === 'open') this.state = 'off';
  }

  // ------------------------------------------------------------------ connection

  /** Opens (and, when new, creates) the file. A corrupt file starts a rebuild; other failures turn the database off. */
  private connect(): void {
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      // Created here with owner-only permissions: SQLite gives its -wal/-shm files the same mode.
      fs.closeSync(fs.openSync(this.file, 'a', 0o600));
      this.inode = fs.statSync(this.file).ino;
      const db = new DatabaseSync(this.file, { timeout: this.busyTimeoutMs });
      this.db = db;
      // Before anything is written: a file from a newer Rotary is left exactly as it is.
      this.checkVersion(db);
      // Before any table exists (a no-op afterwards): lets the size cap hand pages back.
      db.exec('PRAGMA auto_vacuum = INCREMENTAL');
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = NORMAL');
      this.migrate(db);
      this.statements = prepareStatements(db);
      this.state = 'open';
    } catch (error) {
      this.close();
      if (error instanceof NewerSchemaError) return this.turnOff(error.message);
      if (classify(error) === 'corrupt') return void this.rebuild(errorMessage(error));
      if (classify(error) === 'busy') {
        // Another process is creating or migrating it right now: use memory until the next start.
        return this.turnOff(`${this.file} is locked by another Rotary process (${errorMessage(error)}); history is kept in memory for now.`);
      }
      this.turnOff(`Rotary cannot use ${this.file} (${errorMessage(error)}); history is kept in memory only.`);
    }
  }

  private checkVersion(db: DatabaseSync): number {
    const version = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
    if (version > HISTORY_SCHEMA_VERSION) {
      throw new NewerSchemaError(
        `${this.file} was written by a newer Rotary (history schema ${version}; this one knows ${HISTORY_SCHEMA_VERSION}). It is left as it is; history is kept in memory only.`,
      );
    }
    return version;
  }

  private migrate(db: DatabaseSync): void {
    if (this.checkVersion(db) === HISTORY_SCHEMA_VERSION) return;
    db.exec('BEGIN IMMEDIATE');
    try {
      // Read again under the write lock: another process may have migrated meanwhile.
      let current = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
      for (; current < HISTORY_SCHEMA_VERSION; current++) db.exec(HISTORY_MIGRATIONS[current]!);
      db.exec(`PRAGMA user_version = ${HISTORY_SCHEMA_VERSION}`);
      db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }

  private turnOff(message: string): void {
    this.state = 'off';
    this.onProblem({ kind: 'off', message });
  }

  /**
   * Move the damaged file aside and start a fresh one, under a cross-process lock. If another
   * process already did (the file at the path is no longer the one we opened), just reopen it.
   */
  private rebuild(reason: string): Promise<void> {
    if (this.rebuilding) return this.rebuilding;
    this.close();
    this.state = 'rebuilding';
    const openedInode = this.inode;
    this.rebuilding = withFileLock(this.file, () => {
      let backupPath: string | undefined;
      const current = statInode(this.file);
      if (current !== undefined && current === openedInode) {
        backupPath = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        fs.renameSync(this.file, backupPath);
        for (const suffix of ['-wal', '-shm']) {
          if (!fs.existsSync(this.file + suffix)) continue;
          if (suffix === '-wal') fs.renameSync(this.file + suffix, backupPath + suffix);
          else fs.rmSync(this.file + suffix, { force: true });
        }
      }
      this.connect();
      if (backupPath && this.state === 'open') {
        this.onProblem({
          kind: 'rebuilt',
          backupPath,
          message: `The history database (${this.file}) could not be read (${reason}). It was moved to ${backupPath} and Rotary started a new one; the gateway kept serving meanwhile.`,
        });
      }
    })
      .catch((error: unknown) => this.turnOff(`Rotary could not rebuild ${this.file} (${errorMessage(error)}); history is kept in memory only.`))
      .finally(() => (this.rebuilding = undefined));
    return this.rebuilding;
  }

  /** Runs `work` on the connection; a failure is classified, reported and returned instead of thrown. */
  private guard<T>(what: string, work: (db: DatabaseSync, st: Statements) => T): { ok: true; value: T } | { ok: false; failure: Failure } {
    if (this.state !== 'open' || !this.db || !this.statements) return { ok: false, failure: 'other' };
    try {
      return { ok: true, value: work(this.db, this.statements) };
    } catch (error) {
      const failure = classify(error);
      if (failure === 'busy') this.onProblem({ kind: 'busy', message: `Rotary could not ${what}: ${this.file} is locked by another process (${errorMessage(error)}).` });
      else if (failure === 'corrupt') void this.rebuild(errorMessage(error));
      else this.onProblem({ kind: 'failed', message: `Rotary could not ${what} (${errorMessage(error)}).` });
      return { ok: false, failure };
    }
  }

  private seriesID(st: Statements, r: ReadingRow): number {
    const key = `${r.providerID}\u0000${r.recordID}\u0000${r.key}`;
    let id = this.seriesIDs.get(key);
    if (id === undefined) {
      id = Number((st.series.get(r.providerID, r.recordID, r.key, r.label) as { id: number }).id);
      this.seriesIDs.set(key, id);
    }
    return id;
  }
}

function prepareStatements(db: DatabaseSync): Statements {
  return {
    series: db.prepare(
      `INSERT INTO series (provider, record_id, window_key, label) VALUES (?, ?, ?, ?)
       ON CONFLICT (provider, record_id, window_key) DO UPDATE SET label = excluded.label RETURNING id`,
    ),
    // The newest reading of a minute wins (two processes may both have one).
    reading: db.prepare(
      `INSERT INTO readings (series_id, minute, at, percent, resets_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (series_id, minute) DO UPDATE SET at = excluded.at, percent = excluded.percent, resets_at = excluded.resets_at
       WHERE excluded.at >= readings.at`,
    ),
    request: db.prepare(
      `INSERT INTO requests (id, conversation_id, provider, at, method, path, model, stream, record_id, account_label, status,
       latency_ms, input_tokens, output_tokens, breakdown, rotations, pick) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // The title is the first one given (as in memory); the account and model follow the newest request.
    conversation: db.prepare(
      `INSERT INTO conversations (id, provider, title, first_at, last_at, request_count, record_id, account_label, last_model)
       VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET last_at = max(last_at, excluded.last_at), request_count = request_count + 1,
         record_id = coalesce(excluded.record_id, record_id), account_label = coalesce(excluded.account_label, account_label),
         last_model = coalesce(excluded.last_model, last_model)`,
    ),
    event: db.prepare('INSERT INTO events (at, event) VALUES (?, ?)'),
  };
}

function statInode(file: string): number | undefined {
  try {
    return fs.statSync(file).ino;
  } catch {
    return undefined;
  }
}

function eventTime(event: ActivityEvent): number {
  switch (event.kind) {
    case 'request':
      return event.entry.at;
    case 'rotation':
      return event.event.at;
    case 'limit-forecast':
      return event.warning.at;
    case 'account-freed':
      return event.freed.at;
    default:
      return Date.now();
  }
}

function parseJSON<T>(text: string | null): T | undefined {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

interface ConversationRowData {
  id: string;
  provider: ProviderID;
  title: string;
  first_at: number;
  last_at: number;
  request_count: number;
  record_id: string | null;
  account_label: string | null;
  last_model: string | null;
}

function toConversation(row: ConversationRowData): ConversationSummary {
  const c: ConversationSummary = {
    id: row.id,
    providerID: row.provider,
    title: row.title,
    firstAt: Number(row.first_at),
    lastAt: Number(row.last_at),
    requestCount: Number(row.request_count),
  };
  if (row.record_id !== null) c.recordID = row.record_id;
  if (row.account_label !== null) c.accountLabel = row.account_label;
  if (row.last_model !== null) c.lastModel = row.last_model;
  return c;
}

interface RequestRowData {
  id: string;
  conversation_id: string;
  provider: ProviderID;
  at: number;
  method: string;
  path: string;
  model: string | null;
  stream: number;
  record_id: string | null;
  account_label: string | null;
  status: number;
  latency_ms: number;
  input_tokens: number | null;
  output_tokens: number | null;
  breakdown: string | null;
  rotations: string | null;
  pick: string | null;
}

function toRequestEntry(row: RequestRowData): RequestEntry {
  const e: RequestEntry = {
    id: row.id,
    conversationID: row.conversation_id,
    providerID: row.provider,
    at: Number(row.at),
    method: row.method,
    path: row.path,
    stream: row.stream === 1,
    status: Number(row.status),
    latencyMs: Number(row.latency_ms),
    rotations: parseJSON<RequestEntry['rotations']>(row.rotations) ?? [],
  };
  if (row.model !== null) e.model = row.model;
  if (row.record_id !== null) e.recordID = row.record_id;
  if (row.account_label !== null) e.accountLabel = row.account_label;
  if (row.input_tokens !== null) e.inputTokens = Number(row.input_tokens);
  if (row.output_tokens !== null) e.outputTokens = Number(row.output_tokens);
  const breakdown = parseJSON<RequestEntry['breakdown']>(row.breakdown);
  if (breakdown) e.breakdown = breakdown;
  const pick = parseJSON<RequestEntry['pick']>(row.pick);
  if (pick) e.pick = pick;
  return e;
}

interface ReadingRowData {
  provider: ProviderID;
  record_id: string;
  window_key: string;
  label: string;
  at: number;
  percent: number;
  resets_at: number | null;
}

function toReading(row: ReadingRowData): ReadingRow {
  const r: ReadingRow = { providerID: row.provider, recordID: row.record_id, key: row.window_key, label: row.label, at: Number(row.at), percent: Number(row.percent) };
  if (row.resets_at !== null) r.resetsAt = Number(row.resets_at);
  return r;
}
