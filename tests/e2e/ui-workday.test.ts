/**
 * Issue 14: the desktop UI as a demanding user meets it over a working day — keyboard only,
 * small and large windows, a dying gateway, a wrong key, a limit storm, a long conversation.
 * Real Chromium over the web transport against the real core, gateway and provider simulator
 * (temp ROTARY_HOME, real keychain under scripts/with-keyring.sh). One browser for the file;
 * each test starts its own stack. axe-core checks every screen and state in both themes.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { Locator, Page, Route } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RequestEntry } from '../../shared/activity.js';
import { axeBothThemes } from './axe.js';
import { openBrowser, type BrowserSession } from './browser.js';
import { startStack, type Stack, type StackOptions } from './stack.js';

let browser: BrowserSession;
let page: Page;
let stack: Stack | undefined;

beforeAll(async () => {
  browser = await openBrowser({ colorScheme: 'light' });
  page = browser.page;
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  try {
    if (stack) await expectNoTokenLeak(stack);
  } finally {
    // Leave the stack's page first, so its event stream does not outlive the stack.
    await page.unrouteAll().catch(() => undefined);
    await page.goto('about:blank').catch(() => undefined);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: 'light' });
    await stack?.close();
    stack = undefined;
  }
});

async function expectNoTokenLeak(s: Stack) {
  await browser.settle();
  const html = await page.content().catch(() => '');
  const payloads = [...browser.recorded.rpc.map((r) => r.body), ...browser.recorded.sse.map((e) => e.data), html];
  for (const token of s.simTokens()) {
    for (const text of payloads) expect(text.includes(token), 'a simulator token reached the page').toBe(false);
  }
}

/** Distinct usage per account: Account 1 at 42 %, Account 2 at 17 %, Account 3 at 64 % of the 5-hour window. */
async function setup(options: StackOptions = {}) {
  stack = await startStack(options);
  const fiveHour = [0.42, 0.17, 0.64];
  stack.accounts.forEach((a, i) => {
    a.sim.fiveHour.utilization = fiveHour[i] ?? 0.1;
    a.sim.sevenDay.utilization = 0.1 * (i + 1);
  });
  return stack;
}

async function openUI(s: Stack) {
  await page.goto(s.uiURL);
  await page.getByRole('button', { name: 'Settings', exact: true }).waitFor();
}

async function expectAccessible(state: string) {
  expect(await axeBothThemes(page, state)).toEqual([]);
}

// Run in the page; strings keep DOM types out of the node tsconfig.
const focusedLabel = () =>
  page.evaluate<string>(
    "(document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? '').trim()",
  );
const focusedTestID = () =>
  page.evaluate<string | null>(
    "document.activeElement === document.body ? 'the page body' : (document.activeElement?.closest('[data-testid]')?.getAttribute('data-testid') ?? null)",
  );
const focusedInDialog = () =>
  page.evaluate<boolean>(
    "document.activeElement !== document.body && document.activeElement?.closest('[role=dialog],[role=alertdialog]') !== null",
  );

/** Focus is inside the Settings dialog; Tab and Shift+Tab never leave it; Escape closes it. */
async function expectTrappedThenEscape(dialog: Locator) {
  await expect.poll(focusedInDialog, { message: 'focus must stay inside the dialog' }).toBe(true);
  for (let i = 0; i < 24; i++) {
    await page.keyboard.press('Tab');
    expect(await focusedInDialog(), `Tab #${i + 1} left the dialog`).toBe(true);
  }
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Shift+Tab');
    expect(await focusedInDialog(), `Shift+Tab #${i + 1} left the dialog`).toBe(true);
  }
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
}

/** Tab forward until the focused element's label is `label` (keyboard only). */
async function tabTo(label: string | RegExp, max = 60) {
  for (let i = 0; i < max; i++) {
    const now = await focusedLabel();
    if (typeof label === 'string' ? now === label : label.test(now)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${String(label)} (last: ${await focusedLabel()})`);
}

/** Ctrl+, then the connected Anthropic provider, with the keyboard only. */
async function keyboardToProviderDetail() {
  await page.keyboard.press('Control+,');
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.waitFor();
  await expect.poll(focusedLabel).toBe('Providers');
  await tabTo(/^Anthropic/);
  await page.keyboard.press('Enter');
  await dialog.getByTestId('provider-detail').waitFor();
  return dialog;
}

function client(s: Stack) {
  return new Anthropic({ baseURL: `${s.gateway.url}/anthropic`, apiKey: s.gateway.key, maxRetries: 0 });
}

async function sendMessage(s: Stack, session?: string) {
  return client(s).messages.create(
    { model: 'claude-sonnet-5-5', max_tokens: 32, system: 'Be terse.', messages: [{ role: 'user', content: 'hello' }] },
    session ? { headers: { 'x-claude-code-session-id': session } } : {},
  );
}

function inferenceAccounts(s: Stack): string[] {
  return s.sim.requests.filter((r) => r.path === '/v1/messages' && r.status === 200).map((r) => r.accountId ?? '');
}

/** A finished request as the gateway records it, for feeding the real ActivityLog directly. */
function entry(i: number, conversationID: string, extra: Partial<RequestEntry> = {}): RequestEntry {
  return {
    id: `fed-${i}`,
    conversationID,
    providerID: 'anthropic',
    at: Date.now() - 60_000 + i,
    method: 'POST',
    path: '/v1/messages',
    model: 'claude-sonnet-5-5',
    stream: false,
    recordID: 'fed',
    accountLabel: 'Account 1',
    status: 200,
    latencyMs: 300 + (i % 700),
    inputTokens: 1200 + i,
    outputTokens: 40,
    rotations: [],
    ...extra,
  };
}

describe('keyboard focus never gets lost (issue 14 §1)', () => {
  it('opening a connected provider keeps focus in Settings: Tab stays inside, Escape closes', async () => {
    const s = await setup();
    await openUI(s);
    const dialog = await keyboardToProviderDetail();
    await expect.poll(focusedInDialog, { message: 'focus fell out of the dialog' }).toBe(true);
    await expectAccessible('Settings → Provider Detail');
    await expectTrappedThenEscape(dialog);
  });

  it('Cancel in the delete confirmation gives focus back to the X that opened it', async () => {
    const s = await setup();
    await openUI(s);
    const dialog = await keyboardToProviderDetail();
    await tabTo('Remove Account 2');
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('alertdialog', { name: 'Remove Account 2?' });
    await confirm.waitFor();
    await expect.poll(focusedLabel).toBe('Cancel');
    await expectAccessible('delete confirmation');
    await page.keyboard.press('Enter');
    await confirm.waitFor({ state: 'hidden' });
    await expect.poll(focusedLabel).toBe('Remove Account 2');
    expect(s.core.pool.getAccounts('anthropic')).toHaveLength(3);
    await expectTrappedThenEscape(dialog);
  });

  it('Switch in Provider Detail moves focus to the account it made active', async () => {
    const s = await setup();
    await openUI(s);
    const dialog = await keyboardToProviderDetail();
    await tabTo('Switch to Account 2');
    await page.keyboard.press('Enter');
    await expect.poll(() => s.core.pool.snapshot('anthropic').activeID).toBe(s.accounts[1]!.record.id);
    await expect.poll(focusedLabel).toBe('Account 2');
    await expectTrappedThenEscape(dialog);
  });

  it('deleting the last account lands on the provider search in Providers', async () => {
    const s = await setup({ anthropicAccounts: 1 });
    await openUI(s);
    const dialog = await keyboardToProviderDetail();
    await tabTo('Remove Account 1');
    await page.keyboard.press('Enter');
    await expect.poll(focusedLabel).toBe('Cancel');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(() => dialog.getByRole('tab', { name: 'Providers' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.evaluate<string>("document.activeElement?.getAttribute('type') ?? ''")).toBe('search');
    await expectAccessible('Settings → Providers, nothing connected');
    await expectTrappedThenEscape(dialog);
  });

  it('Add account: one "Add account" button while logging in, focus moves into the login and back after Cancel', async () => {
    const s = await setup({ anthropicAccounts: 1 });
    await openUI(s);
    const dialog = await keyboardToProviderDetail();
    await tabTo('Add account');
    await page.keyboard.press('Enter');
    const flow = dialog.getByTestId('login-flow');
    await flow.getByRole('button', { name: 'Open the login page' }).waitFor();
    await expect.poll(() => dialog.getByRole('button', { name: 'Add account', exact: true }).count()).toBe(1);
    await expect.poll(() => page.evaluate<boolean>("document.activeElement?.closest('[data-testid=login-flow]') != null")).toBe(true);
    await expectAccessible('login (paste code)');
    await tabTo('Cancel');
    await page.keyboard.press('Enter');
    await flow.waitFor({ state: 'hidden' });
    await expect.poll(focusedLabel).toBe('Add account');
    await expectTrappedThenEscape(dialog);
  });

  it('Switch in the context panel keeps focus on the button it pressed', async () => {
    const s = await setup();
    await openUI(s);
    const panel = page.getByTestId('provider-limits');
    await panel.getByRole('button', { name: /^Switch to Account 2/ }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => s.core.pool.snapshot('anthropic').activeID).toBe(s.accounts[1]!.record.id);
    await expect.poll(focusedLabel).toMatch(/^Active account Account 2/);
  });
});

describe('what the window says (issue 14 §2–§5, §8, §11)', () => {
  it('the context panel names this conversation’s account and the account new requests use when they differ', async () => {
    const s = await setup();
    // Account 1 (active) is at 96 % of its 5-hour window: new conversations start on Account 2.
    s.accounts[0]!.sim.fiveHour.utilization = 0.96;
    await s.poller.refreshNow('anthropic');
    await sendMessage(s, 'workday-conversation');
    await sendMessage(s, 'workday-conversation');
    expect(inferenceAccounts(s)).toEqual([s.accounts[1]!.sim.id, s.accounts[1]!.sim.id]);
    expect(s.core.pool.snapshot('anthropic').activeID).toBe(s.accounts[0]!.record.id);

    await openUI(s);
    const panel = page.getByTestId('provider-limits');
    await expect.poll(() => panel.getByTestId('limits-conversation-account').innerText()).toBe('This conversation: Account 2');
    await expect(panel.getByTestId('limits-new-account').innerText()).resolves.toBe('New requests: Account 1');
    // The bars next to "This conversation" are Account 2's (17 %), not the active account's (96 %).
    const convBlock = panel.getByTestId('limits-conversation');
    // (17 % before these requests; each request adds a little in the simulator.)
    await expect
      .poll(async () => Number(await convBlock.getByRole('meter', { name: '5-hour' }).getAttribute('aria-valuenow')))
      .toBeLessThan(30);
    // Each switch button: used %, limit state (none here) and no bare percentage.
    const button = panel.getByRole('button', { name: /Account 1/ }).first();
    await expect(button.innerText()).resolves.toMatch(/96 % used/);
    await browser.screenshot('workday-panel-conversation-vs-active');
    await expectAccessible('main window, conversation on a non-active account');
  });

  it('all accounts limited, 20 requests: one persistent banner that updates in place and clears when an account frees up', async () => {
    const s = await setup({ anthropicAccounts: 2 });
    for (const a of s.accounts) a.sim.fiveHour.utilization = 1;
    await openUI(s);
    const banner = page.getByTestId('limited-banner');
    await expect(sendMessage(s, 'storm')).rejects.toThrow();
    await banner.waitFor();
    await page.evaluate("document.querySelector('[data-testid=limited-banner]').dataset.seen = 'first'");
    for (let i = 0; i < 19; i++) await expect(sendMessage(s, 'storm')).rejects.toThrow();
    await browser.settle();
    await expect.poll(() => page.getByRole('region', { name: /Notifications/ }).locator('li').count()).toBe(0);
    expect(await banner.count()).toBe(1);
    expect(await banner.getAttribute('data-seen'), 'the banner was replaced instead of updated').toBe('first');
    await expect(banner.innerText()).resolves.toMatch(/All Anthropic accounts are rate-limited/);
    await expect(banner.innerText()).resolves.toMatch(/frees up at \d\d:\d\d/);

    // The panel and the buttons say limited: "100 % used · until 11:52", never a bare "100%".
    const panel = page.getByTestId('provider-limits');
    await panel.getByText(/All accounts limited/).waitFor();
    const buttons = panel.getByTestId('switch-account');
    await expect.poll(() => buttons.count()).toBe(2);
    for (const b of await buttons.all()) {
      await expect.poll(() => b.innerText()).toMatch(/100 % used · until \d\d:\d\d/);
      expect(await b.getAttribute('data-limited')).toBe('true');
    }
    const text = await page.evaluate<string>('document.body.innerText');
    expect(text, 'a bare percentage without "used"').not.toMatch(/\d\s?%(?!\s?used)/);
    await browser.screenshot('workday-all-limited');
    await expectAccessible('all accounts limited');

    // Provider Detail: no "OK" beside a full bar; Switch on a cooling account says what it does.
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByTestId('connected-provider').click();
    const statuses = await dialog.getByTestId('account-status').allInnerTexts();
    expect(statuses.every((t) => t !== 'OK')).toBe(true);
    const coolingSwitch = dialog.getByRole('button', { name: /^Switch to Account 2/ });
    await expect(coolingSwitch.innerText()).resolves.toMatch(/from \d\d:\d\d/);
    await expect(coolingSwitch.textContent()).resolves.toMatch(/rate-limited until \d\d:\d\d/);
    await browser.screenshot('workday-detail-limited');
    await expectAccessible('Provider Detail, every account limited');
    await page.keyboard.press('Escape');

    // An account frees up (cleared by hand here; a reset time passing does the same): the banner goes by itself.
    await s.core.pool.clearCooldown('anthropic', s.accounts[0]!.record.id);
    await banner.waitFor({ state: 'hidden' });

    // No account left: the banner's title says so instead of "rate-limited".
    for (const a of s.accounts) await s.core.pool.removeRecord('anthropic', a.record.id);
    await expect(sendMessage(s, 'storm')).rejects.toThrow();
    await expect.poll(() => banner.innerText()).toMatch(/^No Anthropic account/);
  });

  it('the gateway going away turns the header red with a banner and a retry; it goes green by itself when the gateway is back', async () => {
    const s = await setup({ anthropicAccounts: 1 });
    await openUI(s);
    const status = page.getByTestId('gateway-status');
    await expect.poll(() => status.getAttribute('data-state')).toBe('up');
    await s.stopGateway();
    // Deadline of the issue (3 s), not a measurement: the event stream ending is noticed at once.
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 3000 }).toBe('down');
    const banner = page.getByTestId('gateway-down');
    await banner.waitFor();
    await banner.getByRole('button', { name: /Retry/ }).waitFor();
    await expect(status.innerText()).resolves.toMatch(/not reachable/i);
    await browser.screenshot('workday-gateway-down');
    await expectAccessible('gateway down');
    await banner.getByRole('button', { name: /Retry/ }).click();
    await expect(status.getAttribute('data-state')).resolves.toBe('down');

    await s.startGateway();
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 8000 }).toBe('up');
    await banner.waitFor({ state: 'hidden' });
    // Live again: a request through the restarted gateway shows up.
    await sendMessage(s);
    await page.getByTestId('request-row').first().waitFor();
  });

  it('a wrong key gives an error state (not the welcome screen); loading says loading, not "not running"', async () => {
    const s = await setup({ anthropicAccounts: 1 });
    await page.goto(`${s.gateway.url}/ui/#key=not-the-key`);
    const error = page.getByTestId('load-error');
    await error.waitFor();
    await expect(error.innerText()).resolves.toMatch(/key/i);
    expect(await page.getByText('Welcome to Rotary').count()).toBe(0);
    expect(await page.getByTestId('empty-state').count()).toBe(0);
    await expect(error.getByRole('button', { name: /Try again/ }).count()).resolves.toBe(1);
    // The header says the status could not be read, and why — not the loading look "Gateway…".
    const status = page.getByTestId('gateway-status');
    await expect.poll(() => status.getAttribute('data-state')).toBe('error');
    await expect(status.innerText()).resolves.toMatch(/key/i);
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByTestId('providers-error').waitFor();
    expect(await dialog.getByText(/No supported provider matches/).count()).toBe(0);
    await browser.screenshot('workday-wrong-key');
    await expectAccessible('wrong key');
    await page.keyboard.press('Escape');

    // Loading: hold the first answers back (the real core answers once released).
    await page.evaluate(`sessionStorage.clear()`);
    await page.goto('about:blank');
    const held: Array<() => void> = [];
    await page.route('**/rpc/**', (route) => void held.push(() => void route.continue().catch(() => undefined)));
    await page.goto(s.uiURL);
    // The vault gate's "Opening Rotary…", then the window's own loading state: a spinner either way.
    await page.getByRole('status').filter({ hasText: /Opening Rotary|Loading/ }).first().waitFor();
    expect(await page.getByText(/not running/).count()).toBe(0);
    expect(await page.getByText('Welcome to Rotary').count()).toBe(0);
    await expectAccessible('loading');
    await page.unroute('**/rpc/**');
    for (const release of held.splice(0)) release();
    await page.getByTestId('empty-state').waitFor();
    await page.getByTestId('client-settings').getByText(/ANTHROPIC_BASE_URL/).waitFor();
  });

  it('minor: the confirmation names the file backend; shortcuts for this OS; a community chat link that says what it is', async () => {
    const s = await setup({ anthropicAccounts: 2, secrets: 'file' });
    await openUI(s);
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByTestId('connected-provider').click();
    await dialog.getByRole('button', { name: 'Remove Account 2' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Remove Account 2?' });
    const text = await confirm.innerText();
    expect(text).toMatch(/secrets file/);
    expect(text).not.toMatch(/keychain/);
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await dialog.getByRole('tab', { name: 'About' }).click();
    const shortcuts = dialog.getByTestId('shortcuts');
    await expect.poll(() => shortcuts.innerText()).toContain('Ctrl+,');
    expect(await shortcuts.innerText()).not.toContain('Cmd');
    await dialog.getByRole('link', { name: /Community chat \(GitHub Discussions\)/ }).waitFor();
    await browser.screenshot('workday-about');
    await expectAccessible('Settings → About');
  });
});

describe('the user\'s account order (issue 14 §9)', () => {
  it('rows keep the user\'s order through a switch and a 429; arrows and drag change it, and rotation follows it', async () => {
    const s = await setup();
    const [one, two, three] = s.accounts.map((a) => a.record.id);
    await openUI(s);
    const dialog = await keyboardToProviderDetail();
    const labels = () => dialog.getByTestId('account-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label')));
    const panelOrder = () => page.getByTestId('switch-account').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-account-id')));
    await expect.poll(labels).toEqual(['Account 1', 'Account 2', 'Account 3']);

    // A switch does not move rows (it used to put the active account first).
    await tabTo('Switch to Account 3');
    await page.keyboard.press('Enter');
    await expect.poll(() => s.core.pool.snapshot('anthropic').activeID).toBe(three);
    expect(await labels()).toEqual(['Account 1', 'Account 2', 'Account 3']);
    expect(s.core.pool.snapshot('anthropic').orderedIDs).toEqual([one, two, three]);

    // Keyboard: "Move Account 3 up" twice; focus stays on the button that moved.
    await tabTo('Move Account 3 up');
    await page.keyboard.press('Enter');
    await expect.poll(labels).toEqual(['Account 1', 'Account 3', 'Account 2']);
    await expect.poll(focusedLabel).toBe('Move Account 3 up');
    await page.keyboard.press('Enter');
    await expect.poll(labels).toEqual(['Account 3', 'Account 1', 'Account 2']);
    await expect.poll(() => s.core.pool.snapshot('anthropic').orderedIDs).toEqual([three, one, two]);
    await expectAccessible('Provider Detail with reorder controls');

    // Drag: Account 2's handle onto the row above it (Account 1) puts it there.
    const rows = dialog.getByTestId('account-row');
    await rows.nth(1).scrollIntoViewIfNeeded();
    await rows.nth(2).getByTestId('drag-handle').dragTo(rows.nth(1));
    await expect.poll(labels).toEqual(['Account 3', 'Account 2', 'Account 1']);
    await expect.poll(() => s.core.pool.snapshot('anthropic').orderedIDs).toEqual([three, two, one]);
    await page.keyboard.press('Escape');
    await expect.poll(panelOrder).toEqual([three, two, one]);

    // Rotation walks the user's order from the active account on and rewrites nothing:
    // the active Account 1 (last row) is limited → the next one around the cycle is Account 3.
    await s.core.pool.setActive('anthropic', 'default', one!);
    s.accounts[0]!.sim.fiveHour.utilization = 1;
    await sendMessage(s);
    expect(inferenceAccounts(s).at(-1)).toBe(s.accounts[2]!.sim.id);
    await expect.poll(() => s.core.pool.snapshot('anthropic').activeID).toBe(three);
    expect(s.core.pool.snapshot('anthropic').orderedIDs).toEqual([three, two, one]);
    await expect.poll(panelOrder).toEqual([three, two, one]);
  });
});

describe('taking an account out of rotation without removing it', () => {
  it('Disable in Provider Detail: the gateway skips the account, active moves on, focus stays on its row; Enable puts it back', async () => {
    const s = await setup();
    const [one, two] = s.accounts.map((a) => a.record.id);
    await openUI(s);
    const dialog = await keyboardToProviderDetail();
    const row = dialog.locator('[data-testid="account-row"][aria-label="Account 1"]');
    await tabTo('Disable Account 1');
    await page.keyboard.press('Enter');
    await expect.poll(() => s.core.pool.getRecord('anthropic', one!)?.health.disabled).toBe(true);
    await expect.poll(() => row.getByTestId('account-status').textContent()).toBe('Disabled');
    await expect.poll(focusedLabel).toBe('Account 1');
    // The active account was the one disabled: "active" moved on, and no request goes to it.
    expect(s.core.pool.snapshot('anthropic').activeID).toBe(two);
    expect(await row.getByRole('button', { name: 'Switch to Account 1' }).count()).toBe(0);
    await sendMessage(s);
    await sendMessage(s, 'other-conversation');
    expect(inferenceAccounts(s)).not.toContain(s.accounts[0]!.sim.id);
    await expectAccessible('Provider Detail with a disabled account');

    await tabTo('Enable Account 1');
    await page.keyboard.press('Enter');
    await expect.poll(() => s.core.pool.getRecord('anthropic', one!)?.health.disabled).toBeUndefined();
    await expect.poll(() => row.getByTestId('account-status').textContent()).not.toBe('Disabled');
    await expect.poll(focusedLabel).toBe('Account 1');
    await row.getByRole('button', { name: 'Switch to Account 1' }).waitFor();
    await expectTrappedThenEscape(dialog);
  });
});

describe('long conversations and window sizes (issue 14 §6, §7)', () => {
  it('10,000 requests: the newest show without scrolling, the list is windowed, and a user who scrolled up keeps their place', async () => {
    const s = await setup({ anthropicAccounts: 1 });
    // Fed straight into the real ActivityLog (10,000 HTTP requests would take minutes); the log keeps 10,000.
    const conv = 'anthropic:long-conversation';
    for (let i = 0; i < 10_000; i++) s.gateway.activity.addRequest(entry(i, conv), 'A long conversation');
    await openUI(s);
    const list = page.getByTestId('request-scroller');
    await page.locator('[data-request-id="fed-9999"]').waitFor();
    await expect(page.getByTestId('conversation-requests').innerText()).resolves.toContain('10,000 requests');
    // Windowed: a screenful of rows in the DOM, not 10,000.
    expect(await page.getByTestId('request-row').count()).toBeLessThan(200);
    await expect.poll(() => isInView(page.locator('[data-request-id="fed-9999"]'), list)).toBe(true);
    await browser.screenshot('workday-10000-requests');
    await expectAccessible('10,000 requests');

    // Top of the list: the oldest request.
    await page.evaluate("document.querySelector('[data-testid=request-scroller]').scrollTop = 0");
    await expect.poll(() => isInView(page.locator('[data-request-id="fed-0"]'), list)).toBe(true);

    // Scrolled up into the middle: a new request does not move the rows under the reader, even
    // though at 10,000 the oldest one drops off the top to make room.
    await page.evaluate("(() => { const el = document.querySelector('[data-testid=request-scroller]'); el.scrollTop = el.scrollHeight / 2; })()");
    let anchor = '';
    // A frame later the rows of the new position are drawn.
    await expect.poll(async () => (anchor = await firstVisibleRow())).not.toBe('');
    s.gateway.activity.addRequest(entry(10_000, conv, { status: 429, accountLabel: 'Account 1' }));
    const jump = page.getByRole('button', { name: /newest/i });
    await jump.waitFor();
    expect(await firstVisibleRow()).toBe(anchor);
    // Keyboard: the reader is on the list, Tab reaches Jump, Enter jumps. Jump goes away with
    // that, and the focus stays on the list (not the page body).
    await list.focus();
    await page.keyboard.press('Tab');
    await expect.poll(focusedLabel).toMatch(/^Jump to the newest/);
    await page.keyboard.press('Enter');
    await expect.poll(() => isInView(page.locator('[data-request-id="fed-10000"]'), list)).toBe(true);
    await jump.waitFor({ state: 'hidden' });
    expect(await focusedTestID()).toBe('request-scroller');
  });

  for (const size of [
    { width: 800, height: 600 },
    { width: 1920, height: 1080 },
  ]) {
    it(`${size.width}×${size.height}: panes fit, cells truncate with a tooltip, no column header is cut`, async () => {
      const s = await setup();
      await page.setViewportSize(size);
      await openUI(s);
      await sendMessage(s, 'layout-conversation');
      const long = 'claude-opus-9-9-extended-thinking-preview-with-a-very-long-model-name';
      for (let i = 0; i < 30; i++) {
        s.gateway.activity.addRequest(
          entry(i, 'anthropic:layout-conversation', { model: long, accountLabel: 'A very long account label for a work subscription' }),
        );
      }
      await page.getByTestId('request-row').first().waitFor();
      const table = page.getByTestId('conversation-requests');
      // Wide enough to read: the request table gets most of a small window.
      const tableWidth = (await table.boundingBox())!.width;
      expect(tableWidth).toBeGreaterThan(size.width * 0.6);
      const headers = await page.evaluate<Array<{ text: string; scroll: number; client: number; wrap: string }>>(
        "[...document.querySelectorAll('[data-testid=conversation-requests] th')].map((th) => ({ text: th.textContent, scroll: th.scrollWidth, client: th.clientWidth, wrap: getComputedStyle(th).whiteSpace }))",
      );
      // Time, Model, Account, Picked by, Status, Tokens, Latency.
      expect(headers.length).toBe(7);
      for (const h of headers) {
        expect(h.scroll, `column header "${h.text}" is cut`).toBeLessThanOrEqual(h.client);
        expect(h.wrap).toBe('nowrap');
      }
      expect(
        await page.evaluate<string>("getComputedStyle(document.querySelector('[data-testid=request-row] td:nth-child(2)')).whiteSpace"),
      ).toBe('nowrap');
      expect(await page.locator(`[data-testid=request-row] [title="${long}"]`).count()).toBeGreaterThan(0);
      await browser.screenshot(`workday-${size.width}x${size.height}`);
      await expectAccessible(`main window ${size.width}×${size.height}`);

      if (size.width < 1200) {
        // Small window: conversations and context are one tab away, not squeezed beside the table.
        expect(await page.getByTestId('context-panel').isVisible()).toBe(false);
        await page.getByRole('button', { name: 'Context', exact: true }).click();
        await page.getByTestId('context-panel').waitFor();
        await browser.screenshot(`workday-${size.width}x${size.height}-context`);
        await expectAccessible(`context tab ${size.width}×${size.height}`);
        await page.getByRole('button', { name: 'Conversations', exact: true }).click();
        await page.getByTestId('conversation-list').waitFor();
        await page.getByTestId('conversation').first().click();
        await page.getByTestId('conversation-requests').waitFor();
      } else {
        expect(await page.getByTestId('context-panel').isVisible()).toBe(true);
        expect(await page.getByTestId('conversation-list').isVisible()).toBe(true);
      }
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      await page.getByRole('dialog', { name: 'Settings' }).getByTestId('connected-provider').click();
      await page.getByRole('dialog', { name: 'Settings' }).getByTestId('account-row').first().waitFor();
      await browser.screenshot(`workday-${size.width}x${size.height}-settings`);
      await expectAccessible(`settings ${size.width}×${size.height}`);
    });
  }
});

/** An answer of the real core's shape for a call that failed there (HTTP 500 with its Result). */
function failWith(message: string) {
  return (route: Route) =>
    void route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ ok: false, error: { code: 'internal', message } }) });
}

/**
 * A view's error state for one failing call: the reason and one "Try again", checked by axe in
 * both themes; then the call works again and "Try again" is pressed with the keyboard, after
 * which the error is gone.
 */
async function expectErrorThenRetry(error: Locator, o: { route: string; reason: string; state: string; screenshot: string }) {
  await expect(error.innerText()).resolves.toContain(o.reason);
  await expect(error.getByRole('button', { name: 'Try again' }).count()).resolves.toBe(1);
  await browser.screenshot(o.screenshot);
  await expectAccessible(o.state);
  await page.unroute(o.route);
  await error.getByRole('button', { name: 'Try again' }).focus();
  await page.keyboard.press('Enter');
  await error.waitFor({ state: 'hidden' });
}

describe('after the first load: failed calls, error states, focus outside dialogs (issue 14 §1, §4, §5)', () => {
  it('a call that cannot reach the gateway turns the header red while the event stream stays open; "Retry now" by keyboard brings it back, focus on the gateway status; later it recovers by itself', async () => {
    const s = await setup({ anthropicAccounts: 2 });
    await openUI(s);
    const status = page.getByTestId('gateway-status');
    await expect.poll(() => status.getAttribute('data-state')).toBe('up');
    const banner = page.getByTestId('gateway-down');
    const switchButton = page.getByTestId('provider-limits').getByRole('button', { name: /^Switch to Account 2/ });

    // The calls cannot get through (the gateway itself runs on, and so does the event stream):
    // the user's Switch is the first call that fails.
    await page.route('**/rpc/**', (route) => void route.abort('connectionrefused'));
    await switchButton.focus();
    await page.keyboard.press('Enter');
    // Deadline of the issue (3 s): the failed call is noticed at once.
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 3000 }).toBe('down');
    await banner.waitFor();
    await expect(status.innerText()).resolves.toMatch(/not reachable/i);
    expect(s.core.pool.snapshot('anthropic').activeID).toBe(s.accounts[0]!.record.id);

    // Calls get through again; "Retry now" with the keyboard: green, the banner (and its button) go, focus on the gateway status.
    await page.unroute('**/rpc/**');
    await banner.getByRole('button', { name: 'Retry now' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => status.getAttribute('data-state')).toBe('up');
    await banner.waitFor({ state: 'hidden' });
    await expect.poll(focusedTestID).toBe('gateway-status');

    // Again, and this time nobody presses anything: the next call that gets through (here the
    // re-read after a request the open event stream reports) turns it green by itself.
    await page.route('**/rpc/**', (route) => void route.abort('connectionrefused'));
    await switchButton.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => status.getAttribute('data-state'), { timeout: 3000 }).toBe('down');
    await page.unroute('**/rpc/**');
    s.gateway.activity.addRequest(entry(0, 'anthropic:while-calls-failed'), 'Reported by the event stream');
    await page.getByTestId('conversation').filter({ hasText: 'Reported by the event stream' }).waitFor();
    await expect.poll(() => status.getAttribute('data-state')).toBe('up');
    await banner.waitFor({ state: 'hidden' });
  });

  it('the first load failing: "Try again" by keyboard loads the window and the focus lands on its first control, not the page body', async () => {
    const s = await setup({ anthropicAccounts: 1 });
    await page.route('**/rpc/accounts:list', failWith('The account store could not be read (test).'));
    await openUI(s);
    const error = page.getByTestId('load-error');
    await error.waitFor();
    await expect(error.innerText()).resolves.toContain('The account store could not be read (test).');
    await page.unroute('**/rpc/accounts:list');
    await error.getByRole('button', { name: 'Try again' }).focus();
    await page.keyboard.press('Enter');
    await error.waitFor({ state: 'hidden' });
    await page.getByTestId('empty-state').waitFor();
    await expect.poll(() => page.evaluate<boolean>("document.activeElement !== document.body && document.activeElement?.closest('main') !== null")).toBe(true);
  });

  it('the request list failing to load says why with a retry (not "no requests"); Try again by keyboard shows the rows and the list takes the focus', async () => {
    const s = await setup({ anthropicAccounts: 1 });
    s.gateway.activity.addRequest(entry(0, 'anthropic:list-fails'), 'A conversation whose requests fail to load');
    await page.route('**/rpc/activity:requests', failWith('The activity log could not be read (test).'));
    await openUI(s);
    const error = page.getByTestId('requests-error');
    await error.waitFor();
    expect(await page.getByTestId('request-row').count()).toBe(0);
    expect(await page.getByTestId('conversation-requests').getByRole('status').count()).toBe(0);
    await expectErrorThenRetry(error, { route: '**/rpc/activity:requests', reason: 'The activity log could not be read (test).', state: 'request list error', screenshot: 'workday-requests-error' });
    await page.locator('[data-request-id="fed-0"]').waitFor();
    await expect.poll(focusedTestID).toBe('request-scroller');
  });

  it('the usage history failing to load says why with a retry (not nothing); Try again by keyboard shows it and focus stays in its section', async () => {
    const s = await setup({ anthropicAccounts: 1 });
    await page.route('**/rpc/usage:history', failWith('The history database could not be read (test).'));
    await openUI(s);
    const dialog = await keyboardToProviderDetail();
    const history = dialog.getByTestId('usage-history');
    const error = history.getByTestId('history-error');
    await error.waitFor();
    expect(await history.getByRole('status').count()).toBe(0);
    await expectErrorThenRetry(error, { route: '**/rpc/usage:history', reason: 'The history database could not be read (test).', state: 'usage history error', screenshot: 'workday-history-error' });
    await history.getByTestId('waste').waitFor();
    await expect.poll(focusedLabel).toBe('Usage history and forecast');
  });

  it('Settings → Rotation failing to load says why with a retry (not a spinner forever); Try again by keyboard shows it, focus on its heading', async () => {
    const s = await setup({ anthropicAccounts: 1 });
    await page.route('**/rpc/settings:get', failWith('rotary.json could not be read (test).'));
    await openUI(s);
    await page.keyboard.press('Control+,');
    const dialog = page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByRole('tab', { name: 'Rotation' }).click();
    const error = dialog.getByTestId('rotation-error');
    await error.waitFor();
    expect(await dialog.getByRole('status').count()).toBe(0);
    await expectErrorThenRetry(error, { route: '**/rpc/settings:get', reason: 'rotary.json could not be read (test).', state: 'rotation settings error', screenshot: 'workday-rotation-error' });
    await dialog.getByTestId('settings-rotation').waitFor();
    await expect.poll(focusedLabel).toBe('New conversations');
  });

  it('the gateway status failing to load: the header says why and offers a retry (not the loading look); pressing it reads the status again', async () => {
    const s = await setup({ anthropicAccounts: 1 });
    await page.route('**/rpc/gateway:status', failWith('The gateway status could not be read (test).'));
    await openUI(s);
    const status = page.getByTestId('gateway-status');
    await expect.poll(() => status.getAttribute('data-state')).toBe('error');
    await expect(status.innerText()).resolves.toMatch(/The gateway status could not be read \(test\)\.[\s\S]*Try again/);
    expect(await status.innerText()).not.toContain('Gateway…');
    // The tool set-up in the welcome guide says it too, instead of reading the settings forever.
    await expect(page.getByTestId('client-settings-error').innerText()).resolves.toContain('The gateway status could not be read (test).');
    expect(await page.getByText('Reading the gateway settings…').count()).toBe(0);
    await browser.screenshot('workday-gateway-status-error');
    await expectAccessible('gateway status error');

    await page.unroute('**/rpc/gateway:status');
    await status.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => status.getAttribute('data-state')).toBe('up');
    expect(await focusedTestID()).toBe('gateway-status');
    await page.getByTestId('client-settings').getByText(/ANTHROPIC_BASE_URL/).waitFor();
    expect(await page.getByTestId('client-settings-error').count()).toBe(0);
  });
});

async function isInView(row: Locator, scroller: Locator): Promise<boolean> {
  const r = await row.boundingBox();
  const c = await scroller.boundingBox();
  if (!r || !c) return false;
  return r.y >= c.y - 1 && r.y + r.height <= c.y + c.height + 1;
}

async function firstVisibleRow(): Promise<string> {
  return page.evaluate<string>(`(() => {
    const el = document.querySelector('[data-testid=request-scroller]');
    const top = el.getBoundingClientRect().top + 40;
    const rows = [...el.querySelectorAll('[data-request-id]')];
    const row = rows.find((r) => r.getBoundingClientRect().bottom > top);
    return row ? row.getAttribute('data-request-id') : '';
  })()`);
}
