/** The pure parts behind issue 14's UI: request window, all-limited notices, limit texts, shortcuts. */
import { describe, expect, it } from 'vitest';
import type { RequestEntry } from '../../shared/activity.js';
import { accountStatusText, switchButtonText } from '../../renderer/src/lib/account-status.js';
import { accountIsFree, noticeDetail, noticeFromEvent, noticeIsOver, noticeTitle } from '../../renderer/src/lib/limited-notice.js';
import { shortcutForOS } from '../../renderer/src/lib/shortcut-format.js';
import { isAtBottom, requestRows, rowWindow } from '../../renderer/src/features/conversations/request-window.js';

const now = new Date(2025, 0, 1, 14, 0, 0).getTime();
const health = { successCount: 0, failureCount: 0 };
const usage = (percentUsed: number, key = 'five_hour', label = '5-hour') => ({
  asOf: now,
  source: 'headers' as const,
  windows: [{ key, label, percentUsed, resetsAt: now + 30 * 60_000 }],
});

describe('request window', () => {
  const entry = (id: string, rotations = 0): RequestEntry => ({
    id,
    conversationID: 'c',
    providerID: 'anthropic',
    at: now,
    method: 'POST',
    path: '/v1/messages',
    stream: false,
    status: 200,
    latencyMs: 1,
    rotations: Array.from({ length: rotations }, (_, i) => ({ at: now, providerID: 'anthropic' as const, fromRecordID: 'a', fromLabel: 'A', status: 429, message: `r${i}` })),
  });

  it('puts rotations before their request and keeps row objects across calls', () => {
    const a = entry('a', 2);
    const b = entry('b');
    const rows = requestRows([a, b]);
    expect(rows.map((r) => r.key)).toEqual(['a~0', 'a~1', 'a', 'b']);
    expect(requestRows([a, b, entry('c')])[2]).toBe(rows[2]);
  });

  it('draws only the rows in view plus the margin, with spacers for the rest', () => {
    expect(rowWindow(10_000, 33, 0, 660, 10)).toEqual({ start: 0, end: 30, before: 0, after: 9970 * 33 });
    const mid = rowWindow(10_000, 33, 33 * 5000, 660, 10);
    expect(mid).toEqual({ start: 4990, end: 5030, before: 4990 * 33, after: (10_000 - 5030) * 33 });
    expect(rowWindow(10_000, 33, 33 * 20_000, 660, 10).end).toBe(10_000);
    expect(rowWindow(0, 33, 0, 660)).toEqual({ start: 0, end: 0, before: 0, after: 0 });
  });

  it('counts the bottom within half a row', () => {
    expect(isAtBottom(1000 - 600 - 10, 600, 1000, 33)).toBe(true);
    expect(isAtBottom(1000 - 600 - 40, 600, 1000, 33)).toBe(false);
  });
});

describe('all-limited notice', () => {
  const cooling = { status: { kind: 'cooling' as const, until: now + 60_000 }, health };
  const free = { status: { kind: 'ok' as const }, health };
  it('is over once an account is free in a view built after it, or its reset time passed', () => {
    const n = { since: now, until: now + 120_000 };
    expect(noticeIsOver(n, { at: now, accounts: [cooling, cooling] }, now)).toBe(false);
    expect(noticeIsOver(n, { at: now + 5, accounts: [cooling, free] }, now + 5)).toBe(true);
    // A view from before the event still shows the accounts it limited as free.
    expect(noticeIsOver(n, { at: now - 5, accounts: [free, free] }, now)).toBe(false);
    expect(noticeIsOver(n, { at: now, accounts: [cooling] }, now + 61_000)).toBe(true);
    expect(noticeIsOver({ since: now, until: undefined }, { at: now, accounts: [] }, now + 3_600_000)).toBe(false);
    expect(accountIsFree({ status: { kind: 'ok' }, health: { ...health, scopedCooldowns: { sonnet: { until: now + 1 } } } }, now)).toBe(false);
  });
  it('titles the reason, not just the last event', () => {
    const limited = { providerID: 'anthropic' as const, until: now + 60_000 };
    const noReset = { providerID: 'anthropic' as const, until: undefined };
    expect(noticeTitle(limited, [])).toBe('No Anthropic account left');
    expect(noticeTitle(noReset, [{ status: { kind: 'needs-reauth' } }])).toBe('No Anthropic account can take requests');
    expect(noticeTitle(limited, [cooling])).toBe('The only Anthropic account is rate-limited');
    expect(noticeTitle(limited, [free, cooling])).toBe('All Anthropic accounts are rate-limited');
  });
  it('counts down from the client clock', () => {
    const n = noticeFromEvent({ providerID: 'anthropic', message: 'm', retryAfterSec: 23 * 60 }, now);
    expect(noticeDetail(n, now)).toMatch(/^The first frees up at 14:23 \(in 23 min\)/);
    expect(noticeDetail(noticeFromEvent({ providerID: 'anthropic', message: 'core words', retryAfterSec: 0 }, now), now)).toBe('core words');
  });
});

describe('limit texts', () => {
  it('never says a bare percentage, and says limited with the reset', () => {
    expect(switchButtonText({ status: { kind: 'ok' }, usage: usage(42) }, now)).toEqual({ text: '42 % used', limited: false });
    expect(switchButtonText({ status: { kind: 'cooling', until: now + 112 * 60_000 }, usage: usage(100) }, now)).toEqual({
      text: '100 % used · until 15:52',
      limited: true,
    });
    expect(switchButtonText({ status: { kind: 'ok' }, usage: usage(100) }, now)).toEqual({ text: '100 % used · until 14:30', limited: true });
    expect(switchButtonText({ status: { kind: 'needs-reauth' } }, now).limited).toBe(true);
  });
  it('does not say OK beside a full account-wide bar; a full family window is said on its own line', () => {
    expect(accountStatusText({ kind: 'ok' }, now, usage(100))).toEqual({ tone: 'cooling', text: 'Takes requests, but its 5-hour limit was 100 % used, resets 14:30' });
    expect(accountStatusText({ kind: 'ok' }, now, usage(100, 'seven_day_sonnet', '7-day (Sonnet)')).text).toBe('OK');
    expect(accountStatusText({ kind: 'ok' }, now, usage(99)).text).toBe('OK');
  });
});

describe('shortcuts for this OS', () => {
  it('writes Ctrl+ off a Mac and ⌘ on one', () => {
    expect(shortcutForOS('Ctrl/Cmd+,', false)).toBe('Ctrl+,');
    expect(shortcutForOS('Ctrl/Cmd+,', true)).toBe('⌘,');
    expect(shortcutForOS('Esc', true)).toBe('Esc');
  });
});
