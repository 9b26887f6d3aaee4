/**
 * Copy-ready settings that point coding tools at the gateway (PRODUCT §5): the one source
 * for `rotary gateway`'s printout and the app's "Connect a tool" panel. The routes come from
 * the provider registry. The app's panel passes a placeholder for the key and substitutes the
 * real one only when copying, in the process allowed to hold it.
 */
import { provider } from './registry.js';

export type ClientID = 'claude-code' | 'opencode' | 'codex-cli' | 'anthropic-sdk' | 'openai-sdk' | 'copilot-sdk';

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

const ANTHROPIC_TERMS = 'Anthropic allows subscription OAuth only for its own clients; use Claude accounts with Claude Code.';

export function gatewayClientSettings({ url, key }: ClientSettingsInput): ClientSetting[] {
  const base = url.replace(/\/+$/, '');
  const anthropic = `${base}${provider('anthropic').route}`;
  const openai = `${base}${provider('openai').route}`;
  const copilot = `${base}${provider('github-copilot').route}`;
  // Anthropic traffic is for Claude Code only (ANTHROPIC_TERMS), so opencode gets the other two routes.
  const opencode = {
    $schema: 'https://opencode.ai/config.json',
    provider: {
      openai: { options: { baseURL: openai, apiKey: key } },
      'github-copilot': { options: { baseURL: copilot, apiKey: key } },
    },
  };
  return [
    {
      id: 'claude-code',
      title: 'Claude Code',
      where: 'shell (or the "env" block of ~/.claude/settings.json)',
      language: 'shell',
      snippet: `export ANTHROPIC_BASE_URL=${anthropic}\nexport ANTHROPIC_AUTH_TOKEN=${key}`,
      note: ANTHROPIC_TERMS,
    },
    {
      id: 'opencode',
      title: 'opencode',
      where: 'opencode.json',
      language: 'json',
      snippet: JSON.stringify(opencode, null, 2),
      note: 'Only the OpenAI and GitHub Copilot routes: Anthropic accounts are for Claude Code.',
    },
    {
      id: 'codex-cli',
      title: 'Codex CLI',
      where: '~/.codex/config.toml',
      language: 'toml',
      snippet: [
        `# and in your shell: export ROTARY_GATEWAY_KEY=${key}`,
        'model_provider = "rotary"',
        '',
        '[model_providers.rotary]',
        'name = "Rotary"',
        `base_url = "${openai}"`,
        'wire_api = "responses"',
        'env_key = "ROTARY_GATEWAY_KEY"',
      ].join('\n'),
    },
    {
      id: 'anthropic-sdk',
      title: 'Anthropic SDK',
      where: 'TypeScript / Python: base URL and key',
      language: 'ts',
      snippet: `new Anthropic({ baseURL: '${anthropic}', authToken: '${key}' })`,
      note: ANTHROPIC_TERMS,
    },
    {
      id: 'openai-sdk',
      title: 'OpenAI SDK (ChatGPT / Codex, Responses API)',
      where: 'TypeScript / Python: base URL and key',
      language: 'ts',
      snippet: `new OpenAI({ baseURL: '${openai}', apiKey: '${key}' })`,
    },
    {
      id: 'copilot-sdk',
      title: 'OpenAI SDK against GitHub Copilot (chat completions)',
      where: 'TypeScript / Python: base URL and key',
      language: 'ts',
      snippet: `new OpenAI({ baseURL: '${copilot}', apiKey: '${key}' })`,
    },
  ];
}

/** The settings as plain text for a terminal. */
export function formatClientSettings(settings: ClientSetting[]): string {
  return settings.map((s) => `# ${s.title} — ${s.where}\n${s.snippet}\n`).join('\n');
}
