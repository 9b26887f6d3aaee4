/**
 * The client registry: the one place that knows which coding tools Rotary can point at the
 * gateway. Each tool has its own module (claude-code.ts, codex.ts, opencode.ts, sdks.ts);
 * the copy-ready settings here feed `rotary gateway`'s printout, the app's "Connect a tool"
 * panel and the README (`npm run docs:settings`), and `rotary setup` / the panel's buttons
 * write the same settings into the tools' own config files (setup.ts).
 */
import type { ClientID, SetupToolID } from '../../../shared/ipc.js';
import { claudeCode } from './claude-code.js';
import { codex } from './codex.js';
import { opencode } from './opencode.js';
import { sdkSettings } from './sdks.js';
import { NO_MARKS, type GatewayTarget, type SetupTool } from './types.js';

export interface ClientSetting {
  id: ClientID;
  title: string;
  /** Where the snippet goes. */
  where: string;
  language: 'shell' | 'json' | 'toml' | 'ts';
  snippet: string;
  /** Something the user must know before using it. */
  note?: string;
}

export interface ClientSettingsInput {
  /** Gateway base URL, `http://127.0.0.1:8787`. */
  url: string;
  /** The gateway key, or a placeholder for it. */
  key: string;
}

export const SETUP_TOOLS: readonly SetupTool[] = [claudeCode, codex, opencode];

const ALIASES: Record<string, SetupToolID> = { claude: 'claude-code', 'claude-code': 'claude-code', codex: 'codex', 'codex-cli': 'codex', opencode: 'opencode' };

export function setupTool(id: SetupToolID): SetupTool {
  return SETUP_TOOLS.find((t) => t.id === id)!;
}

/** The tool a user's word names (`claude`, `codex-cli` too), if any. */
export function findSetupTool(word: string): SetupTool | undefined {
  const id = ALIASES[word.trim().toLowerCase()];
  return id ? setupTool(id) : undefined;
}

/** The key helper as the docs and copy-ready snippets write it: the `rotary` command on PATH. */
export const GENERIC_KEY_COMMAND = ['rotary', 'key'] as const;

/** A fresh config file for `tool` as `rotary setup` writes it (no key in it). */
export function freshConfig(tool: SetupTool, target: GatewayTarget): string {
  return tool.apply(undefined, target, NO_MARKS, tool.fileHint).text;
}

export function gatewayClientSettings({ url, key }: ClientSettingsInput): ClientSetting[] {
  const target: GatewayTarget = { url, keyCommand: GENERIC_KEY_COMMAND, platform: 'linux' };
  return [
    {
      id: 'claude-code',
      title: claudeCode.title,
      where: `shell, or \`rotary setup claude-code\` (${claudeCode.fileHint})`,
      language: 'shell',
      snippet: claudeCode.envLines(url, key).join('\n'),
      note: claudeCode.routesNote,
    },
    {
      id: 'codex',
      title: codex.title,
      where: `${codex.fileHint}, or \`rotary setup codex\``,
      language: 'toml',
      snippet: freshConfig(codex, target).trimEnd(),
      note: codex.routesNote,
    },
    {
      id: 'opencode',
      title: opencode.title,
      where: `${opencode.fileHint}, or \`rotary setup opencode\`; the key in $ROTARY_GATEWAY_KEY`,
      language: 'json',
      snippet: freshConfig(opencode, target).trimEnd(),
      note: opencode.routesNote,
    },
    ...sdkSettings(url, key),
  ];
}

/** The settings as plain text for a terminal. */
export function formatClientSettings(settings: ClientSetting[]): string {
  return settings.map((s) => `# ${s.title} — ${s.where}\n${s.snippet}\n`).join('\n');
}
