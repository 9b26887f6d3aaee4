/**
 * Vault backed by the OS keychain through keytar (service "Rotary"): macOS Keychain,
 * Windows Credential Manager, or the freedesktop Secret Service (gnome-keyring,
 * KWallet) on Linux. Errors from the Secret Service are translated into messages that
 * say how to fix them.
 */
import { createRequire } from 'node:module';
import { RotaryError } from '../errors.js';
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
  if (/collection\/login|Object does not exist at path|No such object|no default collection/i.test(text)) {
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

export function createKeytarVault(service = KEYCHAIN_SERVICE): Vault {
  return {
    kind: 'keychain',
    location: service,
    get: (key) => guarded(async () => (await loadKeytar().getPassword(service, key)) ?? undefined),
    set: (key, value) => guarded(() => loadKeytar().setPassword(service, key, value)),
    delete: (key) => guarded(() => loadKeytar().deletePassword(service, key)),
    list: () => guarded(async () => (await loadKeytar().findCredentials(service)).map((c) => c.account)),
  };
}
