/** How an account's status reads in the UI. Pure; the clock is passed in. */
import type { AccountViewDTO } from '../../../shared/ipc';
import { formatDuration } from '../ui/usage-metrics';

export type StatusTone = 'ok' | 'cooling' | 'error' | 'muted';

export interface StatusText {
  tone: StatusTone;
  text: string;
}

function clock(at: number): string {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function accountStatusText(status: AccountViewDTO['status'], now: number): StatusText {
  switch (status.kind) {
    case 'ok':
      return { tone: 'ok', text: 'OK' };
    case 'cooling':
      if (status.until <= now) return { tone: 'ok', text: 'OK' };
      return {
        tone: 'cooling',
        text: `Cooling down until ${clock(status.until)} (${formatDuration(status.until - now)})`,
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
