/**
 * The gateway key clients present (`x-api-key` or `Authorization: Bearer`). From
 * `ROTARY_GATEWAY_KEY` when set; otherwise generated once and kept in the vault (next to
 * the account secrets, never in the store file), so it survives restarts and the app and
 * the CLI share it.
 */
import { randomBytes } from 'node:crypto';
import type { Vault } from '../pool/vault.js';

/** Vault entry of the generated key (reconcile only touches `account:*` entries). */
export const GATEWAY_KEY_VAULT_KEY = 'gateway-key';

export function generateGatewayKey(): string {
  return `rotary-${randomBytes(24).toString('base64url')}`;
}

/** The key in force (environment, else vault) without creating one: another process's gateway made it. */
export async function readGatewayKey(options: { env?: NodeJS.ProcessEnv; vault: Vault }): Promise<string | undefined> {
  const fromEnv = options.env?.ROTARY_GATEWAY_KEY?.trim();
  if (fromEnv) return fromEnv;
  return (await options.vault.get(GATEWAY_KEY_VAULT_KEY))?.trim() || undefined;
}

export async function resolveGatewayKey(options: { env?: NodeJS.ProcessEnv; vault: Vault }): Promise<string> {
  const existing = await readGatewayKey(options);
  if (existing) return existing;
  const key = generateGatewayKey();
  await options.vault.set(GATEWAY_KEY_VAULT_KEY, key);
  return key;
}
