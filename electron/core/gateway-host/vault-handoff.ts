/**
 * How the gateway process opens the vault the app's process already opened.
 *
 * The keychain and the plain file need nothing: the child opens the same keychain service or
 * the same file. The encrypted file vault needs a person's passphrase, which only the app's
 * process has (the unlock screen, vault gate). The child gets the *derived key*, once, in the
 * `start` message over the IPC channel — never in its environment or argv, which other local
 * processes can read (`/proc/<pid>/cmdline`, `ps e`, crash reporters). The key rather than the
 * passphrase because:
 *   - the app's process already holds that key for its own vault (vault-encrypted.ts keeps the
 *     key, never the passphrase); passing the passphrase would mean keeping it in memory for
 *     the app's whole life, so that a restarted gateway could be handed it again;
 *   - the key opens this one file (its salt); a passphrase may be reused elsewhere;
 *   - a restart after a crash then needs no scrypt run (deliberately slow) before listening.
 */
import { RotaryError } from '../errors.js';
import type { Vault } from '../pool/vault.js';
import { encryptedVaultKey, openEncryptedFileVaultWithKey } from '../pool/vault-encrypted.js';
import type { VaultKey } from '../pool/vault-envelope.js';
import { createFileVault } from '../pool/vault-file.js';
import { createKeytarVault } from '../pool/vault-keytar.js';

export type VaultHandoff =
  | { backend: 'keychain'; service: string }
  | { backend: 'file'; home: string }
  | {
      backend: 'encrypted-file';
      file: string;
      /** The derived key, base64 (structured clone and JSON both carry strings). */
      key: { N: number; r: number; p: number; salt: string; encryptionKey: string; check: string };
    };

/** What to send the child so it opens `vault` (the app process's open vault). */
export function vaultHandoff(vault: Vault, home: string): VaultHandoff {
  if (vault.kind === 'keychain') return { backend: 'keychain', service: vault.location };
  if (vault.kind === 'file') return { backend: 'file', home };
  const key = encryptedVaultKey(vault);
  if (!key) throw new RotaryError('vault-error', `The encrypted vault ${vault.location} was not opened by this process, so it cannot be handed to the gateway process.`);
  const b64 = (bytes: Buffer) => bytes.toString('base64');
  return { backend: 'encrypted-file', file: vault.location, key: { ...key.kdf, salt: b64(key.salt), encryptionKey: b64(key.encryptionKey), check: b64(key.check) } };
}

/** The child's side: the same vault. `warn` gets the plain file backend's warning. */
export function openHandedVault(handoff: VaultHandoff, warn: (message: string) => void): Vault {
  if (handoff.backend === 'keychain') return createKeytarVault(handoff.service);
  if (handoff.backend === 'file') return createFileVault(handoff.home, warn);
  const { N, r, p, salt, encryptionKey, check } = handoff.key;
  const key: VaultKey = { kdf: { N, r, p }, salt: Buffer.from(salt, 'base64'), encryptionKey: Buffer.from(encryptionKey, 'base64'), check: Buffer.from(check, 'base64') };
  return openEncryptedFileVaultWithKey(handoff.file, key);
}
