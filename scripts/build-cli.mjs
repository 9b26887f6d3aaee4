// Bundles the `rotary` CLI (electron/cli/main.ts) into one ESM file for plain Node.
// Dependencies stay in node_modules (packages: 'external'): keytar is native and the rest
// are installed with the package anyway.
import { build } from 'esbuild';

await build({
  entryPoints: ['electron/cli/main.ts'],
  outfile: 'dist/cli/rotary.mjs',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'info',
  legalComments: 'none',
  banner: { js: '#!/usr/bin/env node' },
});
