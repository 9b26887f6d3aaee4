/**
 * The secret store. Tokens live here and nowhere else (never in the store file,
 * logs, IPC payloads or CLI output). One entry per account record.
 *
 * Backends: the OS keychain (default), the encrypted file vault (passphrase; for machines
 * without a Secret Service) and the plain file (tests and CI). Which one a home uses is
 * decided by `chooseSecretBackend`.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { RotaryError } from '../errors.js';
import { rotaryHome } from '../paths.js';
import { encryptedVaultExists, encryptedVaultPath, openEncryptedFileVault } from './vault-encrypted.js';
import { kdfParamsFor } from './vault-envelope.js';
import { createFileVault } from './vault-file.js';
import { createKeytarVault } from './vault-keytar.js';
import { passphraseFromEnv, passphraseNeededMessage } from './vault-passphrase.js';
import { isSecretBackend, readVaultSettings, SECRET_BACKENDS, vaultSettingsPath, type SecretBackend } from './vault-settings.js';

export type { SecretBackend };

export interface Vault {
  /** Which backend holds the secrets, for messages and diagnostics. */
  readonly kind: SecretBackend;
  /** Where: the keychain service name or the file path (never a secret). */
  readonly location: string;
  /** The encrypted file vault's cipher and KDF cost (diagnostics). */
  readonly encryption?: { cipher: 'aes-256-gcm'; kdf: 'scrypt'; N: number; r: number; p: number };
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /** Returns true when something was deleted. */
  delete(key: string): Promise<boolean>;
  /** All keys held by Rotary. */
  list(): Promise<string[]>;
}

/** Which backend a home uses and what decided it (the environment, `vault.json`, or the default). */
export interface BackendChoice {
  backend: SecretBackend;
  source: 'env' | 'settings' | 'default';
}

/** `ROTARY_SECRET_BACKEND` wins; then the choice saved in `<home>/vault.json`; else the keychain. */
export function chooseSecretBackend(home: string, env: NodeJS.ProcessEnv = process.env): BackendChoice {
  const value = (env.ROTARY_SECRET_BACKEND ?? '').trim().toLowerCase();
  if (value !== '') {
    if (isSecretBackend(value)) return { backend: value, source: 'env' };
    throw new RotaryError(
      'bad-input',
      `ROTARY_SECRET_BACKEND must be ${SECRET_BACKENDS.map((b) => `"${b}"`).join(', ').replace(/, ([^,]*)$/, ' or $1')}, not "${value.slice(0, 40)}".`,
    );
  }
  const saved = readVaultSettings(home);
  return saved ? { backend: saved.backend, source: 'settings' } : { backend: 'keychain', source: 'default' };
}

/** Where the choice came from, in words for status lines. */
export function describeChoiceSource(choice: BackendChoice, home: string): string {
  if (choice.source === 'env') return 'ROTARY_SECRET_BACKEND';
  if (choice.source === 'settings') return vaultSettingsPath(home);
  return 'default';
}

export interface CreateVaultOptions {
  home: string;
  env?: NodeJS.ProcessEnv;
  /** Where the file backend's warning goes (stderr by default). */
  warn?: (message: string) => void;
}

/**
 * Open the vault the home is configured for. The encrypted file vault takes its passphrase
 * from the environment here; the CLI and the app ask a person first and pass the vault in.
 */
export async function createVault(options: CreateVaultOptions): Promise<Vault> {
  const env = options.env ?? process.env;
  const { backend } = chooseSecretBackend(options.home, env);
  if (backend === 'file') {
    return createFileVault(options.home, options.warn ?? ((m) => process.stderr.write(`${m}\n`)));
  }
  if (backend === 'encrypted-file') {
    const file = encryptedVaultPath(options.home);
    const passphrase = passphraseFromEnv(env, encryptedVaultExists(options.home) ? 'unlock' : 'create');
    if (passphrase === undefined) throw new RotaryError('vault-passphrase', passphraseNeededMessage(file));
    return openEncryptedFileVault({ file, passphrase, kdf: kdfParamsFor(env) });
  }
  return createKeytarVault(keychainService(options.home, env));
}

/** What `rotary vault status` (and later `rotary doctor`) reports. Never a secret value. */
export interface VaultDescription {
  backend: SecretBackend;
  /** False only for the plain `file` backend. The keychain is encrypted by the OS. */
  encrypted: boolean;
  /** How the secrets are protected, in words. */
  protection: string;
  /** Keychain service name or file path. */
  location: string;
  /** How many secrets the vault holds. */
  count: number;
}

export async function describeVault(vault: Vault): Promise<VaultDescription> {
  const count = (await vault.list()).length;
  const e = vault.encryption;
  const protection =
    vault.kind === 'keychain'
      ? 'the OS keychain'
      : e
        ? `${e.cipher.toUpperCase()}, key from a passphrase (${e.kdf} N=2^${Math.log2(e.N)}, r=${e.r}, p=${e.p})`
        : 'none: plain text (mode 0600)';
  return { backend: vault.kind, encrypted: vault.kind !== 'file', protection, location: vault.location, count };
}

/**
 * Keychain service name for a Rotary home. The default home (shared by the app and the
 * CLI) uses "Rotary"; any other `ROTARY_HOME` gets its own service, so two homes on one
 * machine never see — or clean up — each other's secrets.
 */
export function keychainService(home: string, env: NodeJS.ProcessEnv = process.env): string {
  const defaultHome = rotaryHome({ ...env, ROTARY_HOME: '' });
  if (path.resolve(home) === path.resolve(defaultHome)) return 'Rotary';
  return `Rotary ${createHash('sha256').update(path.resolve(home)).digest('hex').slice(0, 12)}`;
}

/** Vault key of an account's secret. */
export function accountSecretKey(providerID: string, recordID: string): string {
  return `account:${providerID}:${recordID}`;
}

export function parseAccountSecretKey(key: string): { providerID: string; recordID: string } | undefined {
  const match = /^account:([^:]+):(.+)$/.exec(key);
  return match ? { providerID: match[1]!, recordID: match[2]! } : undefined;
}
