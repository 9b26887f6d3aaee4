/**
 * `rotary doctor` (issue 11): what it finds, the fix it names, `--json`, the exit code, and the
 * repairs of `--fix` — a damaged store restored, an orphaned secret re-attached from a copy of
 * the store, secrets nobody can claim removed only after a confirmation (a real terminal in
 * tmux) or `--yes`, stale locks and temp files removed. Never a secret in the output. The real
 * keychain when the test runs under scripts/with-keyring.sh (else the file vault).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_SCHEMA_VERSION } from '../../electron/core/pool/store-schema.js';
import { accountSecretKey, keychainService } from '../../electron/core/pool/vault.js';
import { encryptedVaultPath } from '../../electron/core/pool/vault-encrypted.js';
import { startRuntime } from '../../electron/core/runtime.js';
import { hasSecretService } from '../helpers/keychain.js';
import { makeCliHome, runCli, runInProcess, expectNoSecrets, type CliHome } from './cli-helpers.js';
import { hasTmux, startInTmux, type TmuxCli } from './tmux.js';

const ACCESS = ['sk-ant-oat01-doctor-one-0123456789abcdef', 'sk-ant-oat01-doctor-two-0123456789abcdef', 'sk-ant-oat01-doctor-three-0123456789abc'];

/** A port nothing listens on for the length of the test. */
async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let h: CliHome;
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  h = makeCliHome();
  env = { ...h.env, ROTARY_GATEWAY_PORT: String(await freePort()) };
  const core = await h.open();
  for (const [i, access] of ACCESS.slice(0, 2).entries()) await core.pool.add({ providerID: 'anthropic', label: `Account ${i + 1}`, secret: { access } });
});
afterEach(async () => h.cleanup());

async function doctorJson(extra: string[] = [], e = env) {
  const res = await runInProcess(['doctor', '--json', ...extra], e);
  expectNoSecrets([res.stdout, res.stderr], ACCESS);
  return { code: res.code, report: JSON.parse(res.stdout) as { healthy: boolean; checks: Check[]; orphans: unknown[] }, stderr: res.stderr };
}
type Check = { id: string; status: string; message: string; fix?: string; details?: string[] };
const check = (report: { checks: Check[] }, id: string) => report.checks.find((c) => c.id === id)!;

describe('rotary doctor', () => {
  it('healthy home: exit 0, every check ok, the same in text and JSON', async () => {
    const text = await runInProcess(['doctor'], env);
    expect(text.code, text.stdout).toBe(0);
    expect(text.stdout).toMatch(/Everything looks healthy\./);
    expect(text.stdout).toContain(`readable (schema ${STORE_SCHEMA_VERSION}, 2 accounts)`);
    expect(text.stdout).toMatch(/last good copy: rotary\.json\.bak \(2 accounts/);
    expect(text.stdout).toMatch(/port \d+ is free/);
    const { code, report } = await doctorJson();
    expect(code).toBe(0);
    expect(report.healthy).toBe(true);
    expect(report.checks.map((c) => c.id)).toEqual(['store', 'last-good', 'vault', 'records', 'orphans', 'leftovers', 'gateway-port', 'secret-service']);
    expect(report.checks.every((c) => c.status === 'ok' || c.status === 'info')).toBe(true);
  });

  it('a damaged store: reported (file left alone), --fix restores it from the last good copy', async () => {
    const store = path.join(h.home, 'rotary.json');
    fs.writeFileSync(store, '{"schemaVersion":1,"provid');
    const { code, report } = await doctorJson();
    expect(code).toBe(1);
    expect(check(report, 'store')).toMatchObject({ status: 'problem', message: expect.stringMatching(/damaged \(it is not valid JSON/), fix: expect.stringMatching(/rotary doctor --fix .*restores it from rotary\.json\.bak/) });
    expect(fs.readFileSync(store, 'utf8')).toBe('{"schemaVersion":1,"provid');
    const fixed = await runInProcess(['doctor', '--fix'], env);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(fixed.stderr).toMatch(/restored it from the last good copy/);
    expect(JSON.parse(fs.readFileSync(store, 'utf8')).providers.anthropic.records).toHaveLength(2);
  });

  it('a store from a newer Rotary: problem with the fix named; --fix changes nothing', async () => {
    const store = path.join(h.home, 'rotary.json');
    const newer = JSON.stringify({ ...JSON.parse(fs.readFileSync(store, 'utf8')), schemaVersion: 99 });
    fs.writeFileSync(store, newer);
    const { code, report } = await doctorJson();
    expect(code).toBe(1);
    expect(check(report, 'store')).toMatchObject({ status: 'problem', message: expect.stringMatching(/newer Rotary/), fix: expect.stringMatching(/update Rotary/) });
    const fixed = await runInProcess(['doctor', '--fix'], env);
    expect(fixed.code).toBe(1);
    expect(fixed.stderr).toMatch(/newer Rotary; nothing was changed/);
    expect(fs.readFileSync(store, 'utf8')).toBe(newer);
  });

  it('orphaned secrets: the one whose record survives in a copy is re-attached, the other removed only with --yes', async () => {
    const core = await h.open();
    const store = path.join(h.home, 'rotary.json');
    const before = fs.readFileSync(store, 'utf8');
    // A third account whose record then gets lost: only a damaged copy of the store still names it.
    const third = await core.pool.add({ providerID: 'anthropic', label: 'third', secret: { access: ACCESS[2]! } });
    const withThird = JSON.parse(fs.readFileSync(store, 'utf8'));
    fs.writeFileSync(path.join(h.home, 'rotary.json.corrupt-2026-01-01T00-00-00-000Z'), JSON.stringify({ ...withThird, schemaVersion: -1 }));
    fs.writeFileSync(store, before);
    fs.writeFileSync(`${store}.bak`, before);
    fs.rmSync(`${store}.bak.1`, { force: true });
    // And a secret nobody can claim.
    await core.vault.set(accountSecretKey('anthropic', 'nobodys-record'), JSON.stringify({ access: 'sk-ant-oat01-nobody-0123456789abcdef' }));

    const { code, report } = await doctorJson();
    expect(code).toBe(1);
    const orphans = check(report, 'orphans');
    expect(orphans.status).toBe('problem');
    expect(orphans.message).toMatch(/2 secrets .* belong to no account/);
    expect(orphans.details!.join('\n')).toContain(`account:anthropic:${third.id}: its account "third" is in rotary.json.corrupt-2026-01-01T00-00-00-000Z, can be re-attached`);
    expect(orphans.details!.join('\n')).toContain('account:anthropic:nobodys-record: no copy of its account is left');
    expect(orphans.fix).toMatch(/rotary doctor --fix re-attaches 1 and asks before removing the rest \(add --yes in scripts\)/);

    // No terminal, no --yes: re-attached, but nothing removed; it says which flag to pass.
    const noYes = await runInProcess(['doctor', '--fix'], env);
    expect(noYes.code).toBe(1);
    expect(noYes.stdout).toMatch(/Re-attached anthropic account "third"/);
    expect(noYes.stdout).toMatch(/Kept 1 secret .*pass --yes to remove/);
    expect(await core.vault.get(accountSecretKey('anthropic', 'nobodys-record'))).toBeDefined();
    await core.pool.reload();
    expect(core.pool.getAccounts('anthropic').map((a) => a.label)).toEqual(['Account 1', 'Account 2', 'third']);

    const yes = await runInProcess(['doctor', '--fix', '--yes'], env);
    expect(yes.code, yes.stdout).toBe(0);
    expect(yes.stdout).toMatch(/Removed 1 secret/);
    expect(await core.vault.get(accountSecretKey('anthropic', 'nobodys-record'))).toBeUndefined();
    // The re-attached account is usable: its secret is the one it was added with.
    expect((await core.pool.getSecret('anthropic', third.id))?.access).toBe(ACCESS[2]);
    expectNoSecrets([noYes.stdout, noYes.stderr, yes.stdout, yes.stderr], ACCESS);
  });

  it('an account without its secret: problem, with the login command', async () => {
    const core = await h.open();
    const [first] = core.pool.getAccounts('anthropic');
    await core.vault.delete(accountSecretKey('anthropic', first!.id));
    const { code, report } = await doctorJson();
    expect(code).toBe(1);
    expect(check(report, 'records')).toMatchObject({ status: 'problem', details: [expect.stringContaining('"Account 1"')], fix: expect.stringContaining('rotary auth login anthropic') });
  });

  it('stale locks and old temp files: listed; --fix removes them', async () => {
    const lock = path.join(h.home, 'rotary.json.lock');
    const refreshLock = path.join(h.home, 'locks', 'refresh-x.lock');
    const temp = path.join(h.home, 'secrets.json.123.abc.tmp');
    fs.mkdirSync(lock);
    fs.mkdirSync(refreshLock, { recursive: true });
    fs.writeFileSync(temp, '{}');
    const old = new Date(Date.now() - 3_600_000);
    for (const p of [lock, refreshLock, temp]) fs.utimesSync(p, old, old);
    const { code, report } = await doctorJson();
    expect(code).toBe(1);
    expect(check(report, 'leftovers')).toMatchObject({ status: 'warn', details: expect.arrayContaining([`stale lock ${lock}`, `stale lock ${refreshLock}`, `temp file ${temp}`]) });
    const fixed = await runInProcess(['doctor', '--fix'], env);
    expect(fixed.code, fixed.stdout).toBe(0);
    for (const p of [lock, refreshLock, temp]) expect(fs.existsSync(p)).toBe(false);
  });

  it('gateway port: a Rotary gateway of this home, one with another key, another program', async () => {
    const runtime = await startRuntime({ env: { ...env, ROTARY_GATEWAY_PORT: '0' }, home: h.home, warn: () => undefined, gateway: { port: 0 } });
    const other = http.createServer((_req, res) => res.writeHead(404, { server: 'not-rotary' }).end('nope'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const ours = await doctorJson([], { ...env, ROTARY_GATEWAY_PORT: String(runtime.gateway!.port) });
      expect(check(ours.report, 'gateway-port')).toMatchObject({ status: 'ok', message: expect.stringMatching(/a Rotary gateway for this home is running/) });
      const otherKey = await doctorJson([], { ...env, ROTARY_GATEWAY_PORT: String(runtime.gateway!.port), ROTARY_GATEWAY_KEY: 'some-other-key-0123456789' });
      expect(check(otherKey.report, 'gateway-port')).toMatchObject({ status: 'warn', message: expect.stringMatching(/Rotary gateway with another key/) });
      const busy = await doctorJson([], { ...env, ROTARY_GATEWAY_PORT: String((other.address() as AddressInfo).port) });
      expect(busy.code).toBe(1);
      expect(check(busy.report, 'gateway-port')).toMatchObject({ status: 'problem', message: expect.stringMatching(/used by another program \(it answered HTTP 404 \(server: not-rotary\)\)/), fix: expect.stringMatching(/ROTARY_GATEWAY_PORT/) });
    } finally {
      await runtime.close();
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });
});

describe('rotary doctor: the vault check names the backend and says whether it is encrypted', () => {
  const homes: CliHome[] = [];
  afterEach(async () => {
    for (const x of homes.splice(0)) await x.cleanup();
  });

  /** A home on this backend holding one account; the doctor's vault check (JSON) and its line in the text report. */
  async function vaultCheckOn(backend: Record<string, string>) {
    const x = makeCliHome(backend);
    homes.push(x);
    const core = await x.open();
    await core.pool.add({ providerID: 'anthropic', label: 'Account 1', secret: { access: ACCESS[2]! } });
    const e = { ...x.env, ROTARY_GATEWAY_PORT: String(await freePort()) };
    const { report } = await doctorJson([], e);
    const text = await runInProcess(['doctor'], e);
    expectNoSecrets([text.stdout, text.stderr], ACCESS);
    const vault = check(report, 'vault');
    expect(text.stdout).toContain(`  ${vault.status.padEnd(7)}  ${vault.message}\n`);
    return { home: x.home, env: x.env, vault };
  }

  it('file: info, plain text', async () => {
    const { home, vault } = await vaultCheckOn({ ROTARY_SECRET_BACKEND: 'file' });
    expect(vault).toEqual({ id: 'vault', status: 'info', message: `file at ${path.join(home, 'secrets.json')} (protection: none: plain text (mode 0600)): 1 account secret` });
  });

  it('encrypted-file: ok, AES-256-GCM with the key from the passphrase by scrypt', async () => {
    const { home, vault } = await vaultCheckOn({ ROTARY_SECRET_BACKEND: 'encrypted-file', ROTARY_VAULT_PASSPHRASE: 'a long doctor passphrase', ROTARY_VAULT_KDF_COST: '10' });
    expect(vault).toEqual({
      id: 'vault',
      status: 'ok',
      message: `encrypted-file at ${encryptedVaultPath(home)} (protection: AES-256-GCM, key from a passphrase (scrypt N=2^10, r=8, p=1)): 1 account secret`,
    });
  });

  it.skipIf(!hasSecretService)('keychain (the Secret Service of scripts/with-keyring.sh): ok, the OS keychain', async () => {
    const { home, env: e, vault } = await vaultCheckOn({ ROTARY_SECRET_BACKEND: 'keychain' });
    expect(vault).toEqual({ id: 'vault', status: 'ok', message: `keychain at ${keychainService(home, e)} (protection: the OS keychain): 1 account secret` });
  });
});

describe('rotary doctor without a Secret Service (keychain backend, no D-Bus)', () => {
  it('says the keychain does not answer and how to fix it; exit 1', async () => {
    const res = await runCli(['doctor'], { ...env, ROTARY_SECRET_BACKEND: 'keychain', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/PROBLEM {2}the OS keychain does not answer: .*(Secret Service|ROTARY_SECRET_BACKEND=file)/);
    expect(res.stdout).toMatch(/PROBLEM {2}the keychain vault cannot be opened: /);
  });
});

describe.skipIf(!hasTmux)('rotary doctor --fix in a terminal', () => {
  let term: TmuxCli | undefined;
  afterAll(() => term?.close());

  it('asks before removing a secret nobody can claim (clack confirm), and removes it on yes', async () => {
    const core = await h.open();
    await core.vault.set(accountSecretKey('anthropic', 'unclaimed'), JSON.stringify({ access: 'sk-ant-oat01-unclaimed-0123456789abc' }));
    term = startInTmux(['doctor', '--fix'], env, h.home);
    const screen = await term.waitFor(/Remove 1 secret that belongs to no account/);
    expect(screen).toContain('account:anthropic:unclaimed');
    term.keys('y');
    await term.waitFor(/Removed 1 secret/);
    expect(await term.exitCode()).toBe(0);
    expect(await core.vault.get(accountSecretKey('anthropic', 'unclaimed'))).toBeUndefined();
    expect(term.screen()).not.toContain('sk-ant-oat01-unclaimed');
  });
});
