/** GitHub Copilot: everything the rest of the core needs to know, in one adapter. */
import { PROVIDER_NAMES } from '../../../../shared/domain.js';
import { RotaryError } from '../../errors.js';
import { tokenFingerprint } from '../fingerprint.js';
import { TokenEndpointError } from '../http.js';
import type { ProviderAdapter } from '../types.js';
import { fetchGithubIdentity } from './identity.js';
import { startCopilotLogin } from './login.js';
import { exchangeCopilotToken, readCopilotCache, refreshCopilot } from './refresh.js';
import { copilotRequestRules } from './request-rules.js';
import { fetchCopilotUsage } from './usage.js';

export const copilotProvider: ProviderAdapter = {
  id: 'github-copilot',
  name: PROVIDER_NAMES['github-copilot'],
  route: '/copilot',
  keywords: ['github', 'copilot', 'gh'],
  aliases: ['copilot', 'github'],
  loginKind: 'device-code',
  async beginLogin(options) {
    const login = await startCopilotLogin(options);
    return {
      kind: 'device-code',
      userCode: login.userCode,
      verificationUri: login.verificationUri,
      expiresAt: login.expiresAt,
      result: login.done,
      cancel: () => login.cancel(),
    };
  },
  rules: copilotRequestRules,
  // The GitHub token lives long; what expires is the Copilot token exchanged from it (cached in the secret).
  needsRefresh(secret, now) {
    const cache = readCopilotCache(secret);
    return !cache || now >= cache.refreshAt;
  },
  refresh: refreshCopilot,
  toCredential(secret) {
    const cache = readCopilotCache(secret);
    if (!cache) throw new RotaryError('provider-error', 'No Copilot token is available for this account yet.');
    // Editor headers are the gateway's job (it keeps the client's own when sent).
    return { headers: { authorization: `Bearer ${cache.token}` }, baseURL: cache.api, fingerprint: tokenFingerprint(cache.token) };
  },
  requestTokenFingerprint(secret) {
    const cache = readCopilotCache(secret);
    return cache && tokenFingerprint(cache.token);
  },
  // The quota endpoint wants the GitHub token, not the short-lived Copilot token.
  usage: { auth: 'account-token', fetch: fetchCopilotUsage },
  identify: (secret, ctx) => fetchGithubIdentity(secret.access, ctx),
  localIdentity: () => ({}),
  async verifyCredential(secret, ctx) {
    // Only tokens of the right GitHub app can be exchanged for Copilot (opencode's own app's cannot, PROTOCOLS §3.1).
    try {
      await exchangeCopilotToken(secret.access, { ...ctx, now: Date.now() });
    } catch (error) {
      if (error instanceof TokenEndpointError && error.permanent) {
        throw new RotaryError('auth-failed', `${error.message} Log in with Rotary's own Copilot login instead.`);
      }
      throw error;
    }
  },
  prepareCredential: (secret, identity) => ({ secret, identity }),
  labelFor: (identity) => identity.login ?? identity.email,
};
