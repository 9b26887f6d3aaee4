/**
 * Copy-ready settings that point coding tools at the gateway. The key appears only as
 * `GATEWAY_KEY_PLACEHOLDER`; `withGatewayKey` substitutes it at copy time, in the process
 * that is allowed to hold the key (Electron main, or the browser that was given it).
 */
import { GATEWAY_KEY_PLACEHOLDER, type ClientID, type ClientSetting } from '../../../shared/ipc.js';

/** Gateway route prefixes (PRODUCT §5). */
export const GATEWAY_ROUTES = { anthropic: '/anthropic', openai: '/openai', copilot: '/copilot' } as const;

export function clientSettings(gatewayUrl: string): ClientSetting[] {
  const base = gatewayUrl.replace(/\/+$/, '');
  const anthropic = `${base}${GATEWAY_ROUTES.anthropic}`;
  const openai = `${base}${GATEWAY_ROUTES.openai}`;
  const key = GATEWAY_KEY_PLACEHOLDER;
  return [
    {
      clientID: 'claude-code',
      title: 'Claude Code',
      format: 'shell',
      text: `export ANTHROPIC_BASE_URL=${anthropic}\nexport ANTHROPIC_AUTH_TOKEN=${key}`,
      note: 'Anthropic allows subscription OAuth only for its own clients; use Claude accounts with Claude Code.',
    },
    {
      clientID: 'opencode',
      title: 'opencode',
      format: 'opencode.json',
      text: JSON.stringify(
        {
          $schema: 'https://opencode.ai/config.json',
          provider: {
            openai: { options: { baseURL: openai, apiKey: key } },
          },
        },
        null,
        2,
      ),
    },
    {
      clientID: 'codex',
      title: 'Codex CLI',
      format: '~/.codex/config.toml',
      text: [
        `# in your shell: export ROTARY_GATEWAY_KEY=${key}`,
        'model_provider = "rotary"',
        '',
        '[model_providers.rotary]',
        'name = "Rotary"',
        `base_url = "${openai}"`,
        'env_key = "ROTARY_GATEWAY_KEY"',
        'wire_api = "responses"',
      ].join('\n'),
    },
    {
      clientID: 'anthropic-sdk',
      title: 'Anthropic SDK (TypeScript)',
      format: 'TypeScript',
      text: `import Anthropic from '@anthropic-ai/sdk';\n\nconst client = new Anthropic({ baseURL: '${anthropic}', authToken: '${key}' });`,
    },
    {
      clientID: 'openai-sdk',
      title: 'OpenAI SDK (TypeScript)',
      format: 'TypeScript',
      text: `import OpenAI from 'openai';\n\nconst client = new OpenAI({ baseURL: '${openai}', apiKey: '${key}' });`,
    },
  ];
}

export function withGatewayKey(text: string, key: string): string {
  return text.split(GATEWAY_KEY_PLACEHOLDER).join(key);
}

export function clientSetting(gatewayUrl: string, clientID: ClientID): ClientSetting | undefined {
  return clientSettings(gatewayUrl).find((c) => c.clientID === clientID);
}
