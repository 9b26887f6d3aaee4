// Bundles the Electron main process and the sandboxed preload with esbuild.
//   electron/main.ts    → dist/electron/main.cjs    (CJS, node; electron + keytar stay external:
//                                                    electron is the runtime, keytar is a native module)
//   electron/gateway-process.ts → dist/electron/gateway-process.cjs (the gateway's utilityProcess;
//                                                    like main: CJS, node, keytar external)
//   electron/preload.ts → dist/electron/preload.cjs (CJS; a sandboxed preload may require only
//                                                    'electron', so everything else is bundled in)
import { build } from 'esbuild';

// Tests build the bundles elsewhere (ROTARY_ELECTRON_OUT, a folder under dist/) to run the gateway bundle under Node.
const outdir = process.env.ROTARY_ELECTRON_OUT ?? 'dist/electron';

const common = {
  bundle: true,
  format: 'cjs',
  target: 'node24',
  sourcemap: 'linked',
  logLevel: 'info',
  legalComments: 'none',
};

await Promise.all([
  build({
    ...common,
    entryPoints: ['electron/main.ts', 'electron/gateway-process.ts'],
    outdir,
    outExtension: { '.js': '.cjs' },
    platform: 'node',
    external: ['electron', 'keytar'],
    // ESM builds first: jsonc-parser's UMD build (its "main") requires its parts dynamically, which a bundle cannot follow.
    mainFields: ['module', 'main'],
    // Some ESM dependencies (conf, electron-store) read import.meta.url; in CJS the file URL is __filename.
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  }),
  build({
    ...common,
    entryPoints: ['electron/preload.ts'],
    outfile: `${outdir}/preload.cjs`,
    platform: 'node',
    external: ['electron'],
    minify: true,
  }),
]);
