/**
 * Encrypted file vault (`ROTARY_SECRET_BACKEND=encrypted-file`) for machines without a
 * Secret Service: every token in `<home>/secrets.enc`, AES-256-GCM under a key derived
 * from a passphrase (format and crypto in vault-envelope.ts).
 *
 * Opening derives the key once and keeps it (not the passphrase) for the life of the
 * vault object. Writes are read-modify-write of the whole map under the same cross-process
 * lock and atomic replace as the store, so concurrent processes lose nothing and a killed
 * writer leaves the old or the new file, never half of one. A wrong passphrase or a damaged
 * file fails before anything is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RotaryError } from '../errors.js';
import { withFileLock, writeFileAtomic } from './file-lock.js';
import { DEFAULT_KDF, deriveVaultKey, keyFits, newSalt, parseEnvelope, seal, unseal, type KdfParams, type Secrets, type VaultKey } from './vault-envelope.js';
import { checkPassphrase } from './vault-passphrase.js';
import type { Vault } from './vault.js';

export const ENCRYPTED_VAULT_FILE = 'secrets.enc';

export function encryptedVaultPath(home: string): string {
  return path.join(home, ENCRYPTED_VAULT_FILE);
}

export function encryptedVaultExists(home: string): boolean {
  return fs.existsSync(encryptedVaultPath(home));
}

export interface OpenEncryptedVaultOptions {
  /** The vault file (`encryptedVaultPath(home)`). */
  file: string;
  /** Checked here: empty, non-text or (for a new vault) too short is refused. */
  passphrase: unknown;
  /** Cost for a vault created now (default `DEFAULT_KDF`); an existing file's own parameters are used. */
  kdf?: KdfParams;
  /** Create the file when it does not exist (default true); false makes a missing file an error. */
  create?: boolean;
}

/** Unlock the vault in `file`, or create it empty. Rejects a wrong passphrase without touching the file. */
export async function openEncryptedFileVault(options: OpenEncryptedVaultOptions): Promise<Vault> {
  const { file } = options;
  const existing = readEnvelope(file);
  if (!existing && options.create === false) {
    throw new RotaryError('vault-error', `There is no encrypted vault at ${file}. Create one with \`rotary vault migrate --to encrypted-file\` or by starting Rotary.`);
  }
  const passphrase = checkPassphrase(options.passphrase, existing ? 'unlock' : 'create');
  const key = existing ? await unlock(existing, passphrase, file) : await create(file, passphrase, options.kdf ?? DEFAULT_KDF);
  return encryptedVault(file, key);
}

// ---- handing an unlocked vault to the gateway process (gateway-host/vault-handoff.ts)

/** The derived key of each open encrypted vault, kept off the Vault object so no log or spread of it can show the key. */
const openKeys = new WeakMap<Vault, VaultKey>();

/** The derived key of an encrypted vault this process opened (undefined for any other vault). */
export function encryptedVaultKey(vault: Vault): VaultKey | undefined {
  return openKeys.get(vault);
}

/** Open `file` with a key derived elsewhere (the app's process); refuses a key that does not fit the file. */
export function openEncryptedFileVaultWithKey(file: string, key: VaultKey): Vault {
  const existing = readEnvelope(file);
  if (!existing) throw new RotaryError('vault-error', `There is no encrypted vault at ${file}.`);
  if (!keyFits(key, existing)) throw new RotaryError('vault-error', `The encrypted vault ${file} was replaced by another vault while Rotary was running. Restart Rotary and unlock it again.`);
  unseal(key, existing, file); // throws on a key that does not open it
  return encryptedVault(file, key);
}

async function unlock(envelope: ReturnType<typeof parseEnvelope>, passphrase: string, file: string): Promise<VaultKey> {
  const key = await deriveVaultKey(passphrase, envelope.salt, envelope.kdf);
  unseal(key, envelope, file); // throws on a wrong passphrase or a damaged file
  return key;
}

async function create(file: string, passphrase: string, kdf: KdfParams): Promise<VaultKey> {
  const key = await deriveVaultKey(passphrase, newSalt(), kdf);
  // Another process may have created the vault meanwhile; then its salt is the one to use.
  const theirs = await withFileLock(file, () => {
    const now = readEnvelope(file);
    if (!now) writeFileAtomic(file, seal(key, {}), 0o600);
    return now;
  });
  return theirs ? unlock(theirs, passphrase, file) : key;
}

function encryptedVault(file: string, key: VaultKey): Vault {
  const readAll = (): Secrets => {
    const envelope = readEnvelope(file);
    if (!envelope) return {};
    if (!keyFits(key, envelope)) {
      throw new RotaryError(
        'vault-error',
        `The encrypted vault ${file} was replaced by another vault (a different salt) while Rotary was running. Restart Rotary and unlock it again.`,
      );
    }
    return unseal(key, envelope, file);
  };
  const update = <T>(change: (secrets: Secrets) => T): Promise<T> =>
    withFileLock(file, () => {
      const secrets = readAll();
      const result = change(secrets);
      writeFileAtomic(file, seal(key, secrets), 0o600);
      return result;
    });

  const vault: Vault = {
    kind: 'encrypted-file',
    location: file,
    encryption: { cipher: 'aes-256-gcm', kdf: 'scrypt', ...key.kdf },
    get: async (k) => readAll()[k],
    set: (k, value) => update((s) => void (s[k] = value)),
    delete: (k) =>
      update((s) => {
        const existed = Object.prototype.hasOwnProperty.call(s, k);
        delete s[k];
        return existed;
      }),
    list: async () => Object.keys(readAll()),
  };
  openKeys.set(vault, key);
  return vault;
}

function readEnvelope(file: string): ReturnType<typeof parseEnvelope> | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RotaryError('vault-error', `Cannot read the encrypted vault ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseEnvelope(bytes, file);
}
