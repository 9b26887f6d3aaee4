/**
 * The lint rules that hold the architecture together, run through ESLint's own API with the
 * repository's eslint.config.js on probe sources (nothing is written to disk): `npm run lint`
 * fails in CI exactly when these report.
 */
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function problems(filePath: string, code: string): Promise<Array<{ ruleId: string | null; message: string }>> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => ({ ruleId: m.ruleId, message: m.message }));
}

const ONE_TOKEN_MANAGER = /One TokenManager per process: only electron\/core\/runtime\.ts calls createTokenManager/;

describe('one TokenManager per process', () => {
  it.each([
    ['electron/core/gateway/probe.ts', "import { createTokenManager } from '../providers/token-manager.js';\nexport const make = createTokenManager;\n"],
    ['electron/cli/probe.ts', "import { createTokenManager } from '../core/providers/token-manager.js';\nexport const make = createTokenManager;\n"],
    ['electron/gateway-process-probe.ts', "import * as tokens from './core/providers/token-manager.js';\nexport const t = tokens;\n"],
    ['bench/probe.ts', "export { createTokenManager } from '../electron/core/providers/token-manager.js';\n"],
  ])('%s may not import createTokenManager', async (filePath, code) => {
    const found = await problems(filePath, code);
    expect(found).toContainEqual({ ruleId: '@typescript-eslint/no-restricted-imports', message: expect.stringMatching(ONE_TOKEN_MANAGER) });
  });

  it('core/runtime.ts may; the type and tests may be imported anywhere', async () => {
    const make = "import { createTokenManager } from './providers/token-manager.js';\nexport const make = createTokenManager;\n";
    expect(await problems('electron/core/runtime.ts', make)).toEqual([]);
    const type = "import type { TokenManager } from '../providers/token-manager.js';\nexport type T = TokenManager;\n";
    expect(await problems('electron/core/gateway/probe.ts', type)).toEqual([]);
    const test = "import { createTokenManager } from '../../electron/core/providers/token-manager.js';\nexport const make = createTokenManager;\n";
    expect(await problems('tests/providers/probe.ts', test)).toEqual([]);
  });

  it("adds to the folders' layering rule instead of replacing it", async () => {
    const code = [
      "import { createTokenManager } from '../providers/token-manager.js';",
      "import { createAppService } from '../service/app-service.js';",
      'export const both = [createTokenManager, createAppService];',
      '',
    ].join('\n');
    const found = await problems('electron/core/gateway/probe.ts', code);
    expect(found).toContainEqual({ ruleId: '@typescript-eslint/no-restricted-imports', message: expect.stringMatching(ONE_TOKEN_MANAGER) });
    expect(found).toContainEqual({ ruleId: 'no-restricted-imports', message: expect.stringMatching(/Layers run downward: this folder may not import core\/service\//) });
  });
});
