/**
 * ChatGPT identity from JWT claims (id_token or access token; signatures are not checked,
 * only the payload is read, as every Codex client does): e-mail and `chatgpt_account_id`
 * (PROTOCOLS §2.3).
 */
import type { ProviderIdentity } from '../identity-types.js';
import { isObject } from '../http.js';
import { CODEX_RESIDENCY_CLAIM, CODEX_RESIDENCY_UNCONSTRAINED, OPENAI_AUTH_CLAIM } from './constants.js';

export function decodeJwtPayload(jwt: string): Record<string, unknown> | undefined {
  const part = jwt.split('.')[1];
  if (!part) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return isObject(payload) ? payload : undefined;
  } catch {
    return undefined;
  }
}

/** opencode's fallback order: top-level claim → namespaced claim → first organization. */
export function openaiIdentityFromJwt(jwt: string | undefined): ProviderIdentity {
  const claims = jwt ? decodeJwtPayload(jwt) : undefined;
  if (!claims) return {};
  const auth = isObject(claims[OPENAI_AUTH_CLAIM]) ? claims[OPENAI_AUTH_CLAIM] : {};
  const profile = isObject(claims['https://api.openai.com/profile']) ? claims['https://api.openai.com/profile'] : {};
  const orgs = Array.isArray(auth.organizations) ? auth.organizations : Array.isArray(claims.organizations) ? claims.organizations : [];
  const firstOrg = isObject(orgs[0]) && typeof orgs[0].id === 'string' ? orgs[0].id : undefined;
  const accountId =
    (typeof claims.chatgpt_account_id === 'string' && claims.chatgpt_account_id) ||
    (typeof auth.chatgpt_account_id === 'string' && auth.chatgpt_account_id) ||
    firstOrg;
  const email = (typeof claims.email === 'string' && claims.email) || (typeof profile.email === 'string' && profile.email) || undefined;
  return { ...(accountId ? { accountId } : {}), ...(email ? { email } : {}) };
}

/** JWT `exp` in epoch ms, when present. */
export function jwtExpiry(jwt: string): number | undefined {
  const exp = decodeJwtPayload(jwt)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}

/** Identity from whatever tokens we have: id_token first, then the access token. */
export function openaiIdentity(tokens: { idToken?: string; access?: string }): ProviderIdentity {
  const fromId = openaiIdentityFromJwt(tokens.idToken);
  const fromAccess = openaiIdentityFromJwt(tokens.access);
  return { ...fromAccess, ...fromId };
}

/**
 * The account's compute residency from its access token (namespaced claim first, then a
 * top-level one, as opencode reads it); undefined when absent, `no_constraint` or not a plain
 * token (it goes into a header).
 */
export function computeResidency(accessToken: string): string | undefined {
  const claims = decodeJwtPayload(accessToken);
  if (!claims) return undefined;
  const auth = isObject(claims[OPENAI_AUTH_CLAIM]) ? claims[OPENAI_AUTH_CLAIM] : {};
  const value = [auth[CODEX_RESIDENCY_CLAIM], claims[CODEX_RESIDENCY_CLAIM]].find((v) => typeof v === 'string' && v.trim());
  if (typeof value !== 'string') return undefined;
  const residency = value.trim();
  return residency !== CODEX_RESIDENCY_UNCONSTRAINED && /^[\w.-]{1,64}$/.test(residency) ? residency : undefined;
}
