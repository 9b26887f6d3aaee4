/**
 * The README's per-tool sections, generated from the tool modules (`npm run docs:settings`
 * rewrites them; tests/clients/readme.test.ts fails when they differ). Each section sits
 * between `<!-- generated:<id> -->` and `<!-- /generated:<id> -->`.
 */
import { freshConfig, GENERIC_KEY_COMMAND, SETUP_TOOLS } from './registry.js';
import { sdkSettings } from './sdks.js';
import type { GatewayTarget, SetupTool } from './types.js';

const DOCS_URL = 'http://127.0.0.1:8787';
const DOCS_KEY = '<gateway key>';
const FENCE = '```';

function toolSection(tool: SetupTool): string {
  const target: GatewayTarget = { url: DOCS_URL, keyCommand: GENERIC_KEY_COMMAND, platform: 'linux' };
  const language = tool.id === 'codex' ? 'toml' : 'json';
  const env = tool.envLines(DOCS_URL, DOCS_KEY);
  const lines = [
    `**${tool.title}**: \`rotary setup ${tool.id}\` adds to ${tool.fileHint}:`,
    '',
    ...tool.describe(target).map((d) => `- ${d}`),
    '',
    `${tool.keyNote} ${tool.routesNote}`,
    '',
    `A new file gets exactly this (an existing one keeps everything it has, with these settings merged in):`,
    '',
    `${FENCE}${language}`,
    freshConfig(tool, target).trimEnd(),
    FENCE,
    '',
    env.every((l) => l.startsWith('#')) ? env.join(' ').replace(/^# /, '') : `Or in a shell: \`eval "$(rotary env ${tool.id})"\`, which runs:`,
  ];
  if (!env.every((l) => l.startsWith('#'))) lines.push('', `${FENCE}sh`, ...env, FENCE);
  lines.push('', `When every account is limited: ${tool.limitedNote}`);
  return lines.join('\n');
}

function sdkSection(): string {
  return sdkSettings(DOCS_URL, DOCS_KEY)
    .map((s) => [`**${s.title}**:`, '', `${FENCE}${s.language}`, s.snippet, FENCE, ...(s.note ? ['', s.note] : [])].join('\n'))
    .join('\n\n');
}

/** Section id → markdown. */
export function readmeSections(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tool of SETUP_TOOLS) out[tool.id] = toolSection(tool);
  out.sdks = sdkSection();
  return out;
}

/** `readme` with every generated section rewritten; a section without its markers is an error. */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const [id, body] of Object.entries(readmeSections())) {
    const start = `<!-- generated:${id} -->`;
    const end = `<!-- /generated:${id} -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md lacks the markers ${start} … ${end}`);
    out = `${out.slice(0, from + start.length)}\n${body}\n${out.slice(to)}`;
  }
  return out;
}
