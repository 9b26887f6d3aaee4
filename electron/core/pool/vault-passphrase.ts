/**
 * The encrypted file vault's passphrase: where it comes from without a person at the
 * keyboard (`ROTARY_VAULT_PASSPHRASE`, `ROTARY_VAULT_PASSPHRASE_FILE`) and what is accepted.
 * Prompts (CLI, app) hand their answer to `checkPassphrase` too, so every entry point
 * refuses the same bad input with the same words. A passphrase is never put in a message.
 */
import fs from 'node:fs';
import { RotaryError } from '../errors.js';

export const PASSPHRASE_ENV = 'ROTARY_VAULT_PASSPHRASE';
export const PASSPHRASE_FILE_ENV = 'ROTARY_VAULT_PASSPHRASE_FILE';

/** A new vault's passphrase must be at least this long (unlocking accepts whatever was chosen). */
export const MIN_NEW_PASSPHRASE_LENGTH = 8;
/** Longer than any passphrase a person types; bounds the work done on hostile input. */
export const MAX_PASSPHRASE_LENGTH = 1024;

export type PassphrasePurpose = 'unlock' | 'create';

/**
 * The passphrase to derive a key from, or a `vault-passphrase` error saying what is wrong
 * with it. `from` names the source in the message ("ROTARY_VAULT_PASSPHRASE", "the passphrase").
 * Unicode is normalised (NFC) so the same words typed on another system give the same key.
 */
export function checkPassphrase(value: unknown, purpose: PassphrasePurpose, from = 'The passphrase'): string {
  if (typeof value !== 'string') {
    throw new RotaryError('vault-passphrase', `${from} must be text, not ${value === null ? 'null' : typeof value}.`);
  }
  if (value.length === 0) throw new RotaryError('vault-passphrase', `${from} is empty. Enter the vault passphrase.`);
  if (value.trim().length === 0) throw new RotaryError('vault-passphrase', `${from} is only spaces. Enter the vault passphrase.`);
  if (value.length > MAX_PASSPHRASE_LENGTH) {
    throw new RotaryError('vault-passphrase', `${from} is longer than ${MAX_PASSPHRASE_LENGTH} characters.`);
  }
  if (value.includes('\0')) throw new RotaryError('vault-passphrase', `${from} contains a NUL character; use printable text.`);
  const normalized = value.normalize('NFC');
  if (purpose === 'create' && [...normalized].length < MIN_NEW_PASSPHRASE_LENGTH) {
    throw new RotaryError('vault-passphrase', `${from} is too short: use at least ${MIN_NEW_PASSPHRASE_LENGTH} characters (a few words is best).`);
  }
  return normalized;
}

/**
 * The passphrase the environment provides, if any: `ROTARY_VAULT_PASSPHRASE` wins over
 * `ROTARY_VAULT_PASSPHRASE_FILE` (one trailing newline of the file is ignored, as `echo`
 * writes one). A variable that is set but unusable is an error, never silently skipped.
 */
export function passphraseFromEnv(env: NodeJS.ProcessEnv, purpose: PassphrasePurpose): string | undefined {
  const direct = env[PASSPHRASE_ENV];
  if (direct !== undefined) return checkPassphrase(direct, purpose, PASSPHRASE_ENV);
  const file = env[PASSPHRASE_FILE_ENV];
  if (file === undefined) return undefined;
  if (file.trim() === '') throw new RotaryError('vault-passphrase', `${PASSPHRASE_FILE_ENV} is set but empty; set it to the path of a file holding the passphrase.`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (code ?? 'unknown error');
    throw new RotaryError('vault-passphrase', `Cannot read the passphrase file ${file} (${PASSPHRASE_FILE_ENV}): ${why}. Fix the path or its permissions.`, { cause: error });
  }
  return checkPassphrase(text.replace(/\r?\n$/, ''), purpose, `The passphrase file ${file}`);
}

/** Whether the environment names a passphrase source (set, even if unusable). */
export function hasPassphraseEnv(env: NodeJS.ProcessEnv): boolean {
  return env[PASSPHRASE_ENV] !== undefined || env[PASSPHRASE_FILE_ENV] !== undefined;
}

/** `env` without the passphrase variables, for programs Rotary starts (a browser) that have no use for them. */
export function withoutPassphrase(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { [PASSPHRASE_ENV]: _passphrase, [PASSPHRASE_FILE_ENV]: _file, ...rest } = env;
  return rest;
}

/** The message for "a passphrase is needed and nobody can type one". */
export function passphraseNeededMessage(file: string): string {
  return `The encrypted vault ${file} needs its passphrase and there is no terminal to ask for it. Set ${PASSPHRASE_ENV}, or ${PASSPHRASE_FILE_ENV} to a file holding it (mode 0600).`;
}
