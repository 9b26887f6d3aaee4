import { createKeytarVault } from '../../electron/core/pool/vault-keytar.js';
import type { Vault } from '../../electron/core/pool/vault.js';

/**
 * A keychain vault under a service name unique to the test, so parallel test files never
 * see each other's entries. Requires the private Secret Service of scripts/with-keyring.sh.
 */
export function testKeychainVault(label: string): Vault & { service: string } {
  const service = `Rotary-test-${label}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  return Object.assign(createKeytarVault(service), { service });
}

export const hasSecretService = Boolean(process.env.DBUS_SESSION_BUS_ADDRESS);
