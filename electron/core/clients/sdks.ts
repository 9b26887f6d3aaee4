/** The SDK snippets: base URL and key for code that calls the gateway directly. */
import { anthropicBaseUrl, ANTHROPIC_TERMS_NOTE } from './claude-code.js';
import { openaiBaseUrl } from './codex.js';
import { copilotBaseUrl } from './opencode.js';
import type { ClientSetting } from './registry.js';

export function sdkSettings(url: string, key: string): ClientSetting[] {
  return [
    {
      id: 'anthropic-sdk',
      title: 'Anthropic SDK',
      where: 'TypeScript / Python: base URL and key',
      language: 'ts',
      snippet: `new Anthropic({ baseURL: '${anthropicBaseUrl(url)}', authToken: '${key}' })`,
      note: ANTHROPIC_TERMS_NOTE,
    },
    {
      id: 'openai-sdk',
      title: 'OpenAI SDK (ChatGPT / Codex, Responses API)',
      where: 'TypeScript / Python: base URL and key',
      language: 'ts',
      snippet: `new OpenAI({ baseURL: '${openaiBaseUrl(url)}', apiKey: '${key}' })`,
      note: 'The /openai route is the ChatGPT Codex backend: send Responses requests shaped like Codex CLI\'s (client.responses.create with `instructions`, `input`, `stream: true`, `store: false`); chat completions are not served there.',
    },
    {
      id: 'copilot-sdk',
      title: 'OpenAI SDK against GitHub Copilot (chat completions)',
      where: 'TypeScript / Python: base URL and key',
      language: 'ts',
      snippet: `new OpenAI({ baseURL: '${copilotBaseUrl(url)}', apiKey: '${key}' })`,
    },
  ];
}
