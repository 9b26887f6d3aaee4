/**
 * The pool's metadata file. The desktop app opens it with electron-store, the CLI and
 * tests with `conf` (electron-store is conf plus Electron paths): same format, same file
 * (`<ROTARY_HOME>/rotary.json`). This module adds what neither gives: cross-process
 * read-modify-write under a lock, schema migrations, and recovery from a corrupted
 * file that keeps the damaged copy as a backup and tells the user.
 */
import fs from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { RotaryError } from '../errors.js';
import { STORE_NAME } from '../paths.js';
import { withFileLock } from './file-lock.js';
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

export interface StoreNotice {
  kind: 'recovered-corrupt-file';
  message: string;
  backupPath: string;
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
    try {
      return this.parse();
    } catch (error) {
      if (error instanceof RotaryError) throw error;
      return this.withLock(() => this.readOrRecover());
    }
  }

  /** Read, change and write back under the cross-process lock. Returns the written data. */
  async update(change: (data: StoreData) => void | Promise<void>): Promise<StoreData> {
    return this.withLock(async () => {
      const data = this.readOrRecover();
      await change(data);
      this.backend.store = data as unknown as Record<string, unknown>;
      return data;
    });
  }

  /** Problems found and handled (corrupt file backed up); the UI and CLI show them. */
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

  private parse(): StoreData {
    if (!fs.existsSync(this.path)) return emptyStoreData();
    try {
      return migrateStoreData(this.backend.store).data;
    } catch (error) {
      if (error instanceof StoreTooNewError) {
        throw new RotaryError('store-corrupt', `Rotary cannot use ${this.path}: ${error.message}`);
      }
      throw error;
    }
  }

  /** Must run under the lock: moves a damaged file aside and starts empty. */
  private readOrRecover(): StoreData {
    try {
      return this.parse();
    } catch (error) {
      if (error instanceof RotaryError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      const backupPath = `${this.path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      fs.renameSync(this.path, backupPath);
      const notice: StoreNotice = {
        kind: 'recovered-corrupt-file',
        backupPath,
        message: `The account list (${this.path}) could not be read (${reason}). It was moved to ${backupPath} and Rotary started with an empty list. Your tokens are still in the keychain; log in again or restore the backup.`,
      };
      this.notices.push(notice);
      for (const listener of this.noticeListeners) listener(notice);
      return emptyStoreData();
    }
  }
}
