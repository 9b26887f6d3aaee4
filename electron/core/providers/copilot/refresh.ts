/**
 * Copilot credentials: the long-lived GitHub token (the account's `access`) is exchanged at
 * `copilot_internal/v2/token` for a short-lived Copilot token (~30 min) used on the chat API.
 * The exchange result is cached in the secret's `extras.copilot` (PROTOCOLS §3.3).
 */
import type { AccountSecret } from '../../pool/account-secret.js';
import { isObject, providerFetch, readJson, TokenEndpointError, type ProviderHttpContext } from '../http.js';
import { COPILOT_API_BASE, COPILOT_GITHUB_API_HEADERS, COPILOT_REFRESH_MARGIN_MS, COPILOT_TOKEN_URL } from './constants.js';

export interface CopilotTokenCache {
  token: string;
  /** Epoch ms when GitHub says the token expires. */
  expiresAt: number;
  /** Epoch ms after which to fetch a new one (`refresh_in` − 60 s). */
  refreshAt: number;
  /** `endpoints.api`: the chat API origin for this account (individual / business / enterprise). */
  api: string;
}

const WHAT = 'the Copilot token exchange';

export async function exchangeCopilotToken(githubToken: string, ctx: ProviderHttpContext & { now: number }): Promise<CopilotTokenCache> {
  const res = await providerFetch(ctx, WHAT, COPILOT_TOKEN_URL, {
    headers: { ...COPILOT_GITHUB_API_HEADERS, authorization: `token ${githubToken}`, accept: 'application/json' },
  });
  if (res.status === 401) {
    await res.body?.cancel().catch(() => undefined);
    throw new TokenEndpointError('GitHub no longer accepts this account\'s token (Bad credentials).', { permanent: true, status: 401 });
  }
  if (res.status === 403 || res.status === 404) {
    await res.body?.cancel().catch(() => undefined);
    throw new TokenEndpointError(
      `This GitHub account cannot use Copilot through Rotary (HTTP ${res.status}): it has no Copilot subscription, or its token comes from an app that cannot be exchanged.`,
      { permanent: true, status: res.status },
    );
  }
  const body = await readJson(res, WHAT).catch((error: Error) => {
    throw new TokenEndpointError(error.message, { permanent: false, status: res.status });
  });
  if (!res.ok || !isObject(body) || typeof body.token !== 'string') {
    throw new TokenEndpointError(`${WHAT} is not answering properly right now (HTTP ${res.status}). Try again in a minute.`, { permanent: false, status: res.status });
  }
  const expiresAt = typeof body.expires_at === 'number' ? body.expires_at * 1000 : ctx.now + 25 * 60_000;
  const refreshIn = typeof body.refresh_in === 'number' ? body.refresh_in * 1000 : expiresAt - ctx.now;
  const endpoints = isObject(body.endpoints) ? body.endpoints : {};
  return {
    token: body.token,
    expiresAt,
    refreshAt: Math.min(ctx.now + refreshIn - COPILOT_REFRESH_MARGIN_MS, expiresAt - COPILOT_REFRESH_MARGIN_MS),
    api: typeof endpoints.api === 'string' && endpoints.api ? endpoints.api : COPILOT_API_BASE,
  };
}

export function readCopilotCache(secret: AccountSecret): CopilotTokenCache | undefined {
  const raw = secret.extras?.copilot;
  if (!isObject(raw)) return undefined;
  const { token, expiresAt, refreshAt, api } = raw;
  if (typeof token !== 'string' || typeof expiresAt !== 'number' || typeof refreshAt !== 'number' || typeof api !== 'string') return undefined;
  return { token, expiresAt, refreshAt, api };
}

/** The secret with a fresh Copilot token cached in it. */
export async function refreshCopilot(secret: AccountSecret, ctx: ProviderHttpContext & { now: number }): Promise<AccountSecret> {
  const cache = await exchangeCopilotToken(secret.access, ctx);
  return { ...secret, extras: { ...secret.extras, copilot: { ...cache } } };
}
