import { defineConfig } from 'vitest/config';
import solid from 'vite-plugin-solid';

export default defineConfig({
  plugins: [solid()],
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    environment: 'node',
    // Subprocess and browser tests on a busy 2-core machine; a hang still fails.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The keychain, the simulator and Chromium are shared per file; keep files parallel but bounded on 2 cores.
    maxWorkers: 2,
  },
});
