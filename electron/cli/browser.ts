/**
 * Opening a URL in the user's browser, best effort: the URL is always printed too, so a
 * missing opener (headless server, SSH session) only costs a copy-paste.
 */
import { spawn } from 'node:child_process';
import { withoutPassphrase } from '../core/pool/vault-passphrase.js';

export function canOpenBrowser(env: NodeJS.ProcessEnv, platform = process.platform): boolean {
  if (env.ROTARY_NO_BROWSER === '1') return false;
  if (platform === 'linux') return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
  return true;
}

export function openBrowser(url: string, env: NodeJS.ProcessEnv, platform = process.platform): void {
  const [command, args] =
    platform === 'darwin' ? ['open', [url]] : platform === 'win32' ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { env: withoutPassphrase(env), stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // The URL is on screen; nothing else to do.
  }
}
