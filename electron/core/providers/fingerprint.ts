import { createHash } from 'node:crypto';

/** Short, non-reversible fingerprint of a token: tells whether a token changed without keeping it. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}

/** A masked hint safe to show ("token …ab12"). */
export function tokenHint(token: string): string {
  return `token …${token.slice(-4)}`;
}
