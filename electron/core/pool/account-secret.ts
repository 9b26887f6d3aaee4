/**
 * The secret half of an account, kept only in the vault.
 */
import { z } from 'zod';
import { RotaryError } from '../errors.js';

export const AccountSecretSchema = z.object({
  access: z.string().min(1),
  refresh: z.string().min(1).optional(),
  /** Epoch ms when `access` expires; absent for long-lived tokens. */
  expires: z.number().optional(),
  /** Provider-specific values (Copilot token cache, ChatGPT account id…). */
  extras: z.record(z.string(), z.unknown()).optional(),
});
export type AccountSecret = z.infer<typeof AccountSecretSchema>;

export function parseAccountSecret(text: string): AccountSecret {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new RotaryError('vault-error', 'A stored secret is not valid JSON; log in to that account again.');
  }
  const parsed = AccountSecretSchema.safeParse(raw);
  if (!parsed.success) throw new RotaryError('vault-error', 'A stored secret has an unexpected shape; log in to that account again.');
  return parsed.data;
}

/** Access tokens with an expiry are refreshed this long before it. */
export const REFRESH_MARGIN_MS = 60_000;

/** True when the secret carries an expiry that falls within the refresh margin. */
export function expiresSoon(secret: AccountSecret, now: number): boolean {
  return secret.expires !== undefined && secret.expires - REFRESH_MARGIN_MS <= now;
}
