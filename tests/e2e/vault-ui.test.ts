/**
 * The vault screen in real Chromium: the built renderer, served over the real web transport
 * by the app's start-up path (vault gate → core → application service) running in a child
 * process with its own environment (tests/e2e/vault-gate-server.ts). The production
 * web UI (`rotary gateway --ui`) never reaches this state, because the CLI asks for the
 * passphrase before the gateway starts; the desktop app does, and this is the code it runs.
 * Electron itself cannot run here. Every test checks that neither the passphrase nor a token
 * came back to the page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { openCore } from '../../electron/core/runtime.js';
import { encryptedVaultPath } from '../../electron/core/pool/vault-encrypted.js';
import { childEnv, makeTempHome } from '../helpers/temp-home.js';
import { axeBothThemes } from './axe.js';
import { openBrowser, type BrowserSession } from './browser.js';
import { RENDERER_DIST } from './stack.js';

const ROOT = path.resolve(__dirname, '../..');
const PASS = 'renderer vault passphrase';
const TOKEN = 'sk-ant-oat01-vaultUIvaultUI000001';

let browser: BrowserSession | undefined;
let server: ChildProcess | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  server = undefined;
  cleanups.splice(0).forEach((c) => c());
});

function tempHome() {
  const { home, cleanup } = makeTempHome('rotary-vault-ui-');
  cleanups.push(cleanup);
  return home;
}

async function startServer(home: string, env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'vault-gate-server.ts'), RENDERER_DIST], {
    cwd: ROOT,
    env: childEnv({ ROTARY_HOME: home, ROTARY_VAULT_KDF_COST: '10', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', () => reject(new Error(`the vault server exited: ${stderr}`)));
  });
  const { url, key } = JSON.parse(line) as { url: string; key: string };
  return `${url}/ui/#key=${key}`;
}

/** What an earlier run left: an encrypted vault with one account's token. */
async function seedEncrypted(home: string) {
  const core = await openCore({ home, env: { ROTARY_HOME: home, ROTARY_SECRET_BACKEND: 'encrypted-file', ROTARY_VAULT_PASSPHRASE: PASS, ROTARY_VAULT_KDF_COST: '10' }, reconcile: false });
  await core.pool.add({ providerID: 'anthropic', label: 'Work account', secret: { access: TOKEN } });
  await core.close();
}

async function expectMainWindowWith(page: Page, providerName: string) {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await dialog.getByTestId('connected-provider').filter({ hasText: providerName }).waitFor();
}

async function expectNothingSecretCameBack(b: BrowserSession, secrets: string[]) {
  await b.settle();
  const html = await b.page.content();
  for (const text of [...b.recorded.rpc.map((r) => r.body), ...b.recorded.sse.map((e) => e.data), html]) {
    for (const secret of secrets) expect(text.includes(secret), `"${secret.slice(0, 6)}…" reached the page`).toBe(false);
  }
}

describe('vault screen (real Chromium, web transport)', () => {
  it('locked: a wrong passphrase is refused on the screen, the right one opens the main window with the accounts', async () => {
    const home = tempHome();
    await seedEncrypted(home);
    const before = fs.readFileSync(encryptedVaultPath(home));
    const uiURL = await startServer(home, { ROTARY_SECRET_BACKEND: 'encrypted-file' });
    browser = await openBrowser();
    const { page } = browser;
    await page.goto(uiURL);
    await page.getByRole('heading', { name: 'Unlock Rotary' }).waitFor();
    await expect.poll(() => page.getByText(encryptedVaultPath(home), { exact: false }).count()).toBeGreaterThan(0);
    await browser.screenshot('vault-locked');
    expect(await axeBothThemes(page, 'vault locked')).toEqual([]);

    const field = page.getByLabel('Passphrase');
    await field.fill('this is not it');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByText(/Wrong passphrase for .*nothing was changed/).waitFor();
    expect(await field.inputValue()).toBe(''); // cleared after every attempt
    expect(fs.readFileSync(encryptedVaultPath(home)).equals(before)).toBe(true);
    await browser.screenshot('vault-wrong-passphrase');
    expect(await axeBothThemes(page, 'vault wrong passphrase')).toEqual([]);

    await field.fill(PASS);
    await page.keyboard.press('Enter');
    await expectMainWindowWith(page, 'Anthropic');
    await expectNothingSecretCameBack(browser, [PASS, 'this is not it', TOKEN]);
  });

  it('missing (encrypted vault chosen, none yet): checks the two entries, shows the core\'s rule, then creates the vault', async () => {
    const home = tempHome();
    const uiURL = await startServer(home, { ROTARY_SECRET_BACKEND: 'encrypted-file' });
    browser = await openBrowser();
    const { page } = browser;
    await page.goto(uiURL);
    await page.getByRole('heading', { name: 'Protect your tokens with a passphrase' }).waitFor();
    expect(await axeBothThemes(page, 'vault missing')).toEqual([]);
    const first = page.getByLabel('New passphrase');
    const second = page.getByLabel('Repeat the passphrase');
    const create = page.getByRole('button', { name: 'Create encrypted vault' });

    await first.fill(PASS);
    await second.fill(`${PASS} typo`);
    await create.click();
    await page.getByText('The two passphrases differ; type the same one twice.').waitFor();
    await first.fill('short');
    await second.fill('short');
    await create.click();
    await page.getByText('The passphrase is too short: use at least 8 characters (a few words is best).').waitFor();
    expect(fs.existsSync(encryptedVaultPath(home))).toBe(false);
    await browser.screenshot('vault-missing-error');
    expect(await axeBothThemes(page, 'vault missing, with a refused passphrase')).toEqual([]);

    await first.fill(PASS);
    await second.fill(PASS);
    await create.click();
    await page.getByRole('button', { name: 'Settings', exact: true }).waitFor();
    expect(fs.existsSync(encryptedVaultPath(home))).toBe(true);
    await expectNothingSecretCameBack(browser, [PASS]);
  });

  it('first run without a Secret Service: says what is missing, offers the encrypted vault, remembers the choice', async () => {
    const home = tempHome();
    const uiURL = await startServer(home, { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/rotary-no-bus' });
    browser = await openBrowser({ colorScheme: 'dark' });
    const { page } = browser;
    await page.goto(uiURL);
    await page.getByRole('heading', { name: 'Protect your tokens with a passphrase' }).waitFor();
    await expect.poll(() => page.getByTestId('vault-missing-reason').textContent()).toMatch(/No Secret Service is running/);
    await browser.screenshot('vault-first-run-dark');
    expect(await axeBothThemes(page, 'vault first run without a Secret Service')).toEqual([]);
    await page.getByLabel('New passphrase').fill(PASS);
    await page.getByLabel('Repeat the passphrase').fill(PASS);
    await page.getByRole('button', { name: 'Create encrypted vault' }).click();
    await page.getByRole('button', { name: 'Settings', exact: true }).waitFor();
    expect(JSON.parse(fs.readFileSync(path.join(home, 'vault.json'), 'utf8'))).toEqual({ backend: 'encrypted-file' });
    await expectNothingSecretCameBack(browser, [PASS]);
  });

  it('ready at once (passphrase in the environment): no vault screen, straight to the main window', async () => {
    const home = tempHome();
    await seedEncrypted(home);
    const uiURL = await startServer(home, { ROTARY_SECRET_BACKEND: 'encrypted-file', ROTARY_VAULT_PASSPHRASE: PASS });
    browser = await openBrowser();
    await browser.page.goto(uiURL);
    await expectMainWindowWith(browser.page, 'Anthropic');
    expect(await browser.page.getByTestId('vault-gate').count()).toBe(0);
    await expectNothingSecretCameBack(browser, [PASS, TOKEN]);
  });
});
