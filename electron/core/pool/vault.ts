/**
 * The secret store. Tokens live here and nowhere else (never in the store file,
 * logs, IPC payloads or CLI output). One entry per account record.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { RotaryError } from '../errors.js';
import { rotaryHome } from '../paths.js';
import { createFileVault } from './vault-file.js';
import { createKeytarVault } from './vault-keytar.js';

export interface Vault {
  /** `keychain` or `file`, for messages and diagnostics. */
  readonly kind: 'keychain' | 'file';
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  /** Returns true when something was deleted. */
  delete(key: string): Promise<boolean>;
  /** All keys held by Rotary. */
  list(): Promise<string[]>;
}

export type SecretBackend = 'keychain' | 'file';

export function secretBackend(env: NodeJS.ProcessEnv = process.env): SecretBackend {
  const value = (env.ROTARY_SECRET_BACKEND ?? 'keychain').trim().toLowerCase();
  if (value === 'keychain' || value === '') return 'keychain';
  if (value === 'file') return 'file';
  throw new RotaryError(
    'bad-input',
    `ROTARY_SECRET_BACKEND must be "keychain" or "file", not "${value}".`,
  );
}

export interface CreateVaultOptions {
  home: string;
  env?: NodeJS.ProcessEnv;
  /** Where the file backend's warning goes (stderr by default). */
  warn?: (message: string) => void;
}

export async function createVault(options: CreateVaultOptions): Promise<Vault> {
  const backend = secretBackend(options.env);
  if (backend === 'file') {
    return createFileVault(options.home, options.warn ?? ((m) => process.stderr.write(`${m}\n`)));
  }
  return createKeytarVault(keychainService(options.home, options.env));
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
