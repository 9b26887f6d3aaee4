/**
 * What the gateway learns from a buffered request body without re-serialising it: model,
 * stream flag, the affinity fields and a rough token estimate of system/tools/messages
 * (≈ bytes / 4) for the Context Breakdown.
 */
import { parseValue, scanTopLevel, valueSize } from './body-scan.js';
import type { AffinityFields, ProviderRequestRules } from '../providers/request-rules.js';

export interface RequestSummary {
  model?: string;
  stream: boolean;
  fields?: AffinityFields;
  estimate?: { system: number; tools: number; messages: number };
}

const tokens = (bytes: number): number => Math.ceil(bytes / 4);

export function summarizeBody(body: Buffer | undefined, rules: ProviderRequestRules): RequestSummary {
  if (!body || body.length === 0) return { stream: false };
  const top = scanTopLevel(body);
  if (!top) return { stream: false };
  const model = parseValue(body, top, 'model', 512);
  const stream = parseValue(body, top, 'stream', 16) === true;
  const fields: AffinityFields = {};
  if (top.has('metadata')) fields.metadata = parseValue(body, top, 'metadata', 8192);
  if (top.has('prompt_cache_key')) fields.prompt_cache_key = parseValue(body, top, 'prompt_cache_key', 1024);
  const sum = (keys: string[]): number => keys.reduce((n, k) => n + valueSize(top, k), 0);
  return {
    ...(typeof model === 'string' ? { model: model.slice(0, 200) } : {}),
    stream,
    fields,
    estimate: { system: tokens(sum(rules.bodyParts.system)), tools: tokens(sum(rules.bodyParts.tools)), messages: tokens(sum(rules.bodyParts.messages)) },
  };
}
