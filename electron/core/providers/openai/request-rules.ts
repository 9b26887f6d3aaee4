/**
 * ChatGPT / Codex request-path rules (PROTOCOLS §2.4, §2.5, §2.7; PRODUCT §3).
 */
import type { UsageSnapshot, UsageWindow } from '../../../../shared/domain.js';
import {
  openAIErrorType,
  allLimitedMessage,
  applyCredentialHeaders,
  asRecord,
  baseOutgoingHeaders,
  DAY,
  DEFAULT_RATE_LIMIT_COOLDOWN_MS,
  epochToMs,
  finiteNumber,
  headerValue,
  jsonResponse,
  limitedHeaders,
  latestSane,
  PLAN_LIMIT_FALLBACK_MS,
  pickReset,
  retryAfterMs,
  openaiTokens,
  tryJson,
  type ProviderRequestRules,
  modelFamily,
  sseEvent,
} from '../request-rules.js';
import type { HeaderBag, RequestCredential, UpstreamVerdict } from '../../rotation/contract.js';
import {
  CODEX_FIVE_HOUR_LABEL,
  CODEX_GATEWAY_BASE,
  CODEX_LIMIT_TYPE_HEADER,
  CODEX_MAX_RESET_MS,
  CODEX_NOT_INCLUDED_TYPE,
  CODEX_PLAN_LIMIT_TYPES,
  CODEX_RESIDENCY_HEADER,
  CODEX_WEEKLY_LABEL,
} from './constants.js';

const WINDOW_PREFIXES = ['primary', 'secondary'] as const;

/** "5-hour" for 300 minutes, "Weekly" for 10080, else "N-hour" / "N-day". */
export function codexWindowLabel(minutes: number | undefined): string {
  if (minutes === undefined || minutes <= 0) return 'Window';
  if (minutes === 300) return CODEX_FIVE_HOUR_LABEL;
  if (minutes === 10080) return 'Weekly';
  if (minutes % 1440 === 0) return `${minutes / 1440}-day`;
  if (minutes >= 60) return `${Math.round(minutes / 60)}-hour`;
  return `${minutes}-minute`;
}

export function classifyCodex(status: number, headers: HeaderBag, bodyText?: string, now = Date.now()): UpstreamVerdict {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  if (status === 401) return { kind: 'unauthorized' };
  if (status !== 429) return { kind: 'pass' };
  const retry = retryAfterMs(headerValue(headers, 'retry-after'), now);
  const error = asRecord(asRecord(tryJson(bodyText))?.error);
  const fromBody = typeof error?.type === 'string' ? error.type : typeof error?.code === 'string' ? error.code : undefined;
  // The header names the limit too, so an unreadable body (compressed, cut off) still tells.
  const fromHeader = headerValue(headers, CODEX_LIMIT_TYPE_HEADER)?.trim().toLowerCase();
  const type = fromBody && (CODEX_PLAN_LIMIT_TYPES.has(fromBody) || fromBody === CODEX_NOT_INCLUDED_TYPE) ? fromBody : (fromHeader || fromBody);
  // The plan does not include this model: another account of the same plan would not help either.
  if (type === CODEX_NOT_INCLUDED_TYPE) return { kind: 'pass' };
  // Windows the headers report as full bound the reset, and without a type they say what the limit is.
  const fullWindows = WINDOW_PREFIXES.filter((prefix) => (finiteNumber(headerValue(headers, `x-codex-${prefix}-used-percent`)) ?? 0) >= 100);
  if ((type && CODEX_PLAN_LIMIT_TYPES.has(type)) || (!fromBody && fullWindows.length > 0)) {
    const candidates = [epochToMs(error?.resets_at), ...fullWindows.map((prefix) => epochToMs(headerValue(headers, `x-codex-${prefix}-reset-at`)))];
    const relative = [retry];
    const inSeconds = finiteNumber(error?.resets_in_seconds);
    if (inSeconds !== undefined && inSeconds > 0) relative.push(now + inSeconds * 1000);
    for (const prefix of fullWindows) {
      const after = finiteNumber(headerValue(headers, `x-codex-${prefix}-reset-after-seconds`));
      if (after !== undefined && after > 0) relative.push(now + after * 1000);
    }
    const until = pickReset(candidates, relative, now, CODEX_MAX_RESET_MS);
    const what = type && type !== 'usage_limit_reached' ? type.replace(/_/g, ' ') : 'usage limit reached';
    return { kind: 'plan-limit', until: until ?? now + PLAN_LIMIT_FALLBACK_MS, reason: `${what}${until === undefined ? ', reset unknown' : ''}` };
  }
  const until = latestSane([retry], now, DAY);
  return { kind: 'rate-limit', until: until ?? now + DEFAULT_RATE_LIMIT_COOLDOWN_MS, reason: 'rate limit (429)' };
}

/**
 * Codex numbers its windows (primary, secondary) and only their length says which is the
 * 5-hour one (on some plans the primary is weekly), so the label derived from that length
 * — the same constant `codexWindowLabel` and the usage endpoint use — identifies it.
 */
export function codexFiveHourWindow(usage: UsageSnapshot | undefined): UsageWindow | undefined {
  return usage?.windows.find((w) => (w.key === 'primary' || w.key === 'secondary') && w.label === CODEX_FIVE_HOUR_LABEL);
}

/** A Codex window's length from its label ("5-hour", "Weekly", "3-day"…); undefined for "Primary" and the like. */
export function codexWindowLengthMs(window: Pick<UsageWindow, 'label'>): number | undefined {
  if (window.label === CODEX_WEEKLY_LABEL) return 7 * 24 * 3600_000;
  const m = /^(\d+)-(minute|hour|day)$/.exec(window.label);
  if (!m) return undefined;
  return Number(m[1]) * { minute: 60_000, hour: 3600_000, day: 24 * 3600_000 }[m[2] as 'minute' | 'hour' | 'day'];
}

export function codexUsageFromHeaders(headers: HeaderBag, now: number): UsageSnapshot | undefined {
  const windows: UsageWindow[] = [];
  for (const prefix of WINDOW_PREFIXES) {
    const used = finiteNumber(headerValue(headers, `x-codex-${prefix}-used-percent`));
    if (used === undefined || used < 0) continue;
    const minutes = finiteNumber(headerValue(headers, `x-codex-${prefix}-window-minutes`));
    let resetsAt = epochToMs(headerValue(headers, `x-codex-${prefix}-reset-at`));
    if (resetsAt === undefined) {
      const after = finiteNumber(headerValue(headers, `x-codex-${prefix}-reset-after-seconds`));
      if (after !== undefined && after >= 0) resetsAt = now + after * 1000;
    }
    windows.push({ key: prefix, label: codexWindowLabel(minutes), percentUsed: used, ...(resetsAt ? { resetsAt } : {}) });
  }
  return windows.length ? { windows, asOf: now, source: 'headers' } : undefined;
}

/** The client's own account-bound headers describe its login, not the pooled account's (PROTOCOLS §5 item 9). */
const CODEX_DROP = new Set(['chatgpt-account-id', CODEX_RESIDENCY_HEADER]);

export const openaiRequestRules: ProviderRequestRules = {
  providerID: 'openai',
  name: 'OpenAI',
  upstreamBase: CODEX_GATEWAY_BASE,
  bodyParts: { system: ['instructions'], tools: ['tools'], messages: ['input'] },
  classify: classifyCodex,
  needsBody: (status) => status === 429,
  usageFromHeaders: codexUsageFromHeaders,

  affinityKey(headers, body) {
    const session = headerValue(headers, 'session_id')?.trim() || headerValue(headers, 'session-id')?.trim();
    if (session) return `openai:${session.slice(0, 200)}`;
    const cacheKey = body?.prompt_cache_key;
    return typeof cacheKey === 'string' && cacheKey ? `openai:${cacheKey.slice(0, 200)}` : undefined;
  },

  allLimitedResponse(input) {
    const { message, retryAfterSec } = allLimitedMessage('OpenAI', 'openai', input);
    if (input.earliest === undefined) {
      return { ...jsonResponse(401, { error: { type: 'invalid_request_error', code: 'needs_reauth', message } }), message, retryAfterSec };
    }
    const resetsAt = Math.ceil(input.earliest / 1000);
    return {
      ...jsonResponse(
        429,
        { error: { type: 'usage_limit_reached', message, resets_at: resetsAt, resets_in_seconds: retryAfterSec } },
        limitedHeaders(retryAfterSec),
      ),
      message,
      retryAfterSec,
    };
  },

  errorResponse(status, kind, message) {
    return jsonResponse(status, { error: { type: openAIErrorType(status, kind, 'invalid_request_error'), message, code: null, param: null } });
  },

  // The Responses API's stream error event (the SDKs), then `response.failed`, which ends a turn in Codex CLI.
  streamError: (message) =>
    sseEvent('error', { type: 'error', code: 'server_error', message, param: null }) +
    sseEvent('response.failed', { type: 'response.failed', response: { object: 'response', status: 'failed', error: { code: 'server_error', message } } }),

  outgoingHeaders(client: HeaderBag, credential: RequestCredential, accountId?: string) {
    const out = baseOutgoingHeaders(client, CODEX_DROP);
    if (accountId) out['chatgpt-account-id'] = accountId;
    applyCredentialHeaders(out, credential);
    return out;
  },

  sessionWindow: codexFiveHourWindow,
  weeklyWindow: (usage) => usage?.windows.find((w) => w.label === CODEX_WEEKLY_LABEL),
  windowLengthMs: codexWindowLengthMs,
  modelFamily,

  tokensFromJson(body) {
    const record = asRecord(body);
    return openaiTokens(asRecord(record?.usage) ?? asRecord(asRecord(record?.response)?.usage));
  },

  tokensFromSse(_event, data) {
    // Responses API: `response.completed` carries `response.usage`; chat completions: a final chunk with `usage`.
    if (!data.includes('"usage"')) return undefined;
    const parsed = asRecord(tryJson(data));
    return openaiTokens(asRecord(asRecord(parsed?.response)?.usage) ?? asRecord(parsed?.usage));
  },
};
