/**
 * The system Chromium driven by playwright-core, with a recorder of everything the page
 * received from the web transport: every /rpc/ response body and every SSE message (through
 * the DevTools protocol, since an event stream never "finishes" as a response).
 */
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.ROTARY_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve('test-results', 'screenshots');

export interface Recorded {
  /** `/rpc/<channel>` response bodies as text. */
  rpc: Array<{ url: string; status: number; body: string }>;
  /** SSE message payloads. */
  sse: Array<{ event: string; data: string }>;
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  recorded: Recorded;
  /** Wait until every response seen so far has its body recorded. */
  settle(): Promise<void>;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function openBrowser(options: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {}): Promise<BrowserSession> {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'rotary-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: options.viewport ?? { width: 1280, height: 800 },
    colorScheme: options.colorScheme ?? 'light',
    reducedMotion: 'reduce',
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  // Fail with Playwright's precise message before the test runner's own timeout hits.
  context.setDefaultTimeout(10_000);
  const recorded: Recorded = { rpc: [], sse: [] };
  const pending = new Set<Promise<void>>();

  page.on('response', (res) => {
    const url = res.url();
    if (!url.includes('/rpc/') || url.includes('/rpc/events?')) return;
    const p = res
      .text()
      .then((body) => void recorded.rpc.push({ url, status: res.status(), body }))
      .catch(() => undefined)
      .finally(() => pending.delete(p));
    pending.add(p);
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.eventSourceMessageReceived', (e) => recorded.sse.push({ event: e.eventName, data: e.data }));

  // Surface renderer crashes in the test output instead of a silent blank page.
  page.on('pageerror', (err) => process.stderr.write(`[page error] ${err.message}\n`));

  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return {
    context,
    page,
    recorded,
    async settle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    async screenshot(name) {
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async close() {
      await context.close().catch(() => undefined);
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
