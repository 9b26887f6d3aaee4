/**
 * Cross-process safety of the store + keychain: concurrent writers, a writer killed
 * mid-way, a corrupted store file. Child processes run the real core under plain Node.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STORE_SCHEMA_VERSION } from '../../electron/core/pool/store-schema.js';
import { openCore } from '../../electron/core/runtime.js';
import { parseAccountSecretKey } from '../../electron/core/pool/vault.js';
import { hasSecretService } from '../helpers/keychain.js';
import { childEnv, makeTempHome } from '../helpers/temp-home.js';

const root = path.resolve(__dirname, '../..');
const fixture = path.join(__dirname, 'fixtures/add-accounts.ts');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function startAdder(home: string, count: number, prefix: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, String(count), prefix], {
    cwd: root,
    env: childEnv({ ROTARY_HOME: home }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

async function openTemp() {
  const { home, cleanup } = makeTempHome();
  const core = await openCore({ home, env: { ...process.env, ROTARY_HOME: home } });
  cleanups.push(cleanup, async () => {
    for (const key of await core.vault.list()) await core.vault.delete(key);
    await core.close();
  });
  return { home, core };
}

describe.runIf(hasSecretService)('cross-process pool', () => {
  it('two processes adding 50 accounts each end with 100 accounts and 100 secrets', async () => {
    const { home, core } = await openTemp();
    const a = startAdder(home, 50, 'a');
    const b = startAdder(home, 50, 'b');
    const [codeA, codeB] = await Promise.all([a.exited, b.exited]);
    expect(codeA, a.stderr()).toBe(0);
    expect(codeB, b.stderr()).toBe(0);
    await core.pool.reload();
    const records = core.pool.snapshot('anthropic').records;
    expect(records).toHaveLength(100);
    expect(new Set(records.map((r) => r.label)).size).toBe(100);
    const keys = (await core.vault.list()).filter((k) => parseAccountSecretKey(k));
    expect(keys).toHaveLength(100);
    expect(new Set(keys.map((k) => parseAccountSecretKey(k)!.recordID))).toEqual(new Set(records.map((r) => r.id)));
  }, 120_000);

  it('a start-up reconcile in another process never deletes the secret of an add in flight', async () => {
    const { home, core } = await openTemp();
    const adder = startAdder(home, 40, 'r');
    let done = false;
    void adder.exited.then(() => (done = true));
    while (!done) await core.pool.reconcile();
    expect(await adder.exited, adder.stderr()).toBe(0);
    await core.pool.reload();
    const records = core.pool.snapshot('anthropic').records;
    expect(records).toHaveLength(40);
    for (const r of records) expect(await core.pool.getSecret('anthropic', r.id), r.label).toBeDefined();
    expect(records.filter((r) => r.health.needsReauth)).toEqual([]);
  }, 120_000);

  it('a process killed (SIGKILL) mid-writes leaves a loadable store and no orphan secret', async () => {
    const { home, core } = await openTemp();
    const adder = startAdder(home, 0, 'k');
    // Let it get well into its writes, then kill it without warning.
    await new Promise<void>((resolve) => {
      let lines = 0;
      adder.child.stdout.on('data', (d: Buffer) => {
        lines += d.toString().split('\n').filter(Boolean).length;
        if (lines >= 15) resolve();
      });
    });
    adder.child.kill('SIGKILL');
    await adder.exited;

    // A fresh process opening the pool runs the start-up reconcile.
    const reopened = await openCore({ home, env: { ...process.env, ROTARY_HOME: home } });
    cleanups.push(() => reopened.close());
    const records = reopened.pool.snapshot('anthropic').records;
    expect(records.length).toBeGreaterThanOrEqual(15);
    const ids = new Set(records.map((r) => r.id));
    const keys = (await reopened.vault.list()).map(parseAccountSecretKey).filter(Boolean);
    expect(keys.every((k) => ids.has(k!.recordID))).toBe(true);
    // Every record that survived still has its secret (secret first, then metadata).
    for (const r of records) expect(await reopened.pool.getSecret('anthropic', r.id)).toBeDefined();
    expect(fs.readdirSync(home).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    void core;
  }, 60_000);
});

describe('corrupted store file', () => {
  it('is moved aside, restored from the last good copy, and the user is told', async () => {
    const { home, cleanup } = makeTempHome();
    cleanups.push(cleanup);
    const env = { ROTARY_HOME: home, ROTARY_SECRET_BACKEND: 'file' };
    const first = await openCore({ home, env, warn: () => undefined });
    const record = await first.pool.add({ providerID: 'anthropic', secret: { access: 'sk-ant-oat01-keep' } });
    await first.close();

    const storePath = path.join(home, 'rotary.json');
    fs.writeFileSync(storePath, '{"schemaVersion": 1, "providers": {');
    const second = await openCore({ home, env, warn: () => undefined });
    cleanups.push(() => second.close());
    const notices = second.store.pendingNotices();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ kind: 'restored-from-backup', restoredFrom: `${storePath}.bak` });
    expect(notices[0]!.message).toMatch(/restored it from the last good copy \(1 account/);
    expect(fs.readFileSync(notices[0]!.backupPath, 'utf8')).toBe('{"schemaVersion": 1, "providers": {');
    expect(second.pool.getAccounts('anthropic').map((a) => a.id)).toEqual([record.id]);
    expect(await second.vault.get(`account:anthropic:${record.id}`)).toContain('sk-ant-oat01-keep');
    // The store works again after recovery.
    await second.pool.add({ providerID: 'openai', secret: { access: 'x' } });
    expect(JSON.parse(fs.readFileSync(storePath, 'utf8')).providers.openai.records).toHaveLength(1);
  });

  it('without any good copy it starts empty, says so, and keeps every secret', async () => {
    const { home, cleanup } = makeTempHome();
    cleanups.push(cleanup);
    const env = { ROTARY_HOME: home, ROTARY_SECRET_BACKEND: 'file' };
    const first = await openCore({ home, env, warn: () => undefined });
    const record = await first.pool.add({ providerID: 'anthropic', secret: { access: 'sk-ant-oat01-keep' } });
    await first.close();
    const storePath = path.join(home, 'rotary.json');
    for (const f of fs.readdirSync(home).filter((n) => n.startsWith('rotary.json.bak'))) fs.rmSync(path.join(home, f));
    fs.writeFileSync(storePath, '{ not json');
    const second = await openCore({ home, env, warn: () => undefined });
    cleanups.push(() => second.close());
    expect(second.store.pendingNotices()[0]).toMatchObject({ kind: 'recovered-corrupt-file', message: expect.stringMatching(/could not be read.*rotary doctor/) });
    expect(second.pool.providers()).toEqual([]);
    // Start-up reconcile ran (openCore default): the orphan secret is kept.
    expect(await second.vault.get(`account:anthropic:${record.id}`)).toContain('sk-ant-oat01-keep');
    await second.close();
    // The next start finds a readable, empty store and no notice of its own (issue 11 #1: the gateway's
    // second start deleted every secret): its reconcile must keep the orphan too.
    const third = await openCore({ home, env, warn: () => undefined });
    cleanups.push(() => third.close());
    expect(third.store.pendingNotices()).toEqual([]);
    expect(await third.vault.get(`account:anthropic:${record.id}`)).toContain('sk-ant-oat01-keep');
  });

  it('a file of the wrong shape is also backed up, never silently overwritten', async () => {
    const { home, cleanup } = makeTempHome();
    cleanups.push(cleanup);
    fs.writeFileSync(path.join(home, 'rotary.json'), JSON.stringify({ schemaVersion: 1, providers: { anthropic: { records: 'oops' } } }));
    const core = await openCore({ home, env: { ROTARY_SECRET_BACKEND: 'file' }, warn: () => undefined });
    cleanups.push(() => core.close());
    expect(core.store.pendingNotices()[0]?.message).toMatch(/expected shape/);
    expect(fs.readdirSync(home).some((f) => f.startsWith('rotary.json.corrupt-'))).toBe(true);
  });

  it('a file from a newer Rotary is refused, not rewritten', async () => {
    const { home, cleanup } = makeTempHome();
    cleanups.push(cleanup);
    const text = JSON.stringify({ schemaVersion: 99, providers: {} });
    fs.writeFileSync(path.join(home, 'rotary.json'), text);
    await expect(openCore({ home, env: { ROTARY_SECRET_BACKEND: 'file' }, warn: () => undefined })).rejects.toThrow(/newer Rotary/);
    expect(fs.readFileSync(path.join(home, 'rotary.json'), 'utf8')).toBe(text);
  });

  it('migrates a file without a schema version', async () => {
    const { home, cleanup } = makeTempHome();
    cleanups.push(cleanup);
    fs.writeFileSync(path.join(home, 'rotary.json'), '{}');
    const core = await openCore({ home, env: { ROTARY_SECRET_BACKEND: 'file' }, warn: () => undefined });
    cleanups.push(() => core.close());
    expect(core.store.pendingNotices()).toEqual([]);
    await core.pool.add({ providerID: 'anthropic', secret: { access: 'x' } });
    expect(JSON.parse(fs.readFileSync(path.join(home, 'rotary.json'), 'utf8')).schemaVersion).toBe(STORE_SCHEMA_VERSION);
  });

  it('migrates a version-1 file: accounts and the proactive threshold kept, the rotation settings filled in', async () => {
    const { home, cleanup } = makeTempHome();
    cleanups.push(cleanup);
    const record = { id: 'r1', providerID: 'anthropic', namespace: 'default', label: 'Work', createdAt: 1, updatedAt: 1, health: { successCount: 3, failureCount: 0 } };
    const v1 = { schemaVersion: 1, providers: { anthropic: { active: { default: 'r1' }, order: { default: ['r1'] }, switchSeq: 0, records: [record] } }, settings: { proactiveThreshold: 0.8 } };
    fs.writeFileSync(path.join(home, 'rotary.json'), JSON.stringify(v1));
    const core = await openCore({ home, env: { ROTARY_SECRET_BACKEND: 'file' }, warn: () => undefined, reconcile: false });
    cleanups.push(() => core.close());
    expect(core.pool.settings()).toEqual({ proactiveThreshold: 0.8, rotationPolicy: 'active-first', forecastLeadMinutes: 30 });
    expect(core.pool.getRecord('anthropic', 'r1')?.label).toBe('Work');
    await core.pool.updateSettings({ rotationPolicy: 'drain-soonest' });
    const written = JSON.parse(fs.readFileSync(path.join(home, 'rotary.json'), 'utf8'));
    expect(written.schemaVersion).toBe(2);
    expect(written.settings).toEqual({ proactiveThreshold: 0.8, rotationPolicy: 'drain-soonest', forecastLeadMinutes: 30 });
    expect(written.providers.anthropic.records[0].health.successCount).toBe(3);
    await expect(core.pool.updateSettings({ forecastLeadMinutes: 0 })).rejects.toThrow(/Invalid setting/);
  });
});
