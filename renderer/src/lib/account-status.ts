/** How an account's status reads in the UI. Pure; the clock is passed in. */
import type { AccountViewDTO } from '../../../shared/ipc';
import { familyLimitTexts, formatClock } from '../../../shared/usage-format';
import { formatDuration, sortWindows, usedText } from '../ui/usage-metrics';

export { familyLimitTexts, usedText };

export type StatusTone = 'ok' | 'cooling' | 'error' | 'muted';

export interface StatusText {
  tone: StatusTone;
  text: string;
}

/** Windows of one model family (weekly Sonnet/Opus, scoped limits): a full one limits that family only, said on its own line. */
const FAMILY_WINDOW = /sonnet|opus|^scoped:/;

/** The first account-wide window that is used up, in reading order (5-hour before weekly). */
export function fullWindow(usage: AccountViewDTO['usage']): { label: string; resetsAt?: number | undefined } | undefined {
  return sortWindows(usage?.windows ?? []).find((w) => w.percentUsed >= 100 && !FAMILY_WINDOW.test(w.key));
}

/**
 * Status line of an account. `usage` matters for an account that is not cooling down but whose
 * last numbers show a full window: that is not "OK" (its next request will likely be refused).
 */
export function accountStatusText(status: AccountViewDTO['status'], now: number, usage?: AccountViewDTO['usage']): StatusText {
  switch (status.kind) {
    case 'ok':
    case 'cooling': {
      if (status.kind === 'cooling' && status.until > now) {
        return {
          tone: 'cooling',
          text: `Cooling down until ${formatClock(status.until, now)} (${formatDuration(status.until - now)})`,
        };
      }
      const full = fullWindow(usage);
      if (full) {
        const reset = full.resetsAt !== undefined && full.resetsAt > now ? `, resets ${formatClock(full.resetsAt, now)}` : '';
        return { tone: 'cooling', text: `Takes requests, but its ${full.label} limit was 100 % used${reset}` };
      }
      return { tone: 'ok', text: 'OK' };
    }
    case 'needs-reauth':
      return { tone: 'error', text: 'Needs re-login' };
    case 'disabled':
      return { tone: 'muted', text: 'Disabled' };
  }
}

/** The cooldown end, when the account is cooling down now. */
export function coolingUntil(account: Pick<AccountViewDTO, 'status'>, now: number): number | undefined {
  return account.status.kind === 'cooling' && account.status.until > now ? account.status.until : undefined;
}

/**
 * The small line of a switch button: used %, limit state and reset — "100 % used · until 11:52",
 * "42 % used", "needs re-login". `limited` styles the button as unavailable.
 */
export function switchButtonText(account: Pick<AccountViewDTO, 'status' | 'usage'>, now: number): { text: string; limited: boolean } {
  const primary = sortWindows(account.usage?.windows ?? [])[0];
  const used = primary ? usedText(primary.percentUsed) : undefined;
  if (account.status.kind === 'needs-reauth') return { text: 'needs re-login', limited: true };
  if (account.status.kind === 'disabled') return { text: 'disabled', limited: true };
  const until = coolingUntil(account, now);
  if (until !== undefined) return { text: `${used ?? 'limited'} · until ${formatClock(until, now)}`, limited: true };
  if (primary && primary.percentUsed >= 100) {
    const reset = primary.resetsAt !== undefined && primary.resetsAt > now ? ` · until ${formatClock(primary.resetsAt, now)}` : '';
    return { text: `${used}${reset}`, limited: true };
  }
  return { text: used ?? 'no numbers yet', limited: false };
}

/** "Account 2" or "Account 2 · me@example.com" (only when the e-mail adds something). */
export function accountTitle(account: Pick<AccountViewDTO, 'label' | 'email'>): { title: string; subtitle?: string } {
  if (account.email && account.email !== account.label) return { title: account.label, subtitle: account.email };
  return { title: account.label };
}
