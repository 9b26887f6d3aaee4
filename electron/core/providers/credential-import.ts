/**
 * Accounts that do not come from a login flow:
 * (a) `rotary auth add <provider>`: a credential JSON read from standard input
 *     (`{"access", "refresh"?, "expires"?}`), checked with the provider and against the pool, and
 * (b) `rotary auth import`: logins other tools already hold (Claude Code, Codex, opencode).
 * Stores of other tools (files, Claude Code's macOS Keychain item) are only ever read, never
 * written. Descriptors handed to the UI/CLI carry a masked hint, never a token; `importLogin`
 * reads the store again when it imports.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROVIDER_NAMES, type AccountRecord, type ProviderID } from '../../../shared/domain.js';
import { errorMessage, isRotaryError, RotaryError } from '../errors.js';
import type { AccountPool } from '../pool/account-pool.js';
import type { AccountSecret } from '../pool/account-secret.js';
import { claudeCodeCredentialFiles, claudeCodeKeychainServices } from './anthropic/claude-code-store.js';
import { tokenFingerprint, tokenHint } from './fingerprint.js';
import { isObject } from './http.js';
import type { ProviderIdentity } from './identity-types.js';
import { readGenericPassword, type KeychainItem } from './macos-keychain.js';
import { provider } from './registry.js';

export const IMPORT_REFRESH_WARNING = 'Refreshing an imported token may sign the original tool out (the refresh token rotates).';

const EXAMPLE = '{"access": "…", "refresh": "…", "expires": 1767225600000}';

// ------------------------------------------------------------------ (a) credential JSON

/**
 * Parse the credential JSON of `rotary auth add`. Error messages never repeat the input
 * (it holds tokens), not even JSON.parse's excerpt.
 */
export function parseCredentialJSON(text: string): AccountSecret {
  const trimmed = (text ?? '').trim();
  if (!trimmed) throw new RotaryError('bad-input', `No credential was given on standard input. Pipe a JSON object like ${EXAMPLE}.`);
  let raw: unknown;
  try {
    raw = JSON.parse(trimmed);
  } catch {
    throw new RotaryError('bad-input', `The credential is not valid JSON. Expected an object like ${EXAMPLE}.`);
  }
  if (!isObject(raw)) throw new RotaryError('bad-input', `The credential must be a JSON object like ${EXAMPLE}.`);
  if (raw.access === undefined || raw.access === null) throw new RotaryError('bad-input', 'The credential has no "access" token.');
  if (typeof raw.access !== 'string' || !raw.access.trim()) throw new RotaryError('bad-input', '"access" must be a non-empty string.');
  if (raw.refresh !== undefined && raw.refresh !== null && (typeof raw.refresh !== 'string' || !raw.refresh.trim())) {
    throw new RotaryError('bad-input', '"refresh" must be a non-empty string when given.');
  }
  let expires: number | undefined;
  if (raw.expires !== undefined && raw.expires !== null) {
    if (typeof raw.expires !== 'number' || !Number.isFinite(raw.expires) || raw.expires < 0) {
      throw new RotaryError('bad-input', '"expires" must be a number: the expiry time in milliseconds since 1970 (epoch ms).');
    }
    // A value this small is epoch seconds (a common mix-up); treat it as such rather than "expired in 1970".
    expires = raw.expires > 0 && raw.expires < 1e11 ? raw.expires * 1000 : raw.expires;
  }
  return {
    access: raw.access.trim(),
    ...(typeof raw.refresh === 'string' ? { refresh: raw.refresh.trim() } : {}),
    ...(expires ? { expires } : {}),
  };
}

export interface AddFromCredentialOptions {
  env: NodeJS.ProcessEnv;
  label?: string;
  signal?: AbortSignal;
}

export interface AddedCredential {
  record: AccountRecord;
  /** `added`: a new account; `updated`: the provider says it is an account already in the pool (its credential was replaced); `duplicate`: the same token is already stored, nothing was written. */
  outcome: 'added' | 'updated' | 'duplicate';
  /** Why the provider could not be asked whether it accepts the credential (unreachable…); undefined when it was checked. */
  unchecked?: string;
}

/**
 * Add an account from a raw credential, checked first:
 * - the same access or refresh token already stored for this provider → nothing is added;
 * - the provider refuses it (401 from its identity endpoint or the Copilot exchange) → `auth-failed`, nothing is added;
 * - the provider names an account already in the pool → that account is updated, not duplicated;
 * - the provider cannot be reached → added with a default label, and `unchecked` says why.
 */
export async function addVerifiedCredential(
  pool: AccountPool,
  providerID: ProviderID,
  secret: AccountSecret,
  options: AddFromCredentialOptions,
): Promise<AddedCredential> {
  const same = await accountWithSameToken(pool, providerID, secret);
  if (same) return { record: same, outcome: 'duplicate' };

  const ctx = { env: options.env, ...(options.signal ? { signal: options.signal } : {}) };
  const adapter = provider(providerID);
  let identity: ProviderIdentity = {};
  let unchecked: string | undefined;
  try {
    identity = await adapter.identify(secret, ctx);
    await adapter.verifyCredential(secret, ctx);
  } catch (error) {
    if (isRotaryError(error, 'auth-failed')) {
      throw new RotaryError('auth-failed', `${PROVIDER_NAMES[providerID]} rejected the token: ${error.message} Nothing was added; log in again or pass a current credential.`);
    }
    if (isRotaryError(error, 'cancelled')) throw error;
    // Unreachable or an answer that says nothing about the token: the credential is what the user asked to add.
    unchecked = errorMessage(error);
  }
  const prepared = adapter.prepareCredential(secret, identity);
  identity = prepared.identity;
  const existing = identity.accountId ? pool.snapshot(providerID).records.find((r) => r.accountId === identity.accountId) : undefined;
  const label = options.label?.trim() || adapter.labelFor(identity);
  const record = await pool.add({
    providerID,
    secret: prepared.secret,
    ...(identity.accountId ? { accountId: identity.accountId } : {}),
    ...(identity.email ? { email: identity.email } : {}),
    ...(label ? { label } : {}),
  });
  return { record, outcome: existing ? 'updated' : 'added', ...(unchecked ? { unchecked } : {}) };
}

/** `addVerifiedCredential` for callers that only need the account. */
export async function addFromCredential(
  pool: AccountPool,
  providerID: ProviderID,
  secret: AccountSecret,
  options: AddFromCredentialOptions,
): Promise<AccountRecord> {
  return (await addVerifiedCredential(pool, providerID, secret, options)).record;
}

/** The account of this provider whose stored access or refresh token is the one given (the vault is read; tokens are compared, never shown). */
async function accountWithSameToken(pool: AccountPool, providerID: ProviderID, secret: AccountSecret): Promise<AccountRecord | undefined> {
  for (const record of pool.snapshot(providerID).records) {
    const stored = await pool.getSecret(providerID, record.id).catch(() => undefined);
    if (!stored) continue;
    if (stored.access === secret.access || (secret.refresh !== undefined && stored.refresh === secret.refresh)) return record;
  }
  return undefined;
}

// ------------------------------------------------------------------ (b) existing logins

export type LoginSource = 'claude-code' | 'codex' | 'opencode';

export const LOGIN_SOURCE_NAMES: Record<LoginSource, string> = {
  'claude-code': 'Claude Code',
  codex: 'Codex CLI',
  opencode: 'opencode',
};

/** A login found on disk. Safe to show and to send over IPC: no token in it. */
export interface FoundLogin {
  source: LoginSource;
  sourceName: string;
  providerID: ProviderID;
  providerName: string;
  /** E-mail when the token says it, otherwise "token …ab12". */
  hint: string;
  /** The file it was found in, or where in the Keychain (for display). */
  path: string;
  /** Set when it was found in the macOS login Keychain rather than a file. */
  keychain?: KeychainItem;
  /** Epoch ms when the access token expires, when known. */
  expires?: number;
  /** Whether it has a refresh token (refreshing it may sign the original tool out). */
  refreshable: boolean;
}

export interface FindLoginsOptions {
  /** The user's home folder (tests pass a temporary one). */
  homeDir: string;
  env: NodeJS.ProcessEnv;
  /** Which OS's stores to look in (default: this one); tests pass `darwin` to reach the Keychain path. */
  platform?: NodeJS.Platform;
}

interface Candidate {
  source: LoginSource;
  path: string;
  keychain?: KeychainItem;
}

/** The user name Keychain items are filed under (`security -a "$USER"`, as Claude Code). */
function keychainAccount(env: NodeJS.ProcessEnv): string | undefined {
  if (env.USER) return env.USER;
  try {
    return os.userInfo().username;
  } catch {
    return undefined;
  }
}

function candidates({ homeDir, env, platform = process.platform }: FindLoginsOptions): Candidate[] {
  const list: Candidate[] = [];
  // On macOS Claude Code keeps its login in the login Keychain; the file is only its fallback.
  const account = platform === 'darwin' ? keychainAccount(env) : undefined;
  if (account) {
    for (const service of claudeCodeKeychainServices(env)) {
      list.push({ source: 'claude-code', path: `macOS login Keychain: "${service}"`, keychain: { service, account } });
    }
  }
  for (const file of claudeCodeCredentialFiles(homeDir, env)) list.push({ source: 'claude-code', path: file });
  if (env.CODEX_HOME) list.push({ source: 'codex', path: path.join(env.CODEX_HOME, 'auth.json') });
  list.push({ source: 'codex', path: path.join(homeDir, '.codex', 'auth.json') });
  if (env.XDG_DATA_HOME) list.push({ source: 'opencode', path: path.join(env.XDG_DATA_HOME, 'opencode', 'auth.json') });
  list.push({ source: 'opencode', path: path.join(homeDir, '.local', 'share', 'opencode', 'auth.json') });
  const seen = new Set<string>();
  return list.filter((c) => {
    const key = c.keychain ? `keychain:${c.keychain.service}` : path.resolve(c.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Read a JSON file without changing it (read-only open, no atime games). Undefined when absent or unreadable. */
function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, { encoding: 'utf8', flag: 'r' });
  } catch {
    return undefined;
  }
  return parseJsonText(text);
}

function parseJsonText(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** What a candidate store holds, as JSON; undefined when it is absent or unreadable. */
function readStore(c: Pick<Candidate, 'path' | 'keychain'>, env: NodeJS.ProcessEnv): unknown {
  return c.keychain ? parseJsonText(readGenericPassword(c.keychain, env)) : readJsonFile(c.path);
}

interface Extracted {
  providerID: ProviderID;
  secret: AccountSecret;
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);

/**
 * Claude Code: `{"claudeAiOauth": {accessToken, refreshToken, expiresAt, scopes, clientId?, …}}`
 * (PROTOCOLS §1.3). The login's own `clientId` and `scopes` stay with it: its refresh must
 * send them (anthropic/refresh.ts).
 */
function readClaudeCode(data: Record<string, unknown>): Extracted[] {
  const o = isObject(data.claudeAiOauth) ? data.claudeAiOauth : undefined;
  const access = str(o?.accessToken);
  if (!o || !access) return [];
  const refresh = str(o.refreshToken);
  const expires = num(o.expiresAt);
  const clientId = str(o.clientId);
  const scopes = Array.isArray(o.scopes) ? o.scopes.map(str).filter((x): x is string => x !== undefined) : [];
  const extras = { ...(clientId ? { clientId } : {}), ...(scopes.length ? { scopes } : {}) };
  return [
    {
      providerID: 'anthropic',
      secret: { access, ...(refresh ? { refresh } : {}), ...(expires ? { expires } : {}), ...(Object.keys(extras).length ? { extras } : {}) },
    },
  ];
}

/** Codex: `{"tokens": {id_token, access_token, refresh_token, account_id}}` (PROTOCOLS §2.3). */
function readCodex(data: Record<string, unknown>): Extracted[] {
  const t = isObject(data.tokens) ? data.tokens : undefined;
  const access = str(t?.access_token);
  if (!t || !access) return [];
  const refresh = str(t.refresh_token);
  const idToken = str(t.id_token);
  const accountId = str(t.account_id);
  const extras = { ...(accountId ? { accountId } : {}), ...(idToken ? { idToken } : {}) };
  return [{ providerID: 'openai', secret: { access, ...(refresh ? { refresh } : {}), extras } }];
}

/**
 * opencode: one entry per provider, `{"openai": {type:"oauth", refresh, access, expires, accountId?}, …}`.
 * Its Copilot entry keeps the GitHub token in `refresh` (and the short-lived Copilot token, or
 * the same GitHub token, in `access`); the GitHub token is the one Rotary stores.
 */
const OPENCODE_ENTRIES: ReadonlyArray<{ key: string; providerID: ProviderID; access: (e: Record<string, unknown>) => string | undefined; keepsRefresh: boolean }> = [
  { key: 'anthropic', providerID: 'anthropic', access: (e) => str(e.access), keepsRefresh: true },
  { key: 'openai', providerID: 'openai', access: (e) => str(e.access), keepsRefresh: true },
  { key: 'github-copilot', providerID: 'github-copilot', access: (e) => str(e.refresh) ?? str(e.access), keepsRefresh: false },
];

function readOpencode(data: Record<string, unknown>): Extracted[] {
  const out: Extracted[] = [];
  for (const { key, providerID, access: accessOf, keepsRefresh } of OPENCODE_ENTRIES) {
    const entry = data[key];
    if (!isObject(entry) || entry.type !== 'oauth') continue;
    const access = accessOf(entry);
    if (!access) continue;
    const refresh = keepsRefresh ? str(entry.refresh) : undefined;
    const expires = keepsRefresh ? num(entry.expires) : undefined;
    const accountId = str(entry.accountId);
    out.push({
      providerID,
      secret: { access, ...(refresh ? { refresh } : {}), ...(expires ? { expires } : {}), ...(accountId ? { extras: { accountId } } : {}) },
    });
  }
  return out;
}

const READERS: Record<LoginSource, (data: Record<string, unknown>) => Extracted[]> = {
  'claude-code': readClaudeCode,
  codex: readCodex,
  opencode: readOpencode,
};

/** The credentials a file holds, per provider, as the file has them. Unknown shapes yield nothing. */
function extract(source: LoginSource, data: unknown): Extracted[] {
  return isObject(data) ? READERS[source](data) : [];
}

/** When the login's access token expires, as the pool would store it (some tools keep it only inside the token). */
function expiryOf(e: Extracted): { expires?: number } {
  const expires = provider(e.providerID).prepareCredential(e.secret, {}).secret.expires;
  return expires ? { expires } : {};
}

function hintFor(e: Extracted): string {
  return provider(e.providerID).localIdentity(e.secret).email ?? tokenHint(e.secret.access);
}

/** Logins other tools hold on this machine. Reads only; never modifies those files. */
export function findExistingLogins(options: FindLoginsOptions): FoundLogin[] {
  const found: FoundLogin[] = [];
  // The same login can sit in the Keychain and in the fallback file: list it once, where it was found first.
  const seen = new Set<string>();
  for (const candidate of candidates(options)) {
    const data = readStore(candidate, options.env);
    if (data === undefined) continue;
    for (const e of extract(candidate.source, data)) {
      const key = `${e.providerID}:${tokenFingerprint(e.secret.access)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push({
        source: candidate.source,
        sourceName: LOGIN_SOURCE_NAMES[candidate.source],
        providerID: e.providerID,
        providerName: PROVIDER_NAMES[e.providerID],
        hint: hintFor(e),
        path: candidate.path,
        ...(candidate.keychain ? { keychain: candidate.keychain } : {}),
        ...expiryOf(e),
        refreshable: Boolean(e.secret.refresh),
      });
    }
  }
  return found;
}

export interface ImportLoginOptions {
  env: NodeJS.ProcessEnv;
  label?: string;
  signal?: AbortSignal;
}

/** Import one found login (its store is read again here, so the descriptor never carried the token). */
export async function importLogin(pool: AccountPool, found: FoundLogin, options: ImportLoginOptions): Promise<AccountRecord> {
  const data = readStore(found, options.env);
  if (data === undefined) {
    throw new RotaryError('not-found', `${found.path} can no longer be read (was it removed or changed?). Run the import again.`);
  }
  const entry = extract(found.source, data).find((e) => e.providerID === found.providerID);
  if (!entry) throw new RotaryError('not-found', `${found.path} no longer holds a ${PROVIDER_NAMES[found.providerID]} login. Run the import again.`);
  try {
    return await addFromCredential(pool, found.providerID, entry.secret, {
      env: options.env,
      ...(options.label ? { label: options.label } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (isRotaryError(error, 'auth-failed')) throw new RotaryError('auth-failed', `The ${found.sourceName} login cannot be used: ${error.message}`);
    throw error;
  }
}
