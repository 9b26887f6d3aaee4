/** Picks the request-path rules of a provider. */
import type { ProviderID } from '../../../shared/domain.js';
import { anthropicRequestRules } from '../providers/anthropic/request-rules.js';
import { copilotRequestRules } from '../providers/copilot/request-rules.js';
import { openaiRequestRules } from '../providers/openai/request-rules.js';
import type { ProviderRequestRules } from '../providers/request-rules.js';

const RULES: Record<ProviderID, ProviderRequestRules> = {
  anthropic: anthropicRequestRules,
  openai: openaiRequestRules,
  'github-copilot': copilotRequestRules,
};

export function rulesFor(providerID: ProviderID): ProviderRequestRules {
  return RULES[providerID];
}
