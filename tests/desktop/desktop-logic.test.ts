/** Tray menu model and notification rules: pure Node logic that main.ts renders with Electron. */
import { describe, expect, it } from 'vitest';
import { createNotificationPolicy } from '../../electron/desktop/notifications.js';
import { trayMenuModel, usageLine, type TrayItem } from '../../electron/desktop/tray-model.js';
import type { ActivityEvent } from '../../shared/activity.js';
import type { ProviderForecast } from '../../shared/forecast.js';
import type { ProviderAccounts } from '../../shared/ipc.js';

const NOW = 1_750_000_000_000;

function account(id: string, label: string, extra: Partial<ProviderAccounts['accounts'][number]> = {}): ProviderAccounts['accounts'][number] {
  return {
    id,
    providerID: 'anthropic',
    namespace: 'default',
    label,
    createdAt: NOW,
    updatedAt: NOW,
    health: { successCount: 0, failureCount: 0 },
    isActive: false,
    status: { kind: 'ok' },
    ...extra,
  };
}

const usage = {
  asOf: NOW,
  source: 'headers' as const,
  windows: [
    { key: 'five_hour', label: '5-hour', percentUsed: 42.4 },
    { key: 'seven_day', label: '7-day (all)', percentUsed: 130 },
  ],
};

describe('tray menu model', () => {
  it('shows the active account with its usage and a switch submenu per provider', () => {
    const model = trayMenuModel(
      [
        {
          providerID: 'anthropic',
          name: 'Anthropic',
          activeID: 'b',
          accounts: [
            account('b', 'Work', { isActive: true, usage }),
            account('a', 'Home', { status: { kind: 'cooling', until: NOW + 30 * 60_000 } }),
            account('c', 'Old', { status: { kind: 'needs-reauth' } }),
          ],
        },
      ],
      NOW,
    );
    const labels = model.items.filter((i): i is Extract<TrayItem, { kind: 'label' }> => i.kind === 'label').map((i) => i.text);
    expect(labels[0]).toBe('Anthropic: Work');
    expect(labels[1]).toContain('5h 42% · 7d 100%');
    const sub = model.items.find((i): i is Extract<TrayItem, { kind: 'submenu' }> => i.kind === 'submenu')!;
    expect(sub.items.map((i) => (i.kind === 'action' ? [i.label, i.checked, i.action] : null))).toEqual([
      ['Work', true, { type: 'switch', providerID: 'anthropic', recordID: 'b' }],
      ['Home (limited, 30 min left)', false, { type: 'switch', providerID: 'anthropic', recordID: 'a' }],
      ['Old (needs re-login)', false, { type: 'switch', providerID: 'anthropic', recordID: 'c' }],
    ]);
    expect(model.tooltip).toContain('Anthropic: Work — 5h 42%');
    expect(model.items.at(-1)).toEqual({ kind: 'action', label: 'Quit', action: { type: 'quit' } });
  });

  it('puts the forecast in the tooltip and the menu: the active account\'s next limit, else how long the pool lasts', () => {
    const providers: ProviderAccounts[] = [{ providerID: 'anthropic', name: 'Anthropic', activeID: 'b', accounts: [account('b', 'Work', { isActive: true, usage })] }];
    const limitAt = new Date(NOW).setHours(14, 5, 0, 0);
    const forecast = (soonest: boolean): ProviderForecast => ({
      providerID: 'anthropic',
      policy: 'active-first',
      leadMinutes: 30,
      pace: [{ key: 'five_hour', label: '5-hour', perHour: 30 }],
      pool: { kind: 'until', at: limitAt + 3_600_000 },
      accounts: [{ recordID: 'b', label: 'Work', windows: [], ...(soonest ? { soonest: { key: 'five_hour', label: '5-hour', limitAt } } : {}) }],
    });
    const withLimit = trayMenuModel(providers, limitAt - 60_000, [forecast(true)]);
    expect(withLimit.tooltip).toBe('Rotary\nAnthropic: Work — 5h 42% · 7d 100% · 5-hour limit at 14:05');
    expect(withLimit.items).toContainEqual({ kind: 'label', text: '   At this pace: 5-hour limit at 14:05' });
    const pool = trayMenuModel(providers, limitAt - 60_000, [forecast(false)]);
    expect(pool.tooltip).toBe('Rotary\nAnthropic: Work — 5h 42% · 7d 100% · pool lasts until 15:05');
    // Without forecasts (history off, not read yet) it is what it was.
    expect(trayMenuModel(providers, NOW).tooltip).toBe('Rotary\nAnthropic: Work — 5h 42% · 7d 100%');
  });

  it('has no switch submenu for a single account and a hint when there are none', () => {
    const single = trayMenuModel([{ providerID: 'openai', name: 'OpenAI', accounts: [account('x', 'Only', { isActive: true })] }], NOW);
    expect(single.items.some((i) => i.kind === 'submenu')).toBe(false);
    const empty = trayMenuModel([], NOW);
    expect(empty.items[0]).toEqual({ kind: 'label', text: 'No accounts yet' });
    expect(usageLine(undefined)).toBeUndefined();
  });
});

describe('notification rules', () => {
  const rotation = (providerID: 'anthropic' | 'openai'): ActivityEvent => ({
    kind: 'rotation',
    event: { at: NOW, providerID, fromRecordID: 'a', fromLabel: 'Account 2', toRecordID: 'b', toLabel: 'Account 3', status: 429, message: '429 on Account 2 → Account 3' },
  });

  it('notifies on rotation, all-limited and needs-reauth; never on plain requests', () => {
    const policy = createNotificationPolicy({ now: () => NOW });
    expect(policy.notificationFor(rotation('anthropic'))).toEqual({ title: 'Anthropic: switched account', body: '429 on Account 2 → Account 3' });
    expect(policy.notificationFor({ kind: 'all-limited', providerID: 'anthropic', message: 'All 3 Anthropic accounts are rate-limited', retryAfterSec: 60 })?.title).toBe(
      'Anthropic: every account is limited',
    );
    expect(policy.notificationFor({ kind: 'needs-reauth', providerID: 'openai', recordID: 'r', label: 'me@x' })?.body).toContain('me@x');
    const request = { kind: 'request', entry: {} } as unknown as ActivityEvent;
    expect(policy.notificationFor(request)).toBeUndefined();
  });

  it('rate-limits repeats: all-limited at most once per provider per 5 minutes', () => {
    let t = NOW;
    const policy = createNotificationPolicy({ now: () => t });
    const allLimited = (providerID: 'anthropic' | 'openai'): ActivityEvent => ({ kind: 'all-limited', providerID, message: 'm', retryAfterSec: 1 });
    expect(policy.notificationFor(allLimited('anthropic'))).toBeDefined();
    t += 4 * 60_000;
    expect(policy.notificationFor(allLimited('anthropic'))).toBeUndefined();
    expect(policy.notificationFor(allLimited('openai'))).toBeDefined(); // another provider is independent
    t += 60_000;
    expect(policy.notificationFor(allLimited('anthropic'))).toBeDefined();
    // Rotations: once a minute per provider.
    expect(policy.notificationFor(rotation('anthropic'))).toBeDefined();
    t += 30_000;
    expect(policy.notificationFor(rotation('anthropic'))).toBeUndefined();
    t += 30_000;
    expect(policy.notificationFor(rotation('anthropic'))).toBeDefined();
  });

  it('a limited account that frees up: named in the title, the gateway\'s message as the body, once per account per 10 minutes', () => {
    let t = NOW;
    const policy = createNotificationPolicy({ now: () => t });
    const freed = (recordID: string, label: string): ActivityEvent => ({
      kind: 'account-freed',
      freed: { at: t, providerID: 'anthropic', recordID, label, message: `${label} can take requests again.` },
    });
    expect(policy.notificationFor(freed('a', 'Account 1'))).toEqual({ title: 'Anthropic: Account 1 is available again', body: 'Account 1 can take requests again.' });
    t += 9 * 60_000;
    expect(policy.notificationFor(freed('a', 'Account 1'))).toBeUndefined();
    expect(policy.notificationFor(freed('b', 'Account 2'))?.title).toBe('Anthropic: Account 2 is available again'); // another account is independent
    t += 60_000;
    expect(policy.notificationFor(freed('a', 'Account 1'))).toBeDefined();
  });
});
