/**
 * The app's vault gate (what Electron main serves before the core is open), driven through
 * its service channels exactly as Electron IPC and the web transport call them: a locked
 * encrypted vault, a missing one, the first run without a Secret Service (a child process
 * with no reachable D-Bus) and a vault that opens by itself. Real files, real core.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCore, startRuntime, type Core } from '../../electron/core/runtime.js';
import type { AppService } from '../../electron/core/service/app-service.js';
import type { Vault } from '../../electron/core/pool/vault.js';
import { encryptedVaultPath } from '../../electron/core/pool/vault-encrypted.js';
import { createVaultGate } from '../../electron/core/service/vault-gate.js';
import type { Notice, PoolView } from '../../shared/ipc.js';
import { childEnv, makeTempHome } from '../helpers/temp-home.js';

const PASS = 'the app vault passphrase';
const ROOT = path.resolve(__dirname, '../..');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- results are read loosely; the contract schemas are dispatch's job
type Loose = any;

function setup(env: Record<string, string>, open?: (vault: Vault) => Promise<AppService>) {
  const { home, cleanup } = makeTempHome('rotary-gate-');
  cleanups.push(cleanup);
  const fullEnv: NodeJS.ProcessEnv = { ROTARY_HOME: home, ROTARY_VAULT_KDF_COST: '10', PATH: process.env.PATH, ...env };
  const cores: Core[] = [];
  cleanups.push(async () => {
    for (const c of cores) await c.close();
  });
  const openFull =
    open ??
    (async (vault: Vault) => {
      const runtime = await startRuntime({ home, env: fullEnv, vault, reconcile: false, service: { shell: 'electron', version: 'test', extra: { poolEventDelayMs: 5 } } });
      cores.push(runtime);
      return runtime.service!;
    });
  const opened: Vault[] = [];
  const gate = createVaultGate({
    home,
    env: fullEnv,
    warn: () => undefined,
    shell: 'electron',
    version: 'test',
    open: (vault) => {
      opened.push(vault);
      return openFull(vault);
    },
  });
  cleanups.push(() => gate.service.close());
  const payloads: string[] = [];
  const call = async (channel: string, input?: unknown): Promise<Loose> => {
    const r = await gate.service.call(channel, input);
    payloads.push(JSON.stringify(r));
    return r;
  };
  return { home, env: fullEnv, gate, call, payloads, opened, cores };
}

/** A home whose encrypted vault holds one account's token (added by an earlier run). */
async function lockedHome() {
  const s = setup({ ROTARY_SECRET_BACKEND: 'encrypted-file' });
  const earlier = await openCore({ home: s.home, env: { ...s.env, ROTARY_VAULT_PASSPHRASE: PASS }, reconcile: false });
  await earlier.pool.add({ providerID: 'anthropic', label: 'Work', secret: { access: 'sk-ant-oat01-gateGATEgate00001' } });
  await earlier.close();
  return s;
}

describe('vault gate', () => {
  it('locked: only the vault channels and app:info answer; wrong and bad passphrases change nothing; the right one opens the app', async () => {
    const s = await lockedHome();
    const file = encryptedVaultPath(s.home);
    const before = fs.readFileSync(file);
    let ready = false;
    void s.gate.ready.then(() => (ready = true));
    // The transport subscribes before unlocking; it must get the full service's events afterwards.
    const pools: PoolView[] = [];
    s.gate.service.events.on('events:pool', (p) => pools.push(p));

    expect(await s.gate.status()).toEqual({ state: 'locked', backend: 'encrypted-file', encrypted: true, location: file });
    expect((await s.call('app:info')).value).toMatchObject({ name: 'Rotary', version: 'test', shell: 'electron' });
    expect(await s.call('accounts:list')).toEqual({ ok: false, error: { code: 'unavailable', message: 'Rotary is locked: unlock the vault first.' } });

    const wrongType = await s.call('vault:unlock', { passphrase: 12345678 });
    expect(wrongType.error.code).toBe('bad-input');
    expect(wrongType.error.message).toMatch(/passphrase: .*expected string/i);
    expect((await s.call('vault:unlock', {})).error.code).toBe('bad-input');
    expect((await s.call('vault:unlock', { passphrase: 'x', extra: 1 })).error.code).toBe('bad-input');
    const huge = await s.call('vault:unlock', { passphrase: `${PASS}-`.repeat(60) });
    expect(huge.error.code).toBe('bad-input');
    expect(huge.error.message).not.toContain(PASS); // schema messages never echo the value
    expect((await s.call('vault:unlock', { passphrase: '' })).error).toEqual({ code: 'bad-input', message: 'The passphrase is empty. Enter the vault passphrase.' });
    const wrong = await s.call('vault:unlock', { passphrase: 'not it at all' });
    expect(wrong.error.code).toBe('unauthorized');
    expect(wrong.error.message).toContain(`Wrong passphrase for ${file}`);
    expect((await s.call('vault:create', { passphrase: PASS })).error.message).toMatch(/already exists at .*; unlock it/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(s.opened).toHaveLength(0);
    expect(ready).toBe(false);

    const unlocked = await s.call('vault:unlock', { passphrase: PASS });
    expect(unlocked).toEqual({ ok: true, value: { state: 'ready', backend: 'encrypted-file', encrypted: true, location: file } });
    expect(ready).toBe(true);
    const list = await s.call('accounts:list');
    expect(list.value.providers[0].accounts.map((a: Loose) => a.label)).toEqual(['Work']);
    expect((await s.call('vault:status')).value.state).toBe('ready');
    // A second unlock is harmless, and no second core is opened.
    expect((await s.call('vault:unlock', { passphrase: PASS })).value.state).toBe('ready');
    expect(s.opened).toHaveLength(1);

    await s.call('accounts:relabel', { providerID: 'anthropic', recordID: list.value.providers[0].accounts[0].id, label: 'Renamed' });
    await expect.poll(() => pools.at(-1)?.providers[0]?.accounts[0]?.label).toBe('Renamed');

    // The passphrase and the token never come back in any answer.
    for (const text of s.payloads) {
      expect(text).not.toContain(PASS);
      expect(text).not.toContain('not it at all');
      expect(text).not.toContain('sk-ant-oat01-gateGATEgate00001');
    }
  });

  it('missing (encrypted vault chosen, none yet): a new passphrase creates it; too short is refused; nothing saved in vault.json', async () => {
    const s = setup({ ROTARY_SECRET_BACKEND: 'encrypted-file' });
    const file = encryptedVaultPath(s.home);
    expect((await s.call('vault:status')).value).toEqual({ state: 'missing', backend: 'encrypted-file', encrypted: true, location: file });
    expect((await s.call('vault:unlock', { passphrase: PASS })).error.message).toMatch(/no encrypted vault at .* yet; create one/);
    const short = await s.call('vault:create', { passphrase: 'short' });
    expect(short.error).toEqual({ code: 'bad-input', message: 'The passphrase is too short: use at least 8 characters (a few words is best).' });
    expect(fs.existsSync(file)).toBe(false);
    expect((await s.call('vault:create', { passphrase: PASS })).value.state).toBe('ready');
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.existsSync(path.join(s.home, 'vault.json'))).toBe(false);
    expect((await s.call('accounts:list')).ok).toBe(true);
  });

  it('opens by itself when nobody has to type anything (passphrase in the environment, or the file backend)', async () => {
    const s = setup({ ROTARY_SECRET_BACKEND: 'encrypted-file', ROTARY_VAULT_PASSPHRASE: PASS });
    expect((await s.gate.status()).state).toBe('ready');
    await s.gate.ready;
    expect((await s.call('accounts:list')).ok).toBe(true);

    const f = setup({ ROTARY_SECRET_BACKEND: 'file' });
    expect(await f.gate.status()).toMatchObject({ state: 'ready', backend: 'file', encrypted: false });
  });

  it('a wrong passphrase in the environment or a bad backend name is shown as unavailable with the reason', async () => {
    const s = await lockedHome();
    s.env.ROTARY_VAULT_PASSPHRASE = 'wrong one, from the env';
    const status = await s.gate.status();
    expect(status.state).toBe('unavailable');
    expect(status.message).toMatch(/Wrong passphrase for/);
    s.env.ROTARY_SECRET_BACKEND = 'floppy';
    expect((await s.gate.status()).message).toMatch(/ROTARY_SECRET_BACKEND must be/);
  });

  it('when opening the app fails after the unlock (a store from a newer Rotary), the UI is told why and can try again', async () => {
    const s = await lockedHome();
    const store = path.join(s.home, 'rotary.json');
    const good = fs.readFileSync(store);
    fs.writeFileSync(store, JSON.stringify({ schemaVersion: 99, providers: {} }));
    const first = await s.call('vault:unlock', { passphrase: PASS });
    expect(first.ok).toBe(false);
    expect(first.error.message).toMatch(/newer Rotary/);
    fs.writeFileSync(store, good);
    expect((await s.call('vault:unlock', { passphrase: PASS })).value.state).toBe('ready');
    expect((await s.call('accounts:list')).value.providers[0].accounts).toHaveLength(1);
  });

  it('first run without a Secret Service: offers a new encrypted vault, creates it and saves the choice', () => {
    const { home, cleanup } = makeTempHome('rotary-gate-offer-');
    cleanups.push(cleanup);
    const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures/vault-gate-offer.ts'), PASS], {
      cwd: ROOT,
      env: childEnv({ ROTARY_HOME: home, ROTARY_VAULT_KDF_COST: '10', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/rotary-no-bus' }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    const lines = Object.fromEntries(
      result.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { label: string; value: Loose })
        .map((l) => [l.label, l.value]),
    );
    expect(lines.status, result.stderr).toMatchObject({ ok: true, value: { state: 'missing', backend: 'encrypted-file', location: encryptedVaultPath(home) } });
    expect(lines.status.value.message).toMatch(/No Secret Service is running/);
    expect(lines.short.error.code).toBe('bad-input');
    expect(lines.create).toMatchObject({ ok: true, value: { state: 'ready', backend: 'encrypted-file' } });
    expect(lines.accounts.ok).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(home, 'vault.json'), 'utf8'))).toEqual({ backend: 'encrypted-file' });
    expect(result.stdout).not.toContain(PASS);
  });

  it('notices raised while locked reach the transport', async () => {
    const s = await lockedHome();
    const notices: Notice[] = [];
    s.gate.service.events.on('events:notice', (n) => notices.push(n));
    s.gate.service.notify({ level: 'warning', code: 'vault', message: 'hello' });
    expect(notices.map((n) => n.message)).toEqual(['hello']);
  });
});
