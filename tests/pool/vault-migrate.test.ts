/**
 * `migrateSecrets` on real vaults (plain file, encrypted file, the real keychain under
 * scripts/with-keyring.sh): everything moves, a rerun finishes an interrupted run, a value
 * the source changes meanwhile is not lost, and a target that does not read back what was
 * written keeps the secret in the source. The SIGKILL runs through the real CLI are in
 * tests/cli/vault.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Vault } from '../../electron/core/pool/vault.js';
import { encryptedVaultPath, openEncryptedFileVault } from '../../electron/core/pool/vault-encrypted.js';
import { DEFAULT_KDF } from '../../electron/core/pool/vault-envelope.js';
import { createFileVault } from '../../electron/core/pool/vault-file.js';
import { migrateSecrets, type MigrationStep } from '../../electron/core/pool/vault-migrate.js';
import { hasSecretService, testKeychainVault } from '../helpers/keychain.js';
import { makeTempHome } from '../helpers/temp-home.js';
import { vaultContents } from '../helpers/vault-contents.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function home() {
  const h = makeTempHome('rotary-migrate-');
  cleanups.push(h.cleanup);
  return h.home;
}

const encrypted = (dir: string) => openEncryptedFileVault({ file: encryptedVaultPath(dir), passphrase: 'migration passphrase', kdf: { ...DEFAULT_KDF, N: 2 ** 10 } });

async function fill(vault: Vault, n: number): Promise<Record<string, string>> {
  const all: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const key = `account:anthropic:rec-${i}`;
    all[key] = JSON.stringify({ access: `sk-ant-oat01-token-${i}`, refresh: `sk-ant-ort01-refresh-${i}` });
    await vault.set(key, all[key]);
  }
  await vault.set('gateway:key', 'rk-gateway-key');
  all['gateway:key'] = 'rk-gateway-key';
  return all;
}

describe('migrateSecrets', () => {
  it('file → encrypted file moves every secret and leaves the source empty', async () => {
    const dir = home();
    const source = createFileVault(dir, () => undefined);
    const target = await encrypted(dir);
    const all = await fill(source, 6);
    const steps: MigrationStep[] = [];
    const result = await migrateSecrets(source, target, { onStep: (s) => steps.push(s) });
    expect(result).toEqual({ total: 7, copied: 7, present: 0 });
    expect(steps.map((s) => `${s.index}/${s.total}`)).toEqual(['1/7', '2/7', '3/7', '4/7', '5/7', '6/7', '7/7']);
    expect(await vaultContents(target)).toEqual(all);
    expect(await source.list()).toEqual([]);
  });

  it('a rerun after an interruption finishes: secrets already in the target are only removed from the source', async () => {
    const dir = home();
    const source = createFileVault(dir, () => undefined);
    const target = await encrypted(dir);
    const all = await fill(source, 4);
    // What a run killed between "written to the target" and "deleted from the source" leaves.
    await target.set('account:anthropic:rec-0', all['account:anthropic:rec-0']!);
    await target.set('account:anthropic:rec-1', all['account:anthropic:rec-1']!);
    await source.delete('account:anthropic:rec-0');
    // A stale copy in the target loses to the source's value.
    await target.set('account:anthropic:rec-2', 'stale');
    const result = await migrateSecrets(source, target);
    expect(result).toMatchObject({ total: 4, copied: 3, present: 1 });
    expect(await vaultContents(target)).toEqual(all);
    expect(await source.list()).toEqual([]);
    expect(await migrateSecrets(source, target)).toEqual({ total: 0, copied: 0, present: 0 });
  });

  it('a secret the source changes while it is copied (a token refresh) is copied again, never lost', async () => {
    const dir = home();
    const real = createFileVault(dir, () => undefined);
    await real.set('account:anthropic:a', 'v1');
    // The refresh is timed by wrapping the real target: it lands right after the target write.
    const target = await encrypted(dir);
    let refreshed = false;
    const racingTarget: Vault = {
      ...target,
      kind: target.kind,
      location: target.location,
      set: async (key, value) => {
        await target.set(key, value);
        if (!refreshed) {
          refreshed = true;
          await real.set(key, 'v2');
        }
      },
    };
    await migrateSecrets(real, racingTarget);
    expect(await target.get('account:anthropic:a')).toBe('v2');
    expect(await real.list()).toEqual([]);
  });

  it('a target that does not read back what was written keeps the secret in the source and says so', async () => {
    const dir = home();
    const source = createFileVault(dir, () => undefined);
    await source.set('account:anthropic:a', 'the-value');
    const target = await encrypted(dir);
    // A broken backend cannot be produced for real here; this one drops the last character on write.
    const lossy: Vault = { ...target, kind: target.kind, location: target.location, set: (key, value) => target.set(key, value.slice(0, -1)) };
    await expect(migrateSecrets(source, lossy)).rejects.toThrow(/did not return the secret "account:anthropic:a" as it was written, so it stays in .*nothing was deleted/);
    expect(await source.get('account:anthropic:a')).toBe('the-value');
  });

  it('refuses to move a vault onto itself', async () => {
    const dir = home();
    const v = createFileVault(dir, () => undefined);
    await expect(migrateSecrets(v, v)).rejects.toThrow(/same vault/);
  });

  it.runIf(hasSecretService)('file → keychain (real Secret Service)', async () => {
    const dir = home();
    const source = createFileVault(dir, () => undefined);
    const keychain = testKeychainVault('migrate-file');
    cleanups.push(async () => {
      for (const key of await keychain.list()) await keychain.delete(key);
    });
    const all = await fill(source, 3);
    await migrateSecrets(source, keychain);
    expect(await vaultContents(keychain)).toEqual(all);
    expect(await source.list()).toEqual([]);
  });
});
