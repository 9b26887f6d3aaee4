/**
 * Anthropic request-path rules (PROTOCOLS §1.5, §1.7; PRODUCT §3): how a /v1/messages answer
 * is classified, which usage its headers carry, which conversation a request belongs to,
 * and which credential headers go out.
 */
import type { UsageSnapshot, UsageWindow } from '../../../../shared/domain.js';
import {
  allLimitedMessage,
  applyCredentialHeaders,
  asRecord,
  baseOutgoingHeaders,
  DEFAULT_RATE_LIMIT_COOLDOWN_MS,
  epochToMs,
  finiteNumber,
  headerValue,
  jsonResponse,
  limitedHeaders,
  latestSane,
  nonNegInt,
  PLAN_LIMIT_FALLBACK_MS,
  pickReset,
  retryAfterMs,
  DAY,
  type ProviderRequestRules,
  type TokenCounts,
  modelFamily,
  sseEvent,
} from '../request-rules.js';
import type { ErrorKind, HeaderBag, RequestCredential, UpstreamVerdict } from '../../rotation/contract.js';
import { ANTHROPIC_FIVE_HOUR_KEY, ANTHROPIC_GATEWAY_BASE, ANTHROPIC_MAX_RESET_MS, ANTHROPIC_OAUTH_BETA, ANTHROPIC_WEEKLY_KEY, ANTHROPIC_FIVE_HOUR_MS, ANTHROPIC_WEEK_MS } from './constants.js';

const H = 'anthropic-ratelimit-unified';

/** Header infixes of the plan windows → usage window key and label. Both spellings of the scoped ones occur. */
const WINDOWS: Array<{ infixes: string[]; key: string; label: string }> = [
  { infixes: ['5h'], key: ANTHROPIC_FIVE_HOUR_KEY, label: '5-hour' },
  { infixes: ['7d'], key: 'seven_day', label: '7-day (all)' },
  { infixes: ['7d_sonnet', '7d-sonnet'], key: 'seven_day_sonnet', label: '7-day (Sonnet)' },
  { infixes: ['7d_opus', '7d-opus'], key: 'seven_day_opus', label: '7-day (Opus)' },
];
/** Every window whose `-status: rejected` may carry the binding reset. */
const ALL_INFIXES = ['5h', '7d', '7d_sonnet', '7d-sonnet', '7d_opus', '7d-opus', '7d_oi'];
/** Windows that bind one model family only (PROTOCOLS §1.7: "rotate the model/account pair"). */
const SCOPED_INFIXES = ['7d_sonnet', '7d-sonnet', '7d_opus', '7d-opus', '7d_oi'];
const SCOPED_CLAIMS = new Set(['seven_day_sonnet', 'seven_day_opus', 'seven_day_overage_included']);

export function classifyAnthropic(status: number, headers: HeaderBag, _bodyText?: string, now = Date.now()): UpstreamVerdict {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  if (status === 401) return { kind: 'unauthorized' };
  if (status !== 429) return { kind: 'pass' };
  const retry = retryAfterMs(headerValue(headers, 'retry-after'), now);
  if (headerValue(headers, `${H}-status`)?.trim().toLowerCase() === 'rejected') {
    const candidates = [epochToMs(headerValue(headers, `${H}-reset`))];
    for (const infix of ALL_INFIXES) {
      if (headerValue(headers, `${H}-${infix}-status`)?.trim().toLowerCase() === 'rejected') {
        candidates.push(epochToMs(headerValue(headers, `${H}-${infix}-reset`)));
      }
    }
    const claim = headerValue(headers, `${H}-representative-claim`)?.replace(/[^\w-]/g, '').slice(0, 40);
    const until = pickReset(candidates, [retry], now, ANTHROPIC_MAX_RESET_MS);
    return {
      kind: 'plan-limit',
      until: until ?? now + PLAN_LIMIT_FALLBACK_MS,
      reason: `plan limit${claim ? ` (${claim})` : ''}${until === undefined ? ', reset unknown' : ''}`,
      ...(isModelScoped(headers, claim) ? { modelScoped: true } : {}),
    };
  }
  const until = latestSane([retry], now, DAY);
  return { kind: 'rate-limit', until: until ?? now + DEFAULT_RATE_LIMIT_COOLDOWN_MS, reason: 'rate limit (429)' };
}

/**
 * Only a model-family window said no: the shared 5-hour and weekly windows are both reported
 * and not rejected, and the binding claim or a rejected window is a scoped one. Missing or
 * garbled shared statuses count as account-wide (the safe side: no request is wasted).
 */
function isModelScoped(headers: HeaderBag, claim: string | undefined): boolean {
  const shared = ['5h', '7d'].map((infix) => headerValue(headers, `${H}-${infix}-status`)?.trim().toLowerCase());
  if (shared.some((s) => s === undefined || s === 'rejected')) return false;
  if (claim && SCOPED_CLAIMS.has(claim)) return true;
  return SCOPED_INFIXES.some((infix) => headerValue(headers, `${H}-${infix}-status`)?.trim().toLowerCase() === 'rejected');
}

export function anthropicUsageFromHeaders(headers: HeaderBag, now: number): UsageSnapshot | undefined {
  const windows: UsageWindow[] = [];
  for (const w of WINDOWS) {
    for (const infix of w.infixes) {
      const utilization = finiteNumber(headerValue(headers, `${H}-${infix}-utilization`));
      if (utilization === undefined || utilization < 0) continue;
      const resetsAt = epochToMs(headerValue(headers, `${H}-${infix}-reset`));
      // Headers carry fractions (0–1, may exceed 1); the snapshot holds percent.
      windows.push({ key: w.key, label: w.label, percentUsed: Math.round(utilization * 10000) / 100, ...(resetsAt ? { resetsAt } : {}) });
      break;
    }
  }
  return windows.length ? { windows, asOf: now, source: 'headers' } : undefined;
}

/** `user_<hash>_account_<uuid>_session_<uuid>` → the session uuid; newer clients send a JSON string with `session_id`. */
export function sessionFromUserID(userID: unknown): string | undefined {
  if (typeof userID !== 'string' || !userID) return undefined;
  const match = /_session_([A-Za-z0-9-]{6,})$/.exec(userID);
  if (match) return match[1];
  if (userID.startsWith('{')) {
    try {
      const parsed = asRecord(JSON.parse(userID));
      const sid = parsed?.session_id ?? parsed?.sessionId;
      if (typeof sid === 'string' && sid) return sid;
    } catch {
      // not JSON after all
    }
  }
  return undefined;
}

function errorType(kind: ErrorKind): string {
  switch (kind) {
    case 'auth':
    case 'needs-reauth':
      return 'authentication_error';
    case 'network':
      return 'api_error';
    case 'bad-request':
      return 'invalid_request_error';
    case 'not-found':
      return 'not_found_error';
    case 'too-large':
      return 'request_too_large';
    case 'forbidden':
      return 'permission_error';
  }
}

function mergeBetas(...lists: Array<string | undefined>): string {
  const seen: string[] = [];
  for (const list of lists) {
    for (const raw of (list ?? '').split(',')) {
      const beta = raw.trim();
      if (beta && !seen.includes(beta)) seen.push(beta);
    }
  }
  return seen.join(',');
}

export const anthropicRequestRules: ProviderRequestRules = {
  providerID: 'anthropic',
  name: 'Anthropic',
  upstreamBase: ANTHROPIC_GATEWAY_BASE,
  bodyParts: { system: ['system'], tools: ['tools'], messages: ['messages'] },
  classify: classifyAnthropic,
  needsBody: () => false,
  usageFromHeaders: anthropicUsageFromHeaders,
  sessionWindow: (usage) => usage?.windows.find((w) => w.key === ANTHROPIC_FIVE_HOUR_KEY),
  weeklyWindow: (usage) => usage?.windows.find((w) => w.key === ANTHROPIC_WEEKLY_KEY),
  windowLengthMs: (w) => (w.key === ANTHROPIC_FIVE_HOUR_KEY ? ANTHROPIC_FIVE_HOUR_MS : ANTHROPIC_WEEK_MS),
  modelFamily,

  affinityKey(headers, body) {
    const header = headerValue(headers, 'x-claude-code-session-id')?.trim();
    if (header) return `anthropic:${header.slice(0, 200)}`;
    const session = sessionFromUserID(asRecord(body?.metadata)?.user_id);
    return session ? `anthropic:${session}` : undefined;
  },

  allLimitedResponse(input) {
    const { message, retryAfterSec } = allLimitedMessage('Anthropic', 'anthropic', input);
    if (input.earliest === undefined) {
      return { ...jsonResponse(401, { type: 'error', error: { type: 'authentication_error', message } }), message, retryAfterSec };
    }
    return {
      ...jsonResponse(429, { type: 'error', error: { type: 'rate_limit_error', message } }, limitedHeaders(retryAfterSec)),
      message,
      retryAfterSec,
    };
  },

  errorResponse(status, kind, message) {
    return jsonResponse(status, { type: 'error', error: { type: errorType(kind), message } });
  },

  // The Messages API's in-stream error (the SDKs throw an APIError of that type).
  streamError: (message) => sseEvent('error', { type: 'error', error: { type: 'api_error', message } }),

  outgoingHeaders(client: HeaderBag, credential: RequestCredential) {
    const out = baseOutgoingHeaders(client);
    const clientBetas = out['anthropic-beta'];
    applyCredentialHeaders(out, credential);
    // OAuth tokens need the oauth beta; the client's own betas stay (merged, deduplicated).
    out['anthropic-beta'] = mergeBetas(ANTHROPIC_OAUTH_BETA, clientBetas, credential.headers['anthropic-beta'] ?? credential.headers['Anthropic-Beta']);
    return out;
  },

  tokensFromJson(body) {
    return anthropicTokens(asRecord(asRecord(body)?.usage));
  },

  tokensFromSse(event, data) {
    if (event === 'message_start' || data.includes('"message_start"')) {
      const parsed = asRecord(safeParse(data));
      return anthropicTokens(asRecord(asRecord(parsed?.message)?.usage));
    }
    if (event === 'message_delta' || data.includes('"message_delta"')) {
      const parsed = asRecord(safeParse(data));
      const usage = asRecord(parsed?.usage);
      const output = nonNegInt(usage?.output_tokens);
      return output === undefined ? undefined : { output };
    }
    return undefined;
  },
};

function anthropicTokens(usage: Record<string, unknown> | undefined): TokenCounts | undefined {
  if (!usage) return undefined;
  const out: TokenCounts = {};
  const input = nonNegInt(usage.input_tokens);
  const output = nonNegInt(usage.output_tokens);
  const cacheRead = nonNegInt(usage.cache_read_input_tokens);
  const cacheWrite = nonNegInt(usage.cache_creation_input_tokens);
  if (input !== undefined) out.input = input;
  if (output !== undefined) out.output = output;
  if (cacheRead !== undefined) out.cacheRead = cacheRead;
  if (cacheWrite !== undefined) out.cacheWrite = cacheWrite;
  return out;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
