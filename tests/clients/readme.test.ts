/** The README's per-tool sections are what the client registry generates (`npm run docs:settings` rewrites them). */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { readmeSections, renderReadme } from '../../electron/core/clients/readme.js';
import { SETUP_TOOL_IDS } from '../../shared/ipc.js';

const README = path.resolve(__dirname, '../../README.md');

it('README.md holds exactly the generated per-tool sections', () => {
  const readme = fs.readFileSync(README, 'utf8');
  // A hand edit inside a marked section (or a change in the tool modules) shows up here.
  expect(readme, 'run `npm run docs:settings`').toBe(renderReadme(readme));
  for (const id of [...SETUP_TOOL_IDS, 'sdks']) expect(readme).toContain(`<!-- generated:${id} -->\n${readmeSections()[id]}\n<!-- /generated:${id} -->`);
});

it('a section that drifted from the code is rewritten, and a missing marker is an error', () => {
  const readme = fs.readFileSync(README, 'utf8');
  const drifted = readme.replace('env.ANTHROPIC_BASE_URL = http://127.0.0.1:8787/anthropic', 'env.ANTHROPIC_BASE_URL = http://127.0.0.1:8787/wrong');
  expect(drifted).not.toBe(readme);
  expect(renderReadme(drifted)).toBe(readme);
  expect(() => renderReadme(readme.replace('<!-- /generated:codex -->', ''))).toThrow(/generated:codex/);
});
