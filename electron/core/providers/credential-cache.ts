/**
 * Keeps the gateway's hot path off the keychain: the TokenManager reads the vault on every
 * call, which is a D-Bus round trip with keytar. Credentials are cached per account for a
 * short time (well inside the manager's refresh margin, so a cached token is never used past
 * the moment the manager would have refreshed it); concurrent misses share one lookup; a 401
 * refresh replaces the entry; a store change made by another process (a new login from the
 * CLI) drops everything.
 */
import type { ProviderID } from '../../../shared/domain.js';
import type { AccountPool } from '../pool/account-pool.js';
import type { CredentialSource, RequestCredential } from '../rotation/contract.js';

/** Below the token manager's 60 s refresh margin. */
export const CREDENTIAL_TTL_MS = 15_000;

export interface CachedCredentials extends CredentialSource {
  /**
   * Token values of the last two credentials handed out for an account (the current one and the
   * one before a refresh), without any lookup: what the gateway strips from answers it passes on.
   */
  recentSecrets(providerID: ProviderID, recordID: string): readonly string[];
  invalidate(providerID?: ProviderID, recordID?: string): void;
  dispose(): void;
}

export function cacheCredentials(tokens: CredentialSource, options: { pool?: AccountPool; now?: () => number; ttlMs?: number } = {}): CachedCredentials {
  const now = options.now ?? Date.now;
  const ttl = options.ttlMs ?? CREDENTIAL_TTL_MS;
  const cache = new Map<string, { at: number; value: Promise<RequestCredential> }>();
  const issued = new Map<string, RequestCredential[]>();
  const remember = (key: string, credential: RequestCredential): void => {
    const list = issued.get(key) ?? [];
    if (list[0] !== credential) issued.set(key, [credential, ...list].slice(0, 2));
  };
  const unsubscribe = options.pool?.onChange((change) => {
    if (change.source === 'file') cache.clear();
  });

  return {
    credential(providerID, recordID) {
      const key = `${providerID}:${recordID}`;
      const hit = cache.get(key);
      const t = now();
      if (hit && t - hit.at < ttl) return hit.value;
      const value = tokens.credential(providerID, recordID);
      const entry = { at: t, value };
      cache.set(key, entry);
      value.then(
        (credential) => remember(key, credential),
        () => {
          if (cache.get(key) === entry) cache.delete(key);
        },
      );
      return value;
    },
    async refreshAfter401(providerID, recordID, failed) {
      const key = `${providerID}:${recordID}`;
      cache.delete(key);
      const fresh = await tokens.refreshAfter401(providerID, recordID, failed);
      cache.set(key, { at: now(), value: Promise.resolve(fresh) });
      remember(key, fresh);
      return fresh;
    },
    recentSecrets(providerID, recordID) {
      return (issued.get(`${providerID}:${recordID}`) ?? []).flatMap((c) => c.redact ?? []);
    },
    invalidate(providerID, recordID) {
      if (!providerID) cache.clear();
      else if (recordID) cache.delete(`${providerID}:${recordID}`);
      else for (const key of cache.keys()) if (key.startsWith(`${providerID}:`)) cache.delete(key);
    },
    dispose() {
      unsubscribe?.();
      cache.clear();
      issued.clear();
    },
  };
}
