/**
 * Claude Pro/Max login, paste-back style: open the authorize URL, the user logs in and the
 * page shows `code#state`, the user pastes it (or the whole callback URL) back. PKCE S256 with
 * a separate random state; the code is redeemed once (PROTOCOLS §1.2–1.3).
 */
import * as oauth from 'oauth4webapi';
import type { AccountRecord } from '../../../../shared/domain.js';
import { RotaryError } from '../../errors.js';
import type { AccountPool } from '../../pool/account-pool.js';
import { applyUpstream } from '../../upstream.js';
import { TokenEndpointError } from '../http.js';
import { identityLabel, type ProviderIdentity } from '../identity-types.js';
import type { LoginProgress } from '../login-types.js';
import {
  ANTHROPIC_AUTHORIZE_URL,
  ANTHROPIC_CLIENT_ID,
  ANTHROPIC_REDIRECT_URI,
  ANTHROPIC_SCOPES,
} from './constants.js';
import { fetchAnthropicIdentity, identityFromProfile } from './identity.js';
import { anthropicTokenRequest } from './refresh.js';

export interface AnthropicLoginOptions {
  pool: AccountPool;
  env: NodeJS.ProcessEnv;
  /** Opens the authorize URL in a browser (the CLI may also just print it). */
  openUrl?: (url: string) => void | Promise<void>;
  /** Label for the new account (default: its e-mail). */
  label?: string;
  onProgress?: (progress: LoginProgress) => void;
  now?: () => number;
}

export interface AnthropicLogin {
  /** The authorize URL (ROTARY_UPSTREAM applied). */
  readonly url: string;
  /** Redeem what the user pasted: `code#state` or the full callback URL. */
  submit(pasted: string): Promise<AccountRecord>;
  cancel(): void;
}

export const STATE_MISMATCH_MESSAGE = 'The pasted code belongs to a different login attempt (state mismatch). Start again.';

export async function startAnthropicLogin(options: AnthropicLoginOptions): Promise<AnthropicLogin> {
  const { pool, env } = options;
  const now = options.now ?? Date.now;
  const verifier = oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  // Claude Code uses a separate state (not the verifier, as opencode did): the server never sees the verifier early.
  const state = oauth.generateRandomState();
  const authorize = new URL(ANTHROPIC_AUTHORIZE_URL);
  authorize.search = new URLSearchParams({
    code: 'true',
    client_id: ANTHROPIC_CLIENT_ID,
    response_type: 'code',
    redirect_uri: ANTHROPIC_REDIRECT_URI,
    scope: ANTHROPIC_SCOPES,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  }).toString();
  const url = applyUpstream(authorize.toString(), env.ROTARY_UPSTREAM);

  const abort = new AbortController();
  let redemption: Promise<AccountRecord> | undefined;
  let finished: { ok: true } | { ok: false; message: string } | undefined;

  const redeem = async (code: string): Promise<AccountRecord> => {
    const ctx = { env, signal: abort.signal };
    options.onProgress?.({ step: 'exchanging', message: 'Redeeming the code…' });
    let tokens;
    try {
      // Deviation from RFC 6749: JSON body and a `state` field (PROTOCOLS §1.3).
      tokens = await anthropicTokenRequest(
        { grant_type: 'authorization_code', code, redirect_uri: ANTHROPIC_REDIRECT_URI, client_id: ANTHROPIC_CLIENT_ID, code_verifier: verifier, state },
        ctx,
      );
    } catch (error) {
      if (error instanceof TokenEndpointError && error.permanent) {
        throw new RotaryError('auth-failed', `Claude did not accept the code (${error.oauthError ?? `HTTP ${error.status}`}). It may be mistyped, expired or already used. Start again.`);
      }
      throw error;
    }
    options.onProgress?.({ step: 'profile', message: 'Reading the account profile…' });
    let identity: ProviderIdentity = identityFromProfile(tokens.raw);
    try {
      identity = { ...identity, ...(await fetchAnthropicIdentity(tokens.access_token, ctx)) };
    } catch (error) {
      if (abort.signal.aborted) throw error;
      // The token response already named the account; a failing profile call must not lose the login.
    }
    if (abort.signal.aborted) throw cancelledError();
    const label = options.label?.trim() || identityLabel(identity);
    const record = await pool.add({
      providerID: 'anthropic',
      secret: {
        access: tokens.access_token,
        ...(tokens.refresh_token ? { refresh: tokens.refresh_token } : {}),
        expires: now() + (tokens.expires_in ?? 3600) * 1000,
      },
      ...(identity.accountId ? { accountId: identity.accountId } : {}),
      ...(identity.email ? { email: identity.email } : {}),
      ...(label ? { label } : {}),
    });
    options.onProgress?.({ step: 'done', message: `Added ${record.label}.` });
    return record;
  };

  const submit = (pasted: string): Promise<AccountRecord> => {
    if (abort.signal.aborted) return Promise.reject(cancelledError());
    if (redemption) {
      // One code, one redemption: a second click/paste shares the first attempt's outcome while it runs.
      if (!finished) return redemption;
      return Promise.reject(
        finished.ok
          ? new RotaryError('bad-input', 'This login is already complete. Start a new login to add another account.')
          : new RotaryError('bad-input', `This login attempt has ended (${finished.message}). Start again.`),
      );
    }
    let parsed: { code: string; state: string | undefined };
    try {
      parsed = parsePastedCode(pasted);
    } catch (error) {
      return Promise.reject(error);
    }
    if (parsed.state !== state) return Promise.reject(new RotaryError('bad-input', STATE_MISMATCH_MESSAGE));
    redemption = redeem(parsed.code).then(
      (record) => {
        finished = { ok: true };
        return record;
      },
      (error: unknown) => {
        finished = { ok: false, message: error instanceof Error ? error.message : String(error) };
        throw abort.signal.aborted ? cancelledError() : error;
      },
    );
    return redemption;
  };

  try {
    await options.openUrl?.(url);
  } catch {
    // The URL is shown to the user as well; a browser that does not open is not fatal.
  }
  options.onProgress?.({ step: 'waiting', message: 'Log in in the browser, then paste the code shown there.' });
  return {
    url,
    submit,
    cancel: () => abort.abort(),
  };
}

function cancelledError(): RotaryError {
  return new RotaryError('cancelled', 'The Claude login was cancelled.');
}

const PASTE_HELP = 'Paste the code from the Claude page (it looks like "abc…#xyz…"), or the full address of that page.';

/**
 * Accepts `code#state` or a callback URL with `?code=…&state=…`. Throws a bad-input error for
 * anything else. `state` is undefined only when the user pasted a bare code (no `#`), which the
 * caller then reports as a mismatch.
 */
export function parsePastedCode(pasted: string): { code: string; state: string | undefined } {
  const text = (pasted ?? '').trim();
  if (!text) throw new RotaryError('bad-input', `Nothing was pasted. ${PASTE_HELP}`);
  if (/^https?:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new RotaryError('bad-input', `That address could not be read. ${PASTE_HELP}`);
    }
    const error = url.searchParams.get('error');
    if (error) throw new RotaryError('auth-failed', `Claude reported an error instead of a code (${error}). Start again.`);
    const code = url.searchParams.get('code') ?? '';
    // The callback page may also carry the state in the fragment (`#state`).
    const state = url.searchParams.get('state') ?? (url.hash.length > 1 ? url.hash.slice(1) : undefined);
    if (!isCodeLike(code)) throw new RotaryError('bad-input', `That address has no login code in it. ${PASTE_HELP}`);
    return { code, state: state ?? undefined };
  }
  const parts = text.split('#');
  const code = parts[0] ?? '';
  if (parts.length > 2 || !isCodeLike(code) || (parts.length === 2 && !isCodeLike(parts[1] ?? ''))) {
    throw new RotaryError('bad-input', `That does not look like a login code. ${PASTE_HELP}`);
  }
  return { code, state: parts[1] };
}

/** Codes and states are URL-safe tokens; anything with spaces or punctuation is a paste mistake. */
function isCodeLike(value: string): boolean {
  return /^[A-Za-z0-9._~-]{8,}$/.test(value);
}
