// Lint: typescript-eslint's recommended rules plus the layering rules from STYLE.md —
// the renderer never imports the main process, `shared/` imports only its schema library,
// and the Electron-free core never imports Electron.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'renderer/dist/**', 'release/**', 'test-results/**', 'bench/results/**', 'bin/**'],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/electron/**', 'electron', 'node:*'], message: 'The renderer talks to the core only through shared/ and lib/api.ts.' }] }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!zod$|\\./)', message: 'shared/ may import only zod and its own files.' }] }],
    },
  },
  {
    files: ['electron/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'The core runs under plain Node; only electron/main.ts, preload.ts and ipc.ts may import Electron.' }] }],
    },
  },
);
