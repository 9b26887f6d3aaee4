/**
 * Accounts that do not come from a login flow:
 * (a) `rotary auth add <provider>`: a credential JSON read from standard input
 *     (`{"access", "refresh"?, "expires"?}`), and
 * (b) `rotary auth import`: logins other tools already hold (Claude Code, Codex, opencode).
 * Files of other tools are only ever read, never written. Descriptors handed to the UI/CLI
 * carry a masked hint, never a token; `importLogin` reads the file again when it imports.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PROVIDER_NAMES, type AccountRecord, type ProviderID } from '../../../shared/domain.js';
import { RotaryError } from '../errors.js';
import type { AccountPool } from '../pool/account-pool.js';
import type { AccountSecret } from '../pool/account-secret.js';
import { fetchAnthropicIdentity } from './anthropic/identity.js';
import { fetchGithubIdentity } from './copilot/identity.js';
import { exchangeCopilotToken } from './copilot/refresh.js';
import { tokenHint } from './fingerprint.js';
import { isObject, TokenEndpointError, type ProviderHttpContext } from './http.js';
import { identityLabel, type ProviderIdentity } from './identity-types.js';
import { jwtExpiry, openaiIdentity } from './openai/identity.js';

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

/** Ask the provider who a token belongs to. Never throws for an unknown identity: returns `{}`. */
export async function identifyCredential(providerID: ProviderID, secret: AccountSecret, ctx: ProviderHttpContext): Promise<ProviderIdentity> {
  switch (providerID) {
    case 'anthropic':
      return fetchAnthropicIdentity(secret.access, ctx);
    case 'openai': {
      const idToken = typeof secret.extras?.idToken === 'string' ? secret.extras.idToken : undefined;
      return openaiIdentity({ access: secret.access, ...(idToken ? { idToken } : {}) });
    }
    case 'github-copilot':
      return fetchGithubIdentity(secret.access, ctx);
  }
}

export interface AddFromCredentialOptions {
  env: NodeJS.ProcessEnv;
  label?: string;
  signal?: AbortSignal;
}

/**
 * Add an account from a raw credential. Tries to learn the identity for the label and for
 * de-duplication; when that call fails the account is still added with a default label.
 */
export async function addFromCredential(
  pool: AccountPool,
  providerID: ProviderID,
  secret: AccountSecret,
  options: AddFromCredentialOptions,
): Promise<AccountRecord> {
  const ctx = { env: options.env, ...(options.signal ? { signal: options.signal } : {}) };
  let identity: ProviderIdentity = {};
  try {
    identity = await identifyCredential(providerID, secret, ctx);
  } catch {
    // Identity is a nicety (label, de-duplication); the credential itself is what the user asked to add.
  }
  let stored: AccountSecret = secret;
  if (providerID === 'openai') {
    const accountId = (typeof secret.extras?.accountId === 'string' ? secret.extras.accountId : undefined) ?? identity.accountId;
    const expires = secret.expires ?? jwtExpiry(secret.access);
    stored = { ...secret, ...(expires !== undefined ? { expires } : {}), extras: { ...secret.extras, ...(accountId ? { accountId } : {}) } };
    if (accountId) identity = { ...identity, accountId };
    delete stored.extras?.idToken; // only needed to learn the identity
  }
  const label = options.label?.trim() || (providerID === 'github-copilot' ? (identity.login ?? identity.email) : identityLabel(identity));
  return pool.add({
    providerID,
    secret: stored,
    ...(identity.accountId ? { accountId: identity.accountId } : {}),
    ...(identity.email ? { email: identity.email } : {}),
    ...(label ? { label } : {}),
  });
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
  /** The file it was found in. */
  path: string;
  /** Epoch ms when the access token expires, when known. */
  expires?: number;
  /** Whether it has a refresh token (refreshing it may sign the original tool out). */
  refreshable: boolean;
}

export interface FindLoginsOptions {
  /** The user's home folder (tests pass a temporary one). */
  homeDir: string;
  env: NodeJS.ProcessEnv;
}

interface Candidate {
  source: LoginSource;
  path: string;
}

function candidates({ homeDir, env }: FindLoginsOptions): Candidate[] {
  const list: Candidate[] = [{ source: 'claude-code', path: path.join(homeDir, '.claude', '.credentials.json') }];
  if (env.CLAUDE_CONFIG_DIR) list.push({ source: 'claude-code', path: path.join(env.CLAUDE_CONFIG_DIR, '.credentials.json') });
  if (env.CODEX_HOME) list.push({ source: 'codex', path: path.join(env.CODEX_HOME, 'auth.json') });
  list.push({ source: 'codex', path: path.join(homeDir, '.codex', 'auth.json') });
  if (env.XDG_DATA_HOME) list.push({ source: 'opencode', path: path.join(env.XDG_DATA_HOME, 'opencode', 'auth.json') });
  list.push({ source: 'opencode', path: path.join(homeDir, '.local', 'share', 'opencode', 'auth.json') });
  const seen = new Set<string>();
  return list.filter((c) => {
    const key = path.resolve(c.path);
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
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

interface Extracted {
  providerID: ProviderID;
  secret: AccountSecret;
}

/** The credentials a file holds, per provider. Unknown shapes yield nothing. */
function extract(source: LoginSource, data: unknown): Extracted[] {
  if (!isObject(data)) return [];
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
  if (source === 'claude-code') {
    const o = isObject(data.claudeAiOauth) ? data.claudeAiOauth : undefined;
    const access = str(o?.accessToken);
    if (!o || !access) return [];
    const refresh = str(o.refreshToken);
    const expires = num(o.expiresAt);
    return [{ providerID: 'anthropic', secret: { access, ...(refresh ? { refresh } : {}), ...(expires ? { expires } : {}) } }];
  }
  if (source === 'codex') {
    const t = isObject(data.tokens) ? data.tokens : undefined;
    const access = str(t?.access_token);
    if (!t || !access) return [];
    const refresh = str(t.refresh_token);
    const idToken = str(t.id_token);
    const accountId = str(t.account_id) ?? openaiIdentity({ access, ...(idToken ? { idToken } : {}) }).accountId;
    const expires = jwtExpiry(access);
    return [
      {
        providerID: 'openai',
        secret: {
          access,
          ...(refresh ? { refresh } : {}),
          ...(expires ? { expires } : {}),
          extras: { ...(accountId ? { accountId } : {}), ...(idToken ? { idToken } : {}) },
        },
      },
    ];
  }
  // opencode: {"anthropic": {type:"oauth", refresh, access, expires}, "openai": {…, accountId?}, "github-copilot": {…}}
  const out: Extracted[] = [];
  for (const [key, providerID] of [
    ['anthropic', 'anthropic'],
    ['openai', 'openai'],
    ['github-copilot', 'github-copilot'],
  ] as const) {
    const entry = data[key];
    if (!isObject(entry) || entry.type !== 'oauth') continue;
    const access = str(entry.access);
    const refresh = str(entry.refresh);
    if (providerID === 'github-copilot') {
      // opencode keeps the GitHub token in `refresh` (and the short-lived Copilot token, or the same GitHub token, in `access`).
      const github = refresh ?? access;
      if (github) out.push({ providerID, secret: { access: github } });
      continue;
    }
    if (!access) continue;
    const expires = num(entry.expires);
    const accountId = providerID === 'openai' ? (str(entry.accountId) ?? openaiIdentity({ access }).accountId) : undefined;
    out.push({
      providerID,
      secret: {
        access,
        ...(refresh ? { refresh } : {}),
        ...(expires ? { expires } : providerID === 'openai' && jwtExpiry(access) ? { expires: jwtExpiry(access)! } : {}),
        ...(accountId ? { extras: { accountId } } : {}),
      },
    });
  }
  return out;
}

function hintFor(e: Extracted): string {
  if (e.providerID === 'openai') {
    const idToken = typeof e.secret.extras?.idToken === 'string' ? e.secret.extras.idToken : undefined;
    const email = openaiIdentity({ access: e.secret.access, ...(idToken ? { idToken } : {}) }).email;
    if (email) return email;
  }
  return tokenHint(e.secret.access);
}

/** Logins other tools hold on this machine. Reads only; never modifies those files. */
export function findExistingLogins(options: FindLoginsOptions): FoundLogin[] {
  const found: FoundLogin[] = [];
  for (const candidate of candidates(options)) {
    const data = readJsonFile(candidate.path);
    if (data === undefined) continue;
    for (const e of extract(candidate.source, data)) {
      found.push({
        source: candidate.source,
        sourceName: LOGIN_SOURCE_NAMES[candidate.source],
        providerID: e.providerID,
        providerName: PROVIDER_NAMES[e.providerID],
        hint: hintFor(e),
        path: candidate.path,
        ...(e.secret.expires ? { expires: e.secret.expires } : {}),
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
  now?: () => number;
}

/** Import one found login (the file is read again here, so the descriptor never carried the token). */
export async function importLogin(pool: AccountPool, found: FoundLogin, options: ImportLoginOptions): Promise<AccountRecord> {
  const data = readJsonFile(found.path);
  if (data === undefined) {
    throw new RotaryError('not-found', `${found.path} can no longer be read (was it removed or changed?). Run the import again.`);
  }
  const entry = extract(found.source, data).find((e) => e.providerID === found.providerID);
  if (!entry) throw new RotaryError('not-found', `${found.path} no longer holds a ${PROVIDER_NAMES[found.providerID]} login. Run the import again.`);
  if (found.providerID === 'github-copilot') {
    // Check now that the token can be exchanged: opencode's own GitHub app tokens cannot (PROTOCOLS §3.1).
    try {
      await exchangeCopilotToken(entry.secret.access, { env: options.env, now: (options.now ?? Date.now)(), ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      if (error instanceof TokenEndpointError && error.permanent) {
        throw new RotaryError('auth-failed', `The ${found.sourceName} GitHub login cannot be used: ${error.message} Log in with Rotary's own Copilot login instead.`);
      }
      throw error;
    }
  }
  return addFromCredential(pool, found.providerID, entry.secret, {
    env: options.env,
    ...(options.label ? { label: options.label } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
