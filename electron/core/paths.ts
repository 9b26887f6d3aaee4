import os from 'node:os';
import path from 'node:path';

/** The folder name Electron's `app.getPath('userData')` uses for this app (productName). */
export const APP_DIR_NAME = 'Rotary';

/**
 * Where Rotary keeps its store file, lock and logs. `ROTARY_HOME` wins; otherwise the
 * same OS app-data folder the desktop app uses (Electron's userData), so the app and
 * the CLI share one pool of accounts.
 */
export function rotaryHome(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.ROTARY_HOME) return path.resolve(env.ROTARY_HOME);
  const home = (platform === 'win32' ? env.USERPROFILE : env.HOME) || os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_DIR_NAME);
}

/** Store file name without extension (conf/electron-store `configName` / `name`). */
export const STORE_NAME = 'rotary';
