/**
 * What `rotary doctor` checks about the pool's files, read-only: the store file and its
 * last-good copies, the vault and how the two agree (records without a secret, secrets without
 * a record), lock directories left behind, temporary files left by an interrupted write. Also
 * the few repairs that are safe: re-attach an orphaned secret to its record from a copy of the
 * store, remove orphans nobody can claim, remove stale locks and temp files.
 * No secret is ever read into a result: only vault keys (`account:<provider>:<id>`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AccountRecordSchema, type AccountRecord, type ProviderID } from '../../../shared/domain.js';
import { damagedCopies, inspectStoreFile, lastGoodCopies, type StoreFileState } from './store.js';
import { accountSecretKey, parseAccountSecretKey, type Vault } from './vault.js';

/** A lock directory not refreshed for this long is left over (proper-lockfile refreshes every 2.5 s; 5 s counts as stale). */
export const STALE_LOCK_MS = 10_000;
/** A temp file this old is left over from an interrupted write (a write takes milliseconds). */
const STALE_TEMP_MS = 60_000;

export interface CopyInfo {
  path: string;
  state: StoreFileState['state'];
  savedAt: number;
  accounts?: number;
}

export interface OrphanSecret {
  key: string;
  providerID: string;
  recordID: string;
  /** A copy of the store that still holds this secret's record (it can be re-attached from there). */
  recordIn?: { path: string; label: string };
}

export interface PoolHealth {
  storePath: string;
  store: StoreFileState;
  lastGood: CopyInfo[];
  damaged: string[];
  vault: { kind: string; ok: true; accountSecrets: number } | { kind: string; ok: false; error: string };
  /** Records whose secret is missing from the vault. */
  recordsWithoutSecret: Array<Pick<AccountRecord, 'id' | 'providerID' | 'label'>>;
  orphans: OrphanSecret[];
  staleLocks: string[];
  tempFiles: string[];
}

/** Records in any readable copy of the store (last-good and damaged ones), newest first; each parsed on its own so one bad record does not hide the rest. */
export function recordsInCopies(storePath: string): Array<{ path: string; record: AccountRecord }> {
  const out: Array<{ path: string; record: AccountRecord }> = [];
  for (const file of [...lastGoodCopies(storePath), ...damagedCopies(storePath)]) {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    const providers = raw && typeof raw === 'object' ? (raw as { providers?: unknown }).providers : undefined;
    if (!providers || typeof providers !== 'object') continue;
    for (const entry of Object.values(providers as Record<string, { records?: unknown }>)) {
      if (!Array.isArray(entry?.records)) continue;
      for (const candidate of entry.records) {
        const parsed = AccountRecordSchema.safeParse(candidate);
        if (parsed.success) out.push({ path: file, record: parsed.data });
      }
    }
  }
  return out;
}

/**
 * Files of ours in the home and its `locks/` folder matching `match`. Only those two folders: in
 * the app's data folder Electron keeps caches of its own, whose files are none of Rotary's business.
 */
function findOwnFiles(home: string, match: (name: string, stat: fs.Stats) => boolean): string[] {
  const out: string[] = [];
  for (const dir of [home, path.join(home, 'locks')]) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const full = path.join(dir, name);
      try {
        if (match(name, fs.statSync(full))) out.push(full);
      } catch {
        // gone meanwhile
      }
    }
  }
  return out;
}

export async function inspectPool(options: { home: string; storePath: string; vault: Vault | Error; now?: number }): Promise<PoolHealth> {
  const now = options.now ?? Date.now();
  const { storePath } = options;
  const store = inspectStoreFile(storePath);
  const lastGood = lastGoodCopies(storePath)
    .filter((p) => fs.existsSync(p))
    .map((p) => {
      const state = inspectStoreFile(p);
      const accounts = state.state === 'ok' ? Object.values(state.data.providers).reduce((n, e) => n + e.records.length, 0) : undefined;
      return { path: p, state: state.state, savedAt: fs.statSync(p).mtimeMs, ...(accounts !== undefined ? { accounts } : {}) };
    });

  let vault: PoolHealth['vault'];
  let keys: string[] = [];
  if (options.vault instanceof Error) vault = { kind: 'unknown', ok: false, error: options.vault.message };
  else {
    try {
      keys = (await options.vault.list()).filter((k) => parseAccountSecretKey(k));
      vault = { kind: options.vault.kind, ok: true, accountSecrets: keys.length };
    } catch (error) {
      vault = { kind: options.vault.kind, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  // Agreement is judged against the records Rotary will use: the store, or the copy it would restore.
  const current = store.state === 'ok' ? store.data : lastGood.map((c) => inspectStoreFile(c.path)).find((s) => s.state === 'ok')?.data;
  const records = current ? Object.values(current.providers).flatMap((e) => e.records) : [];
  const known = new Set(records.map((r) => accountSecretKey(r.providerID, r.id)));
  const present = new Set(keys);
  const recordsWithoutSecret = vault.ok ? records.filter((r) => !present.has(accountSecretKey(r.providerID, r.id))).map(({ id, providerID, label }) => ({ id, providerID, label })) : [];
  const inCopies = recordsInCopies(storePath);
  const orphans: OrphanSecret[] = keys
    .filter((k) => !known.has(k))
    .map((key) => {
      const { providerID, recordID } = parseAccountSecretKey(key)!;
      const found = inCopies.find((c) => c.record.providerID === providerID && c.record.id === recordID);
      return { key, providerID, recordID, ...(found ? { recordIn: { path: found.path, label: found.record.label } } : {}) };
    });

  return {
    storePath,
    store,
    lastGood,
    damaged: damagedCopies(storePath),
    vault,
    recordsWithoutSecret,
    orphans,
    staleLocks: findOwnFiles(options.home, (name, stat) => name.endsWith('.lock') && stat.isDirectory() && now - stat.mtimeMs > STALE_LOCK_MS),
    tempFiles: findOwnFiles(options.home, (name, stat) => name.endsWith('.tmp') && stat.isFile() && now - stat.mtimeMs > STALE_TEMP_MS),
  };
}

/** The record to re-attach an orphan to, from the newest copy of the store that holds it. */
export function orphanRecord(storePath: string, orphan: OrphanSecret): AccountRecord | undefined {
  return recordsInCopies(storePath).find((c) => c.record.providerID === (orphan.providerID as ProviderID) && c.record.id === orphan.recordID)?.record;
}

/** Remove lock directories and temp files found stale (each checked again right before it goes). */
export function removeLeftovers(health: Pick<PoolHealth, 'staleLocks' | 'tempFiles'>, now = Date.now()): string[] {
  const removed: string[] = [];
  for (const lock of health.staleLocks) {
    try {
      if (now - fs.statSync(lock).mtimeMs <= STALE_LOCK_MS) continue;
      fs.rmSync(lock, { recursive: true, force: true });
      removed.push(lock);
    } catch {
      // gone already
    }
  }
  for (const file of health.tempFiles) {
    fs.rmSync(file, { force: true });
    removed.push(file);
  }
  return removed;
}
