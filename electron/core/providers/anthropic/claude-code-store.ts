/**
 * Where Claude Code keeps its login (PROTOCOLS §1.3, §4.6): on macOS the login Keychain first,
 * the file as the fallback; elsewhere the file. Pure: names and paths only, no reading.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { CLAUDE_CODE_KEYCHAIN_SERVICE } from './constants.js';

const suffixed = (dir: string): string => `${CLAUDE_CODE_KEYCHAIN_SERVICE}-${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`;

/**
 * Keychain service names to try, most specific first. `CLAUDE_SECURESTORAGE_CONFIG_DIR` wins
 * when set (set but empty: no suffix); else `CLAUDE_CONFIG_DIR` gives the suffix. The plain
 * name always comes last: a login made without the variable lives there.
 */
export function claudeCodeKeychainServices(env: NodeJS.ProcessEnv): string[] {
  const dir = env.CLAUDE_SECURESTORAGE_CONFIG_DIR !== undefined ? env.CLAUDE_SECURESTORAGE_CONFIG_DIR : env.CLAUDE_CONFIG_DIR;
  const names: string[] = [];
  if (dir) {
    names.push(suffixed(dir));
    const resolved = path.resolve(dir);
    if (resolved !== dir) names.push(suffixed(resolved));
  }
  names.push(CLAUDE_CODE_KEYCHAIN_SERVICE);
  return [...new Set(names)];
}

/** `.credentials.json` locations: the default one, and the config dir's when it is set. */
export function claudeCodeCredentialFiles(homeDir: string, env: NodeJS.ProcessEnv): string[] {
  const files = [path.join(homeDir, '.claude', '.credentials.json')];
  if (env.CLAUDE_CONFIG_DIR) files.push(path.join(env.CLAUDE_CONFIG_DIR, '.credentials.json'));
  return files;
}
