/**
 * The desktop UI in real Chromium over the web transport, against the real core, gateway and
 * provider simulator (temp ROTARY_HOME, real keychain under scripts/with-keyring.sh).
 * Each test starts its own stack and browser; every test ends by checking that no simulator
 * token reached the page or any RPC/SSE payload.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { openCore } from '../../electron/core/runtime.js';
import { accountSecretKey } from '../../electron/core/pool/vault.js';
import { axeBothThemes } from './axe.js';
import { openBrowser, type BrowserSession } from './browser.js';
import { startStack, type Stack, type StackOptions } from './stack.js';

let stack: Stack | undefined;
let browser: BrowserSession | undefined;

async function setup(options: StackOptions = {}, colorScheme: 'light' | 'dark' = 'light') {
  stack = await startStack(options);
  // Distinct, recognisable usage per account: Account 1 at 42 %, Account 2 at 17 %, Account 3 at 64 %.
  const fiveHour = [0.42, 0.17, 0.64];
  stack.accounts.forEach((a, i) => {
    a.sim.fiveHour.utilization = fiveHour[i] ?? 0.1;
    a.sim.sevenDay.utilization = 0.1 * (i + 1);
    a.sim.sevenDaySonnet = { utilization: 0.05 * (i + 1), resetAt: a.sim.sevenDay.resetAt };
  });
  browser = await openBrowser({ colorScheme });
  return { stack, browser, page: browser.page };
}

afterEach(async () => {
  try {
    if (stack && browser) await expectNoTokenLeak(stack, browser);
  } finally {
    await browser?.close();
    await stack?.close();
    browser = undefined;
    stack = undefined;
  }
});

async function expectNoTokenLeak(s: Stack, b: BrowserSession) {
  await b.settle();
  const tokens = s.simTokens();
  expect(tokens.length).toBeGreaterThan(0);
  const html = await b.page.content().catch(() => '');
  const payloads = [...b.recorded.rpc.map((r) => r.body), ...b.recorded.sse.map((e) => e.data), html];
  for (const token of tokens) {
    for (const text of payloads) expect(text.includes(token), 'a simulator token reached the page').toBe(false);
  }
  // Token shapes, in case a token the test did not see (a refreshed one) slipped through.
  for (const text of payloads) expect(text).not.toMatch(/sk-ant-o[ar]t01-|gho_[A-Za-z0-9]{10}|"refresh"\s*:|"access"\s*:/);
}

async function openUI(page: Page, s: Stack) {
  await page.goto(s.uiURL);
  await page.getByRole('button', { name: 'Settings', exact: true }).waitFor();
  // The key left the address bar.
  expect(page.url()).not.toContain('#key=');
}

async function openProviderDetail(page: Page, name = 'Anthropic') {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.waitFor();
  await dialog.getByTestId('connected-provider').filter({ hasText: name }).click();
  await dialog.getByTestId('provider-detail').waitFor();
  return dialog;
}

function accountRow(scope: Locator, label: string) {
  return scope.getByTestId('account-row').filter({ has: scope.page().getByText(label, { exact: true }) });
}

async function meterValue(scope: Locator, label: string): Promise<number> {
  const meter = scope.getByRole('meter', { name: label }).first();
  return Number(await meter.getAttribute('aria-valuenow'));
}

function gatewayClient(s: Stack) {
  return new Anthropic({ baseURL: `${s.gateway.url}/anthropic`, apiKey: s.gateway.key, maxRetries: 0 });
}

async function sendMessage(s: Stack, text = 'hello') {
  return gatewayClient(s).messages.create({
    model: 'claude-sonnet-5-5',
    max_tokens: 64,
    system: 'You are a terse assistant.',
    messages: [{ role: 'user', content: text }],
  });
}

function lastInferenceAccount(s: Stack): string | undefined {
  const calls = s.sim.requests.filter((r) => r.path === '/v1/messages' && r.status === 200);
  return calls.at(-1)?.accountId;
}

describe('desktop UI over the web transport (Chromium)', () => {
  it('Settings → Providers → Anthropic shows the accounts and their usage bars', async () => {
    const { stack: s, page, browser: b } = await setup();
    await s.poller.refreshNow('anthropic');
    await openUI(page, s);
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByTestId('connected-provider').first().waitFor();
    await expect(dialog.getByTestId('connected-provider').first().innerText()).resolves.toContain('3 accounts');
    await b.screenshot('settings-providers');

    await dialog.getByTestId('connected-provider').filter({ hasText: 'Anthropic' }).click();
    const rows = dialog.getByTestId('account-row');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.allInnerTexts()).toEqual([
      expect.stringContaining('Account 1'),
      expect.stringContaining('Account 2'),
      expect.stringContaining('Account 3'),
    ]);
    // Each account has its own bars with its own numbers.
    expect(await meterValue(accountRow(dialog, 'Account 1'), '5-hour')).toBe(42);
    expect(await meterValue(accountRow(dialog, 'Account 2'), '5-hour')).toBe(17);
    expect(await meterValue(accountRow(dialog, 'Account 3'), '5-hour')).toBe(64);
    expect(await accountRow(dialog, 'Account 1').getByRole('meter').count()).toBeGreaterThanOrEqual(2);
    // The bars are plain role="meter" elements (not Kobalte's Meter): the range and the spoken value are still there.
    const meter = accountRow(dialog, 'Account 1').getByRole('meter', { name: '5-hour' });
    expect(await meter.getAttribute('aria-valuemin')).toBe('0');
    expect(await meter.getAttribute('aria-valuemax')).toBe('100');
    expect(await meter.getAttribute('aria-valuetext')).toMatch(/^5-hour: 42% used, resets in /);
    expect(await accountRow(dialog, 'Account 1').getByTestId('active-badge').count()).toBe(1);
    expect(await dialog.getByTestId('active-badge').count()).toBe(1);
    await expect(accountRow(dialog, 'Account 1').innerText()).resolves.toContain('user1@example.com');
    await b.screenshot('settings-provider-detail');

    await dialog.getByRole('tab', { name: 'About' }).click();
    await dialog.getByTestId('app-version').waitFor();
    await expect(dialog.getByTestId('app-version').innerText()).resolves.toContain('0.1.0');
    await b.screenshot('settings-about');
  });

  it('switching accounts from the context panel moves the active badge, updates the bars and the next request uses the new account', async () => {
    const { stack: s, page, browser: b } = await setup();
    await s.poller.refreshNow('anthropic');
    await openUI(page, s);
    const panel = page.getByTestId('provider-limits');
    await expect.poll(() => panel.getByTestId('limits-account').innerText()).toBe('Account 1');
    expect(await meterValue(panel, '5-hour')).toBe(42);

    await sendMessage(s);
    expect(lastInferenceAccount(s)).toBe(s.accounts[0]!.sim.id);

    await panel.getByRole('button', { name: 'Switch to Account 2' }).click();
    // The conversation on screen was served by Account 1; new requests go to Account 2: both named, each with its bars.
    await expect.poll(() => panel.getByTestId('limits-new-account').innerText()).toBe('New requests: Account 2');
    await expect(panel.getByTestId('limits-conversation-account').innerText()).resolves.toBe('This conversation: Account 1');
    await expect.poll(() => meterValue(panel.getByTestId('limits-active'), '5-hour')).toBe(17);
    await expect(panel.getByRole('button', { name: 'Active account Account 2' }).getAttribute('aria-pressed')).resolves.toBe('true');
    await b.screenshot('context-panel-switched');

    // The Settings view agrees.
    const dialog = await openProviderDetail(page);
    await expect.poll(() => accountRow(dialog, 'Account 2').getAttribute('data-active')).toBe('true');
    expect(await accountRow(dialog, 'Account 1').getAttribute('data-active')).toBe('false');
    expect(await dialog.getByTestId('active-badge').count()).toBe(1);
    await page.keyboard.press('Escape');

    // And the gateway follows it.
    await sendMessage(s);
    expect(lastInferenceAccount(s)).toBe(s.accounts[1]!.sim.id);
    expect(s.core.pool.snapshot('anthropic').activeID).toBe(s.accounts[1]!.record.id);
  });

  it('X → Cancel keeps the account; X → Remove deletes it from the UI, the store and the keychain; the last removal goes back to Providers', async () => {
    const { stack: s, page, browser: b } = await setup({ anthropicAccounts: 2, secrets: 'keychain' });
    const [first, second] = s.accounts.map((a) => a.record);
    const secondKey = accountSecretKey('anthropic', second!.id);
    expect(await s.core.vault.list()).toContain(secondKey);
    await openUI(page, s);
    const dialog = await openProviderDetail(page);

    // Cancel keeps it.
    await accountRow(dialog, 'Account 2').getByRole('button', { name: 'Remove Account 2' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Remove Account 2?' });
    await confirm.waitFor();
    await b.screenshot('confirm-remove');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await expect.poll(() => dialog.getByTestId('account-row').count()).toBe(2);
    expect(s.core.pool.getRecord('anthropic', second!.id)).toBeDefined();
    expect(await s.core.vault.list()).toContain(secondKey);

    // Remove deletes it everywhere.
    await accountRow(dialog, 'Account 2').getByRole('button', { name: 'Remove Account 2' }).click();
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => dialog.getByTestId('account-row').count()).toBe(1);
    await s.core.pool.reload();
    expect(s.core.pool.getRecord('anthropic', second!.id)).toBeUndefined();
    expect(await s.core.vault.list()).not.toContain(secondKey);
    const fresh = await openCore({ env: s.env, home: s.home, vault: s.core.vault, reconcile: false });
    try {
      expect(fresh.pool.getAccounts('anthropic').map((a) => a.id)).toEqual([first!.id]);
    } finally {
      await fresh.close();
    }

    // The last one: back to Providers, nothing connected.
    await accountRow(dialog, 'Account 1').getByRole('button', { name: 'Remove Account 1' }).click();
    await page.getByRole('alertdialog', { name: 'Remove Account 1?' }).getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => dialog.getByRole('tab', { name: 'Providers' }).getAttribute('aria-selected')).toBe('true');
    await dialog.getByText('No provider connected yet. Add one below.').waitFor();
    expect(await dialog.getByTestId('connected-provider').count()).toBe(0);
    expect(await s.core.vault.list()).toEqual([]);
    await b.screenshot('settings-providers-empty');
  });

  it('adds an Anthropic account through the paste flow against the simulator', async () => {
    const { stack: s, page, browser: b } = await setup({ anthropicAccounts: 1 });
    const newcomer = s.sim.addAccount('anthropic', { email: 'newcomer@example.com' });
    await openUI(page, s);
    const dialog = await openProviderDetail(page);
    await dialog.getByRole('button', { name: 'Add account' }).click();
    const flow = dialog.getByTestId('login-flow');
    await flow.getByRole('button', { name: 'Open the login page' }).waitFor();
    await b.screenshot('login-paste');

    // The button opens the (simulated) consent page, which shows `code#state` to copy.
    const [consent] = await Promise.all([
      b.context.waitForEvent('page'),
      flow.getByRole('button', { name: 'Open the login page' }).click(),
    ]);
    // The consent page signs in as whichever account the user picks; here, the newcomer.
    await consent.goto(`${consent.url()}&sim_account=${newcomer.id}`);
    await consent.locator('#code').waitFor();
    const pasted = (await consent.locator('#code').innerText()).trim();
    expect(pasted).toMatch(/^[^#\s]+#[^#\s]+$/);
    await consent.close();

    // A mistyped code is a clear, retryable error.
    await flow.getByLabel('Authorization code').fill('not-a-code');
    await flow.getByRole('button', { name: 'Add account' }).click();
    await flow.getByTestId('field-error').waitFor();
    await b.screenshot('login-paste-error');
    expect(await axeBothThemes(page, 'paste-code login with its error')).toEqual([]);

    await flow.getByLabel('Authorization code').fill(pasted);
    await flow.getByRole('button', { name: 'Add account' }).click();
    await flow.waitFor({ state: 'hidden' });
    await expect.poll(() => dialog.getByTestId('account-row').count()).toBe(2);
    await dialog.getByText('newcomer@example.com', { exact: true }).first().waitFor();

    const added = s.core.pool.getAccounts('anthropic').find((a) => a.email === 'newcomer@example.com');
    expect(added).toBeDefined();
    expect(await s.core.vault.list()).toContain(accountSecretKey('anthropic', added!.id));
    expect((await s.core.pool.getSecret('anthropic', added!.id))?.access).toBe(newcomer.credentials().access);
    await b.screenshot('settings-provider-detail-added');
  });

  it('a real request through the gateway makes the conversation and its rate limits appear in the context panel', async () => {
    const { stack: s, page, browser: b } = await setup();
    await openUI(page, s);
    await page.getByTestId('empty-state').waitFor();
    await b.screenshot('main-empty');

    const reply = await sendMessage(s, 'What is the capital of France?');
    expect(reply.content.length).toBeGreaterThan(0);

    const conversation = page.getByTestId('conversation').first();
    await conversation.waitFor();
    await page.getByTestId('request-row').first().waitFor();
    const row = await page.getByTestId('request-row').first().innerText();
    expect(row).toContain('200');
    expect(row).toContain('Account 1');
    expect(row).toContain('claude-sonnet-5-5');

    const breakdown = page.getByTestId('context-breakdown');
    await breakdown.getByText(/tokens$/).waitFor();
    const limits = page.getByTestId('provider-limits');
    await expect.poll(() => limits.getByRole('meter').count()).toBeGreaterThanOrEqual(2);
    // The numbers come from the response headers of that request (Account 1 at 42 %).
    expect(await meterValue(limits, '5-hour')).toBe(42);
    expect(await meterValue(limits, '7-day (all)')).toBe(10);
    expect(await meterValue(limits, '7-day (Sonnet)')).toBe(5);
    await limits.getByText(/as of/).waitFor();
    await limits.getByText(/resets in/).first().waitFor();
    await b.screenshot('main-conversation');
  });

  it('a Codex conversation shows the Codex limits in the same panel', async () => {
    const { stack: s, page, browser: b } = await setup({ anthropicAccounts: 1 });
    const codex = await s.addAccount('openai', 'Codex 1', 'codex@example.com');
    codex.sim.fiveHour.utilization = 0.33;
    await openUI(page, s);
    const res = await fetch(`${s.gateway.url}/openai/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.gateway.key}`, 'content-type': 'application/json', session_id: 'codex-e2e-session' },
      body: JSON.stringify({
        model: 'gpt-5-codex',
        instructions: 'Be brief.',
        input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
        stream: true,
        store: false,
      }),
    });
    expect(res.status).toBe(200);
    await res.text();
    await page.getByTestId('conversation').filter({ hasText: 'OpenAI' }).first().click();
    const limits = page.getByTestId('provider-limits');
    await expect.poll(() => limits.getAttribute('data-provider')).toBe('openai');
    await limits.getByRole('heading', { name: 'Codex Rate Limits' }).waitFor();
    await expect.poll(() => limits.getByRole('meter').count()).toBeGreaterThanOrEqual(1);
    expect(await limits.getByRole('meter').first().getAttribute('aria-valuenow')).toBe('33');
    await b.screenshot('main-codex-conversation');
  });

  it('shows a rotation event when an account is rate-limited (dark theme)', async () => {
    const { stack: s, page, browser: b } = await setup({}, 'dark');
    s.accounts[0]!.sim.fiveHour.utilization = 1;
    await openUI(page, s);
    await sendMessage(s, 'first');
    await page.getByTestId('rotation-event').first().waitFor();
    const text = await page.getByTestId('rotation-event').first().innerText();
    expect(text).toMatch(/429 on Account 1 → Account 2/);
    expect(lastInferenceAccount(s)).toBe(s.accounts[1]!.sim.id);
    await b.screenshot('main-rotation-dark');
    const dialog = await openProviderDetail(page);
    await accountRow(dialog, 'Account 1').getByTestId('account-status').getByText(/Cooling down until/).waitFor();
    await b.screenshot('settings-provider-detail-dark');

    // The user clears the cooldown by hand: the row says it takes requests again — not a bare "OK"
    // beside its full 5-hour bar — and the pool (and its file) agree.
    await accountRow(dialog, 'Account 1').getByRole('button', { name: 'Clear cooldown of Account 1' }).click();
    await accountRow(dialog, 'Account 1').getByTestId('account-status').getByText(/^Takes requests, but its 5-hour limit was 100 % used/).waitFor();
    const fresh = await openCore({ home: s.home, env: s.env, vault: s.core.vault, reconcile: false });
    try {
      const record = fresh.pool.getAccounts('anthropic').find((a) => a.id === s.accounts[0]!.record.id)!;
      expect(record.status).toEqual({ kind: 'ok' });
      expect(record.health.cooldownUntil).toBeUndefined();
    } finally {
      await fresh.close();
    }
  });

  it('a weekly Sonnet limit shows on the account beside its OK status, and can be cleared by hand', async () => {
    const { stack: s, page, browser: b } = await setup({ anthropicAccounts: 2 });
    s.accounts[0]!.sim.sevenDaySonnet = { utilization: 1, resetAt: Math.floor(Date.now() / 1000) + 3 * 86_400 };
    await openUI(page, s);
    await sendMessage(s, 'sonnet please');
    expect(lastInferenceAccount(s)).toBe(s.accounts[1]!.sim.id);
    const dialog = await openProviderDetail(page);
    const row = accountRow(dialog, 'Account 1');
    await row.getByTestId('account-family-limit').getByText(/^Sonnet limited until /).waitFor();
    await expect(row.getByTestId('account-status').innerText()).resolves.toBe('OK');
    await b.screenshot('settings-provider-detail-family-limit');
    await row.getByRole('button', { name: 'Clear cooldown of Account 1' }).click();
    await expect.poll(() => row.getByTestId('account-family-limit').count()).toBe(0);
    expect(s.core.pool.getRecord('anthropic', s.accounts[0]!.record.id)!.health.scopedCooldowns).toBeUndefined();
  });

  it('renames an account inline: pencil → field → Enter saves; a blank name is refused in place; Escape cancels and Settings stays open', async () => {
    const { stack: s, page, browser: b } = await setup({ anthropicAccounts: 3 });
    const recordID = s.accounts[1]!.record.id;
    await openUI(page, s);
    const dialog = await openProviderDetail(page);
    // Runs in the page (DOM types are not in the node tsconfig, hence the strings).
    const focused = () => page.evaluate<string>("document.activeElement?.getAttribute('aria-label') ?? ''");
    const selection = () => page.evaluate<number[]>('[document.activeElement.selectionStart, document.activeElement.selectionEnd]');
    const relabelCalls = () => b.recorded.rpc.filter((r) => r.url.includes('relabel')).length;

    await accountRow(dialog, 'Account 2').getByRole('button', { name: 'Rename Account 2' }).click();
    const field = dialog.getByRole('textbox', { name: 'Account name' });
    await field.waitFor();
    // Prefilled and selected, so typing replaces the old name.
    expect(await field.inputValue()).toBe('Account 2');
    await expect.poll(selection).toEqual([0, 'Account 2'.length]);
    await page.keyboard.type('Work');
    await page.keyboard.press('Enter');
    await accountRow(dialog, 'Work').waitFor();
    await field.waitFor({ state: 'hidden' });
    expect(await accountRow(dialog, 'Account 2').count()).toBe(0);
    expect(s.core.pool.getRecord('anthropic', recordID)!.label).toBe('Work');
    await expect.poll(focused).toBe('Rename Work');

    // Keyboard only from here: Enter on the focused pencil, a blank name, Enter.
    await page.keyboard.press('Enter');
    await field.waitFor();
    await b.settle();
    const callsBefore = relabelCalls();
    await page.keyboard.press('Backspace');
    await page.keyboard.type('   ');
    await page.keyboard.press('Enter');
    const error = dialog.getByTestId('field-error');
    await error.waitFor();
    await expect(error.innerText()).resolves.toBe('Enter a name for this account.');
    expect(await field.isVisible()).toBe(true);
    await b.screenshot('settings-rename');
    expect(await axeBothThemes(page, 'inline rename with its error')).toEqual([]);
    await b.settle();
    expect(relabelCalls()).toBe(callsBefore);
    expect(s.core.pool.getRecord('anthropic', recordID)!.label).toBe('Work');

    // Escape closes the field only: the Settings dialog stays open, the name is unchanged.
    await page.keyboard.press('Escape');
    await field.waitFor({ state: 'hidden' });
    await expect.poll(focused).toBe('Rename Work');
    expect(await dialog.isVisible()).toBe(true);
    expect(await accountRow(dialog, 'Work').count()).toBe(1);
    expect(s.core.pool.getRecord('anthropic', recordID)!.label).toBe('Work');
  });

  it('works with the keyboard only: open Settings with Ctrl+, move between tabs with arrows, confirm a delete', async () => {
    const { stack: s, page, browser: b } = await setup({ anthropicAccounts: 3 });
    await openUI(page, s);
    await page.keyboard.press('Control+,');
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.waitFor();
    // Runs in the page (DOM types are not in the node tsconfig, hence the string).
    const focused = () =>
      page.evaluate<string>("document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? ''");
    await expect.poll(focused).toBe('Providers');

    await page.keyboard.press('ArrowRight');
    await expect.poll(() => dialog.getByRole('tab', { name: 'Anthropic' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => dialog.getByRole('tab', { name: 'Rotation' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => dialog.getByRole('tab', { name: 'About' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => dialog.getByRole('tab', { name: 'Anthropic' }).getAttribute('aria-selected')).toBe('true');
    await dialog.getByTestId('provider-detail').waitFor();

    // Tab to "Remove Account 3".
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await focused()) === 'Remove Account 3';
    }
    expect(reached).toBe(true);
    await b.screenshot('keyboard-focus-remove');
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('alertdialog', { name: 'Remove Account 3?' });
    await confirm.waitFor();
    // Focus starts on Cancel: Enter alone never deletes.
    await expect.poll(focused).toBe('Cancel');
    await page.keyboard.press('Tab');
    await expect.poll(focused).toBe('Remove');
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.getByTestId('account-row').count()).toBe(2);
    expect(s.core.pool.getAccounts('anthropic').map((a) => a.label)).toEqual(['Account 1', 'Account 2']);
    await confirm.waitFor({ state: 'hidden' });
    // The removed account's X is gone: focus lands on something that exists, not on the page body.
    await expect.poll(async () => (await focused()).trim()).toBe('Add account');

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('adds a GitHub Copilot account through the device flow (code shown, approved on the simulator, polled)', async () => {
    const { stack: s, page, browser: b } = await setup({ anthropicAccounts: 1 });
    s.sim.github.deviceInterval = 0.05;
    const octo = s.sim.addAccount('github-copilot', { login: 'octocat', email: 'octo@example.com' });
    await openUI(page, s);
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByRole('button', { name: 'Add GitHub Copilot' }).click();
    const flow = dialog.getByTestId('login-flow');
    const code = (await flow.getByTestId('device-code').innerText()).trim();
    expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    await flow.getByRole('button', { name: 'Copy code' }).waitFor();
    await flow.getByRole('status').filter({ hasText: 'Waiting for you to approve' }).waitFor();
    await b.screenshot('login-device-code');
    expect(await axeBothThemes(page, 'Copilot device-code login')).toEqual([]);

    s.sim.approveDevice(code, octo.id);
    await flow.waitFor({ state: 'hidden' });
    await expect.poll(() => dialog.getByTestId('account-row').count()).toBe(1);
    expect(s.core.pool.getAccounts('github-copilot')).toHaveLength(1);
    await b.screenshot('settings-provider-detail-copilot');
    await expect(dialog.getByRole('tab', { name: 'GitHub Copilot' }).getAttribute('aria-selected')).resolves.toBe('true');
  });

  it('adds an OpenAI account through the browser callback flow; Cancel stops a login', async () => {
    const { stack: s, page, browser: b } = await setup({ anthropicAccounts: 1 });
    await openUI(page, s);
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });

    // Cancel: the flow closes and nothing is added.
    await dialog.getByRole('button', { name: 'Add OpenAI (ChatGPT / Codex)' }).click();
    let flow = dialog.getByTestId('login-flow');
    await flow.getByRole('button', { name: 'Open the login page' }).waitFor();
    await flow.getByRole('button', { name: 'Cancel' }).click();
    await flow.waitFor({ state: 'hidden' });
    expect(s.core.pool.getAccounts('openai')).toHaveLength(0);

    await dialog.getByRole('button', { name: 'Add account' }).click();
    flow = dialog.getByTestId('login-flow');
    await flow.getByRole('status').filter({ hasText: 'Waiting for the browser' }).waitFor();
    await b.screenshot('login-callback');
    expect(await axeBothThemes(page, 'OpenAI callback login')).toEqual([]);
    // The consent page redirects to Rotary's loopback server, which finishes the login by itself.
    const [consent] = await Promise.all([
      b.context.waitForEvent('page'),
      flow.getByRole('button', { name: 'Open the login page' }).click(),
    ]);
    await consent.waitForLoadState();
    await flow.waitFor({ state: 'hidden' });
    await expect.poll(() => dialog.getByTestId('account-row').count()).toBe(1);
    expect(s.core.pool.getAccounts('openai')).toHaveLength(1);
    await consent.close();
  });

  it('the header shows the gateway status with copy-ready client settings; Add provider search filters', async () => {
    const { stack: s, page, browser: b } = await setup({ anthropicAccounts: 1 });
    await openUI(page, s);
    await page.getByTestId('gateway-status').click();
    const connect = page.getByRole('dialog', { name: 'Connect a tool to the gateway' });
    await connect.waitFor();
    const text = await connect.innerText();
    expect(text).toContain(`ANTHROPIC_BASE_URL=${s.gateway.url}/anthropic`);
    expect(text).toContain("ANTHROPIC_AUTH_TOKEN='<rotary-gateway-key>'");
    await b.screenshot('gateway-connect');
    await connect.getByRole('button', { name: 'Copy Claude Code settings' }).click();
    await expect
      .poll(() => page.evaluate<string>('navigator.clipboard.readText()'))
      .toBe(`export ANTHROPIC_BASE_URL=${s.gateway.url}/anthropic\nexport ANTHROPIC_AUTH_TOKEN='${s.gateway.key}'`);
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    const supported = dialog.getByRole('list', { name: 'Supported providers' }).getByRole('listitem');
    await expect.poll(() => supported.count()).toBe(3);
    await dialog.getByRole('searchbox', { name: 'Search providers' }).fill('codex');
    await expect.poll(() => supported.allInnerTexts()).toEqual([expect.stringContaining('OpenAI')]);
    await dialog.getByRole('searchbox', { name: 'Search providers' }).fill('nothing-like-this');
    await expect.poll(() => supported.allInnerTexts()).toEqual([expect.stringContaining('No supported provider matches')]);

    // A tab opened without the `#key=` link does not get in, and says how to.
    const stranger = await b.context.newPage();
    await stranger.goto(`${s.gateway.url}/ui/`);
    await stranger.getByText('Open the link printed by Rotary').waitFor();
    await stranger.screenshot({ path: 'test-results/screenshots/missing-key.png' });
    expect(await axeBothThemes(stranger, 'missing key')).toEqual([]);
    await stranger.close();
  });

  it('no simulator token ever appears in an RPC payload, the event stream or the page', async () => {
    const { stack: s, page, browser: b } = await setup({ anthropicAccounts: 2 });
    const third = s.sim.addAccount('anthropic', { email: 'third@example.com' });
    await openUI(page, s);
    // Exercise every path that touches secrets in the core: usage polling, a refresh-token
    // grant, proxying, switching, a login that stores new tokens.
    await page.getByTestId('provider-limits').getByRole('button', { name: 'Refresh usage' }).click();
    await s.accounts[0]!.sim.expireAccessToken();
    await sendMessage(s);
    await page.getByTestId('provider-limits').getByRole('button', { name: 'Switch to Account 2' }).click();
    await sendMessage(s);
    const dialog = await openProviderDetail(page);
    await dialog.getByRole('button', { name: 'Add account' }).click();
    const flow = dialog.getByTestId('login-flow');
    const [consent] = await Promise.all([
      b.context.waitForEvent('page'),
      flow.getByRole('button', { name: 'Open the login page' }).click(),
    ]);
    await consent.goto(`${consent.url()}&sim_account=${third.id}`);
    const code = (await consent.locator('#code').innerText()).trim();
    await consent.close();
    await flow.getByLabel('Authorization code').fill(code);
    await flow.getByRole('button', { name: 'Add account' }).click();
    await expect.poll(() => dialog.getByTestId('account-row').count()).toBe(3);
    await b.settle();
    expect(b.recorded.rpc.length).toBeGreaterThan(5);
    expect(b.recorded.sse.length).toBeGreaterThan(0);
    // The check itself runs in afterEach (for every test); here it must also see the new tokens.
    expect(s.simTokens().length).toBeGreaterThanOrEqual(4);
  });
});
