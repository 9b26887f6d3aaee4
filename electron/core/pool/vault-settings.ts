/**
 * `<home>/vault.json`: the secret backend chosen for this home (`{"backend": "encrypted-file"}`),
 * written when the user picks the encrypted vault on a machine without a Secret Service and at
 * the end of `rotary vault migrate`, so the next CLI run and the app use the same backend.
 * `ROTARY_SECRET_BACKEND` still wins over it. It holds no secret.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RotaryError } from '../errors.js';
import { writeFileAtomic } from './file-lock.js';

export const VAULT_SETTINGS_FILE = 'vault.json';

export const SECRET_BACKENDS = ['keychain', 'encrypted-file', 'file'] as const;
export type SecretBackend = (typeof SECRET_BACKENDS)[number];

export function isSecretBackend(value: unknown): value is SecretBackend {
  return typeof value === 'string' && (SECRET_BACKENDS as readonly string[]).includes(value);
}

export function vaultSettingsPath(home: string): string {
  return path.join(home, VAULT_SETTINGS_FILE);
}

/** The saved choice, or undefined when there is none. A damaged file is an error, never ignored: it may be what points at the secrets. */
export function readVaultSettings(home: string): { backend: SecretBackend } | undefined {
  const file = vaultSettingsPath(home);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RotaryError('vault-error', `Cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  let backend: unknown;
  try {
    backend = (JSON.parse(text) as { backend?: unknown } | null)?.backend;
  } catch {
    backend = undefined;
  }
  if (!isSecretBackend(backend)) {
    throw new RotaryError(
      'vault-error',
      `${file} should say which secret backend to use, e.g. {"backend": "encrypted-file"}, but it does not. Fix it (backend: ${SECRET_BACKENDS.join(', ')}) or delete it to use the keychain.`,
    );
  }
  return { backend };
}

export function writeVaultSettings(home: string, backend: SecretBackend): void {
  writeFileAtomic(vaultSettingsPath(home), `${JSON.stringify({ backend }, null, 2)}\n`, 0o600);
}
