/**
 * Errors the core raises on purpose. Each carries a stable `code` that the UI
 * and the CLI switch on, and a message written for the user (it says what to do).
 */
export type RotaryErrorCode =
  | 'vault-unavailable'
  | 'vault-locked'
  | 'vault-no-collection'
  | 'vault-error'
  | 'vault-passphrase'
  | 'vault-wrong-passphrase'
  | 'vault-corrupt'
  | 'store-corrupt'
  | 'store-locked'
  | 'disk-full'
  | 'not-found'
  | 'bad-input'
  | 'provider-error'
  | 'auth-failed'
  | 'needs-reauth'
  | 'timeout'
  | 'cancelled'
  | 'port-in-use'
  /** A part that runs elsewhere (the gateway process) is down for now. */
  | 'unavailable';

export class RotaryError extends Error {
  readonly code: RotaryErrorCode;
  constructor(code: RotaryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RotaryError';
    this.code = code;
  }
}

export function isRotaryError(error: unknown, code?: RotaryErrorCode): error is RotaryError {
  return error instanceof RotaryError && (code === undefined || error.code === code);
}

/** A one-line message for any thrown value, safe to show the user. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
