/**
 * Adapts the provider login flows (`providers/<p>/login.ts`) to the session manager's
 * `LoginDriver`. The flows add the account to the pool themselves; here we only map their
 * shapes and tie their cancel to the session's abort signal. No browser is opened from here:
 * the UI offers the link (Electron opens it through `app:openExternal`).
 */
import type { ProviderID } from '../../../shared/domain.js';
import type { AccountPool } from '../pool/account-pool.js';
import { startAnthropicLogin } from '../providers/anthropic/login.js';
import { startCopilotLogin } from '../providers/copilot/login.js';
import { startOpenAILogin } from '../providers/openai/login.js';
import type { LoginDriver, LoginHandle } from './login-sessions.js';

export interface ProviderLoginDriverOptions {
  pool: AccountPool;
  env: NodeJS.ProcessEnv;
  /** OpenAI loopback ports (tests pass `[0]`); default from the provider module. */
  openaiPorts?: number[];
}

export function createProviderLoginDriver(options: ProviderLoginDriverOptions): LoginDriver {
  const { pool, env } = options;
  return {
    async begin(providerID: ProviderID, { signal, label }): Promise<LoginHandle> {
      const common = { pool, env, ...(label ? { label } : {}) };
      if (providerID === 'anthropic') {
        const login = await startAnthropicLogin(common);
        signal.addEventListener('abort', () => login.cancel(), { once: true });
        return {
          kind: 'paste-code',
          authorizeUrl: login.url,
          submit: async (code) => ({ recordID: (await login.submit(code)).id }),
        };
      }
      if (providerID === 'openai') {
        const login = await startOpenAILogin({ ...common, ...(options.openaiPorts ? { ports: options.openaiPorts } : {}) });
        signal.addEventListener('abort', () => login.cancel(), { once: true });
        return {
          kind: 'await-callback',
          authorizeUrl: login.url,
          callbackUrl: login.redirectUri,
          result: login.done.then((record) => ({ recordID: record.id })),
        };
      }
      const login = await startCopilotLogin(common);
      signal.addEventListener('abort', () => login.cancel(), { once: true });
      return {
        kind: 'device-code',
        userCode: login.userCode,
        verificationUri: login.verificationUri,
        expiresAt: login.expiresAt,
        result: login.done.then((record) => ({ recordID: record.id })),
      };
    },
  };
}
