/**
 * Plain-file vault (`ROTARY_SECRET_BACKEND=file`) for CI and headless servers without a
 * Secret Service. Tokens sit unencrypted in `<home>/secrets.json` (mode 0600), so it
 * warns loudly every time it is opened.
 */
import fs from 'node:fs';
import path from 'node:path';
import { RotaryError } from '../errors.js';
import { withFileLock, writeFileAtomic } from './file-lock.js';
import type { Vault } from './vault.js';

export const FILE_VAULT_WARNING =
  'WARNING: ROTARY_SECRET_BACKEND=file — tokens are stored UNENCRYPTED in {path} (mode 0600). Use the OS keychain, or ROTARY_SECRET_BACKEND=encrypted-file where there is none.';

export function createFileVault(home: string, warn: (message: string) => void): Vault {
  const file = path.join(home, 'secrets.json');
  warn(FILE_VAULT_WARNING.replace('{path}', file));

  const read = (): Record<string, string> => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, string>;
    } catch {
      // fall through to the error below
    }
    throw new RotaryError('vault-error', `The secrets file ${file} is not valid JSON. Fix or remove it; Rotary will not overwrite it.`);
  };
  const update = <T>(change: (secrets: Record<string, string>) => T): Promise<T> =>
    withFileLock(file, () => {
      const secrets = read();
      const result = change(secrets);
      writeFileAtomic(file, JSON.stringify(secrets, null, 2), 0o600);
      return result;
    });

  return {
    kind: 'file',
    location: file,
    get: async (key) => read()[key],
    set: (key, value) => update((s) => void (s[key] = value)),
    delete: (key) =>
      update((s) => {
        const existed = key in s;
        delete s[key];
        return existed;
      }),
    list: async () => Object.keys(read()),
  };
}
