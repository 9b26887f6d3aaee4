/** GitHub identity from `GET /user`: numeric id (stable), login (the label) and public e-mail. */
import { RotaryError } from '../../errors.js';
import { isObject, providerFetch, readJson, type ProviderHttpContext } from '../http.js';
import type { ProviderIdentity } from '../identity-types.js';
import { GITHUB_USER_URL } from './constants.js';

export async function fetchGithubIdentity(githubToken: string, ctx: ProviderHttpContext): Promise<ProviderIdentity> {
  const what = 'GitHub (/user)';
  const res = await providerFetch(ctx, what, GITHUB_USER_URL, {
    headers: { authorization: `token ${githubToken}`, accept: 'application/vnd.github+json', 'user-agent': 'Rotary' },
  });
  const body = await readJson(res, what);
  if (res.status === 401) throw new RotaryError('auth-failed', 'GitHub did not accept the token (Bad credentials).');
  if (!res.ok || !isObject(body)) throw new RotaryError('provider-error', `${what} answered HTTP ${res.status}.`);
  const id = typeof body.id === 'number' || typeof body.id === 'string' ? String(body.id) : undefined;
  return {
    ...(id ? { accountId: id } : {}),
    ...(typeof body.login === 'string' && body.login ? { login: body.login } : {}),
    ...(typeof body.email === 'string' && body.email ? { email: body.email } : {}),
  };
}
