/**
 * Builds the Solid renderer. `base: './'` keeps asset URLs relative so the same build
 * loads from `file://` in Electron and from `/ui/` on the gateway's web transport.
 */
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';
import tailwindcss from '@tailwindcss/vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('./renderer', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [solid(), tailwindcss()],
  build: {
    outDir: fileURLToPath(new URL('./renderer/dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // One JS file keeps the CSP simple (script-src 'self', no inline chunks).
    modulePreload: false,
    reportCompressedSize: false,
  },
  server: { port: 5173, strictPort: false },
});
