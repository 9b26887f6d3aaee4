/**
 * Pool semantics (PRODUCT §2) over a real store file and the real keychain.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountPool } from '../../electron/core/pool/account-pool.js';
import { isAvailable } from '../../electron/core/pool/order.js';
import { createConfBackend, PoolStore } from '../../electron/core/pool/store.js';
import { accountSecretKey, type Vault } from '../../electron/core/pool/vault.js';
import { testKeychainVault, hasSecretService } from '../helpers/keychain.js';
import { makeTempHome } from '../helpers/temp-home.js';

let home: string;
let cleanup: () => void;
let vault: Vault;
let now = 1_800_000_000_000;
let pool: AccountPool;

async function openPool(): Promise<AccountPool> {
  return AccountPool.open({ store: new PoolStore(createConfBackend(home)), vault, now: () => now });
}

const secret = (n: number) => ({ access: `sk-ant-oat01-test-${n}`, refresh: `sk-ant-ort01-test-${n}`, expires: now + 3_600_000 });

describe.runIf(hasSecretService)('AccountPool', () => {
  beforeEach(async () => {
    ({ home, cleanup } = makeTempHome());
    vault = testKeychainVault('pool');
    now = 1_800_000_000_000;
    pool = await openPool();
  });
  afterEach(async () => {
    await pool.close();
    for (const key of await vault.list()) await vault.delete(key);
    cleanup();
  });

  it('adds accounts with default labels, secret in the vault and never in the store file', async () => {
    const a = await pool.add({ providerID: 'anthropic', secret: secret(1), email: 'a@example.com' });
    const b = await pool.add({ providerID: 'anthropic', secret: secret(2) });
    expect(a.label).toBe('a@example.com');
    expect(b.label).toBe('Account 2');
    expect(await vault.get(accountSecretKey('anthropic', a.id))).toContain('sk-ant-oat01-test-1');
    const fileText = JSON.stringify(await pool.store.read());
    expect(fileText).not.toContain('sk-ant-o');
    expect(pool.providers()).toEqual([{ providerID: 'anthropic', count: 2 }]);
  });

  it('lists providers alphabetically', async () => {
    await pool.add({ providerID: 'openai', secret: secret(1) });
    await pool.add({ providerID: 'anthropic', secret: secret(2) });
    await pool.add({ providerID: 'github-copilot', secret: secret(3) });
    expect(pool.providers().map((p) => p.providerID)).toEqual(['anthropic', 'github-copilot', 'openai']);
  });

  it('re-adding the same provider identity updates instead of duplicating', async () => {
    const first = await pool.add({ providerID: 'anthropic', accountId: 'uuid-1', secret: secret(1) });
    const again = await pool.add({ providerID: 'anthropic', accountId: 'uuid-1', secret: secret(9) });
    expect(again.id).toBe(first.id);
    expect(pool.snapshot('anthropic').records).toHaveLength(1);
    expect((await pool.getSecret('anthropic', first.id))?.access).toBe('sk-ant-oat01-test-9');
  });

  it('setActive makes the account active and leaves the user\'s order alone', async () => {
    const a = await pool.add({ providerID: 'anthropic', secret: secret(1) });
    const b = await pool.add({ providerID: 'anthropic', secret: secret(2) });
    const c = await pool.add({ providerID: 'anthropic', secret: secret(3) });
    expect(pool.snapshot('anthropic')).toMatchObject({ activeID: a.id, orderedIDs: [a.id, b.id, c.id] });
    const seqBefore = pool.switchSeq('anthropic');
    await pool.setActive('anthropic', 'default', c.id);
    expect(pool.snapshot('anthropic')).toMatchObject({ activeID: c.id, orderedIDs: [a.id, b.id, c.id] });
    expect(pool.switchSeq('anthropic')).toBe(seqBefore + 1);
    const accounts = pool.getAccounts('anthropic');
    expect(accounts.filter((x) => x.isActive).map((x) => x.id)).toEqual([c.id]);
    expect(accounts.map((x) => x.id)).toEqual([a.id, b.id, c.id]);
  });

  it('moveToBack hands the active role to the next available account in the user\'s cyclic order; the order stays', async () => {
    const a = await pool.add({ providerID: 'anthropic', secret: secret(1) });
    const b = await pool.add({ providerID: 'anthropic', secret: secret(2) });
    const c = await pool.add({ providerID: 'anthropic', secret: secret(3) });
    await pool.setActive('anthropic', 'default', b.id);
    pool.recordOutcome({ providerID: 'anthropic', recordID: c.id, ok: false, status: 429, cooldownUntil: now + 60_000 });
    pool.moveToBack('anthropic', 'default', b.id);
    // After B comes C (cooling), then A: A becomes active; the order is untouched.
    expect(pool.snapshot('anthropic')).toMatchObject({ activeID: a.id, orderedIDs: [a.id, b.id, c.id] });
    // A failing account that is not the active one (a bound conversation's) changes nothing.
    pool.moveToBack('anthropic', 'default', c.id);
    expect(pool.snapshot('anthropic').activeID).toBe(a.id);
    await pool.flush();
    const reopened = await openPool();
    expect(reopened.snapshot('anthropic')).toMatchObject({ activeID: a.id, orderedIDs: [a.id, b.id, c.id] });
    await reopened.close();
  });

  it('reorder sets the user\'s order; a list that is not every account exactly once is refused', async () => {
    const a = await pool.add({ providerID: 'anthropic', secret: secret(1) });
    const b = await pool.add({ providerID: 'anthropic', secret: secret(2) });
    const c = await pool.add({ providerID: 'anthropic', secret: secret(3) });
    await pool.reorder('anthropic', 'default', [c.id, a.id, b.id]);
    expect(pool.getAccounts('anthropic').map((x) => x.id)).toEqual([c.id, a.id, b.id]);
    for (const bad of [[c.id, a.id], [c.id, a.id, a.id], [c.id, a.id, 'nope'], [a.id, b.id, c.id, 'extra']]) {
      await expect(pool.reorder('anthropic', 'default', bad)).rejects.toThrow(/exactly once/);
    }
    expect(pool.snapshot('anthropic').orderedIDs).toEqual([c.id, a.id, b.id]);
    const reopened = await openPool();
    expect(reopened.snapshot('anthropic').orderedIDs).toEqual([c.id, a.id, b.id]);
    await reopened.close();
  });

  it('removing the active account picks a new active one and deletes its secret', async () => {
    const a = await pool.add({ providerID: 'anthropic', secret: secret(1) });
    const b = await pool.add({ providerID: 'anthropic', secret: secret(2) });
    expect(await pool.removeRecord('anthropic', a.id)).toEqual({ remaining: 1 });
    expect(pool.snapshot('anthropic')).toMatchObject({ activeID: b.id, orderedIDs: [b.id] });
    expect(await vault.get(accountSecretKey('anthropic', a.id))).toBeUndefined();
  });

  it('removing the last account leaves a clean provider entry', async () => {
    const a = await pool.add({ providerID: 'anthropic', secret: secret(1) });
    await pool.add({ providerID: 'openai', secret: secret(2) });
    expect(await pool.removeRecord('anthropic', a.id)).toEqual({ remaining: 0 });
    const data = await pool.store.read();
    expect(data.providers.anthropic).toBeUndefined();
    expect(pool.snapshot('anthropic')).toEqual({ records: [], orderedIDs: [], activeID: undefined });
    expect(pool.providers()).toEqual([{ providerID: 'openai', count: 1 }]);
    expect(await vault.list()).toHaveLength(1);
  });

  it('unknown accounts give a not-found error and change nothing', async () => {
    await pool.add({ providerID: 'anthropic', secret: secret(1) });
    const before = JSON.stringify(await pool.store.read());
    await expect(pool.setActive('anthropic', 'default', 'nope')).rejects.toMatchObject({ code: 'not-found' });
    await expect(pool.removeRecord('anthropic', 'nope')).rejects.toMatchObject({ code: 'not-found' });
    expect(JSON.stringify(await pool.store.read())).toBe(before);
  });

  it('cooldowns expire on their own and are never shortened by a vaguer 429', async () => {
    const a = await pool.add({ providerID: 'anthropic', secret: secret(1) });
    const b = await pool.add({ providerID: 'anthropic', secret: secret(2) });
    pool.recordOutcome({ providerID: 'anthropic', recordID: a.id, ok: false, status: 429, cooldownUntil: now + 60_000, cooldownReason: 'five_hour' });
    pool.recordOutcome({ providerID: 'anthropic', recordID: a.id, ok: false, status: 429, cooldownUntil: now + 30_000 });
    let view = pool.getAccounts('anthropic').find((x) => x.id === a.id)!;
    expect(view.status).toEqual({ kind: 'cooling', until: now + 60_000, reason: 'five_hour' });
    expect(view.health.failureCount).toBe(2);
    // The active fallback skips a cooling account when the stored one is gone.
    now += 60_001;
    view = pool.getAccounts('anthropic').find((x) => x.id === a.id)!;
    expect(view.status).toEqual({ kind: 'ok' });
    pool.recordOutcome({ providerID: 'anthropic', recordID: b.id, ok: true, status: 200 });
    expect(pool.getRecord('anthropic', b.id)!.health.successCount).toBe(1);
  });

  it('model-family cooldowns: the account stays available for other families; a success or the user ends them', async () => {
    const a = await pool.add({ providerID: 'anthropic', secret: secret(1) });
    pool.recordOutcome({ providerID: 'anthropic', recordID: a.id, ok: false, status: 429, cooldownUntil: now + 60_000, scope: 'sonnet' });
    pool.recordOutcome({ providerID: 'anthropic', recordID: a.id, ok: false, status: 429, cooldownUntil: now + 1_000, scope: 'sonnet' });
    let record = pool.getRecord('anthropic', a.id)!;
    expect(record.health.scopedCooldowns).toEqual({ sonnet: { until: now + 60_000 } });
    expect(isAvailable(record, now)).toBe(true);
    expect(isAvailable(record, now, 'opus')).toBe(true);
    expect(isAvailable(record, now, 'sonnet')).toBe(false);
    expect(pool.getAccounts('anthropic')[0]!.status).toEqual({ kind: 'ok' });

    pool.recordOutcome({ providerID: 'anthropic', recordID: a.id, ok: true, status: 200, scope: 'sonnet' });
    expect(pool.getRecord('anthropic', a.id)!.health.scopedCooldowns).toBeUndefined();

    pool.recordOutcome({ providerID: 'anthropic', recordID: a.id, ok: false, status: 429, cooldownUntil: now + 60_000, scope: 'opus' });
    await pool.clearCooldown('anthropic', a.id);
    record = pool.getRecord('anthropic', a.id)!;
    expect(record.health.scopedCooldowns).toBeUndefined();
    expect(isAvailable(record, now, 'opus')).toBe(true);
  });

  it('a success clears the cooldown; clearCooldown does it by hand and persists', async () => {
    const a = await pool.add({ providerID: 'anthropic', secret: secret(1) });
    pool.recordOutcome({ providerID: 'anthropic', recordID: a.id, ok: false, status: 429, cooldownUntil: now + 60_000 });
    await pool.clearCooldown('anthropic', a.id);
    const reopened = await openPool();
    expect(reopened.getAccounts('anthropic')[0]!.status).toEqual({ kind: 'ok' });
    expect(reopened.getRecord('anthropic', a.id)!.health.failureCount).toBe(1);
    await reopened.close();
  });

  it('batches per-request bookkeeping instead of writing each time', async () => {
    const a = await pool.add({ providerID: 'anthropic', secret: secret(1) });
    for (let i = 0; i < 100; i++) pool.recordOutcome({ providerID: 'anthropic', recordID: a.id, ok: true, status: 200 });
    // Not on disk yet…
    expect((await pool.store.read()).providers.anthropic!.records[0]!.health.successCount).toBe(0);
    // …but visible in memory, and written by one flush.
    expect(pool.getRecord('anthropic', a.id)!.health.successCount).toBe(100);
    await pool.flush();
    expect((await pool.store.read()).providers.anthropic!.records[0]!.health.successCount).toBe(100);
  });

  it('coalesced successes, usage and a later failure all land in the file in order', async () => {
    const a = await pool.add({ providerID: 'anthropic', secret: secret(1) });
    for (let i = 0; i < 50; i++) pool.recordOutcome({ providerID: 'anthropic', recordID: a.id, ok: true, status: 200 });
    const usage = (pct: number) => ({ windows: [{ key: 'five_hour', label: '5-hour', percentUsed: pct }], asOf: now, source: 'headers' as const });
    pool.setUsage('anthropic', a.id, usage(10));
    pool.setUsage('anthropic', a.id, usage(20));
    pool.recordOutcome({ providerID: 'anthropic', recordID: a.id, ok: false, status: 429, cooldownUntil: now + 1000 });
    // A reload from disk (another process wrote) keeps what is still pending on top.
    await pool.reload('file');
    expect(pool.getRecord('anthropic', a.id)!.health).toMatchObject({ successCount: 50, failureCount: 1, lastStatus: 429 });
    await pool.flush();
    const onDisk = (await pool.store.read()).providers.anthropic!.records[0]!;
    expect(onDisk.health).toMatchObject({ successCount: 50, failureCount: 1, lastStatus: 429, cooldownUntil: now + 1000 });
    expect(onDisk.usage?.windows[0]?.percentUsed).toBe(20);
  });

  it('reconcile deletes orphan secrets and flags records without a secret', async () => {
    const a = await pool.add({ providerID: 'anthropic', secret: secret(1) });
    await vault.set(accountSecretKey('anthropic', 'orphan'), JSON.stringify(secret(7)));
    await vault.delete(accountSecretKey('anthropic', a.id));
    expect(await pool.reconcile()).toEqual({ deletedSecrets: 1, markedNeedsReauth: 1 });
    expect(await vault.list()).toEqual([]);
    expect(pool.getAccounts('anthropic')[0]!.status).toEqual({ kind: 'needs-reauth' });
  });

  it('sees changes another process writes (watcher)', async () => {
    pool.watch();
    const other = await openPool();
    const changed = new Promise<void>((resolve) => pool.onChange((c) => c.source === 'file' && resolve()));
    const added = await other.add({ providerID: 'openai', secret: secret(5) });
    await changed;
    expect(pool.getRecord('openai', added.id)?.label).toBe('Account 1');
    await other.close();
  });
});
