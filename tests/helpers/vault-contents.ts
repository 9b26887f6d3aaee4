import type { Vault } from '../../electron/core/pool/vault.js';

/** Every key of a vault with its value, for comparing whole vaults in tests. */
export async function vaultContents(vault: Vault): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of await vault.list()) out[key] = (await vault.get(key))!;
  return out;
}
