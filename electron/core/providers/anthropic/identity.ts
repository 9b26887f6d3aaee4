/**
 * Anthropic identity: `/api/oauth/profile` gives the account uuid (stable, used to de-duplicate)
 * and the e-mail (used as the label). The token response also carries `account`, used as a fallback.
 */
import type { ProviderIdentity } from '../identity-types.js';
import { isObject, providerFetch, readJson, type ProviderHttpContext } from '../http.js';
import { RotaryError } from '../../errors.js';
import { ANTHROPIC_AUTH_USER_AGENT, ANTHROPIC_OAUTH_BETA, ANTHROPIC_PROFILE_URL } from './constants.js';

export async function fetchAnthropicIdentity(access: string, ctx: ProviderHttpContext): Promise<ProviderIdentity> {
  const what = 'the Claude profile endpoint';
  const res = await providerFetch(ctx, what, ANTHROPIC_PROFILE_URL, {
    headers: {
      authorization: `Bearer ${access}`,
      'anthropic-beta': ANTHROPIC_OAUTH_BETA,
      accept: 'application/json',
      'user-agent': ANTHROPIC_AUTH_USER_AGENT,
    },
  });
  // A 401 says the token is no good; anything else (403 for a token without the profile scope, 5xx) says nothing about it.
  if (res.status === 401) throw new RotaryError('auth-failed', `${what} answered HTTP 401 (the token is invalid, expired or revoked).`);
  const body = await readJson(res, what);
  if (!res.ok) throw new RotaryError('provider-error', `${what} answered HTTP ${res.status}.`);
  return identityFromProfile(body);
}

/** `{account:{uuid,email}}` from the profile, or `{account:{uuid,email_address}}` from a token response. */
export function identityFromProfile(body: unknown): ProviderIdentity {
  const account = isObject(body) && isObject(body.account) ? body.account : undefined;
  if (!account) return {};
  const email = typeof account.email === 'string' ? account.email : typeof account.email_address === 'string' ? account.email_address : undefined;
  return {
    ...(typeof account.uuid === 'string' && account.uuid ? { accountId: account.uuid } : {}),
    ...(email ? { email } : {}),
  };
}
