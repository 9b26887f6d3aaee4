#!/usr/bin/env -S node --max-semi-space-size=4
// The `rotary` command. Installed builds run the bundled CLI (dist/cli/rotary.mjs); a
// source checkout without a build runs the TypeScript entry through tsx (a devDependency).
// The shebang's V8 flag keeps the `rotary gateway` process's young generation small: measured
// in electron/core/gateway/node-flags.ts (RSS ~40–100 MB lower at 256–1000 streams, same CPU).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'dist', 'cli', 'rotary.mjs');

let cli;
if (fs.existsSync(built)) {
  cli = await import(pathToFileURL(built).href);
} else {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    process.stderr.write('rotary: this checkout is not built and tsx is not installed; run `npm install` and `npm run build:cli`\n');
    process.exit(1);
  }
  cli = await import(pathToFileURL(path.join(root, 'electron', 'cli', 'main.ts')).href);
}
await cli.main(process.argv.slice(2));
