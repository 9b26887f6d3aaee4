/** The main window's security settings, checked as plain objects (the Electron binary cannot run here). */
import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  appPaths,
  CONTENT_SECURITY_POLICY,
  isNavigationAllowed,
  mainWindowOptions,
  rendererFileUrl,
  withSecurityHeaders,
} from '../../electron/window-options.js';

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
    expect(rendererFileUrl(paths)).toBe('file:///app/renderer/dist/index.html');
  });

  it('sends the CSP as a header and replaces any other CSP', () => {
    const h = withSecurityHeaders({ 'content-security-policy': ["default-src *"], 'Content-Type': 'text/html' });
    expect(h['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(h['content-security-policy']).toBeUndefined();
    expect(h['Content-Type']).toEqual(['text/html']);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/);
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
