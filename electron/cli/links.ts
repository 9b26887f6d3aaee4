/**
 * The CLI's bridge to the parts other modules own: provider login flows, credential
 * import, usage polling and the headless gateway. Kept in one file so each command reads
 * as "what the user sees" and this file as "which core function does the work".
 */
import type { AccountRecord, ProviderID } from '../../shared/domain.js';
import type { Core, Runtime } from '../core/runtime.js';
import {
  addVerifiedCredential,
  findExistingLogins,
  importLogin,
  parseCredentialJSON,
  type AddedCredential,
  type FoundLogin as ProviderFoundLogin,
} from '../core/providers/credential-import.js';
import type { LoginProgress } from '../core/providers/login-types.js';
import { provider } from '../core/providers/registry.js';
import type { LoginFlow } from '../core/providers/types.js';
import { CliFailure } from './io.js';

// ------------------------------------------------------------------ login

/** What a started login asks of the user (the same three shapes the UI drives). */
export type LoginHandle = LoginFlow;

export interface BeginLoginOptions {
  label?: string;
  signal: AbortSignal;
  onProgress?: (progress: LoginProgress) => void;
}

/** Start a provider's login flow; aborting `signal` cancels it (nothing is added). */
export async function beginLogin(core: Core, providerID: ProviderID, options: BeginLoginOptions): Promise<LoginHandle> {
  const flow = await provider(providerID).beginLogin({
    pool: core.pool,
    env: core.env,
    ...(options.label ? { label: options.label } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  if (options.signal.aborted) flow.cancel();
  else options.signal.addEventListener('abort', () => flow.cancel(), { once: true });
  return flow;
}

// ------------------------------------------------------------------ add / import

/** Add an account from a credential JSON, checked with the provider (does it accept it, whose is it) and against the pool (already there?). */
export async function addCredential(core: Core, input: { providerID: ProviderID; text: string; label?: string }): Promise<AddedCredential> {
  const secret = parseCredentialJSON(input.text);
  return addVerifiedCredential(core.pool, input.providerID, secret, { env: core.env, ...(input.label ? { label: input.label } : {}) });
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
export async function refreshUsage(runtime: Runtime, providers: ProviderID[]): Promise<void> {
  const poller = runtime.poller;
  if (!poller) throw new Error('refreshUsage needs a runtime started with a usage poller.');
  await Promise.all(providers.map((p) => poller.refreshNow(p)));
  await runtime.pool.flush();
}
