/**
 * Anthropic refresh grant. Deviates from RFC 6749: the body is JSON, not form-encoded
 * (PROTOCOLS §1.3). The refresh token rotates on every call; the caller stores the new one.
 */
import type { AccountSecret } from '../../pool/account-secret.js';
import { providerFetch, readTokenResponse, TokenEndpointError, type ProviderHttpContext } from '../http.js';
import { ANTHROPIC_AUTH_USER_AGENT, ANTHROPIC_CLIENT_ID, ANTHROPIC_SCOPES, ANTHROPIC_TOKEN_URL } from './constants.js';

export const ANTHROPIC_TOKEN_WHAT = 'the Claude token endpoint';

/** POST JSON to the token endpoint and read the answer (shared by code redemption and refresh). */
export async function anthropicTokenRequest(body: Record<string, string>, ctx: ProviderHttpContext) {
  const res = await providerFetch(ctx, ANTHROPIC_TOKEN_WHAT, ANTHROPIC_TOKEN_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': ANTHROPIC_AUTH_USER_AGENT },
    body: JSON.stringify(body),
  });
  return readTokenResponse(res, ANTHROPIC_TOKEN_WHAT);
}

/** The client id a login was issued to: its own (an imported Claude Code login may carry one), else Claude Code's default. */
export function loginClientId(secret: AccountSecret): string {
  const own = secret.extras?.clientId;
  return typeof own === 'string' && own.trim() ? own.trim() : ANTHROPIC_CLIENT_ID;
}

/** The scopes stored with a login, space-separated; the default login's when none are stored. */
export function loginScope(secret: AccountSecret): string {
  const stored = secret.extras?.scopes;
  const scopes = Array.isArray(stored) ? stored.filter((s): s is string => typeof s === 'string' && s.trim() !== '') : [];
  return scopes.length ? scopes.join(' ') : ANTHROPIC_SCOPES;
}

export async function refreshAnthropic(secret: AccountSecret, ctx: ProviderHttpContext & { now: number }): Promise<AccountSecret> {
  if (!secret.refresh) {
    throw new TokenEndpointError('This Claude token cannot be refreshed (it was added without a refresh token).', { permanent: true, status: 0 });
  }
  // As Claude Code 2.1.332 (PROTOCOLS §1.3): the login's own client id and its stored scopes.
  const tokens = await anthropicTokenRequest(
    { grant_type: 'refresh_token', refresh_token: secret.refresh, client_id: loginClientId(secret), scope: loginScope(secret) },
    ctx,
  );
  return {
    ...secret,
    access: tokens.access_token,
    refresh: tokens.refresh_token ?? secret.refresh,
    expires: ctx.now + (tokens.expires_in ?? 3600) * 1000,
  };
}
