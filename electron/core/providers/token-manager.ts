/**
 * Hands out request credentials and owns refresh. Refresh tokens rotate (Anthropic, OpenAI),
 * so two refreshes of one account would sign it out: there is exactly one refresh at a time
 * per account, within this process (a shared promise) and across processes (a file lock under
 * `<home>/locks/`). After taking the lock the secret is read again from the vault; if another
 * process refreshed meanwhile, its token is used as is. A new refresh token goes into the vault
 * before anything else sees it.
 */
import path from 'node:path';
import type { ProviderID } from '../../../shared/domain.js';
import { RotaryError } from '../errors.js';
import type { AccountPool } from '../pool/account-pool.js';
import type { AccountSecret } from '../pool/account-secret.js';
import { withFileLock } from '../pool/file-lock.js';
import type { CredentialSource, RequestCredential } from '../rotation/contract.js';
import { TokenEndpointError } from './http.js';
import { provider } from './registry.js';

export interface TokenManagerOptions {
  pool: AccountPool;
  env: NodeJS.ProcessEnv;
  now?: () => number;
  /** Rotary home (for the lock files); default: the folder of the pool's store file. */
  home?: string;
}

export interface TokenManager extends CredentialSource {
  /** The long-lived token the account was added with (GitHub's, for the Copilot quota endpoint); never refreshed here. */
  accountToken(providerID: ProviderID, recordID: string): Promise<string>;
}

type Reason = { kind: 'expiry' } | { kind: 'after-401'; fingerprint: string };

/** The account's tokens as they could appear in an answer: the secret's, and each credential header's value without its scheme. */
function tokenValues(secret: AccountSecret, credential: RequestCredential): string[] {
  const values = [secret.access, secret.refresh, ...Object.values(credential.headers).map((v) => v.replace(/^(bearer|token)\s+/i, ''))];
  // Short values (a beta flag, an account id) are not secrets and would match harmless headers.
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length >= 16))];
}

export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const { pool, env } = options;
  const now = options.now ?? Date.now;
  const home = options.home ?? path.dirname(pool.store.path);
  const inflight = new Map<string, Promise<AccountSecret>>();

  const label = (providerID: ProviderID, recordID: string): string => pool.getRecord(providerID, recordID)?.label ?? recordID;

  async function readSecret(providerID: ProviderID, recordID: string): Promise<AccountSecret> {
    const record = pool.getRecord(providerID, recordID);
    if (!record) throw new RotaryError('not-found', `No ${providerID} account with id ${recordID}.`);
    const secret = await pool.getSecret(providerID, recordID);
    if (!secret) {
      throw new RotaryError('needs-reauth', `Account ${record.label} needs a new login: its token is missing from the keychain.`);
    }
    return secret;
  }

  const stale = (providerID: ProviderID, secret: AccountSecret): boolean => provider(providerID).needsRefresh(secret, now());

  const toCredential = (providerID: ProviderID, recordID: string, secret: AccountSecret): RequestCredential => {
    const credential = provider(providerID).toCredential(secret, pool.getRecord(providerID, recordID));
    return { ...credential, redact: tokenValues(secret, credential) };
  };

  /** Under the cross-process lock: re-read, decide whether a refresh is still needed, refresh, store. */
  async function refreshLocked(providerID: ProviderID, recordID: string, reason: Reason): Promise<AccountSecret> {
    const lockTarget = path.join(home, 'locks', `refresh-${recordID}`);
    return withFileLock(
      lockTarget,
      async () => {
        const secret = await readSecret(providerID, recordID);
        if (reason.kind === 'expiry' && !stale(providerID, secret)) return secret; // someone else refreshed
        if (reason.kind === 'after-401' && provider(providerID).requestTokenFingerprint(secret) !== reason.fingerprint && !stale(providerID, secret)) {
          return secret; // already replaced since the request that failed
        }
        let fresh: AccountSecret;
        try {
          fresh = await provider(providerID).refresh(secret, { env, now: now() });
        } catch (error) {
          if (error instanceof TokenEndpointError && error.permanent) {
            await pool.markNeedsReauth(providerID, recordID, true).catch(() => undefined);
            throw new RotaryError('needs-reauth', `Account ${label(providerID, recordID)} needs a new login: ${error.message}`, { cause: error });
          }
          if (error instanceof RotaryError) {
            throw new RotaryError('provider-error', `Could not refresh account ${label(providerID, recordID)}: ${error.message}`, { cause: error });
          }
          throw error;
        }
        // The old refresh token is dead now: the new one must be stored before anyone can use it.
        await pool.setSecret(providerID, recordID, fresh);
        return fresh;
      },
      { timeoutMs: 60_000 },
    );
  }

  /** Single flight per account inside this process; the lock covers other processes. */
  function refresh(providerID: ProviderID, recordID: string, reason: Reason): Promise<AccountSecret> {
    const key = `${providerID}:${recordID}`;
    const running = inflight.get(key);
    if (running) return running;
    const promise = refreshLocked(providerID, recordID, reason).finally(() => inflight.delete(key));
    inflight.set(key, promise);
    return promise;
  }

  async function ensureUsable(providerID: ProviderID, recordID: string): Promise<AccountSecret> {
    const record = pool.getRecord(providerID, recordID);
    if (record?.health.needsReauth) {
      throw new RotaryError('needs-reauth', `Account ${record.label} needs a new login: it was signed out.`);
    }
    const secret = await readSecret(providerID, recordID);
    return stale(providerID, secret) ? refresh(providerID, recordID, { kind: 'expiry' }) : secret;
  }

  return {
    async credential(providerID, recordID) {
      return toCredential(providerID, recordID, await ensureUsable(providerID, recordID));
    },

    async refreshAfter401(providerID, recordID, failed) {
      const fresh = await refresh(providerID, recordID, { kind: 'after-401', fingerprint: failed.fingerprint });
      return toCredential(providerID, recordID, fresh);
    },

    async accountToken(providerID, recordID) {
      return (await readSecret(providerID, recordID)).access;
    },
  };
}
