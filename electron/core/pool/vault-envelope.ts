/**
 * The encrypted vault's file format and its cryptography (Node's built-in crypto only).
 *
 * A file is two lines of JSON:
 *   1. the header: format, version, KDF (scrypt N, r, p, salt), cipher, nonce and a key check;
 *   2. the body: the GCM tag and the ciphertext of the whole secrets map.
 * The header's exact bytes are the AES-GCM additional authenticated data, so changing any
 * byte of either line makes decryption fail instead of yielding other data.
 *
 * Key: scrypt(passphrase, salt) → 32-byte master; HKDF-SHA256 splits it into the AES-256
 * key and a 16-byte key check. The check tells a wrong passphrase ("wrong passphrase") apart
 * from a damaged file (the GCM tag fails although the key is right). The salt is random per
 * file and stays for its lifetime (the key is derived once and cached, the passphrase is not
 * kept); the 96-bit nonce is random per write.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { RotaryError } from '../errors.js';

export const ENVELOPE_FORMAT = 'rotary-encrypted-vault';
export const ENVELOPE_VERSION = 1;

export interface KdfParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/** Defaults for new vaults: 128 MiB of memory, about 0.4–0.5 s on a 2-core EPYC (README, `npm run bench:vault`). */
export const DEFAULT_KDF: KdfParams = { N: 2 ** 17, r: 8, p: 1 };

/**
 * Test-only: `ROTARY_VAULT_KDF_COST=<log2 N>` lowers the cost of NEW vaults so test suites
 * stay fast. Never set it for real use; the file records the cost it was created with.
 */
export const KDF_COST_ENV = 'ROTARY_VAULT_KDF_COST';

export function kdfParamsFor(env: NodeJS.ProcessEnv): KdfParams {
  const raw = env[KDF_COST_ENV];
  if (raw === undefined || raw === '') return DEFAULT_KDF;
  const log2 = Number(raw);
  if (!Number.isInteger(log2) || log2 < MIN_LOG2_N || log2 > MAX_LOG2_N) {
    throw new RotaryError('bad-input', `${KDF_COST_ENV} (tests only) must be a whole number from ${MIN_LOG2_N} to ${MAX_LOG2_N}, not "${raw.slice(0, 10)}".`);
  }
  return { ...DEFAULT_KDF, N: 2 ** log2 };
}

// Bounds for parameters read from a file: a hostile header must not make us allocate gigabytes.
const MIN_LOG2_N = 10;
const MAX_LOG2_N = 20;
const MAX_SCRYPT_MEMORY = 512 * 1024 * 1024;
const SALT_BYTES = 16;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const CHECK_BYTES = 16;

export interface EnvelopeHeader {
  format: typeof ENVELOPE_FORMAT;
  version: typeof ENVELOPE_VERSION;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: 'aes-256-gcm';
  nonce: string;
  check: string;
}

/** What a process keeps after unlocking: the derived keys for one salt (never the passphrase). */
export interface VaultKey {
  readonly kdf: KdfParams;
  readonly salt: Buffer;
  readonly encryptionKey: Buffer;
  readonly check: Buffer;
}

export type Secrets = Record<string, string>;

/** Derive the keys for `salt` (async: scrypt at the default cost blocks a core for ~0.4 s). */
export async function deriveVaultKey(passphrase: string, salt: Buffer, kdf: KdfParams): Promise<VaultKey> {
  const master = await new Promise<Buffer>((resolve, reject) =>
    scrypt(passphrase, salt, 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: scryptMemory(kdf) * 2 }, (error, key) => (error ? reject(error) : resolve(key))),
  );
  const encryptionKey = Buffer.from(hkdfSync('sha256', master, salt, 'rotary-vault v1 aes-256-gcm key', 32));
  const check = Buffer.from(hkdfSync('sha256', master, salt, 'rotary-vault v1 key check', CHECK_BYTES));
  master.fill(0);
  return { kdf: { ...kdf }, salt, encryptionKey, check };
}

export function newSalt(): Buffer {
  return randomBytes(SALT_BYTES);
}

/** Encrypt the whole map into the file text (fresh nonce every call). */
export function seal(key: VaultKey, secrets: Secrets): string {
  const nonce = randomBytes(NONCE_BYTES);
  const header: EnvelopeHeader = {
    format: ENVELOPE_FORMAT,
    version: ENVELOPE_VERSION,
    kdf: { name: 'scrypt', N: key.kdf.N, r: key.kdf.r, p: key.kdf.p, salt: key.salt.toString('base64') },
    cipher: 'aes-256-gcm',
    nonce: nonce.toString('base64'),
    check: key.check.toString('base64'),
  };
  const headerLine = JSON.stringify(header);
  const cipher = createCipheriv('aes-256-gcm', key.encryptionKey, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(headerLine, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
  const body = { tag: cipher.getAuthTag().toString('base64'), ciphertext: ciphertext.toString('base64') };
  return `${headerLine}\n${JSON.stringify(body)}\n`;
}

/** A file split into its header (parsed and bounds-checked) and body, not yet decrypted. */
export interface ParsedEnvelope {
  header: EnvelopeHeader;
  kdf: KdfParams;
  salt: Buffer;
  /** The header line's bytes exactly as stored: the AAD. */
  aad: Buffer;
  nonce: Buffer;
  check: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

/** Parse the file's bytes; anything malformed is a `vault-corrupt` error naming the file. */
export function parseEnvelope(bytes: Buffer, file: string): ParsedEnvelope {
  const corrupt = (what: string) =>
    new RotaryError('vault-corrupt', `The encrypted vault ${file} is damaged (${what}). Rotary will not read or overwrite it; restore it from a backup, or move it aside to start an empty vault.`);
  const newline = bytes.indexOf(0x0a);
  if (newline <= 0) throw corrupt(bytes.length === 0 ? 'the file is empty' : 'no header line');
  const aad = bytes.subarray(0, newline);
  const rest = bytes.subarray(newline + 1);
  const bodyText = decodeUtf8(rest[rest.length - 1] === 0x0a ? rest.subarray(0, -1) : rest);
  const header = parseJsonObject(decodeUtf8(aad));
  const body = bodyText === undefined ? undefined : parseJsonObject(bodyText);
  if (!header) throw corrupt('the header is not readable');
  if (header.format !== ENVELOPE_FORMAT) throw corrupt('this is not a Rotary encrypted vault');
  if (header.version !== ENVELOPE_VERSION) {
    throw typeof header.version === 'number' && header.version > ENVELOPE_VERSION
      ? new RotaryError('vault-corrupt', `The encrypted vault ${file} was written by a newer Rotary (format ${header.version}). Update Rotary to open it.`)
      : corrupt('unknown format version');
  }
  if (header.cipher !== 'aes-256-gcm') throw corrupt('unknown cipher');
  const kdf = header.kdf as Record<string, unknown> | undefined;
  if (!kdf || typeof kdf !== 'object' || kdf.name !== 'scrypt') throw corrupt('unknown key derivation');
  const { N, r, p } = kdf;
  if (!isInt(N) || !isInt(r) || !isInt(p) || !validKdf({ N, r, p })) throw corrupt('key derivation parameters out of range');
  const salt = strictBase64(kdf.salt, SALT_BYTES);
  const nonce = strictBase64(header.nonce, NONCE_BYTES);
  const check = strictBase64(header.check, CHECK_BYTES);
  if (!salt || !nonce || !check) throw corrupt('the header is not readable');
  if (!body) throw corrupt('the encrypted body is not readable');
  const tag = strictBase64(body.tag, TAG_BYTES);
  const ciphertext = strictBase64(body.ciphertext);
  if (!tag || !ciphertext) throw corrupt('the encrypted body is not readable');
  return { header: header as unknown as EnvelopeHeader, kdf: { N, r, p }, salt, aad, nonce, check, tag, ciphertext };
}

/** Whether `key` was derived for this file (same salt and parameters). */
export function keyFits(key: VaultKey, envelope: ParsedEnvelope): boolean {
  return key.salt.equals(envelope.salt) && key.kdf.N === envelope.kdf.N && key.kdf.r === envelope.kdf.r && key.kdf.p === envelope.kdf.p;
}

/**
 * Decrypt with a key derived for this file. A failed key check is a wrong passphrase; a key
 * that checks out but a tag that does not is a file altered or corrupted after it was written.
 */
export function unseal(key: VaultKey, envelope: ParsedEnvelope, file: string): Secrets {
  if (!timingSafeEqual(key.check, envelope.check)) {
    throw new RotaryError(
      'vault-wrong-passphrase',
      `Wrong passphrase for ${file}; nothing was changed. Try again. (If you are sure it is right, the file's header was altered: restore it from a backup.)`,
    );
  }
  let plain: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.encryptionKey, envelope.nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(envelope.aad);
    decipher.setAuthTag(envelope.tag);
    plain = Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]).toString('utf8');
  } catch (error) {
    throw new RotaryError(
      'vault-corrupt',
      `The encrypted vault ${file} failed its integrity check: it was altered or corrupted after Rotary wrote it. Rotary will not use or overwrite it; restore it from a backup, or move it aside to start an empty vault.`,
      { cause: error },
    );
  }
  const secrets = parseJsonObject(plain);
  if (!secrets || Object.values(secrets).some((v) => typeof v !== 'string')) {
    // Authenticated but not our shape: only a buggy writer could produce this.
    throw new RotaryError('vault-corrupt', `The encrypted vault ${file} decrypted to unexpected content. Restore it from a backup.`);
  }
  return secrets as Secrets;
}

function scryptMemory(kdf: KdfParams): number {
  return 128 * kdf.N * kdf.r * kdf.p + 128 * kdf.r * kdf.p;
}

function validKdf(kdf: KdfParams): boolean {
  const log2 = Math.log2(kdf.N);
  return (
    Number.isInteger(log2) && log2 >= MIN_LOG2_N && log2 <= MAX_LOG2_N && kdf.r >= 1 && kdf.r <= 32 && kdf.p >= 1 && kdf.p <= 16 && scryptMemory(kdf) <= MAX_SCRYPT_MEMORY
  );
}

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Base64 that round-trips exactly (Node's decoder silently skips junk), of an exact length if given. */
function strictBase64(value: unknown, bytes?: number): Buffer | undefined {
  if (typeof value !== 'string') return undefined;
  const decoded = Buffer.from(value, 'base64');
  if (decoded.toString('base64') !== value) return undefined;
  if (bytes !== undefined && decoded.length !== bytes) return undefined;
  return decoded;
}
