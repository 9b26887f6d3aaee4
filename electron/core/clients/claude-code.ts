/**
 * Claude Code: the `env` block of `settings.json` in its config folder (`$CLAUDE_CONFIG_DIR`,
 * else `~/.claude`) gets `ANTHROPIC_BASE_URL`, and `apiKeyHelper` names `rotary key`: Claude
 * Code runs that command through the shell and sends what it prints as the key, so the file
 * never holds the key. Settings are plain JSON there (no comments).
 */
import path from 'node:path';
import { provider } from '../providers/registry.js';
import { toolConfigDir } from './homes.js';
import { checkJson, jsonPresence, mergeJson, unmergeJson, valueAt, type JsonSetting } from './json-config.js';
import { shellCommand, shellQuote, shellQuoteAlways } from './shell-command.js';
import type { GatewayTarget, SetupTool } from './types.js';

export const ANTHROPIC_TERMS_NOTE = 'Anthropic accounts are for Claude Code only: Anthropic allows subscription logins only in its own clients.';

export function anthropicBaseUrl(url: string): string {
  return `${url.replace(/\/+$/, '')}${provider('anthropic').route}`;
}

function settings(target: GatewayTarget): JsonSetting[] {
  return [
    { path: ['env', 'ANTHROPIC_BASE_URL'], value: anthropicBaseUrl(target.url) },
    { path: ['apiKeyHelper'], value: shellCommand(target.keyCommand, target.platform) },
  ];
}

export const claudeCode: SetupTool = {
  id: 'claude-code',
  title: 'Claude Code',
  fileHint: '~/.claude/settings.json ($CLAUDE_CONFIG_DIR/settings.json when set)',
  limitedNote:
    'Claude Code stops after a few seconds with the gateway\'s message ("API Error: Request rejected (429) · The only Anthropic account is rate-limited; it frees up at 12:09 UTC (in 30 min).") instead of retrying until then.',
  configFile: (env) => path.join(toolConfigDir(env, 'CLAUDE_CONFIG_DIR', '.claude'), 'settings.json'),
  check: (file, text) => checkJson(file, text, { comments: false }),
  apply: (text, target, prior) => mergeJson(text, settings(target), prior),
  remove: (text, marks) => unmergeJson(text, marks),
  inspect: (text, target) =>
    jsonPresence(text, settings(target), (p, v) => (p[0] === 'apiKeyHelper' ? String(v).includes(' key') : /\/anthropic\/?$/.test(String(v)))),
  describe: (target) => [`env.ANTHROPIC_BASE_URL = ${anthropicBaseUrl(target.url)}`, `apiKeyHelper = ${shellCommand(target.keyCommand, target.platform)}`],
  keyNote: 'The key is not written to the file: Claude Code runs `rotary key` (apiKeyHelper) to get it.',
  routesNote: `The Anthropic route (/anthropic). ${ANTHROPIC_TERMS_NOTE}`,
  warnings(text) {
    const set = ['ANTHROPIC_AUTH_TOKEN', 'ANTHROPIC_API_KEY'].filter((name) => valueAt(text, ['env', name]) !== undefined);
    return set.map((name) => `env.${name} is also set in this file; Claude Code would send it besides the gateway key. Remove it to use Rotary.`);
  },
  envLines: (url, key) => [`export ANTHROPIC_BASE_URL=${shellQuote(anthropicBaseUrl(url))}`, `export ANTHROPIC_AUTH_TOKEN=${shellQuoteAlways(key)}`],
};
