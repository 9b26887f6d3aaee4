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
  /** Epoch ms the event arrived: a pool view built before it says nothing about it. */
  since: number;
}

export function noticeFromEvent(event: { providerID: ProviderID; message: string; retryAfterSec: number }, now: number): LimitedNotice {
  return {
    providerID: event.providerID,
    message: event.message,
    until: event.retryAfterSec > 0 ? now + event.retryAfterSec * 1000 : undefined,
    since: now,
  };
}

/** Takes requests now: not cooling (or its cooldown is over) and no model family cooling either. */
export function accountIsFree(account: Pick<AccountViewDTO, 'status' | 'health'>, now: number): boolean {
  const s = account.status;
  const own = s.kind === 'ok' || (s.kind === 'cooling' && s.until <= now);
  return own && Object.values(account.health.scopedCooldowns ?? {}).every((c) => c.until <= now);
}

/**
 * The notice is over once its reset time has passed, or a pool view built after it shows a free
 * account (a view from before the event may still show the accounts free that it limited).
 */
export function noticeIsOver(
  notice: Pick<LimitedNotice, 'until' | 'since'>,
  view: { at: number; accounts: ReadonlyArray<Pick<AccountViewDTO, 'status' | 'health'>> },
  now: number,
): boolean {
  if (notice.until !== undefined && notice.until <= now) return true;
  return view.at >= notice.since && view.accounts.some((a) => accountIsFree(a, now));
}

/**
 * Banner title: why nothing can take requests. A reset time means rate limits (the gateway
 * knows when one ends); without one the accounts are gone, or all need a new login. Counted
 * from the pool, read from the event: the pool view may arrive a moment after the event.
 */
export function noticeTitle(notice: Pick<LimitedNotice, 'providerID' | 'until'>, accounts: readonly unknown[]): string {
  const name = PROVIDER_NAMES[notice.providerID];
  if (accounts.length === 0) return `No ${name} account left`;
  if (notice.until === undefined) return `No ${name} account can take requests`;
  if (accounts.length === 1) return `The only ${name} account is rate-limited`;
  return `All ${name} accounts are rate-limited`;
}

/** Banner detail: when it ends, counted down from the client's clock (the event's "in 23 min" would go stale). */
export function noticeDetail(notice: LimitedNotice, now: number): string {
  if (notice.until === undefined) return notice.message;
  if (notice.until <= now) return 'The first account should be free again now; the next request will tell.';
  return `The first frees up at ${formatClock(notice.until, now)} (${formatIn(notice.until - now)}). Until then tools get a 429 from the gateway.`;
}
