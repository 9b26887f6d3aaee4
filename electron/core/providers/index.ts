/**
 * Provider registry: what the UI and the CLI look up by ProviderID (name, login kind and
 * starter, refresh, usage, identity). The adapters themselves live in one folder each.
 */
import { PROVIDER_NAMES, type ProviderID, type UsageSnapshot } from '../../../shared/domain.js';
import type { AccountSecret } from '../pool/account-secret.js';
import { startAnthropicLogin } from './anthropic/login.js';
import { refreshAnthropic } from './anthropic/refresh.js';
import { fetchAnthropicUsage } from './anthropic/usage.js';
import { startCopilotLogin } from './copilot/login.js';
import { refreshCopilot } from './copilot/refresh.js';
import { fetchCopilotUsage } from './copilot/usage.js';
import type { ProviderHttpContext } from './http.js';
import { identifyCredential } from './credential-import.js';
import type { ProviderIdentity } from './identity-types.js';
import { startOpenAILogin } from './openai/login.js';
import { refreshOpenAI } from './openai/refresh.js';
import { fetchOpenAIUsage } from './openai/usage.js';
import type { UsageContext } from './usage-fetch.js';
import { openaiIdentity } from './openai/identity.js';

/** How a provider's login is driven: paste a code back, a loopback redirect, or a device code. */
export type LoginKind = 'paste-code' | 'loopback' | 'device-code';

export interface ProviderAdapter<Start> {
  id: ProviderID;
  displayName: string;
  loginKind: LoginKind;
  startLogin: Start;
  /** One refresh against the provider (no locking: use the TokenManager in the app). */
  refresh(secret: AccountSecret, ctx: ProviderHttpContext & { now: number }): Promise<AccountSecret>;
  /** Usage for a secret that is known to be fresh. */
  fetchUsage(secret: AccountSecret, ctx: UsageContext): Promise<UsageSnapshot>;
  /** Who a token belongs to (labels, de-duplication). */
  identify(secret: AccountSecret, ctx: ProviderHttpContext): Promise<ProviderIdentity>;
}

export const providers = {
  anthropic: {
    id: 'anthropic',
    displayName: PROVIDER_NAMES.anthropic,
    loginKind: 'paste-code',
    startLogin: startAnthropicLogin,
    refresh: refreshAnthropic,
    fetchUsage: (secret, ctx) => fetchAnthropicUsage(secret.access, ctx),
    identify: (secret, ctx) => identifyCredential('anthropic', secret, ctx),
  } satisfies ProviderAdapter<typeof startAnthropicLogin>,
  openai: {
    id: 'openai',
    displayName: PROVIDER_NAMES.openai,
    loginKind: 'loopback',
    startLogin: startOpenAILogin,
    refresh: refreshOpenAI,
    fetchUsage: (secret, ctx) => {
      const accountId = typeof secret.extras?.accountId === 'string' ? secret.extras.accountId : openaiIdentity({ access: secret.access }).accountId;
      return fetchOpenAIUsage({ authorization: `Bearer ${secret.access}`, ...(accountId ? { 'chatgpt-account-id': accountId } : {}) }, ctx);
    },
    identify: (secret, ctx) => identifyCredential('openai', secret, ctx),
  } satisfies ProviderAdapter<typeof startOpenAILogin>,
  'github-copilot': {
    id: 'github-copilot',
    displayName: PROVIDER_NAMES['github-copilot'],
    loginKind: 'device-code',
    startLogin: startCopilotLogin,
    refresh: refreshCopilot,
    fetchUsage: (secret, ctx) => fetchCopilotUsage(secret.access, ctx),
    identify: (secret, ctx) => identifyCredential('github-copilot', secret, ctx),
  } satisfies ProviderAdapter<typeof startCopilotLogin>,
} as const;

export type Providers = typeof providers;

export function providerAdapter<P extends ProviderID>(id: P): Providers[P] {
  return providers[id];
}

export { startAnthropicLogin, startOpenAILogin, startCopilotLogin };
export { createTokenManager } from './token-manager.js';
export { createUsagePoller } from './usage-poller.js';
export { parseCredentialJSON, addFromCredential, findExistingLogins, importLogin, IMPORT_REFRESH_WARNING } from './credential-import.js';
export type { LoginProgress, LoginStep } from './login-types.js';
