/**
 * Reading a generic password from the macOS login Keychain through `/usr/bin/security`, the
 * way other tools' stores are read (never written). The command is looked up on the PATH of
 * the env passed in, so a test can put a stand-in first.
 */
import { execFileSync } from 'node:child_process';

/** macOS may show an "allow access" dialog first; give the user time to answer it. */
const SECURITY_TIMEOUT_MS = 60_000;

export interface KeychainItem {
  service: string;
  account: string;
}

/**
 * The password of a generic-password item, or undefined when there is none (exit 44), access
 * was refused, or `security` is missing. `security -w` prints data that is not plain text as
 * hex; that is turned back into text.
 */
export function readGenericPassword(item: KeychainItem, env: NodeJS.ProcessEnv): string | undefined {
  let out: string;
  try {
    out = execFileSync('security', ['find-generic-password', '-a', item.account, '-w', '-s', item.service], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: SECURITY_TIMEOUT_MS,
      maxBuffer: 1024 * 1024,
    });
  } catch {
    return undefined;
  }
  const text = out.replace(/\r?\n$/, '');
  if (/^(?:[0-9a-f]{2})+$/i.test(text) && text.length > 2) {
    const decoded = Buffer.from(text, 'hex').toString('utf8');
    if (decoded.trimStart().startsWith('{')) return decoded;
  }
  return text || undefined;
}
