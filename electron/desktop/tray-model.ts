/**
 * The tray menu as data: main.ts turns it into an Electron Menu, tests read it directly.
 * One section per connected provider: the active account with its usage and, from the
 * forecasts, what this pace leads to (the active account's next limit, else how long the pool
 * lasts), then a "Switch account" submenu when there is more than one account.
 */
import type { UsageSnapshot } from '../../shared/domain.js';
import type { ProviderForecast } from '../../shared/forecast.js';
import type { ProviderAccounts } from '../../shared/ipc.js';
import { formatClock } from '../../shared/usage-format.js';

export type TrayAction =
  | { type: 'switch'; providerID: ProviderAccounts['providerID']; recordID: string }
  | { type: 'open' }
  | { type: 'settings' }
  | { type: 'quit' };

export type TrayItem =
  | { kind: 'label'; text: string }
  | { kind: 'separator' }
  | { kind: 'action'; label: string; action: TrayAction; checked?: boolean; enabled?: boolean }
  | { kind: 'submenu'; label: string; items: TrayItem[] };

export interface TrayModel {
  tooltip: string;
  items: TrayItem[];
}

/** "5h 42% · 7d 10%": the two windows people watch, as compact as a menu line allows. */
export function usageLine(usage: UsageSnapshot | undefined): string | undefined {
  if (!usage || usage.windows.length === 0) return undefined;
  const short = (label: string) => label.replace(/-hour/, 'h').replace(/-day/, 'd').replace(/\s*\(all\)/, '');
  return usage.windows
    .slice(0, 3)
    .map((w) => `${short(w.label)} ${Math.round(Math.max(0, Math.min(100, w.percentUsed)))}%`)
    .join(' · ');
}

function statusSuffix(account: ProviderAccounts['accounts'][number], now: number): string {
  const s = account.status;
  if (s.kind === 'cooling') return ` (limited, ${minutesLeft(s.until, now)})`;
  if (s.kind === 'needs-reauth') return ' (needs re-login)';
  if (s.kind === 'disabled') return ' (disabled)';
  return '';
}

function minutesLeft(until: number, now: number): string {
  const min = Math.max(0, Math.ceil((until - now) / 60_000));
  return min >= 90 ? `${Math.round(min / 60)} h left` : `${min} min left`;
}

/** "5-hour limit at 14:05" for the active account, else "pool lasts until 18:10" / "pool lasts past Tue 12:00"; undefined without a forecast. */
export function forecastLine(forecast: ProviderForecast | undefined, activeID: string, now: number): string | undefined {
  if (!forecast) return undefined;
  const soonest = forecast.accounts.find((a) => a.recordID === activeID)?.soonest;
  if (soonest) return `${soonest.label} limit at ${formatClock(soonest.limitAt, now)}`;
  if (forecast.pool.kind === 'until') return `pool lasts until ${formatClock(forecast.pool.at, now)}`;
  if (forecast.pool.kind === 'lasts') return `pool lasts past ${formatClock(forecast.pool.through, now)}`;
  return undefined;
}

export function trayMenuModel(providers: ProviderAccounts[], now: number = Date.now(), forecasts: readonly ProviderForecast[] = []): TrayModel {
  const items: TrayItem[] = [];
  const tips: string[] = [];
  for (const p of providers) {
    if (p.accounts.length === 0) continue;
    const active = p.accounts.find((a) => a.isActive) ?? p.accounts[0]!;
    const usage = usageLine(active.usage);
    const ahead = forecastLine(forecasts.find((f) => f.providerID === p.providerID), active.id, now);
    items.push({ kind: 'label', text: `${p.name}: ${active.label}${statusSuffix(active, now)}` });
    if (usage) items.push({ kind: 'label', text: `   ${usage}` });
    if (ahead) items.push({ kind: 'label', text: `   At this pace: ${ahead}` });
    tips.push(`${p.name}: ${active.label}${usage ? ` — ${usage}` : ''}${ahead ? ` · ${ahead}` : ''}`);
    if (p.accounts.length > 1) {
      items.push({
        kind: 'submenu',
        label: 'Switch account',
        items: p.accounts.map((a) => ({
          kind: 'action' as const,
          label: `${a.label}${statusSuffix(a, now)}`,
          checked: a.isActive,
          enabled: !a.isActive,
          action: { type: 'switch' as const, providerID: p.providerID, recordID: a.id },
        })),
      });
    }
    items.push({ kind: 'separator' });
  }
  if (items.length === 0) items.push({ kind: 'label', text: 'No accounts yet' }, { kind: 'separator' });
  items.push(
    { kind: 'action', label: 'Open Rotary', action: { type: 'open' } },
    { kind: 'action', label: 'Settings…', action: { type: 'settings' } },
    { kind: 'separator' },
    { kind: 'action', label: 'Quit', action: { type: 'quit' } },
  );
  return { tooltip: tips.length > 0 ? `Rotary\n${tips.join('\n')}` : 'Rotary', items };
}
