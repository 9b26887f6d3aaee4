/** OpenAI (ChatGPT / Codex): everything the rest of the core needs to know, in one adapter. */
import { PROVIDER_NAMES } from '../../../../shared/domain.js';
import { tokenFingerprint } from '../fingerprint.js';
import { identityLabel } from '../identity-types.js';
import { expiresSoon, type AccountSecret } from '../../pool/account-secret.js';
import type { ProviderAdapter } from '../types.js';
import { CODEX_RESIDENCY_HEADER } from './constants.js';
import { computeResidency, jwtExpiry, openaiIdentity } from './identity.js';
import { startOpenAILogin } from './login.js';
import { refreshOpenAI } from './refresh.js';
import { openaiRequestRules } from './request-rules.js';
import { fetchOpenAIUsage } from './usage.js';
import { RotaryError } from '../../errors.js';
import { UsageFetchError } from '../usage-fetch.js';

/** The ChatGPT account a token acts for: stored with the secret, else on the record, else read from the token. */
function chatgptAccountId(secret: AccountSecret, recordAccountId: string | undefined): string | undefined {
  const stored = typeof secret.extras?.accountId === 'string' ? secret.extras.accountId : undefined;
  return stored ?? recordAccountId ?? openaiIdentity({ access: secret.access }).accountId;
}

/** What the usage endpoint needs of a request credential: the token and the ChatGPT account. */
function usageHeaders(headers: Record<string, string>): Record<string, string> {
  return { authorization: headers.authorization!, ...(headers['chatgpt-account-id'] ? { 'chatgpt-account-id': headers['chatgpt-account-id'] } : {}) };
}

export const openaiProvider: ProviderAdapter = {
  id: 'openai',
  name: PROVIDER_NAMES.openai,
  route: '/openai',
  keywords: ['openai', 'chatgpt', 'codex', 'gpt'],
  aliases: ['chatgpt', 'codex'],
  loginKind: 'callback',
  async beginLogin({ callbackPorts, ...options }) {
    const login = await startOpenAILogin({ ...options, ...(callbackPorts ? { ports: callbackPorts } : {}) });
    return { kind: 'await-callback', url: login.url, callbackUrl: login.redirectUri, result: login.done, cancel: () => login.cancel() };
  },
  rules: openaiRequestRules,
  needsRefresh: expiresSoon,
  refresh: refreshOpenAI,
  toCredential(secret, record) {
    const accountId = chatgptAccountId(secret, record?.accountId);
    const residency = computeResidency(secret.access);
    return {
      headers: {
        authorization: `Bearer ${secret.access}`,
        ...(accountId ? { 'chatgpt-account-id': accountId } : {}),
        ...(residency ? { [CODEX_RESIDENCY_HEADER]: residency } : {}),
      },
      fingerprint: tokenFingerprint(secret.access),
    };
  },
  requestTokenFingerprint: (secret) => tokenFingerprint(secret.access),
  usage: {
    auth: 'credential',
    fetch: (credential, ctx) =>
      fetchOpenAIUsage(usageHeaders(credential.headers), ctx),
  },
  // ChatGPT tokens are JWTs that name their owner: no call needed.
  identify: async (secret) => openaiProvider.localIdentity(secret),
  localIdentity(secret) {
    const idToken = typeof secret.extras?.idToken === 'string' ? secret.extras.idToken : undefined;
    return openaiIdentity({ access: secret.access, ...(idToken ? { idToken } : {}) });
  },
  // The JWT says whose it is but not whether it still works: one usage read asks ChatGPT.
  async verifyCredential(secret, ctx) {
    const { headers } = openaiProvider.toCredential(secret, undefined);
    try {
      await fetchOpenAIUsage(usageHeaders(headers), { ...ctx, now: Date.now() });
    } catch (error) {
      if (error instanceof UsageFetchError && error.status === 401) {
        throw new RotaryError('auth-failed', 'the ChatGPT usage endpoint answered HTTP 401 (the token is invalid, expired or revoked).');
      }
      throw error;
    }
  },
  prepareCredential(secret, identity) {
    // Requests need the ChatGPT account id and an expiry; the id token was only needed to learn the identity.
    const accountId = (typeof secret.extras?.accountId === 'string' ? secret.extras.accountId : undefined) ?? identity.accountId;
    const expires = secret.expires ?? jwtExpiry(secret.access);
    const extras: Record<string, unknown> = { ...secret.extras, ...(accountId ? { accountId } : {}) };
    delete extras.idToken;
    return {
      secret: { ...secret, ...(expires !== undefined ? { expires } : {}), extras },
      identity: accountId ? { ...identity, accountId } : identity,
    };
  },
  labelFor: identityLabel,
};
