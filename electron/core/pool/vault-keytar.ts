/**
 * Vault backed by the OS keychain through keytar (service "Rotary"): macOS Keychain,
 * Windows Credential Manager, or the freedesktop Secret Service (gnome-keyring,
 * KWallet) on Linux. Errors from the Secret Service are translated into messages that
 * say how to fix them.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { RotaryError } from '../errors.js';
import { withFileLock } from './file-lock.js';
import type { Vault } from './vault.js';

export const KEYCHAIN_SERVICE = 'Rotary';

type Keytar = typeof import('keytar');

let keytarModule: Keytar | undefined;
function loadKeytar(): Keytar {
  if (!keytarModule) {
    // keytar is a CommonJS native addon; load it lazily so the file backend never needs it.
    try {
      keytarModule = createRequire(import.meta.url)('keytar') as Keytar;
    } catch (error) {
      throw new RotaryError(
        'vault-unavailable',
        'The keychain module (keytar) could not be loaded. Reinstall Rotary, or set ROTARY_SECRET_BACKEND=encrypted-file to keep tokens in a passphrase-encrypted file instead.',
        { cause: error },
      );
    }
  }
  return keytarModule;
}

/** Map a keytar/libsecret failure to an error whose message names the fix. */
export function translateKeychainError(error: unknown): RotaryError {
  const text = error instanceof Error ? error.message : String(error);
  if (/org\.freedesktop\.secrets|ServiceUnknown|not provided by any \.service|Cannot autolaunch D-Bus|DBUS_SESSION_BUS_ADDRESS|Could not connect|X11/i.test(text)) {
    return new RotaryError(
      'vault-unavailable',
      'No Secret Service is running, so Rotary cannot reach the keychain. Install and start one (for example gnome-keyring: `sudo apt install gnome-keyring` and log in to a desktop session), or keep tokens in a passphrase-encrypted file instead: ROTARY_SECRET_BACKEND=encrypted-file (see `rotary vault --help`).',
      { cause: error },
    );
  }
  // `…/collection/login` itself missing; an item path below it (`…/collection/login/17`) is a vanished item, not this.
  if (/collection\/login(?![\w/])|Object does not exist at path|No such object|no default collection/i.test(text)) {
    return new RotaryError(
      'vault-no-collection',
      'The keyring has no "login" collection to store tokens in. Open your keyring manager (Seahorse: "Passwords and Keys"), create a keyring named "login" and set it as default, then try again.',
      { cause: error },
    );
  }
  if (/locked|prompt|dismissed|Cannot create an item in a locked collection|unlock/i.test(text)) {
    return new RotaryError(
      'vault-locked',
      'The keyring is locked. Unlock it (log in to your desktop session, or open Seahorse and unlock the "login" keyring), then try again.',
      { cause: error },
    );
  }
  return new RotaryError('vault-error', `The keychain refused the request: ${text}`, { cause: error });
}

async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof RotaryError) throw error;
    throw translateKeychainError(error);
  }
}

/** An item that vanished between libsecret's search and its read (another process deleted it): worth one more try. */
const VANISHED_ITEM = /No such secret item/i;

/**
 * keytar's `findCredentials` reads every item it found; when another process deletes one of
 * them in between, libsecret reports a vanished item — or crashes the process outright
 * (`secret_value_get_text: assertion 'value' failed`, then SIGSEGV; reproduced by
 * tests/pool/keychain-race.test.ts). So every Rotary process serialises listing and deleting
 * a service's items through one lock file per service, and a list that still meets a vanished
 * item (someone outside Rotary) is retried.
 */
function keychainLock(service: string): string {
  return path.join(os.tmpdir(), 'rotary-keychain-locks', createHash('sha256').update(service).digest('hex').slice(0, 24));
}

async function listAccounts(service: string): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await loadKeytar().findCredentials(service)).map((c) => c.account);
    } catch (error) {
      if (attempt >= 3 || !VANISHED_ITEM.test(error instanceof Error ? error.message : String(error))) throw error;
    }
  }
}

export function createKeytarVault(service = KEYCHAIN_SERVICE): Vault {
  const lock = keychainLock(service);
  return {
    kind: 'keychain',
    location: service,
    get: (key) => guarded(async () => (await loadKeytar().getPassword(service, key)) ?? undefined),
    set: (key, value) => guarded(() => loadKeytar().setPassword(service, key, value)),
    delete: (key) => guarded(() => withFileLock(lock, () => loadKeytar().deletePassword(service, key))),
    list: () => guarded(() => withFileLock(lock, () => listAccounts(service))),
  };
}
