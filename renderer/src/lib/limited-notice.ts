/**
 * "All accounts limited", as one notice per provider: what the banner says, and when it is
 * over. The gateway sends an `all-limited` event per refused request; the UI keeps the newest
 * per provider (so 20 refused requests make one banner, updated in place) and drops it as soon
 * as the pool shows an account that can take requests again. Pure; the clock is passed in.
 */
import { PROVIDER_NAMES, type ProviderID } from '../../../shared/domain';
import type { AccountViewDTO } from '../../../shared/ipc';
import { formatClock, formatIn } from '../../../shared/usage-format';

export interface LimitedNotice {
  providerID: ProviderID;
  /** The gateway's own words (names a model family when only that family is limited). */
  message: string;
  /** Epoch ms the first account frees up, when the gateway said (0 s = it cannot tell). */
  until: number | undefined;
}

export function noticeFromEvent(event: { providerID: ProviderID; message: string; retryAfterSec: number }, now: number): LimitedNotice {
  return {
    providerID: event.providerID,
    message: event.message,
    until: event.retryAfterSec > 0 ? now + event.retryAfterSec * 1000 : undefined,
  };
}

/** Takes requests now: not cooling (or its cooldown is over) and no model family cooling either. */
export function accountIsFree(account: Pick<AccountViewDTO, 'status' | 'health'>, now: number): boolean {
  const s = account.status;
  const own = s.kind === 'ok' || (s.kind === 'cooling' && s.until <= now);
  return own && Object.values(account.health.scopedCooldowns ?? {}).every((c) => c.until <= now);
}

/** The notice is over once any account of its provider is free again. */
export function noticeIsOver(accounts: ReadonlyArray<Pick<AccountViewDTO, 'status' | 'health'>>, now: number): boolean {
  return accounts.some((a) => accountIsFree(a, now));
}

/** Banner title: it depends on why nothing can take requests, not only on the last event. */
export function noticeTitle(providerID: ProviderID, accounts: ReadonlyArray<Pick<AccountViewDTO, 'status'>>): string {
  const name = PROVIDER_NAMES[providerID];
  if (accounts.length === 0) return `No ${name} account left`;
  if (!accounts.some((a) => a.status.kind === 'cooling')) return `No ${name} account can take requests`;
  if (accounts.length === 1) return `The only ${name} account is rate-limited`;
  return `All ${name} accounts are rate-limited`;
}

/** Banner detail: when it ends, counted down from the client's clock (the event's "in 23 min" would go stale). */
export function noticeDetail(notice: LimitedNotice, now: number): string {
  if (notice.until === undefined) return notice.message;
  if (notice.until <= now) return 'The first account should be free again now; the next request will tell.';
  return `The first frees up at ${formatClock(notice.until, now)} (${formatIn(notice.until - now)}). Until then tools get a 429 from the gateway.`;
}
