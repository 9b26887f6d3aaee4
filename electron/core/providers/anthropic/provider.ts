/** Anthropic (Claude Pro/Max): everything the rest of the core needs to know, in one adapter. */
import { PROVIDER_NAMES } from '../../../../shared/domain.js';
import { expiresSoon } from '../../pool/account-secret.js';
import { tokenFingerprint } from '../fingerprint.js';
import { identityLabel } from '../identity-types.js';
import type { ProviderAdapter } from '../types.js';
import { ANTHROPIC_OAUTH_BETA } from './constants.js';
import { fetchAnthropicIdentity } from './identity.js';
import { startAnthropicLogin } from './login.js';
import { refreshAnthropic } from './refresh.js';
import { anthropicRequestRules } from './request-rules.js';
import { fetchAnthropicUsage } from './usage.js';

export const anthropicProvider: ProviderAdapter = {
  id: 'anthropic',
  name: PROVIDER_NAMES.anthropic,
  route: '/anthropic',
  keywords: ['anthropic', 'claude', 'claude code', 'pro', 'max'],
  aliases: ['claude'],
  loginKind: 'paste-code',
  async beginLogin(options) {
    const login = await startAnthropicLogin(options);
    return { kind: 'paste-code', url: login.url, submit: (pasted) => login.submit(pasted), cancel: () => login.cancel() };
  },
  rules: anthropicRequestRules,
  needsRefresh: expiresSoon,
  refresh: refreshAnthropic,
  toCredential: (secret) => ({
    headers: { authorization: `Bearer ${secret.access}`, 'anthropic-beta': ANTHROPIC_OAUTH_BETA },
    fingerprint: tokenFingerprint(secret.access),
  }),
  requestTokenFingerprint: (secret) => tokenFingerprint(secret.access),
  usage: { auth: 'credential', fetch: (credential, ctx) => fetchAnthropicUsage(credential.headers.authorization!.replace(/^Bearer /, ''), ctx) },
  identify: (secret, ctx) => fetchAnthropicIdentity(secret.access, ctx),
  localIdentity: () => ({}),
  verifyCredential: async () => undefined,
  prepareCredential: (secret, identity) => ({ secret, identity }),
  labelFor: identityLabel,
};
