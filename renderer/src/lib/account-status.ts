/** How an account's status reads in the UI. Pure; the clock is passed in. */
import type { AccountViewDTO } from '../../../shared/ipc';
import { familyLimitTexts, formatClock } from '../../../shared/usage-format';
import { formatDuration } from '../ui/usage-metrics';

export { familyLimitTexts };

export type StatusTone = 'ok' | 'cooling' | 'error' | 'muted';

export interface StatusText {
  tone: StatusTone;
  text: string;
}

export function accountStatusText(status: AccountViewDTO['status'], now: number): StatusText {
  switch (status.kind) {
    case 'ok':
      return { tone: 'ok', text: 'OK' };
    case 'cooling':
      if (status.until <= now) return { tone: 'ok', text: 'OK' };
      return {
        tone: 'cooling',
        text: `Cooling down until ${formatClock(status.until, now)} (${formatDuration(status.until - now)})`,
      };
    case 'needs-reauth':
      return { tone: 'error', text: 'Needs re-login' };
    case 'disabled':
      return { tone: 'muted', text: 'Disabled' };
  }
}

/** "Account 2" or "Account 2 · me@example.com" (only when the e-mail adds something). */
export function accountTitle(account: Pick<AccountViewDTO, 'label' | 'email'>): { title: string; subtitle?: string } {
  if (account.email && account.email !== account.label) return { title: account.label, subtitle: account.email };
  return { title: account.label };
}
