/**
 * Views the UI renders, built from pool metadata only (`getAccounts`, `providers`). They
 * never touch the vault, so no secret can reach them.
 */
import { PROVIDER_IDS, PROVIDER_NAMES, type ProviderID } from '../../../shared/domain.js';
import type { AccountViewDTO, LoginKind, PoolView, ProviderAccounts, ProvidersView } from '../../../shared/ipc.js';
import type { AccountPool } from '../pool/account-pool.js';

/** How each provider logs in (shapes the "Add account" step the UI shows). */
export const LOGIN_KINDS: Record<ProviderID, LoginKind> = {
  anthropic: 'paste-code',
  openai: 'callback',
  'github-copilot': 'device-code',
};

const KEYWORDS: Record<ProviderID, string[]> = {
  anthropic: ['anthropic', 'claude', 'claude code', 'pro', 'max'],
  openai: ['openai', 'chatgpt', 'codex', 'gpt'],
  'github-copilot': ['github', 'copilot', 'gh'],
};

type PoolReader = Pick<AccountPool, 'getAccounts' | 'providers'>;

export function providerAccounts(pool: PoolReader, providerID: ProviderID): ProviderAccounts {
  const accounts: AccountViewDTO[] = pool.getAccounts(providerID);
  const active = accounts.find((a) => a.isActive);
  return {
    providerID,
    name: PROVIDER_NAMES[providerID],
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
      return { providerID, name: PROVIDER_NAMES[providerID], count, ...(active ? { activeLabel: active.label } : {}) };
    })
    .sort(byName);
  const connectedIDs = new Set(connected.map((c) => c.providerID));
  const supported = PROVIDER_IDS.map((providerID) => ({
    providerID,
    name: PROVIDER_NAMES[providerID],
    loginKind: LOGIN_KINDS[providerID],
    keywords: KEYWORDS[providerID],
    connected: connectedIDs.has(providerID),
  })).sort(byName);
  return { connected, supported };
}

export function findAccountView(pool: Pick<AccountPool, 'getAccounts'>, providerID: ProviderID, recordID: string): AccountViewDTO | undefined {
  return pool.getAccounts(providerID).find((a) => a.id === recordID);
}
