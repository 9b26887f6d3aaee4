import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh ROTARY_HOME for one test; removed by the returned cleanup. */
export function makeTempHome(prefix = 'rotary-test-'): { home: string; cleanup: () => void } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { home, cleanup: () => fs.rmSync(home, { recursive: true, force: true }) };
}

/** The environment a child process needs to reach the same keychain session. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'DBUS_SESSION_BUS_ADDRESS', 'XDG_DATA_HOME', 'XDG_RUNTIME_DIR', 'LANG', 'TMPDIR'];
  const env: NodeJS.ProcessEnv = {};
  for (const key of keep) if (process.env[key] !== undefined) env[key] = process.env[key];
  return { ...env, ...extra };
}
