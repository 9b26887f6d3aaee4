/**
 * opencode: its global config (`$XDG_CONFIG_HOME/opencode` or `~/.config/opencode`; the first
 * of opencode.jsonc, opencode.json, config.json that exists, as opencode picks it) gets the
 * OpenAI and GitHub Copilot providers pointed at the gateway. opencode replaces `{env:NAME}`
 * in config values with the variable, so the key stays in the environment
 * (`ROTARY_GATEWAY_KEY`, e.g. from `eval "$(rotary env opencode)"`). Anthropic-style routes
 * would need `/v1`, but Anthropic accounts are for Claude Code only, so there is none.
 */
import fs from 'node:fs';
import path from 'node:path';
import { provider } from '../providers/registry.js';
import { ANTHROPIC_TERMS_NOTE } from './claude-code.js';
import { openaiBaseUrl } from './codex.js';
import { xdgConfigHome } from './homes.js';
import { checkJson, jsonPresence, mergeJson, unmergeJson, type JsonSetting } from './json-config.js';
import { shellQuote, shellQuoteAlways } from './shell-command.js';
import type { SetupTool } from './types.js';

export const KEY_ENV = 'ROTARY_GATEWAY_KEY';
const KEY_REF = `{env:${KEY_ENV}}`;
const CONFIG_NAMES = ['opencode.jsonc', 'opencode.json', 'config.json'];

export function copilotBaseUrl(url: string): string {
  return `${url.replace(/\/+$/, '')}${provider('github-copilot').route}`;
}

/** opencode's provider ids for the two routes it gets. */
function providerSettings(url: string, key: string): Record<string, { options: { baseURL: string; apiKey: string } }> {
  return {
    openai: { options: { baseURL: openaiBaseUrl(url), apiKey: key } },
    'github-copilot': { options: { baseURL: copilotBaseUrl(url), apiKey: key } },
  };
}

function settings(url: string, isNewFile: boolean): JsonSetting[] {
  const out: JsonSetting[] = isNewFile ? [{ path: ['$schema'], value: 'https://opencode.ai/config.json' }] : [];
  for (const [id, { options }] of Object.entries(providerSettings(url, KEY_REF))) {
    out.push({ path: ['provider', id, 'options', 'baseURL'], value: options.baseURL }, { path: ['provider', id, 'options', 'apiKey'], value: options.apiKey });
  }
  return out;
}

export const opencode: SetupTool = {
  id: 'opencode',
  title: 'opencode',
  fileHint: '~/.config/opencode/opencode.json ($XDG_CONFIG_HOME/opencode; an existing opencode.jsonc or config.json there is used instead)',
  limitedNote:
    'opencode retries the gateway\'s 429 a few times at once (it ignores `x-should-retry`; the gateway\'s `retry-after-ms: 0` keeps it from sleeping until the reset), then stops with the gateway\'s message ("Error: All 2 OpenAI (ChatGPT / Codex) accounts are rate-limited; the first frees up at 12:09 UTC (in 30 min).").',
  configFile(env) {
    const dir = path.join(xdgConfigHome(env), 'opencode');
    const existing = CONFIG_NAMES.map((name) => path.join(dir, name)).find((file) => fs.existsSync(file));
    return existing ?? path.join(dir, 'opencode.json');
  },
  check: (file, text) => checkJson(file, text, { comments: true }),
  apply: (text, target, prior) => mergeJson(text, settings(target.url, text === undefined || text.trim() === ''), prior),
  remove: (text, marks) => unmergeJson(text, marks),
  inspect: (text, target) => jsonPresence(text, settings(target.url, false), (p, v) => (p.at(-1) === 'apiKey' ? v === KEY_REF : /\/(openai|copilot)\/?$/.test(String(v)))),
  describe: (target) => [
    `provider.openai.options: baseURL = ${openaiBaseUrl(target.url)}, apiKey = "${KEY_REF}"`,
    `provider.github-copilot.options: baseURL = ${copilotBaseUrl(target.url)}, apiKey = "${KEY_REF}"`,
  ],
  keyNote: `The key is not written to the file: opencode reads it from $${KEY_ENV} ({env:${KEY_ENV}}); add  eval "$(rotary env opencode)"  to your shell profile.`,
  routesNote: `The OpenAI (/openai) and GitHub Copilot (/copilot) routes. ${ANTHROPIC_TERMS_NOTE}`,
  warnings: () => [],
  envLines: (url, key) => [
    `export ${KEY_ENV}=${shellQuoteAlways(key)}`,
    // Works without `rotary setup opencode` too: opencode merges this over its config files.
    `export OPENCODE_CONFIG_CONTENT=${shellQuote(JSON.stringify({ provider: providerSettings(url, key) }))}`,
  ],
};
