/**
 * The CLI's bridge to the parts other modules own: provider login flows, credential
 * import, usage polling and the headless gateway. Kept in one file so each command reads
 * as "what the user sees" and this file as "which core function does the work".
 */
import type { AccountRecord, ProviderID } from '../../shared/domain.js';
import type { Core } from '../core/core.js';
import {
  addFromCredential,
  createTokenManager,
  createUsagePoller,
  findExistingLogins,
  importLogin,
  parseCredentialJSON,
  startAnthropicLogin,
  startCopilotLogin,
  startOpenAILogin,
} from '../core/providers/index.js';
import type { FoundLogin as ProviderFoundLogin } from '../core/providers/credential-import.js';
import type { LoginProgress } from '../core/providers/login-types.js';
import { CliFailure } from './io.js';

// ------------------------------------------------------------------ login

/** What a started login asks of the user (the same three shapes the UI drives). */
export type LoginHandle =
  | { kind: 'paste-code'; url: string; submit(pasted: string): Promise<AccountRecord>; cancel(): void }
  | { kind: 'await-callback'; url: string; result: Promise<AccountRecord>; cancel(): void }
  | { kind: 'device-code'; userCode: string; verificationUri: string; expiresAt?: number; result: Promise<AccountRecord>; cancel(): void };

export interface BeginLoginOptions {
  label?: string;
  signal: AbortSignal;
  onProgress?: (progress: LoginProgress) => void;
}

/** Start a provider's login flow; aborting `signal` cancels it (nothing is added). */
export async function beginLogin(core: Core, providerID: ProviderID, options: BeginLoginOptions): Promise<LoginHandle> {
  const common = {
    pool: core.pool,
    env: core.env,
    ...(options.label ? { label: options.label } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  const wire = <T extends { cancel(): void }>(login: T): T => {
    if (options.signal.aborted) login.cancel();
    else options.signal.addEventListener('abort', () => login.cancel(), { once: true });
    return login;
  };
  if (providerID === 'anthropic') {
    const login = wire(await startAnthropicLogin(common));
    return { kind: 'paste-code', url: login.url, submit: (p) => login.submit(p), cancel: () => login.cancel() };
  }
  if (providerID === 'openai') {
    const login = wire(await startOpenAILogin(common));
    return { kind: 'await-callback', url: login.url, result: login.done, cancel: () => login.cancel() };
  }
  const login = wire(await startCopilotLogin(common));
  return {
    kind: 'device-code',
    userCode: login.userCode,
    verificationUri: login.verificationUri,
    expiresAt: login.expiresAt,
    result: login.done,
    cancel: () => login.cancel(),
  };
}

// ------------------------------------------------------------------ add / import

/** Add an account from a credential JSON (the provider is asked who it belongs to, for the label). */
export async function addCredential(core: Core, input: { providerID: ProviderID; text: string; label?: string }): Promise<AccountRecord> {
  const secret = parseCredentialJSON(input.text);
  return addFromCredential(core.pool, input.providerID, secret, { env: core.env, ...(input.label ? { label: input.label } : {}) });
}

/** A found login as the CLI shows it: a short id to pick it by, and nothing secret. */
export interface FoundLogin {
  id: string;
  source: string;
  providerID: ProviderID;
  hint: string;
  path: string;
}

export interface LoginImporter {
  find(): FoundLogin[];
  importOne(id: string, options: { label?: string }): Promise<AccountRecord>;
}

/** Logins of Claude Code, Codex and opencode under the user's home (`HOME` of the command's env). */
export function loginImporter(core: Core, homeDir: string): LoginImporter {
  const found = new Map<string, ProviderFoundLogin>();
  return {
    find() {
      return findExistingLogins({ homeDir, env: core.env }).map((login, i) => {
        const id = String(i + 1);
        found.set(id, login);
        return { id, source: login.sourceName, providerID: login.providerID, hint: login.hint, path: login.path };
      });
    },
    async importOne(id, options) {
      const login = found.get(id);
      if (!login) throw new CliFailure(`No found login with id ${id}.`);
      return importLogin(core.pool, login, { env: core.env, ...(options.label ? { label: options.label } : {}) });
    },
  };
}

// ------------------------------------------------------------------ usage

/** Poll the usage endpoints of these providers' accounts now; failures land in each snapshot's `error`. */
export async function refreshUsage(core: Core, providers: ProviderID[]): Promise<void> {
  const tokens = createTokenManager({ pool: core.pool, env: core.env, home: core.home });
  const poller = createUsagePoller({ pool: core.pool, tokens, env: core.env, jitterMs: 0 });
  await Promise.all(providers.map((p) => poller.refreshNow(p)));
  await core.pool.flush();
}
