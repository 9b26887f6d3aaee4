/**
 * Turns whatever the core threw into the contract's `{code, message}`. Core errors carry
 * user-facing messages already; anything else is an internal error whose message is kept
 * short (a stack or a raw provider body is no use to the user and could carry data we do
 * not want in the renderer).
 */
import type { ErrorCode, IpcError, Result } from '../../../shared/ipc.js';
import { RotaryError, type RotaryErrorCode } from '../errors.js';

const CODE_MAP: Record<RotaryErrorCode, ErrorCode> = {
  'vault-unavailable': 'keychain',
  'vault-locked': 'keychain',
  'vault-no-collection': 'keychain',
  'vault-error': 'keychain',
  'vault-passphrase': 'bad-input',
  'vault-wrong-passphrase': 'unauthorized',
  'vault-corrupt': 'keychain',
  'store-corrupt': 'store',
  'store-locked': 'store',
  'disk-full': 'store',
  'not-found': 'not-found',
  'bad-input': 'bad-input',
  'provider-error': 'provider-error',
  'auth-failed': 'login-failed',
  'needs-reauth': 'login-failed',
  timeout: 'expired',
  cancelled: 'cancelled',
  'port-in-use': 'unavailable',
  unavailable: 'unavailable',
};

export function toIpcError(error: unknown): IpcError {
  if (error instanceof RotaryError) return { code: CODE_MAP[error.code] ?? 'internal', message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: `Unexpected error: ${message.split('\n')[0]!.slice(0, 300)}` };
}

/** Run `work` and turn its value or its failure into a `Result` (what every handler returns). */
export async function toResult<T>(work: () => Promise<T> | T): Promise<Result<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: toIpcError(error) };
  }
}
