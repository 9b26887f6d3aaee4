/**
 * Option objects for the main window, kept pure so they are unit-tested without Electron:
 * the security-relevant settings live here and nowhere else.
 */
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from './core/web/csp.js';

export { CONTENT_SECURITY_POLICY };

export interface WindowPaths {
  /** Folder holding `main.cjs` and `preload.cjs` (dist/electron). */
  distDir: string;
  /** Folder of the built renderer (renderer/dist). */
  rendererDir: string;
}

export function appPaths(distDir: string): WindowPaths {
  // dist/electron → <app root>/renderer/dist (the same layout inside the asar).
  return { distDir, rendererDir: path.resolve(distDir, '..', '..', 'renderer', 'dist') };
}

export function mainWindowOptions(paths: WindowPaths, platform: NodeJS.Platform = process.platform) {
  return {
    width: 1180,
    height: 760,
    minWidth: 760,
    minHeight: 480,
    show: false,
    title: 'Rotary',
    backgroundColor: '#0b0d10',
    autoHideMenuBar: platform !== 'darwin',
    webPreferences: {
      preload: path.join(paths.distDir, 'preload.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: true,
    },
  } as const;
}

/** Response headers for our own pages: the CSP as a header too (the meta tag can be stripped by a bad build; the header cannot). */
export function withSecurityHeaders(headers: Record<string, string[] | string> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === 'content-security-policy') continue;
    out[key] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  out['X-Content-Type-Options'] = ['nosniff'];
  return out;
}

/** Navigation away from our page is refused; links open in the OS browser only via `app:openExternal`. */
export function isNavigationAllowed(targetUrl: string, ownPageUrl: string): boolean {
  try {
    const target = new URL(targetUrl);
    const own = new URL(ownPageUrl);
    // A reload of our own page (hash changes included) is fine; anything else is not.
    return target.protocol === own.protocol && target.host === own.host && target.pathname === own.pathname;
  } catch {
    return false;
  }
}
