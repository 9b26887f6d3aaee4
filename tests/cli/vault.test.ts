/**
 * `rotary vault status|migrate` and the vault prompts through the real CLI entry (child
 * processes, tmux for the terminal), against the real keychain (scripts/with-keyring.sh), the
 * encrypted file vault and the plain file backend. Includes the migration keychain →
 * encrypted file → keychain killed with SIGKILL midway, and the first run without a Secret
 * Service (a D-Bus address nothing listens on).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCore } from '../../electron/core/runtime.js';
import { keychainService } from '../../electron/core/pool/vault.js';
import { encryptedVaultPath, openEncryptedFileVault } from '../../electron/core/pool/vault-encrypted.js';
import { DEFAULT_KDF } from '../../electron/core/pool/vault-envelope.js';
import { createKeytarVault } from '../../electron/core/pool/vault-keytar.js';
import { hasSecretService } from '../helpers/keychain.js';
import { vaultContents } from '../helpers/vault-contents.js';
import { expectNoSecrets, makeCliHome, runCli, runInProcess, spawnCli, type CliHome } from './cli-helpers.js';
import { hasTmux, startInTmux, type TmuxCli } from './tmux.js';

const PASS = 'a long vault passphrase';
const FAST = { ROTARY_VAULT_KDF_COST: '10' };
const NO_BUS = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/rotary-no-bus' };

const homes: CliHome[] = [];
let term: TmuxCli | undefined;
const extraCleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  term?.close();
  term = undefined;
  for (const c of extraCleanups.splice(0)) await c();
  for (const h of homes.splice(0)) await h.cleanup();
});

function home(extra: Record<string, string> = {}): CliHome {
  const h = makeCliHome(extra);
  homes.push(h);
  return h;
}

const settings = (h: CliHome) => JSON.parse(fs.readFileSync(path.join(h.home, 'vault.json'), 'utf8')) as { backend: string };
const encryptedOf = (h: CliHome) => openEncryptedFileVault({ file: encryptedVaultPath(h.home), passphrase: PASS, kdf: { ...DEFAULT_KDF, N: 2 ** 10 }, create: false });

describe('rotary vault status', () => {
  it('file backend: backend, not encrypted, path, count; --json; never a value', async () => {
    const h = home({ ROTARY_SECRET_BACKEND: 'file' });
    const core = await h.open();
    await core.pool.add({ providerID: 'anthropic', label: 'a', secret: { access: 'sk-ant-oat01-statusSTATUSstatus01' } });
    await core.pool.add({ providerID: 'openai', label: 'b', secret: { access: 'sk-openai-statusSTATUS02' } });
    const text = await runCli(['vault', 'status'], h.env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Backend:    file');
    expect(text.stdout).toContain('Encrypted:  NO (none: plain text (mode 0600))');
    expect(text.stdout).toContain(`Location:   ${path.join(h.home, 'secrets.json')}`);
    expect(text.stdout).toContain('Secrets:    2');
    expect(text.stdout).toContain('Chosen by:  ROTARY_SECRET_BACKEND');
    const json = await runCli(['vault', 'status', '--json'], h.env);
    expect(JSON.parse(json.stdout)).toEqual({
      backend: 'file',
      encrypted: false,
      protection: 'none: plain text (mode 0600)',
      location: path.join(h.home, 'secrets.json'),
      count: 2,
      chosenBy: 'ROTARY_SECRET_BACKEND',
    });
    expectNoSecrets([text.stdout, text.stderr, json.stdout], ['sk-ant-oat01-statusSTATUSstatus01', 'sk-openai-statusSTATUS02']);
  });

  it('encrypted file vault: the passphrase from the environment, the cipher and KDF in the output', async () => {
    const h = home({ ROTARY_SECRET_BACKEND: 'encrypted-file', ROTARY_VAULT_PASSPHRASE: PASS, ...FAST });
    const core = await h.open();
    await core.pool.add({ providerID: 'anthropic', label: 'a', secret: { access: 'sk-ant-oat01-encSTATUSenc0001' } });
    const r = await runCli(['vault', 'status'], h.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Backend:    encrypted-file');
    expect(r.stdout).toContain('Encrypted:  yes (AES-256-GCM, key from a passphrase (scrypt N=2^10, r=8, p=1))');
    expect(r.stdout).toContain(`Location:   ${encryptedVaultPath(h.home)}`);
    expect(r.stdout).toContain('Secrets:    1');
    expectNoSecrets([r.stdout, r.stderr], ['sk-ant-oat01-encSTATUSenc0001', PASS]);
  });

  it('without a terminal and without a passphrase: exit 2, naming both variables; a wrong one: exit 1, file unchanged', async () => {
    const h = home({ ROTARY_SECRET_BACKEND: 'encrypted-file', ROTARY_VAULT_PASSPHRASE: PASS, ...FAST });
    await h.open(); // creates the vault
    const before = fs.readFileSync(encryptedVaultPath(h.home));
    const { ROTARY_VAULT_PASSPHRASE: _drop, ...noPass } = h.env;
    const none = await runCli(['auth', 'list'], noPass);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/needs its passphrase and there is no terminal to ask for it\. Set ROTARY_VAULT_PASSPHRASE, or ROTARY_VAULT_PASSPHRASE_FILE/);
    const wrong = await runCli(['vault', 'status'], { ...h.env, ROTARY_VAULT_PASSPHRASE: 'not the right one' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`rotary: Wrong passphrase for ${encryptedVaultPath(h.home)}; nothing was changed.`);
    expect(wrong.stderr).not.toContain('not the right one');
    const unreadable = await runCli(['vault', 'status'], { ...noPass, ROTARY_VAULT_PASSPHRASE_FILE: path.join(h.home, 'missing.txt') });
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toMatch(/Cannot read the passphrase file .*missing\.txt \(ROTARY_VAULT_PASSPHRASE_FILE\): it does not exist/);
    expect(fs.readFileSync(encryptedVaultPath(h.home)).equals(before)).toBe(true);
  });
});

describe('rotary vault migrate', () => {
  it('bad arguments are usage errors (exit 2) that say what to pass (in-process `run`)', async () => {
    const h = home({ ROTARY_SECRET_BACKEND: 'file' });
    const cases: Array<[string[], RegExp]> = [
      [['vault', 'migrate'], /needs --to keychain or --to encrypted-file/],
      [['vault', 'migrate', '--to', 'file'], /does not move tokens into the unencrypted file backend/],
      [['vault', 'migrate', '--to', 'floppy'], /--to must be keychain or encrypted-file, not "floppy"/],
      [['vault', 'migrate', '--to'], /option --to needs a value/],
      [['vault', 'frobnicate'], /unknown command `rotary vault frobnicate`/],
    ];
    for (const [args, message] of cases) {
      const r = await runInProcess(args, h.env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const help = await runInProcess(['vault', '--help'], h.env);
    expect(help.stdout).toMatch(/status[\s\S]*migrate[\s\S]*encrypted-file/);
  });

  it('file → encrypted file: every secret moves, vault.json picks the new backend, the env override is called out', async () => {
    const h = home({ ROTARY_SECRET_BACKEND: 'file', ROTARY_VAULT_PASSPHRASE: PASS, ...FAST });
    const core = await h.open();
    const a = await core.pool.add({ providerID: 'anthropic', label: 'a', secret: { access: 'sk-ant-oat01-moveMOVEmove00001' } });
    const b = await core.pool.add({ providerID: 'github-copilot', label: 'b', secret: { access: 'gho_moveMOVEmove00002xyz' } });
    await core.close();

    const r = await runCli(['vault', 'migrate', '--to', 'encrypted-file'], h.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Moved 2 secrets to encrypted-file\. Rotary now uses encrypted-file: saved in .*vault\.json/);
    expect(r.stderr).toMatch(/ROTARY_SECRET_BACKEND=file is set in this environment and wins over .*vault\.json; unset it or set it to encrypted-file/);
    expect(settings(h)).toEqual({ backend: 'encrypted-file' });
    expect(JSON.parse(fs.readFileSync(path.join(h.home, 'secrets.json'), 'utf8'))).toEqual({});
    expectNoSecrets([r.stdout, r.stderr], ['sk-ant-oat01-moveMOVEmove00001', 'gho_moveMOVEmove00002xyz']);

    // The next run, without the override, uses the encrypted vault and the accounts still have their tokens.
    const { ROTARY_SECRET_BACKEND: _drop, ...next } = h.env;
    const status = await runCli(['vault', 'status'], next);
    expect(status.stdout).toContain('Backend:    encrypted-file');
    expect(status.stdout).toContain(`Chosen by:  ${path.join(h.home, 'vault.json')}`);
    expect(status.stdout).toContain('Secrets:    2');
    const encrypted = await encryptedOf(h);
    expect(await encrypted.get(`account:anthropic:${a.id}`)).toContain('sk-ant-oat01-moveMOVEmove00001');
    expect(await encrypted.get(`account:github-copilot:${b.id}`)).toContain('gho_moveMOVEmove00002xyz');
    const again = await runCli(['vault', 'migrate', '--to', 'encrypted-file'], next);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already keeps tokens in encrypted-file .*nothing to move/);
  });

  it.runIf(hasSecretService)(
    'keychain → encrypted file → keychain, each killed with SIGKILL midway and rerun: every secret present exactly once at the end',
    async () => {
      const h = home({ ROTARY_VAULT_PASSPHRASE: PASS, ...FAST });
      const keychain = createKeytarVault(keychainService(h.home, h.env));
      extraCleanups.push(async () => {
        for (const key of await keychain.list()) await keychain.delete(key);
      });
      const expected: Record<string, string> = {};
      for (let i = 0; i < 14; i++) {
        expected[`account:anthropic:rec-${String(i).padStart(2, '0')}`] = JSON.stringify({ access: `sk-ant-oat01-kill${i}-${'k'.repeat(30)}`, refresh: `sk-ant-ort01-r${i}` });
      }
      for (const [key, value] of Object.entries(expected)) await keychain.set(key, value);

      /** Every secret is in the source, the target or both, always with its value. */
      const expectNothingLost = async () => {
        const inKeychain = await vaultContents(keychain);
        const inFile = fs.existsSync(encryptedVaultPath(h.home)) ? await vaultContents(await encryptedOf(h)) : {};
        for (const [key, value] of Object.entries(expected)) {
          expect(inKeychain[key] ?? inFile[key], key).toBe(value);
          if (inKeychain[key] !== undefined && inFile[key] !== undefined) expect(inKeychain[key]).toBe(inFile[key]);
        }
        expect(Object.keys({ ...inKeychain, ...inFile }).sort()).toEqual(Object.keys(expected).sort());
        return { inKeychain, inFile };
      };

      const killMidway = async (to: string, after: number) => {
        const run = spawnCli(['vault', 'migrate', '--to', to], h.env);
        await run.waitFor(new RegExp(` ${after}/14 `));
        run.child.kill('SIGKILL');
        await run.exited;
        return run.out.stdout;
      };

      // Keychain → encrypted file, killed after 5 secrets.
      const firstOut = await killMidway('encrypted-file', 5);
      expect(firstOut).not.toContain('Moved 14');
      let split = await expectNothingLost();
      expect(Object.keys(split.inFile).length).toBeGreaterThanOrEqual(5);
      expect(Object.keys(split.inKeychain).length).toBeGreaterThan(0); // it really was interrupted
      expect(fs.existsSync(path.join(h.home, 'vault.json'))).toBe(false); // the choice changes only at the end

      const finish = await runCli(['vault', 'migrate', '--to', 'encrypted-file'], h.env, { timeoutMs: 60_000 });
      expect(finish.code, finish.stderr).toBe(0);
      expect(settings(h)).toEqual({ backend: 'encrypted-file' });
      split = await expectNothingLost();
      expect(split.inKeychain).toEqual({});
      expect(split.inFile).toEqual(expected);

      // And back to the keychain, killed after 8.
      await killMidway('keychain', 8);
      split = await expectNothingLost();
      expect(Object.keys(split.inKeychain).length).toBeGreaterThanOrEqual(8);
      expect(Object.keys(split.inFile).length).toBeGreaterThan(0); // interrupted this time too
      expect(settings(h)).toEqual({ backend: 'encrypted-file' });
      const back = await runCli(['vault', 'migrate', '--to', 'keychain'], h.env, { timeoutMs: 60_000 });
      expect(back.code, back.stderr).toBe(0);
      expect(settings(h)).toEqual({ backend: 'keychain' });
      split = await expectNothingLost();
      expect(split.inFile).toEqual({});
      expect(split.inKeychain).toEqual(expected);
      const keys = await keychain.list();
      expect(keys).toHaveLength(14);
      expect(new Set(keys).size).toBe(14);

      const status = await runCli(['vault', 'status'], h.env);
      expect(status.stdout).toContain('Backend:    keychain');
      expect(status.stdout).toContain('Secrets:    14');
      expectNoSecrets([firstOut, finish.stdout, finish.stderr, back.stdout, back.stderr, status.stdout], Object.values(expected));
    },
    180_000,
  );
});

describe('first run without a Secret Service', () => {
  it('without a terminal: says what is missing and names the options (exit 1), changes nothing', async () => {
    const h = home(NO_BUS);
    const r = await runCli(['auth', 'list'], h.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No Secret Service is running/);
    expect(r.stderr).toMatch(/ROTARY_SECRET_BACKEND=encrypted-file with ROTARY_VAULT_PASSPHRASE or ROTARY_VAULT_PASSPHRASE_FILE/);
    expect(fs.readdirSync(h.home).filter((f) => f === 'vault.json' || f === 'secrets.enc')).toEqual([]);
  });

  it('with accounts already in the store it does not offer another vault: their tokens are in the keychain', async () => {
    const h = home(NO_BUS);
    // An account added earlier (its token went to a keychain that is not reachable now).
    const earlier = await openCore({ home: h.home, env: { ...h.env, ROTARY_SECRET_BACKEND: 'file' }, reconcile: false, warn: () => undefined });
    await earlier.pool.add({ providerID: 'anthropic', label: 'earlier', secret: { access: 'sk-ant-oat01-earlierEARLIER0001' } });
    await earlier.close();
    const r = await runCli(['auth', 'list'], h.env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No Secret Service is running.*in that keychain, so Rotary will not switch to another vault here.*rotary vault migrate --to encrypted-file/);
  });

  it('the encrypted vault chosen by ROTARY_SECRET_BACKEND works with no Secret Service at all', async () => {
    const h = home({ ...NO_BUS, ROTARY_SECRET_BACKEND: 'encrypted-file', ROTARY_VAULT_PASSPHRASE: PASS, ...FAST });
    const r = await runCli(['vault', 'status'], h.env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Backend:    encrypted-file');
  });

  it.runIf(hasTmux)('in a terminal: offers the encrypted vault, asks the passphrase twice (masked), saves the choice', async () => {
    const h = home({ ...NO_BUS, ...FAST });
    term = startInTmux(['auth', 'list'], h.env, h.home);
    const offer = await term.waitFor(/Create an encrypted file vault at .*secrets\.enc for your tokens instead\?/);
    expect(offer).toMatch(/No Secret Service is running/);
    term.keys('Enter');
    await term.waitFor(/New vault passphrase/);
    term.type('short');
    term.keys('Enter');
    await term.waitFor(/too short: use at least 8 characters/);
    term.type(PASS);
    term.keys('Enter');
    await term.waitFor(/Type it again/);
    term.type('something else');
    term.keys('Enter');
    await term.waitFor(/The two passphrases differ; try again/);
    term.type(PASS);
    term.keys('Enter');
    await term.waitFor(/Type it again[\s\S]*Type it again/);
    term.type(PASS);
    term.keys('Enter');
    const done = await term.waitFor(/now keeps tokens in .*secrets\.enc[\s\S]*No accounts/);
    expect(done).not.toContain(PASS);
    expect(await term.exitCode()).toBe(0);
    expect(settings(h)).toEqual({ backend: 'encrypted-file' });
    // The next run picks it up from vault.json; the passphrase now comes from the environment.
    const next = await runCli(['vault', 'status'], { ...h.env, ROTARY_VAULT_PASSPHRASE: PASS });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toContain(`Chosen by:  ${path.join(h.home, 'vault.json')}`);
    h.env.ROTARY_VAULT_PASSPHRASE = PASS; // for the clean-up, which opens the home's vault
  });

  it.runIf(hasTmux)('in a terminal: a wrong passphrase is asked again, the right one unlocks', async () => {
    const h = home({ ROTARY_SECRET_BACKEND: 'encrypted-file', ROTARY_VAULT_PASSPHRASE: PASS, ...FAST });
    await h.open();
    const { ROTARY_VAULT_PASSPHRASE: _drop, ...noPass } = h.env;
    term = startInTmux(['vault', 'status'], noPass, h.home);
    await term.waitFor(/Passphrase for .*secrets\.enc/);
    term.type('wrong passphrase');
    term.keys('Enter');
    await term.waitFor(/Wrong passphrase; try again \(2 left\)/);
    term.type(PASS);
    term.keys('Enter');
    const screen = await term.waitFor(/Secrets: +0/);
    expect(screen).not.toContain(PASS);
    expect(screen).not.toContain('wrong passphrase');
    expect(await term.exitCode()).toBe(0);
  });
});
