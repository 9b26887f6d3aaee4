/**
 * ChatGPT refresh grant (form-encoded, as opencode sends it; RFC 6749 shaped, so oauth4webapi
 * builds the request). The refresh token rotates; `refresh_token_reused/expired/invalidated`
 * are permanent (PROTOCOLS §2.2).
 */
import * as oauth from 'oauth4webapi';
import type { AccountSecret } from '../../pool/account-secret.js';
import { applyUpstream } from '../../upstream.js';
import { oauthCall, oauthRequestOptions, readTokenResponse, TokenEndpointError, type ProviderHttpContext } from '../http.js';
import { OPENAI_CLIENT_ID, OPENAI_ISSUER, OPENAI_TOKEN_URL } from './constants.js';
import { jwtExpiry, openaiIdentity } from './identity.js';

export const OPENAI_TOKEN_WHAT = 'the OpenAI token endpoint';

/** Authorization-server and client descriptions for oauth4webapi, with ROTARY_UPSTREAM applied. */
export function openaiOAuth(env: NodeJS.ProcessEnv): { as: oauth.AuthorizationServer; client: oauth.Client } {
  return {
    as: { issuer: OPENAI_ISSUER, token_endpoint: applyUpstream(OPENAI_TOKEN_URL, env.ROTARY_UPSTREAM) },
    client: { client_id: OPENAI_CLIENT_ID, token_endpoint_auth_method: 'none' },
  };
}

export async function refreshOpenAI(secret: AccountSecret, ctx: ProviderHttpContext & { now: number }): Promise<AccountSecret> {
  if (!secret.refresh) {
    throw new TokenEndpointError('This ChatGPT token cannot be refreshed (it was added without a refresh token).', { permanent: true, status: 0 });
  }
  const { as, client } = openaiOAuth(ctx.env);
  const res = await oauthCall(ctx, OPENAI_TOKEN_WHAT, () =>
    oauth.refreshTokenGrantRequest(as, client, oauth.None(), secret.refresh!, oauthRequestOptions(ctx)),
  );
  const tokens = await readTokenResponse(res, OPENAI_TOKEN_WHAT);
  const identity = openaiIdentity({ ...(tokens.id_token ? { idToken: tokens.id_token } : {}), access: tokens.access_token });
  const expires =
    jwtExpiry(tokens.access_token) ?? (tokens.expires_in !== undefined ? ctx.now + tokens.expires_in * 1000 : undefined);
  return {
    ...secret,
    access: tokens.access_token,
    refresh: tokens.refresh_token ?? secret.refresh,
    ...(expires !== undefined ? { expires } : {}),
    extras: { ...secret.extras, ...(identity.accountId ? { accountId: identity.accountId } : {}) },
  };
}
