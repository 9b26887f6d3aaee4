/**
 * Issue 15 in the real Chromium against the real stack: Provider Detail's charts drawn from
 * readings the simulator's answers produced (two hours of traffic at a request every two
 * minutes, on the gateway's and the history's injected clock), the pool chart, the forecast
 * lines, the weekly-waste table (older weeks seeded into the history), the Rotation settings
 * and the request list's "Picked by" column. axe-core checks each new screen in both themes;
 * the screenshots in test-results/screenshots/ are for a person to look at.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { axeBothThemes } from './axe.js';
import { openBrowser, type BrowserSession } from './browser.js';
import { startStack, type Stack } from './stack.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

let stack: Stack;
let browser: BrowserSession;
let page: Page;
const clock = { t: Date.now() - 2 * HOUR };
const cspErrors: string[] = [];

beforeAll(async () => {
  stack = await startStack({ anthropicAccounts: 3, secrets: 'file', now: () => clock.t });
  // The demo's accounts: staggered 5-hour windows, weekly windows resetting on different days.
  const nowS = Math.floor(Date.now() / 1000);
  const starts = [0.2, 0.35, 0.05];
  stack.accounts.forEach((a, i) => {
    // The 5-hour windows started as the two hours of work began (the clock starts two hours back).
    a.sim.fiveHour = { utilization: starts[i]!, resetAt: nowS + 3 * 3600 };
    a.sim.costPerRequest = 0.03;
    a.sim.sevenDay = { utilization: 0.2 + 0.1 * i, resetAt: nowS + (2 + 2 * i) * 86400 };
    a.sim.weeklyCostPerRequest = 0.002;
  });
  // Earlier weeks (before this run): Account 1 ended its last two weeks at 71 % and 45 %.
  const first = stack.accounts[0]!.record.id;
  const weekEnd = stack.accounts[0]!.sim.sevenDay.resetAt * 1000;
  for (const [ago, percent] of [
    [14, 45],
    [7, 71],
  ] as const) {
    stack.core.history!.recordUsage('anthropic', first, {
      asOf: weekEnd - ago * DAY - 3 * HOUR,
      source: 'endpoint',
      windows: [{ key: 'seven_day', label: '7-day (all)', percentUsed: percent, resetsAt: weekEnd - ago * DAY }],
    });
  }
  await stack.core.history!.flush();
  // Two hours of work, a request every 2 minutes; a 429 moves it on to the next account.
  for (let i = 0; i < 60; i++) {
    const res = await fetch(`${stack.gateway.url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': stack.gateway.key, 'x-claude-code-session-id': 'history-ui' },
      body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.arrayBuffer();
    clock.t += 2 * MIN;
    await stack.core.history!.flush();
  }
  clock.t = Date.now();
  await stack.poller.refreshNow('anthropic');
  await stack.core.history!.flush();

  browser = await openBrowser();
  page = browser.page;
  page.on('console', (m) => {
    // A refused script, style, image or connection: what a CSP that is too strict for the charts would print.
    if (/^Refused to/.test(m.text())) cspErrors.push(m.text());
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function canvasInk(selector: string): Promise<number[]> {
  // Runs in the page; a string keeps DOM types out of the node tsconfig. Counts painted pixels per canvas.
  return page.evaluate<number[]>(`(() => [...document.querySelectorAll(${JSON.stringify(selector)})].map((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  }))()`);
}

describe('Provider Detail: usage history and forecasts', () => {
  it('the context panel shows the active account\'s forecast and the pool\'s', async () => {
    await page.goto(stack.uiURL);
    // Only the panel's own lines count here (Provider Detail, in Settings, has its own).
    const limits = page.getByTestId('context-panel').getByTestId('provider-limits');
    await limits.getByTestId('pool-forecast').waitFor();
    expect(await limits.getByTestId('limits-active').getByTestId('account-forecast').textContent()).toMatch(/^At this pace: (5-hour|7-day \(all\)) (limit reached at|lasts past the reset at) /);
    expect(await limits.getByTestId('pool-forecast').textContent()).toMatch(/^At this pace the pool (covers you until|lasts past) .*New conversations: active first\.$/);
    await browser.screenshot('history-context-panel');
  });

  it('draws each account\'s window with its reset and forecast, the pool stacked, with text alternatives; accessible in both themes', async () => {
    await page.goto(stack.uiURL);
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByTestId('connected-provider').click();
    const history = dialog.getByTestId('usage-history');
    await history.getByTestId('account-chart').first().waitFor();
    await expect.poll(() => history.getByTestId('account-chart').count()).toBe(3);
    expect(await history.getByTestId('pool-chart').count()).toBe(1);

    // Real numbers: each summary names the window and its use, and a forecast line for the busy account.
    const summaries = await history.getByTestId('chart-summary').allTextContents();
    expect(summaries).toHaveLength(3);
    for (const s of summaries) expect(s).toMatch(/^Account \d, 5-hour window from \d\d:\d\d to (\w{3} )?\d\d:\d\d: \d+ % used now\./);
    expect(summaries.join(' ')).toMatch(/At this pace (the limit is reached at|it lasts past the reset)/);
    expect(await page.locator('[data-testid=account-forecast]').count()).toBeGreaterThan(0);
    expect(await dialog.getByTestId('pool-forecast').textContent()).toMatch(/^At this pace the pool (covers you until|lasts past)/);
    // The canvases are painted (lines, fills, markers), not blank.
    const ink = await canvasInk('[data-testid=usage-history] canvas');
    expect(ink.length).toBeGreaterThanOrEqual(4);
    for (const n of ink) expect(n).toBeGreaterThan(500);
    // Screen readers get the data: a table per chart.
    expect(await history.locator('table.sr-only caption').first().textContent()).toBe('Readings of Account 1, 5-hour window');
    await history.scrollIntoViewIfNeeded();
    await browser.screenshot('history-provider-detail-5h');
    expect(await axeBothThemes(page, 'Provider Detail with usage history (5 hours)')).toEqual([]);

    await history.getByTestId('history-range-weekly').click();
    await expect.poll(async () => (await history.getByTestId('chart-summary').allTextContents()).every((s) => s.includes('7-day (all) window'))).toBe(true);
    const waste = history.getByTestId('waste-row');
    await expect.poll(() => waste.count()).toBe(2);
    expect(await waste.allTextContents()).toEqual([expect.stringMatching(/^Account 1.*71 % used, 29 % expired unused$/), expect.stringMatching(/45 % used, 55 % expired unused$/)]);
    await history.getByTestId('account-chart').first().scrollIntoViewIfNeeded();
    await browser.screenshot('history-provider-detail-7d');
    expect(await axeBothThemes(page, 'Provider Detail with usage history (7 days)')).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    await browser.screenshot('history-provider-detail-7d-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    // The CSP (script-src 'self') stays as it is and the charts need nothing it refuses.
    expect(cspErrors).toEqual([]);
  });

  it('Settings → Rotation: choose drain soonest and the lead time; stored for the gateway; accessible', async () => {
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByRole('tab', { name: 'Rotation' }).click();
    await dialog.getByTestId('settings-rotation').waitFor();
    expect(await axeBothThemes(page, 'Settings → Rotation')).toEqual([]);
    await dialog.getByText('Drain soonest', { exact: true }).click();
    await expect.poll(() => stack.core.pool.settings().rotationPolicy).toBe('drain-soonest');
    await dialog.getByTestId('forecast-lead').fill('0');
    await dialog.getByRole('button', { name: 'Save' }).click();
    expect(await dialog.getByRole('alert').textContent()).toBe('A whole number of minutes from 1 to 1440.');
    await dialog.getByTestId('forecast-lead').fill('45');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => stack.core.pool.settings().forecastLeadMinutes).toBe(45);
    await browser.screenshot('history-settings-rotation');
    expect(await axeBothThemes(page, 'Settings → Rotation after saving')).toEqual([]);
  });

  it('the request list says which policy picked each account', async () => {
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: /history-/ }).first().click();
    const picks = page.getByTestId('request-pick');
    await picks.first().waitFor();
    // The newest rows are in view: the conversation kept its account, and moved on after each 429.
    const texts = await picks.allTextContents();
    expect(texts.some((t) => t.startsWith('conversation'))).toBe(true);
    expect(texts.every((t) => /^(conversation|failover|active account|drain soonest)/.test(t))).toBe(true);
    expect(await picks.last().getAttribute('title')).toMatch(/^active-first: /);
    // The first request (scrolled out of view) was placed by the policy itself.
    const first = (await stack.service.call('activity:requests', { conversationID: 'anthropic:history-ui' })) as { ok: true; value: Array<{ pick?: { rule: string } }> };
    expect(first.value.at(-1)?.pick?.rule).toBe('active');
    // After each 429 the next account took over: "failover".
    expect(first.value.some((e) => e.pick?.rule === 'failover')).toBe(true);
    await browser.screenshot('history-request-list');
    expect(await axeBothThemes(page, 'request list with the Picked by column')).toEqual([]);
  });
});
