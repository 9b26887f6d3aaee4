// Lint: typescript-eslint's recommended rules plus the layering rules from STYLE.md —
// the renderer never imports the main process, `shared/` imports only its schema library,
// the Electron-free code never imports Electron, and the core's folders import downward only.
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
  // Layering inside the Electron-free code (README "Layout"): arrows run downward only.
  //   cli/ desktop/ → core/runtime → gateway-host | web → service → gateway | clients → providers → rotation → history → pool
  ...layer('electron/core/**/*.ts', []),
  ...layer('electron/core/pool/**/*.ts', ['history', 'rotation', 'providers', 'clients', 'gateway', 'service', 'web', 'runtime', 'gateway-host']),
  ...layer('electron/core/history/**/*.ts', ['rotation', 'providers', 'clients', 'gateway', 'service', 'web', 'runtime', 'gateway-host']),
  ...layer('electron/core/rotation/**/*.ts', ['providers', 'clients', 'gateway', 'service', 'web', 'runtime', 'gateway-host']),
  ...layer('electron/core/providers/**/*.ts', ['clients', 'gateway', 'service', 'web', 'runtime', 'gateway-host']),
  ...layer('electron/core/clients/**/*.ts', ['gateway', 'service', 'web', 'runtime', 'gateway-host']),
  ...layer('electron/core/gateway/**/*.ts', ['clients', 'service', 'web', 'runtime', 'gateway-host']),
  ...layer('electron/core/service/**/*.ts', ['gateway', 'web', 'runtime', 'gateway-host']),
  ...layer('electron/core/web/**/*.ts', ['runtime']),
  ...layer('electron/core/gateway-host/**/*.ts', ['web', 'runtime']),
  ...layer('electron/{cli,desktop}/**/*.ts', []),
  // One TokenManager per process: only the runtime makes it, everyone else gets `runtime.tokens`.
  // A separate rule name, so it adds to the folders' no-restricted-imports instead of replacing it.
  {
    files: ['**/*.{ts,tsx}'],
    ignores: ['electron/core/runtime.ts', 'tests/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/token-manager.js', '**/token-manager'],
              importNames: ['createTokenManager'],
              message: 'One TokenManager per process: only electron/core/runtime.ts calls createTokenManager; use the runtime\'s `tokens`.',
            },
          ],
        },
      ],
    },
  },
);

/**
 * No Electron in code that runs under plain Node, and no import of the layers above `files`'
 * own (`above`: folder names under electron/core, or `runtime` for core/runtime.ts).
 */
function layer(files, above) {
  const patterns = above.map((name) => ({
    group: name === 'runtime' ? ['**/runtime.js', '**/core/runtime.js'] : [`../${name}/**`, `../../${name}/**`, `**/core/${name}/**`],
    message: `Layers run downward: this folder may not import ${name === 'runtime' ? 'core/runtime.ts' : `core/${name}/`} (see README "Layout").`,
  }));
  return [
    {
      files: [files],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths: [{ name: 'electron', message: 'The core runs under plain Node; only electron/main.ts, preload.ts and ipc.ts may import Electron.' }],
            patterns,
          },
        ],
      },
    },
  ];
}
