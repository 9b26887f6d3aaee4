/**
 * "Connect a tool" in real Chromium over the web transport, against the real core, gateway
 * and simulator: the panel's button previews the change to Claude Code's settings.json (a
 * temporary HOME with the user's own settings), applies it — the file written is exactly the
 * preview — and "Undo" puts the file back byte for byte. The page never sees the gateway key.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeToolHome, USER_CONFIGS, type ToolHome } from '../clients/fixtures.js';
import { axeBothThemes } from './axe.js';
import { openBrowser, type BrowserSession } from './browser.js';
import { startStack, type Stack } from './stack.js';

let browser: BrowserSession;
let page: Page;
let stack: Stack;
let tools: ToolHome;

beforeAll(async () => {
  tools = makeToolHome();
  // The core writes the tools' files under this HOME, never under the real one.
  stack = await startStack({ anthropicAccounts: 1, secrets: 'file', env: { HOME: tools.home, XDG_CONFIG_HOME: tools.env.XDG_CONFIG_HOME! } });
  browser = await openBrowser({ colorScheme: 'light' });
  page = browser.page;
});
afterAll(async () => {
  await page?.goto('about:blank').catch(() => undefined);
  await browser?.close();
  await stack?.close();
  tools?.cleanup();
});

it('the panel sets Claude Code up after a preview that matches the file written, and Undo restores the file', async () => {
  const original = USER_CONFIGS['claude-code'].text;
  const file = tools.write('claude-code', original);
  await page.goto(stack.uiURL);
  await page.getByTestId('gateway-status').click();
  const connect = page.getByRole('dialog', { name: 'Connect a tool to the gateway' });
  const row = connect.getByTestId('setup-claude-code');
  await row.getByTestId('setup-state').filter({ hasText: 'Not connected' }).waitFor();
  // Over the web transport the buttons act on the gateway's machine, and the panel says so.
  expect(await connect.getByTestId('tool-setup').innerText()).toContain(`These buttons change files on ${os.hostname()}, the machine the gateway runs on`);
  expect(await row.innerText()).toContain(file);

  await row.getByRole('button', { name: 'Set up Claude Code' }).click();
  const preview = row.getByRole('region', { name: 'Preview: Claude Code' });
  await preview.waitFor();
  const diff = (await preview.getByTestId('setup-preview-diff').textContent()) ?? '';
  expect(diff).toContain(`+        "ANTHROPIC_BASE_URL": "${stack.gateway.url}/anthropic"`);
  expect(diff).toContain('+    "apiKeyHelper":');
  expect(await preview.innerText()).toContain('The key is not written to the file');
  await preview.getByText('The whole file after the change').click();
  const previewed = (await preview.getByTestId('setup-preview-file').textContent()) ?? '';
  expect(fs.readFileSync(file, 'utf8'), 'the preview changes nothing').toBe(original);
  await browser.screenshot('tool-setup-preview');
  expect(await axeBothThemes(page, 'tool setup preview')).toEqual([]);

  await preview.getByRole('button', { name: 'Apply' }).click();
  await row.getByTestId('setup-state').filter({ hasText: 'Connected' }).waitFor();
  expect(fs.readFileSync(file, 'utf8')).toBe(previewed);
  expect(JSON.parse(previewed).model).toBe('opus');
  await browser.screenshot('tool-setup-connected');
  expect(await axeBothThemes(page, 'tool set up')).toEqual([]);

  await row.getByRole('button', { name: 'Undo' }).click();
  await row.getByTestId('setup-state').filter({ hasText: 'Not connected' }).waitFor();
  expect(fs.readFileSync(file, 'utf8')).toBe(original);
  expect(fs.existsSync(`${file}.rotary-backup`)).toBe(false);

  await row.getByRole('button', { name: 'Set up Claude Code' }).click();
  await row.getByRole('region', { name: 'Preview: Claude Code' }).getByRole('button', { name: 'Apply' }).click();
  await row.getByTestId('setup-state').filter({ hasText: 'Connected' }).waitFor();
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(`${stack.gateway.url}/anthropic`, 'http://127.0.0.1:1/anthropic'));
  await page.keyboard.press('Escape');
  await page.getByTestId('gateway-status').click();
  // Changed by hand: the state says so; Undo then takes out only what is still Rotary's and keeps the user's value.
  await row.getByTestId('setup-state').filter({ hasText: 'Changed by hand' }).waitFor();
  await row.getByRole('button', { name: 'Undo' }).click();
  await expect.poll(() => JSON.parse(fs.readFileSync(file, 'utf8')).apiKeyHelper).toBeUndefined();
  expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ ...JSON.parse(original), env: { ...JSON.parse(original).env, ANTHROPIC_BASE_URL: 'http://127.0.0.1:1/anthropic' } });

  // No answer the page got holds the gateway key.
  await browser.settle();
  for (const r of browser.recorded.rpc.filter((r) => r.url.includes('/rpc/setup'))) expect(r.body).not.toContain(stack.gateway.key);
});
