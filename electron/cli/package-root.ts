/** Rotary's package folder, found from the source tree or the built bundle alike. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: { root: string; version: string } | undefined;

export function packageInfo(): { root: string; version: string } | undefined {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'rotary') return (cached = { root: dir, version: pkg.version ?? 'unknown' });
    } catch {
      // not here; keep walking up
    }
    dir = path.dirname(dir);
  }
  return undefined;
}
