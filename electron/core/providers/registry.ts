/**
 * The provider registry: the one place that knows which providers exist. Every other layer
 * looks a provider up here (by id, or by gateway route) and talks to its adapter; none of
 * them switches on a provider id.
 */
import { PROVIDER_IDS, type ProviderID } from '../../../shared/domain.js';
import { anthropicProvider } from './anthropic/provider.js';
import { copilotProvider } from './copilot/provider.js';
import { openaiProvider } from './openai/provider.js';
import type { ProviderRequestRules } from './request-rules.js';
import type { ProviderAdapter } from './types.js';

const ADAPTERS: Record<ProviderID, ProviderAdapter> = {
  anthropic: anthropicProvider,
  openai: openaiProvider,
  'github-copilot': copilotProvider,
};

export function provider(id: ProviderID): ProviderAdapter {
  return ADAPTERS[id];
}

/** Every provider, in id order (alphabetical). */
export function allProviders(): ProviderAdapter[] {
  return PROVIDER_IDS.map((id) => ADAPTERS[id]);
}

export function rulesFor(id: ProviderID): ProviderRequestRules {
  return ADAPTERS[id].rules;
}

/** Gateway routes, longest prefix first: `/anthropic` → Anthropic, … */
const ROUTES = allProviders()
  .map((p) => ({ prefix: p.route, provider: p }))
  .sort((a, b) => b.prefix.length - a.prefix.length);

/** The provider whose route `pathname` is under (`/anthropic/v1/messages`), with the rest of the path. */
export function providerForPath(pathname: string): { provider: ProviderAdapter; prefix: string } | undefined {
  for (const r of ROUTES) if (pathname.startsWith(`${r.prefix}/`)) return { provider: r.provider, prefix: r.prefix };
  return undefined;
}
