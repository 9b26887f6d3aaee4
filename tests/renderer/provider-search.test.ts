import { describe, expect, it } from 'vitest';
import { filterProviders, sortByName } from '../../renderer/src/features/settings/provider-search.js';

const supported = [
  { providerID: 'openai', name: 'OpenAI (ChatGPT / Codex)', keywords: ['codex', 'chatgpt'] },
  { providerID: 'anthropic', name: 'Anthropic', keywords: ['claude'] },
  { providerID: 'github-copilot', name: 'GitHub Copilot', keywords: ['github', 'copilot'] },
];

describe('provider search', () => {
  it('matches names, ids and keywords case-insensitively', () => {
    expect(filterProviders(supported, 'CLAUDE').map((p) => p.providerID)).toEqual(['anthropic']);
    expect(filterProviders(supported, 'codex').map((p) => p.providerID)).toEqual(['openai']);
    expect(filterProviders(supported, 'github-cop').map((p) => p.providerID)).toEqual(['github-copilot']);
  });
  it('needs every word to match and returns everything for an empty query', () => {
    expect(filterProviders(supported, 'open codex').map((p) => p.providerID)).toEqual(['openai']);
    expect(filterProviders(supported, 'open claude')).toEqual([]);
    expect(filterProviders(supported, '   ')).toHaveLength(3);
  });
  it('sorts alphabetically by display name', () => {
    expect(sortByName(supported).map((p) => p.name)).toEqual(['Anthropic', 'GitHub Copilot', 'OpenAI (ChatGPT / Codex)']);
  });
});
