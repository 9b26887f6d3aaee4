/**
 * "Restart the gateway" in real Chromium: the desktop app's setup — the application service
 * with its gateway in a child process (startRuntime({ gatewayProcess }), the supervisor that
 * gives up after repeated crashes) — behind the real IPC handlers of electron/ipc.ts, shown
 * by the built renderer. Electron itself cannot run here, so its two pieces are stood in for:
 * `ipcMain` is a registry the page reaches through a Playwright binding, and the preload's
 * `window.rotary` is built in the page from the contract's channel and event tables the same
 * way `buildRotaryApi` builds it (a call per channel, a subscription per event).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createSenderCheck, forwardEvents, registerHandlers, type InvokeEventLike, type IpcMainLike } from '../../electron/ipc.js';
import { API_GLOBAL, CHANNEL_NAMES, EVENTS } from '../../shared/ipc.js';
import type { RestartPolicy } from '../../electron/core/gateway-host/supervisor.js';
import { startHosted, untilState, type Hosted } from '../gateway-host/harness.js';
import { makeTempHome } from '../helpers/temp-home.js';
import { startSimulator } from '../sim/server.js';
import { axeBothThemes } from './axe.js';
import { openBrowser, type BrowserSession } from './browser.js';
import { RENDERER_DIST } from './stack.js';

const PAGE = 'http://rotary.test/index.html';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2' };

/** The page as the Electron window shows it: the built renderer, window.rotary over the main process's real handlers. */
async function openDesktopWindow(hosted: Hosted): Promise<BrowserSession> {
  const handlers = new Map<string, Parameters<IpcMainLike['handle']>[1]>();
  const ipcMain: IpcMainLike = { handle: (channel, listener) => void handlers.set(channel, listener), removeHandler: (channel) => void handlers.delete(channel) };
  const PAGE_SENDER = { id: 'the Rotary window' };
  cleanups.push(registerHandlers(ipcMain, hosted.runtime.service!, { isTrustedSender: createSenderCheck({ pageUrl: PAGE }, (s) => s === PAGE_SENDER) }));

  const b = await openBrowser();
  cleanups.push(() => b.close());
  const { page } = b;
  await page.route('http://rotary.test/**', async (route) => {
    const file = path.join(RENDERER_DIST, new URL(route.request().url()).pathname);
    if (!file.startsWith(RENDERER_DIST)) return route.fulfill({ status: 404 });
    const body = await readFile(file).catch(() => undefined);
    await (body ? route.fulfill({ body, contentType: TYPES[path.extname(file)] ?? 'application/octet-stream' }) : route.fulfill({ status: 404 }));
  });
  await page.exposeBinding('__rotaryInvoke', (source, channel: string, input: unknown) => {
    const event: InvokeEventLike = { senderFrame: { url: source.frame.url(), parent: null }, sender: PAGE_SENDER };
    const listener = handlers.get(channel);
    return listener ? listener(event, ...(input === null ? [] : [input])) : { ok: false, error: { code: 'unavailable', message: `No handler for ${channel}` } };
  });
  const events = Object.fromEntries(Object.entries(EVENTS).map(([name, e]) => [name, e.method]));
  await page.addInitScript(`(() => {
    const listeners = new Map();
    const api = {};
    for (const channel of ${JSON.stringify(CHANNEL_NAMES)}) {
      const i = channel.indexOf(':');
      const domain = channel.slice(0, i);
      (api[domain] ??= {})[channel.slice(i + 1)] = (input) => window.__rotaryInvoke(channel, input === undefined ? null : input);
    }
    for (const [name, method] of Object.entries(${JSON.stringify(events)})) {
      listeners.set(name, new Set());
      api[method] = (listener) => { listeners.get(name).add(listener); return () => listeners.get(name).delete(listener); };
    }
    window.__rotaryEmit = (name, payload) => { for (const l of listeners.get(name) ?? []) l(payload); };
    window[${JSON.stringify(API_GLOBAL)}] = api;
  })()`);
  // webContents.send in the real app: every service event, as electron/ipc.ts forwards it.
  cleanups.push(
    forwardEvents(hosted.runtime.service!.events, (name, payload) => {
      // A string keeps DOM types out of the node tsconfig.
      void page.evaluate(`window.__rotaryEmit(${JSON.stringify(name)}, ${JSON.stringify(payload)})`).catch(() => undefined);
    }),
  );
  await page.goto(PAGE);
  return b;
}

/** The desktop app's setup with this restart policy, its window open and showing the gateway up. */
async function desktopWindowWithGateway(restart: Partial<RestartPolicy>) {
  const sim = await startSimulator();
  const { home, cleanup } = makeTempHome('rotary-restart-ui-');
  cleanups.push(cleanup, () => sim.close());
  const env = { ROTARY_HOME: home, ROTARY_UPSTREAM: sim.url, ROTARY_SECRET_BACKEND: 'file', PATH: process.env.PATH };
  const hosted = await startHosted({ env, home, restart });
  cleanups.push(() => hosted.close());
  const { port } = (await untilState(hosted.host, (s) => s.state === 'running')) as { port: number };
  const b = await openDesktopWindow(hosted);
  const status = b.page.getByTestId('gateway-status');
  await expect.poll(() => status.getAttribute('data-state'), { timeout: 20_000 }).toBe('up');
  return { hosted, port, b, page: b.page, status };
}

it('the desktop window follows its gateway process: killed → red with a banner within 3 s, restarted by itself → green again', async () => {
  // A restart delay long enough for the page to show the outage (the header polls only every 10 s)
  // and for axe to check the banner in both themes while it shows.
  const { hosted, port, b, page, status } = await desktopWindowWithGateway({ baseDelayMs: 5000 });

  process.kill(hosted.host.pid()!, 'SIGKILL');
  await expect.poll(() => status.getAttribute('data-state'), { timeout: 3000 }).toBe('stopped');
  const banner = page.getByTestId('gateway-stopped');
  expect(await banner.textContent()).toMatch(/The gateway stopped\. The gateway process was killed \(SIGKILL\); restarting it \(attempt 1 of 5\)/);
  // Restarting by itself: nothing for the user to press, and no toast repeats the banner.
  expect(await banner.getByRole('button').count()).toBe(0);
  expect(await page.getByRole('region', { name: /Notifications/ }).getByText('restarting it (attempt 1 of 5)', { exact: false }).count()).toBe(0);
  await b.screenshot('gateway-restarting-banner');
  expect(await axeBothThemes(page, 'gateway restarting banner')).toEqual([]);
  expect(await banner.count(), 'axe ran while the banner showed').toBe(1);

  await expect.poll(() => status.getAttribute('data-state'), { timeout: 20_000 }).toBe('up');
  expect(await status.textContent()).toContain(`127.0.0.1:${port}`);
  expect(await page.getByTestId('gateway-stopped').count()).toBe(0);
}, 90_000);

it('a gateway process Rotary gave up on: a banner with the reason, "Restart the gateway" brings it back on the same port', async () => {
  const { hosted, port, b, page, status } = await desktopWindowWithGateway({ maxRestarts: 0 });
  await expect.poll(() => status.textContent(), { timeout: 20_000 }).toContain(`127.0.0.1:${port}`);
  expect(await page.getByTestId('gateway-stopped').count()).toBe(0);

  // The gateway process dies and, with no restart left, Rotary gives up on it.
  process.kill(hosted.host.pid()!, 'SIGKILL');
  await untilState(hosted.host, (s) => s.state === 'failed');
  const banner = page.getByTestId('gateway-stopped');
  await banner.waitFor();
  expect(await banner.textContent()).toMatch(/The gateway stopped\. The gateway process was killed \(SIGKILL\); Rotary stopped restarting it/);
  await expect.poll(() => status.getAttribute('data-state'), { timeout: 20_000 }).toBe('stopped');
  // The banner says it once: no toast repeats the give-up notice.
  expect(await page.getByRole('region', { name: /Notifications/ }).getByText('Rotary stopped restarting it', { exact: false }).count()).toBe(0);
  expect(await axeBothThemes(page, 'gateway given-up banner')).toEqual([]);
  await b.screenshot('gateway-restart-banner');

  // Keyboard: the button is reachable and Enter restarts it.
  const button = banner.getByRole('button', { name: 'Restart the gateway' });
  await button.focus();
  await page.keyboard.press('Enter');
  await untilState(hosted.host, (s) => s.state === 'running');
  await expect.poll(() => status.getAttribute('data-state'), { timeout: 20_000 }).toBe('up');
  await expect.poll(() => status.textContent(), { timeout: 20_000 }).toContain(`127.0.0.1:${port}`);
  await expect.poll(() => page.getByTestId('gateway-stopped').count(), { timeout: 20_000 }).toBe(0);
  // The button went with the banner; focus moved to the gateway status, not to the page body.
  await expect.poll(() => page.evaluate<string | null>('document.activeElement?.getAttribute("data-testid") ?? null'), { timeout: 20_000 }).toBe('gateway-status');
  expect(hosted.host.forks()).toBe(2);
}, 90_000);
