/** The main window's security settings, checked as plain objects (the Electron binary cannot run here). */
import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APP_PAGE_URL, APP_SCHEME_PRIVILEGES, appProtocolResponse } from '../../electron/app-protocol.js';
import {
  appPaths,
  CONTENT_SECURITY_POLICY,
  isNavigationAllowed,
  mainWindowOptions,
  withSecurityHeaders,
} from '../../electron/window-options.js';

const ROOT = path.join(import.meta.dirname, '../..');
const RENDERER_DIST = path.join(ROOT, 'renderer', 'dist');

/** `directive → sources` of a CSP string. */
function parseCsp(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

/** Every source file of the main process, preload and renderer. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'dist' || entry.name === 'node_modules' ? [] : sourceFiles(full);
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });
}

describe('window options', () => {
  const paths = appPaths('/app/dist/electron');

  it('locks the renderer down: sandbox, context isolation, no node, web security', () => {
    const w = mainWindowOptions(paths).webPreferences;
    expect(w).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(w.preload).toBe(path.join('/app/dist/electron', 'preload.cjs'));
  });

  it('loads the built renderer from the app folder', () => {
    expect(paths.rendererDir).toBe(path.resolve('/app/renderer/dist'));
  });

  it('sets webviewTag: false explicitly, and nothing uses the remote module', () => {
    const w = mainWindowOptions(paths).webPreferences as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(w, 'webviewTag')).toBe(true);
    expect(w.webviewTag).toBe(false);
    expect(w).not.toHaveProperty('enableRemoteModule');
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect({ ...pkg.dependencies, ...pkg.devDependencies }).not.toHaveProperty('@electron/remote');
    const offenders = [...sourceFiles(path.join(ROOT, 'electron')), ...sourceFiles(path.join(ROOT, 'renderer', 'src'))].filter((file) =>
      /@electron\/remote|enableRemoteModule|\bremote\.require\b|<webview/.test(fs.readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('turns on the sandbox for every renderer before the app is ready (main.ts; the binary cannot run here)', () => {
    const main = fs.readFileSync(path.join(ROOT, 'electron', 'main.ts'), 'utf8');
    const sandbox = main.search(/^app\.enableSandbox\(\);$/m);
    const ready = main.indexOf('app.whenReady()');
    expect(sandbox).toBeGreaterThan(-1); // at top level, not inside a function
    expect(sandbox).toBeLessThan(ready);
    // The app:// scheme is registered before ready too (Electron refuses it later).
    expect(main.search(/^protocol\.registerSchemesAsPrivileged\(\[APP_SCHEME_PRIVILEGES\]\);$/m)).toBeLessThan(ready);
  });

  it('sends the CSP as a header and replaces any other CSP', () => {
    const h = withSecurityHeaders({ 'content-security-policy': ["default-src *"], 'Content-Type': 'text/html' });
    expect(h['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(h['content-security-policy']).toBeUndefined();
    expect(h['Content-Type']).toEqual(['text/html']);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/);
  });

  it('the CSP forbids inline script, eval and remote code', () => {
    const csp = parseCsp(CONTENT_SECURITY_POLICY);
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    for (const [directive, sources] of csp) {
      for (const source of sources) {
        // Only our own origin, nothing, data: images and inline styles (Kobalte positions popovers with style attributes).
        const allowed = ["'self'", "'none'"].includes(source) || (directive === 'img-src' && source === 'data:') || (directive === 'style-src' && source === "'unsafe-inline'");
        expect(allowed, `${directive} ${source}`).toBe(true);
      }
      expect(sources.join(' '), directive).not.toMatch(/unsafe-eval|wasm-unsafe-eval|strict-dynamic|https?:|\*/);
    }
    expect(csp.get('script-src')!.join(' ')).not.toMatch(/unsafe-inline/);
  });

  it('the built renderer has no inline script for the CSP to refuse', () => {
    const html = fs.readFileSync(path.join(RENDERER_DIST, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\.\/assets\/[^"]+\.js"/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+="/); // no inline event handlers
  });

  it('the renderer/index.html meta CSP matches the header policy (minus form-action)', () => {
    const html = fs.readFileSync(path.join(import.meta.dirname, '../../renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBeDefined();
    const norm = (s: string) => s.split(';').map((p) => p.trim()).filter((p) => p && !p.startsWith('form-action')).sort();
    expect(norm(meta!)).toEqual(norm(CONTENT_SECURITY_POLICY));
  });

  it('denies navigation anywhere but our own page', () => {
    const own = 'file:///app/renderer/dist/index.html';
    expect(isNavigationAllowed('file:///app/renderer/dist/index.html#/settings', own)).toBe(true);
    expect(isNavigationAllowed('https://evil.example/', own)).toBe(false);
    expect(isNavigationAllowed('file:///etc/passwd', own)).toBe(false);
    expect(isNavigationAllowed('not a url', own)).toBe(false);
  });
});

describe('app:// protocol (the renderer without file://)', () => {
  const get = (url: string, method = 'GET') => appProtocolResponse(RENDERER_DIST, { url, method });

  it('is a standard, secure scheme and the page URL is on it', () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } });
    expect(APP_PAGE_URL).toBe('app://rotary/index.html');
    expect(isNavigationAllowed('app://rotary/index.html#/settings', APP_PAGE_URL)).toBe(true);
    expect(isNavigationAllowed('file:///app/renderer/dist/index.html', APP_PAGE_URL)).toBe(false);
  });

  it('serves the built page with the CSP header and its module script as JavaScript', async () => {
    const page = await get(APP_PAGE_URL);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    const html = await page.text();
    const script = /<script type="module" crossorigin src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await get(`app://rotary/${script}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await js.arrayBuffer()).byteLength).toBe(fs.statSync(path.join(RENDERER_DIST, script!)).size);
    expect(await (await get('app://rotary/')).text()).toBe(html);
    expect((await get(APP_PAGE_URL, 'HEAD')).body).toBeNull();
  });

  it('serves nothing outside renderer/dist, nothing for another host, only GET and HEAD', async () => {
    for (const url of ['app://rotary/..%2F..%2Fpackage.json', 'app://rotary/%2e%2e/%2e%2e/package.json', 'app://rotary/assets/../../../package.json', 'app://rotary/nope.js']) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
      expect(await res.text()).not.toContain('"name": "rotary"');
    }
    expect((await get('app://evil/index.html')).status).toBe(404);
    expect((await get('file:///etc/passwd')).status).toBe(404);
    expect((await get('app://rotary/%E0%A4%A')).status).toBe(400);
    expect((await get(APP_PAGE_URL, 'POST')).status).toBe(405);
  });
});
