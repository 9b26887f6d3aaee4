/** The user's home and XDG config folder as the tools find them (from the environment they run in). */
import os from 'node:os';
import path from 'node:path';

export function userHome(env: NodeJS.ProcessEnv): string {
  return env.HOME || env.USERPROFILE || os.homedir();
}

/** `$XDG_CONFIG_HOME`, else `~/.config` (opencode uses this on every platform). */
export function xdgConfigHome(env: NodeJS.ProcessEnv): string {
  return env.XDG_CONFIG_HOME ? path.resolve(env.XDG_CONFIG_HOME) : path.join(userHome(env), '.config');
}

/** A tool's config folder: `$VARIABLE` when set (`CLAUDE_CONFIG_DIR`, `CODEX_HOME`), else `~/<dotDir>`. */
export function toolConfigDir(env: NodeJS.ProcessEnv, variable: string, dotDir: string): string {
  const set = env[variable];
  return set ? path.resolve(set) : path.join(userHome(env), dotDir);
}
