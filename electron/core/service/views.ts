/**
 * Views the UI renders, built from pool metadata only (`getAccounts`, `providers`). They
 * never touch the vault, so no secret can reach them.
 */
import type { ProviderID } from '../../../shared/domain.js';
import type { AccountViewDTO, PoolView, ProviderAccounts, ProvidersView } from '../../../shared/ipc.js';
import type { AccountPool } from '../pool/account-pool.js';
import { allProviders, provider } from '../providers/registry.js';

type PoolReader = Pick<AccountPool, 'getAccounts' | 'providers'>;

export function providerAccounts(pool: PoolReader, providerID: ProviderID): ProviderAccounts {
  const accounts: AccountViewDTO[] = pool.getAccounts(providerID);
  const active = accounts.find((a) => a.isActive);
  return {
    providerID,
    name: provider(providerID).name,
    ...(active ? { activeID: active.id } : {}),
    accounts,
  };
}

/** Connected providers in id order (alphabetical), or just the one asked for (even when empty). */
export function poolView(pool: PoolReader, now: number, only?: ProviderID): PoolView {
  const ids = only ? [only] : pool.providers().map((p) => p.providerID);
  return { providers: ids.map((id) => providerAccounts(pool, id)), at: now };
}

export function providersView(pool: PoolReader): ProvidersView {
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  const connected = pool
    .providers()
    .map(({ providerID, count }) => {
      const active = pool.getAccounts(providerID).find((a) => a.isActive);
      return { providerID, name: provider(providerID).name, count, ...(active ? { activeLabel: active.label } : {}) };
    })
    .sort(byName);
  const connectedIDs = new Set(connected.map((c) => c.providerID));
  const supported = allProviders()
    .map((p) => ({ providerID: p.id, name: p.name, loginKind: p.loginKind, keywords: [...p.keywords], connected: connectedIDs.has(p.id) }))
    .sort(byName);
  return { connected, supported };
}

export function findAccountView(pool: Pick<AccountPool, 'getAccounts'>, providerID: ProviderID, recordID: string): AccountViewDTO | undefined {
  return pool.getAccounts(providerID).find((a) => a.id === recordID);
}
