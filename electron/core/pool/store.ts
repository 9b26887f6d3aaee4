/**
 * The pool's metadata file. The desktop app opens it with electron-store, the CLI and
 * tests with `conf` (electron-store is conf plus Electron paths): same format, same file
 * (`<ROTARY_HOME>/rotary.json`). This module adds what neither gives: cross-process
 * read-modify-write under a lock, schema migrations, last-good copies and recovery.
 *
 * Every successful write also leaves a copy of what was written (`rotary.json.bak`, the one
 * before it as `rotary.json.bak.1`; atomic, mode 0600). A damaged file — unreadable JSON,
 * truncated, empty, not an object, the wrong shape or version — is moved aside
 * (`rotary.json.corrupt-<time>`) and the newest good copy takes its place, so the accounts come
 * back with their secrets; the user is told through the notices. A file written by a newer
 * Rotary is never rewritten or restored over: reads and writes fail with an error naming the fix.
 */
import fs from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { RotaryError } from '../errors.js';
import { STORE_NAME } from '../paths.js';
import { rethrowDiskFull, withFileLock, writeFileAtomic } from './file-lock.js';
import { emptyStoreData, migrateStoreData, StoreTooNewError, type StoreData } from './store-schema.js';

/** What electron-store and conf both offer: a path and a whole-store getter/setter that hits the disk. */
export interface StoreBackend {
  readonly path: string;
  store: Record<string, unknown>;
}

/** Options shared by the conf and electron-store constructors, so both open the same file the same way. */
export function storeBackendOptions(home: string) {
  return {
    cwd: home,
    configName: STORE_NAME,
    // electron-store ignores `configName` and reads `name` (default "config"); set both so both open rotary.json.
    name: STORE_NAME,
    projectName: 'rotary',
    // Never let conf wipe a file it cannot parse: we back it up ourselves.
    clearInvalidConfig: false,
    accessPropertiesByDotNotation: false,
    configFileMode: 0o600,
  } as const;
}

/** The plain-Node backend (CLI, headless gateway, tests). The app passes an electron-store instead. */
export function createConfBackend(home: string): StoreBackend {
  try {
    return new Conf<Record<string, unknown>>(storeBackendOptions(home));
  } catch {
    // conf reads the file in its constructor; a corrupt file throws here. Open it through a
    // fresh instance on an empty path, then point reads at the real file: the store's own
    // recovery (below) moves the damaged file aside on first read.
    return lazyConfBackend(home);
  }
}

function lazyConfBackend(home: string): StoreBackend {
  const file = path.join(home, `${STORE_NAME}.json`);
  let conf: Conf<Record<string, unknown>> | undefined;
  const open = () => (conf ??= new Conf<Record<string, unknown>>(storeBackendOptions(home)));
  return {
    path: file,
    get store() {
      return open().store;
    },
    set store(value) {
      open().store = value;
    },
  };
}

// ------------------------------------------------------------------ reading a store file

/** The last-good copies of a store file, newest first. */
export function lastGoodCopies(storePath: string): string[] {
  return [`${storePath}.bak`, `${storePath}.bak.1`];
}

/** Damaged files moved aside, newest first. */
export function damagedCopies(storePath: string): string[] {
  const dir = path.dirname(storePath);
  const prefix = `${path.basename(storePath)}.corrupt-`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix))
    .sort()
    .reverse()
    .map((n) => path.join(dir, n));
}

export type StoreFileState =
  | { state: 'missing' }
  | { state: 'ok'; data: StoreData; migrated: boolean }
  | { state: 'damaged'; reason: string }
  | { state: 'too-new'; reason: string }
  /** The file is there but cannot be read (permissions): nothing is wrong with its content, so it is never replaced. */
  | { state: 'unreadable'; reason: string };

/** What a store file (or one of its copies) holds, without changing anything. Never throws. */
export function inspectStoreFile(file: string): StoreFileState {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    return { state: 'unreadable', reason: `it cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); check its owner and permissions` };
  }
  if (!text.trim()) return { state: 'damaged', reason: 'the file is empty' };
  let raw: unknown;
  try {
    // Read the text ourselves: conf turns a JSON array into an object with keys "0", "1", … and would hide the damage.
    raw = JSON.parse(text);
  } catch {
    return { state: 'damaged', reason: `it is not valid JSON (${text.length} bytes; truncated or overwritten?)` };
  }
  try {
    const { data, migrated } = migrateStoreData(raw);
    return { state: 'ok', data, migrated };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return error instanceof StoreTooNewError ? { state: 'too-new', reason } : { state: 'damaged', reason };
  }
}

/** A store Rotary must not touch: written by a newer version, or not readable by this user. */
function untouchableError(file: string, reason: string): RotaryError {
  return new RotaryError('store-corrupt', `Rotary cannot use ${file}: ${reason}${reason.endsWith('.') ? '' : '.'} Nothing was changed.`);
}

// ------------------------------------------------------------------ the store

export interface StoreNotice {
  /** `restored-from-backup`: the damaged file was replaced by its last good copy; `recovered-corrupt-file`: no good copy, started empty. */
  kind: 'restored-from-backup' | 'recovered-corrupt-file';
  message: string;
  /** Where the damaged file was moved. */
  backupPath: string;
  /** The copy that was restored. */
  restoredFrom?: string;
}

export class PoolStore {
  readonly path: string;
  private readonly notices: StoreNotice[] = [];
  private readonly noticeListeners = new Set<(notice: StoreNotice) => void>();

  constructor(private readonly backend: StoreBackend) {
    this.path = backend.path;
  }

  /** Read the current file (no lock). A damaged file is recovered under the lock first. */
  async read(): Promise<StoreData> {
    const found = inspectStoreFile(this.path);
    if (found.state === 'ok') return found.data;
    if (found.state === 'missing') return emptyStoreData();
    if (found.state === 'too-new' || found.state === 'unreadable') throw untouchableError(this.path, found.reason);
    return this.withLock(() => this.readOrRecover());
  }

  /** Read, change and write back under the cross-process lock. Returns the written data. */
  async update(change: (data: StoreData) => void | Promise<void>): Promise<StoreData> {
    return this.withLock(async () => {
      const data = this.readOrRecover();
      await change(data);
      this.write(data);
      return data;
    });
  }

  /** Problems found and handled (damaged file restored or moved aside); the UI, the CLI and the headless gateway show them. */
  pendingNotices(): StoreNotice[] {
    return [...this.notices];
  }

  onNotice(listener: (notice: StoreNotice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  private withLock<T>(critical: () => T): Promise<T> {
    return withFileLock(this.path, critical);
  }

  /** Must run under the lock. The file as the backend writes it, then the last-good copies rotated. */
  private write(data: StoreData): void {
    try {
      this.backend.store = data as unknown as Record<string, unknown>;
    } catch (error) {
      rethrowDiskFull(error, this.path);
    }
    this.keepLastGood(data);
  }

  /**
   * `.bak` becomes `.bak.1` and what was just written becomes `.bak`. Best effort: the write
   * itself succeeded, and a copy that could not be made (full disk) leaves the older ones.
   */
  private keepLastGood(data: StoreData): void {
    const [latest, previous] = lastGoodCopies(this.path) as [string, string];
    try {
      if (fs.existsSync(latest)) fs.renameSync(latest, previous);
      writeFileAtomic(latest, JSON.stringify(data, undefined, '\t'), 0o600);
    } catch {
      // The store file is written; its copy will be made by the next write.
    }
  }

  /** Must run under the lock: a damaged file is moved aside and replaced by the newest good copy (or an empty list). */
  private readOrRecover(): StoreData {
    const found = inspectStoreFile(this.path);
    if (found.state === 'ok') return found.data;
    if (found.state === 'missing') return emptyStoreData();
    if (found.state === 'too-new' || found.state === 'unreadable') throw untouchableError(this.path, found.reason);

    const backupPath = `${this.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(this.path, backupPath);
    for (const copy of lastGoodCopies(this.path)) {
      const good = inspectStoreFile(copy);
      if (good.state !== 'ok') continue;
      this.write(good.data);
      const accounts = Object.values(good.data.providers).reduce((n, p) => n + p.records.length, 0);
      const savedAt = fs.statSync(copy).mtime.toISOString().replace('T', ' ').slice(0, 19);
      this.notify({
        kind: 'restored-from-backup',
        backupPath,
        restoredFrom: copy,
        message: `The account list (${this.path}) was damaged (${found.reason}). Rotary restored it from the last good copy (${accounts} account${accounts === 1 ? '' : 's'}, saved ${savedAt} UTC) and kept the damaged file as ${backupPath}. Run \`rotary doctor\` to check that nothing is missing.`,
      });
      return good.data;
    }
    this.notify({
      kind: 'recovered-corrupt-file',
      backupPath,
      message: `The account list (${this.path}) could not be read (${found.reason}) and no good copy of it was found. It was moved to ${backupPath} and Rotary started with an empty list. Your tokens are kept in the keychain: run \`rotary doctor\` to see them and re-attach or remove them.`,
    });
    return emptyStoreData();
  }

  private notify(notice: StoreNotice): void {
    this.notices.push(notice);
    for (const listener of this.noticeListeners) listener(notice);
  }
}
