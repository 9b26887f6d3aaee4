/** Adapts the usage poller's `refreshNow(providerID, recordID?)` to the service's `UsagePort`. */
import type { AccountPool } from '../pool/account-pool.js';
import type { RotaryUsagePoller } from '../providers/usage-poller.js';
import type { UsagePort } from './types.js';

export function usagePortFor(poller: Pick<RotaryUsagePoller, 'refreshNow'>, pool: Pick<AccountPool, 'providers'>): UsagePort {
  return {
    async refresh({ providerID, recordID }) {
      const ids = providerID ? [providerID] : pool.providers().map((p) => p.providerID);
      await Promise.all(ids.map((id) => poller.refreshNow(id, providerID ? recordID : undefined)));
    },
  };
}
