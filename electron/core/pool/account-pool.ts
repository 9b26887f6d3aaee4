/**
 * The account pool: several accounts per provider, their order, the active one and
 * their health — the domain operations of PRODUCT §2. Metadata goes to the store file
 * through the sync engine (`pool-sync.ts`: in-memory reads, write-through for user actions,
 * batched per-request bookkeeping); secrets go to the vault.
 *
 * Ordering rules that keep the two halves consistent, even if the process dies between
 * steps: adding writes the secret first, then metadata; removing deletes metadata first,
 * then the secret; `reconcile()` at start-up flags records whose secret is missing. A secret is
 * deleted only when its account is removed (or its own add failed before the record existed).
 */
import { randomUUID } from 'node:crypto';
import {
  DEFAULT_NAMESPACE,
  PROVIDER_IDS,
  type AccountRecord,
  type AccountView,
  type PoolSnapshot,
  type ProviderID,
  type UsageSnapshot,
} from '../../../shared/domain.js';
import { escapeControls, firstUnsafeChar, labelProblem } from '../../../shared/plain-text.js';
import { RotaryError } from '../errors.js';
import { AccountSecretSchema, parseAccountSecret, type AccountSecret } from './account-secret.js';
import { accountStatus, cycleAfter, effectiveActiveID, isAvailable, isPermutation, orderedIDs } from './order.js';
import { applyOutcome, isSteadySuccess, type Outcome } from './outcome.js';
import { PoolSync, type PoolChange, type PoolSyncOptions } from './pool-sync.js';
import type { PoolStore } from './store.js';
import { SettingsSchema, type ProviderEntry, type Settings, type StoreData } from './store-schema.js';
import { accountSecretKey, parseAccountSecretKey, type Vault } from './vault.js';

export type { PoolChange };

export interface AddAccountInput {
  providerID: ProviderID;
  namespace?: string;
  label?: string;
  email?: string;
  /** Provider-side identity (Anthropic account uuid, ChatGPT account id, GitHub login). Re-adding the same one updates it. */
  accountId?: string;
  secret: AccountSecret;
  /** Make it the active account (default: only when it is the first). */
  activate?: boolean;
}

export interface OutcomeInput extends Outcome {
  providerID: ProviderID;
  recordID: string;
}

/** Called with every usage snapshot as it is set (response headers or a poll). */
export type UsageListener = (providerID: ProviderID, recordID: string, usage: UsageSnapshot) => void;

export interface AccountPoolOptions extends PoolSyncOptions {
  store: PoolStore;
  vault: Vault;
  now?: () => number;
}

export class AccountPool {
  readonly store: PoolStore;
  readonly vault: Vault;
  private readonly now: () => number;
  private readonly sync: PoolSync;
  private readonly usageListeners = new Set<UsageListener>();

  private constructor(options: AccountPoolOptions) {
    this.store = options.store;
    this.vault = options.vault;
    this.now = options.now ?? Date.now;
    this.sync = new PoolSync(options.store, options);
  }

  /** Open the pool: load the file. Call `reconcile()` and `watch()` as the process needs. */
  static async open(options: AccountPoolOptions): Promise<AccountPool> {
    const pool = new AccountPool(options);
    await pool.reload();
    return pool;
  }

  /** The live view of the file (reads never touch the disk). */
  private get data(): StoreData {
    return this.sync.data;
  }

  // ---------------------------------------------------------------- reads

  /** Providers that have at least one account, alphabetical, with counts. */
  providers(): Array<{ providerID: ProviderID; count: number }> {
    return PROVIDER_IDS.filter((id) => (this.data.providers[id]?.records.length ?? 0) > 0)
      .map((providerID) => ({ providerID, count: this.data.providers[providerID]!.records.length }));
  }

  snapshot(providerID: ProviderID, namespace = DEFAULT_NAMESPACE): PoolSnapshot {
    const entry = this.data.providers[providerID];
    return {
      records: entry ? entry.records.filter((r) => r.namespace === namespace).map(cloneRecord) : [],
      orderedIDs: orderedIDs(entry, namespace),
      activeID: effectiveActiveID(entry, namespace, this.now()),
    };
  }

  /**
   * Like `snapshot()` but without copying: the records are the pool's own live objects.
   * For the gateway's hot path only; callers must treat them as read-only.
   */
  peekSnapshot(providerID: ProviderID, namespace = DEFAULT_NAMESPACE): Readonly<PoolSnapshot> {
    const entry = this.data.providers[providerID];
    return {
      records: entry ? entry.records.filter((r) => r.namespace === namespace) : [],
      orderedIDs: orderedIDs(entry, namespace),
      activeID: effectiveActiveID(entry, namespace, this.now()),
    };
  }

  /** Like `getRecord()` without copying (hot path, read-only). */
  peekRecord(providerID: ProviderID, recordID: string): Readonly<AccountRecord> | undefined {
    return this.data.providers[providerID]?.records.find((r) => r.id === recordID);
  }

  /** Accounts in rotation order, the active one marked, with their current status. */
  getAccounts(providerID: ProviderID, namespace = DEFAULT_NAMESPACE): AccountView[] {
    const { records, orderedIDs: ids, activeID } = this.snapshot(providerID, namespace);
    const byID = new Map(records.map((r) => [r.id, r]));
    const now = this.now();
    return ids.map((id) => {
      const record = byID.get(id)!;
      return { ...record, isActive: id === activeID, status: accountStatus(record, now) };
    });
  }

  getRecord(providerID: ProviderID, recordID: string): AccountRecord | undefined {
    const record = this.data.providers[providerID]?.records.find((r) => r.id === recordID);
    return record && cloneRecord(record);
  }

  /** Bumped by every manual switch of this provider (see `setActive`). */
  switchSeq(providerID: ProviderID): number {
    return this.data.providers[providerID]?.switchSeq ?? 0;
  }

  settings(): StoreData['settings'] {
    return { ...this.data.settings };
  }

  /** Find an account by id, label or e-mail (case-insensitive for the last two). */
  findAccount(providerID: ProviderID, query: string): AccountRecord | undefined {
    const records = this.data.providers[providerID]?.records ?? [];
    const lower = query.trim().toLowerCase();
    const match =
      records.find((r) => r.id === query) ??
      records.find((r) => r.label.toLowerCase() === lower) ??
      records.find((r) => r.email?.toLowerCase() === lower);
    return match && cloneRecord(match);
  }

  // ---------------------------------------------------------------- secrets

  async getSecret(providerID: ProviderID, recordID: string): Promise<AccountSecret | undefined> {
    const text = await this.vault.get(accountSecretKey(providerID, recordID));
    return text === undefined ? undefined : parseAccountSecret(text);
  }

  async setSecret(providerID: ProviderID, recordID: string, secret: AccountSecret): Promise<void> {
    await this.vault.set(accountSecretKey(providerID, recordID), JSON.stringify(AccountSecretSchema.parse(secret)));
  }

  // ---------------------------------------------------------------- writes

  /** Add an account (secret first, then metadata). Re-adding a known provider identity refreshes it instead. */
  async add(input: AddAccountInput): Promise<AccountRecord> {
    const secret = AccountSecretSchema.safeParse(input.secret);
    if (!secret.success) throw new RotaryError('bad-input', 'The credential needs a non-empty "access" token.');
    // Labels and e-mails reach terminals and logs: refused here, whichever entry point (login, import, add) passed them.
    if (input.label !== undefined && input.label.trim()) refuseUnsafe(labelProblem(input.label));
    if (input.email && firstUnsafeChar(input.email)) {
      refuseUnsafe(`The account's e-mail "${escapeControls(input.email).slice(0, 80)}" contains control characters (${firstUnsafeChar(input.email)}); Rotary does not store it.`);
    }
    const namespace = input.namespace ?? DEFAULT_NAMESPACE;
    const existing = input.accountId
      ? this.data.providers[input.providerID]?.records.find((r) => r.accountId === input.accountId && r.namespace === namespace)
      : undefined;
    const recordID = existing?.id ?? randomUUID();

    let result: AccountRecord | undefined;
    let secretWritten = false;
    try {
      // The secret is written first, inside the store lock, so a start-up reconcile in another
      // process (which holds the same lock) never mistakes an add in flight for an orphan.
      await this.mutate(async (data) => {
        await this.setSecret(input.providerID, recordID, secret.data);
        secretWritten = true;
        const entry = ensureProvider(data, input.providerID);
        const now = this.now();
        let record = entry.records.find((r) => r.id === recordID);
        if (record) {
          record.updatedAt = now;
          if (input.email) record.email = input.email;
          if (input.label) record.label = input.label;
          record.health = { ...record.health, needsReauth: false };
          delete record.health.cooldownUntil;
          delete record.health.cooldownReason;
        } else {
          record = {
            id: recordID,
            providerID: input.providerID,
            namespace,
            label: input.label?.trim() || input.email || nextAccountLabel(entry.records),
            ...(input.email ? { email: input.email } : {}),
            ...(input.accountId ? { accountId: input.accountId } : {}),
            createdAt: now,
            updatedAt: now,
            health: { successCount: 0, failureCount: 0 },
          };
          entry.records.push(record);
          entry.order[namespace] = [...orderedIDs(entry, namespace).filter((id) => id !== recordID), recordID];
        }
        // The user's order stays as it is: a new account goes last even when it becomes active.
        if (input.activate || !entry.active[namespace]) entry.active[namespace] = recordID;
        result = cloneRecord(record);
      });
    } catch (error) {
      // Metadata failed: take back the secret this add just wrote for a record that never existed (best effort; `rotary doctor` lists what a crash leaves).
      if (!existing && secretWritten) await this.vault.delete(accountSecretKey(input.providerID, recordID)).catch(() => undefined);
      throw error;
    }
    return result!;
  }

  async relabel(providerID: ProviderID, recordID: string, label: string): Promise<void> {
    refuseUnsafe(labelProblem(label));
    const clean = label.trim();
    await this.mutate((data) => {
      const record = requireRecord(data, providerID, recordID);
      record.label = clean;
      record.updatedAt = this.now();
    });
  }

  /**
   * Manual switch: the account becomes active; the order (the user's) does not change. Bumps
   * `switchSeq` so every conversation of this provider moves to it from the next request on.
   */
  async setActive(providerID: ProviderID, namespace: string, recordID: string): Promise<void> {
    await this.mutate((data) => {
      const record = requireRecord(data, providerID, recordID);
      if (record.namespace !== namespace) throw notFound(providerID, recordID);
      const entry = data.providers[providerID]!;
      entry.active[namespace] = recordID;
      entry.switchSeq = (entry.switchSeq ?? 0) + 1;
    });
  }

  /**
   * The user's order of a provider's accounts (drag or keyboard in Provider Detail): shown
   * everywhere and walked by rotation. `orderedIDs` must list every account of the namespace once.
   */
  async reorder(providerID: ProviderID, namespace: string, ids: readonly string[]): Promise<void> {
    await this.mutate((data) => {
      const entry = data.providers[providerID];
      const current = orderedIDs(entry, namespace);
      if (!entry || !isPermutation(ids, current)) {
        throw new RotaryError('bad-input', `The new order must list each of the ${current.length} ${providerID} accounts exactly once; reload and try again.`);
      }
      entry.order[namespace] = [...ids];
    });
  }

  /** Remove an account (metadata first, then the secret). Returns how many accounts the provider has left. */
  async removeRecord(providerID: ProviderID, recordID: string): Promise<{ remaining: number }> {
    let remaining = 0;
    await this.mutate((data) => {
      const entry = data.providers[providerID];
      const record = requireRecord(data, providerID, recordID);
      const namespace = record.namespace;
      entry!.records = entry!.records.filter((r) => r.id !== recordID);
      entry!.order[namespace] = orderedIDs(entry, namespace);
      if (entry!.active[namespace] === recordID) {
        const next = effectiveActiveID(entry, namespace, this.now());
        if (next) entry!.active[namespace] = next;
        else delete entry!.active[namespace];
      }
      if (entry!.order[namespace]!.length === 0) delete entry!.order[namespace];
      remaining = entry!.records.length;
      // Last account gone: drop the provider entry so nothing stale is left behind.
      if (remaining === 0) delete data.providers[providerID];
    });
    await this.vault.delete(accountSecretKey(providerID, recordID));
    return { remaining };
  }

  /**
   * After a failed attempt the account goes to the back of the rotation: the next available
   * account after it in the user's order (read as a cycle) becomes active. The order itself is
   * the user's and is not rewritten (rows would jump on every 429). Batched.
   */
  moveToBack(providerID: ProviderID, namespace: string, recordID: string): void {
    this.sync.deferred((data) => {
      const entry = data.providers[providerID];
      if (!entry?.records.some((r) => r.id === recordID)) return;
      if (entry.active[namespace] !== undefined && entry.active[namespace] !== recordID) return;
      const byID = new Map(entry.records.map((r) => [r.id, r]));
      const next = cycleAfter(orderedIDs(entry, namespace), recordID);
      const t = this.now();
      entry.active[namespace] = next.find((id) => isAvailable(byID.get(id)!, t)) ?? next[0] ?? recordID;
    });
  }

  /** Health bookkeeping for one request. Batched: applied in memory now, written shortly after. */
  recordOutcome(input: OutcomeInput): void {
    const now = this.now();
    const live = this.data.providers[input.providerID]?.records.find((r) => r.id === input.recordID);
    if (input.ok && live && isSteadySuccess(live.health)) {
      // The common case on a busy gateway: nothing about the account changes but a counter.
      live.health.successCount += 1;
      this.sync.countSuccess(input.providerID, input.recordID);
      return;
    }
    this.sync.deferred((data) => {
      const record = data.providers[input.providerID]?.records.find((r) => r.id === input.recordID);
      if (record) applyOutcome(record.health, input, now);
    });
  }

  /** Store the latest usage numbers for an account. Batched. */
  setUsage(providerID: ProviderID, recordID: string, usage: UsageSnapshot): void {
    const record = this.data.providers[providerID]?.records.find((r) => r.id === recordID);
    if (!record) return;
    record.usage = usage;
    this.sync.deferUsage(providerID, recordID, usage);
    for (const listener of this.usageListeners) listener(providerID, recordID, usage);
  }

  /**
   * Every usage snapshot, as it is set (the history records them). Listeners run on the
   * gateway's hot path: they must only queue.
   */
  onUsage(listener: UsageListener): () => void {
    this.usageListeners.add(listener);
    return () => void this.usageListeners.delete(listener);
  }

  /** Change settings (Settings, `rotary config set`); every process watching the file follows. */
  async updateSettings(change: Partial<Settings>): Promise<Settings> {
    let result: Settings | undefined;
    await this.mutate((data) => {
      const next = SettingsSchema.safeParse({ ...data.settings, ...change });
      if (!next.success) throw new RotaryError('bad-input', `Invalid setting (${next.error.issues[0]?.path.join('.')}: ${next.error.issues[0]?.message}).`);
      data.settings = next.data;
      result = { ...next.data };
    });
    return result!;
  }

  /** The user cleared a cooldown (or re-logged in) by hand. */
  async clearCooldown(providerID: ProviderID, recordID: string): Promise<void> {
    await this.mutate((data) => {
      const health = requireRecord(data, providerID, recordID).health;
      delete health.cooldownUntil;
      delete health.cooldownReason;
      delete health.scopedCooldowns;
    });
  }

  /**
   * Take an account out of rotation (or back in) without removing it. Disabling the active
   * account hands "active" to the next available one, so new requests do not wait on it.
   */
  async setDisabled(providerID: ProviderID, recordID: string, disabled: boolean): Promise<void> {
    await this.mutate((data) => {
      const record = requireRecord(data, providerID, recordID);
      if (disabled) record.health.disabled = true;
      else delete record.health.disabled;
      record.updatedAt = this.now();
      const entry = data.providers[providerID]!;
      const ns = record.namespace;
      if (disabled && entry.active[ns] === recordID) {
        // Prefer an account that can take requests now; a cooling one frees up by itself, a disabled one never.
        const others = orderedIDs(entry, ns)
          .filter((id) => id !== recordID)
          .map((id) => entry.records.find((r) => r.id === id)!);
        const next = others.find((r) => isAvailable(r, this.now())) ?? others.find((r) => !r.health.disabled);
        if (next) entry.active[ns] = next.id;
      }
    });
  }

  async markNeedsReauth(providerID: ProviderID, recordID: string, needsReauth: boolean): Promise<void> {
    await this.mutate((data) => {
      const record = requireRecord(data, providerID, recordID);
      if (needsReauth) record.health.needsReauth = true;
      else delete record.health.needsReauth;
    });
  }

  /**
   * Start-up check: a record without a secret is marked `needsReauth`. A secret without a record
   * is never deleted here — it may belong to a record in a last-good copy of a damaged store, or
   * to an add in flight in another process; `orphanSecrets` counts them and `rotary doctor`
   * re-attaches or (with confirmation) removes them. Secrets go only when their account is removed.
   */
  async reconcile(): Promise<{ orphanSecrets: number; markedNeedsReauth: number }> {
    let orphanSecrets = 0;
    let markedNeedsReauth = 0;
    // Under the store lock: adds write their secret under the same lock, so nothing in flight is misread.
    await this.mutate(async (data) => {
      const keys = await this.vault.list();
      const known = new Set<string>();
      for (const entry of Object.values(data.providers)) for (const r of entry.records) known.add(accountSecretKey(r.providerID, r.id));
      orphanSecrets = keys.filter((key) => parseAccountSecretKey(key) && !known.has(key)).length;
      const present = new Set(keys);
      for (const entry of Object.values(data.providers)) {
        for (const r of entry.records) {
          if (!present.has(accountSecretKey(r.providerID, r.id)) && !r.health.needsReauth) {
            r.health.needsReauth = true;
            markedNeedsReauth++;
          }
        }
      }
    });
    return { orphanSecrets, markedNeedsReauth };
  }

  /**
   * Put back a record found in a last-good or damaged copy of the store whose secret is still in
   * the vault (`rotary doctor --fix`). Its place in the order is at the end; it never becomes active
   * over an existing one. Refused when the id is already in the pool or the secret is gone.
   */
  async reattachRecord(record: AccountRecord): Promise<AccountRecord> {
    if (!(await this.vault.get(accountSecretKey(record.providerID, record.id)))) {
      throw new RotaryError('not-found', `No secret for ${record.providerID} account ${record.id} is left in the ${this.vault.kind}.`);
    }
    refuseUnsafe(labelProblem(record.label));
    let result: AccountRecord | undefined;
    await this.mutate((data) => {
      const entry = ensureProvider(data, record.providerID);
      if (entry.records.some((r) => r.id === record.id)) throw new RotaryError('bad-input', `The ${record.providerID} account ${record.id} is already in the pool.`);
      const restored = structuredClone(record);
      delete restored.health.needsReauth;
      entry.records.push(restored);
      entry.order[restored.namespace] = [...orderedIDs(entry, restored.namespace).filter((id) => id !== restored.id), restored.id];
      entry.active[restored.namespace] ??= restored.id;
      result = cloneRecord(restored);
    });
    return result!;
  }

  // ---------------------------------------------------------------- change tracking

  /** Called after any change, local or from another process. */
  onChange(listener: (change: PoolChange) => void): () => void {
    return this.sync.onChange(listener);
  }

  /** Watch the store file so changes made by another process (CLI ↔ app) show up live. */
  watch(): void {
    this.sync.watch();
  }

  /** Re-read the file (our pending bookkeeping stays applied on top). */
  reload(source: PoolChange['source'] = 'file'): Promise<void> {
    return this.sync.reload(source);
  }

  /** Write out batched bookkeeping now (tests, shutdown). */
  flush(): Promise<void> {
    return this.sync.flush();
  }

  close(): Promise<void> {
    return this.sync.close();
  }

  private mutate(change: (data: StoreData) => void | Promise<void>): Promise<void> {
    return this.sync.mutate(change);
  }
}

function refuseUnsafe(problem: string | undefined): void {
  if (problem) throw new RotaryError('bad-input', problem);
}

function ensureProvider(data: StoreData, providerID: ProviderID): ProviderEntry {
  return (data.providers[providerID] ??= { active: {}, order: {}, switchSeq: 0, records: [] });
}

function requireRecord(data: StoreData, providerID: ProviderID, recordID: string): AccountRecord {
  const record = data.providers[providerID]?.records.find((r) => r.id === recordID);
  if (!record) throw notFound(providerID, recordID);
  return record;
}

function notFound(providerID: string, recordID: string): RotaryError {
  return new RotaryError('not-found', `No ${providerID} account with id ${recordID}.`);
}

/** "Account N" with the smallest N not already taken. */
function nextAccountLabel(records: AccountRecord[]): string {
  const taken = new Set(records.map((r) => r.label));
  for (let n = records.length + 1; ; n++) if (!taken.has(`Account ${n}`)) return `Account ${n}`;
}

function cloneRecord(record: AccountRecord): AccountRecord {
  return structuredClone(record);
}
