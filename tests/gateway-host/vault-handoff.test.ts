/**
 * The vault hand-off to the gateway process (gateway-host/vault-handoff.ts): what the `start`
 * message carries for each backend, and that the child's side opens the same encrypted vault
 * with the derived key, refuses a key that does not fit the file, and never needs the passphrase.
 */
import fs from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { openHandedVault, vaultHandoff } from '../../electron/core/gateway-host/vault-handoff.js';
import { encryptedVaultPath, openEncryptedFileVault } from '../../electron/core/pool/vault-encrypted.js';
import { createFileVault } from '../../electron/core/pool/vault-file.js';
import { createKeytarVault } from '../../electron/core/pool/vault-keytar.js';
import { makeTempHome } from '../helpers/temp-home.js';

const KDF = { N: 2 ** 10, r: 8, p: 1 };
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function home(): string {
  const temp = makeTempHome('rotary-handoff-');
  cleanups.push(temp.cleanup);
  return temp.home;
}

it('the encrypted vault is handed over as its derived key: the child reads and writes the same file, and the passphrase is not in the message', async () => {
  const dir = home();
  const passphrase = 'handoff passphrase words';
  const parent = await openEncryptedFileVault({ file: encryptedVaultPath(dir), passphrase, kdf: KDF });
  await parent.set('account:anthropic:1', 'secret-from-parent');
  const handoff = vaultHandoff(parent, dir);
  expect(handoff.backend).toBe('encrypted-file');
  expect(JSON.stringify(handoff)).not.toContain(passphrase);

  // What the child does with the message after it crossed as JSON.
  const child = openHandedVault(JSON.parse(JSON.stringify(handoff)) as typeof handoff, () => undefined);
  expect(await child.get('account:anthropic:1')).toBe('secret-from-parent');
  await child.set('gateway-key', 'written-by-child');
  expect(await parent.get('gateway-key')).toBe('written-by-child');
});

it('refuses a key that does not fit the vault file (the file was replaced by another vault)', async () => {
  const dir = home();
  const first = await openEncryptedFileVault({ file: encryptedVaultPath(dir), passphrase: 'first passphrase here', kdf: KDF });
  const handoff = vaultHandoff(first, dir);
  fs.rmSync(encryptedVaultPath(dir));
  await openEncryptedFileVault({ file: encryptedVaultPath(dir), passphrase: 'second passphrase here', kdf: KDF });
  expect(() => openHandedVault(handoff, () => undefined)).toThrow(/replaced by another vault/);
});

it('the keychain and the plain file are handed over by name; an encrypted vault this process did not open cannot be', () => {
  const dir = home();
  expect(vaultHandoff(createKeytarVault('Rotary abc'), dir)).toEqual({ backend: 'keychain', service: 'Rotary abc' });
  expect(vaultHandoff(createFileVault(dir, () => undefined), dir)).toEqual({ backend: 'file', home: dir });
  const foreign = { kind: 'encrypted-file' as const, location: '/x/secrets.enc', get: async () => undefined, set: async () => undefined, delete: async () => false, list: async () => [] };
  expect(() => vaultHandoff(foreign, dir)).toThrow(/was not opened by this process/);
});
