/**
 * Copy-ready settings that point coding tools at the gateway (PRODUCT §5). The headless
 * `rotary gateway` prints them; the desktop UI's setup panel shows the same data.
 */

export interface ClientSetting {
  id: 'claude-code' | 'opencode' | 'codex-cli' | 'anthropic-sdk' | 'openai-sdk' | 'copilot-sdk';
  title: string;
  /** Where the snippet goes. */
  where: string;
  language: 'shell' | 'json' | 'toml' | 'ts';
  snippet: string;
}

export interface ClientSettingsInput {
  /** Gateway base URL, `http://127.0.0.1:8787`. */
  url: string;
  key: string;
}

export function gatewayClientSettings({ url, key }: ClientSettingsInput): ClientSetting[] {
  const base = url.replace(/\/+$/, '');
  const opencode = {
    $schema: 'https://opencode.ai/config.json',
    provider: {
      anthropic: { options: { baseURL: `${base}/anthropic/v1`, apiKey: key } },
      openai: { options: { baseURL: `${base}/openai`, apiKey: key } },
      'github-copilot': { options: { baseURL: `${base}/copilot`, apiKey: key } },
    },
  };
  return [
    {
      id: 'claude-code',
      title: 'Claude Code',
      where: 'shell (or the "env" block of ~/.claude/settings.json)',
      language: 'shell',
      snippet: `export ANTHROPIC_BASE_URL=${base}/anthropic\nexport ANTHROPIC_AUTH_TOKEN=${key}`,
    },
    {
      id: 'opencode',
      title: 'opencode',
      where: 'opencode.json',
      language: 'json',
      snippet: JSON.stringify(opencode, null, 2),
    },
    {
      id: 'codex-cli',
      title: 'Codex CLI',
      where: `~/.codex/config.toml (and export ROTARY_GATEWAY_KEY=${key})`,
      language: 'toml',
      snippet: [
        'model_provider = "rotary"',
        '',
        '[model_providers.rotary]',
        'name = "Rotary"',
        `base_url = "${base}/openai"`,
        'wire_api = "responses"',
        'env_key = "ROTARY_GATEWAY_KEY"',
      ].join('\n'),
    },
    {
      id: 'anthropic-sdk',
      title: 'Anthropic SDK',
      where: 'TypeScript / Python: base URL and key',
      language: 'ts',
      snippet: `new Anthropic({ baseURL: '${base}/anthropic', authToken: '${key}' })`,
    },
    {
      id: 'openai-sdk',
      title: 'OpenAI SDK (ChatGPT / Codex, Responses API)',
      where: 'TypeScript / Python: base URL and key',
      language: 'ts',
      snippet: `new OpenAI({ baseURL: '${base}/openai', apiKey: '${key}' })`,
    },
    {
      id: 'copilot-sdk',
      title: 'OpenAI SDK against GitHub Copilot (chat completions)',
      where: 'TypeScript / Python: base URL and key',
      language: 'ts',
      snippet: `new OpenAI({ baseURL: '${base}/copilot', apiKey: '${key}' })`,
    },
  ];
}

/** The settings as plain text for a terminal. */
export function formatClientSettings(settings: ClientSetting[]): string {
  return settings.map((s) => `# ${s.title} — ${s.where}\n${s.snippet}\n`).join('\n');
}
