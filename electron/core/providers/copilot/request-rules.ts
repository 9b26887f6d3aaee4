/**
 * GitHub Copilot request-path rules (PROTOCOLS §3.4–§3.6; PRODUCT §3). A used-up quota is a
 * 402 with a code (`quota_exceeded`, …): a plan limit until the monthly reset. A 429 is a rate
 * limit whose `error.code` says which (`user_model_rate_limited` binds one model); bodies
 * without a code fall back to their text ("try again in 58 hours"). 401/403 mean the short-lived
 * Copilot token must be exchanged again; 466 means the client headers are outdated, which no
 * other account can fix.
 */
import { randomUUID } from 'node:crypto';
import type { UsageSnapshot, UsageWindow } from '../../../../shared/domain.js';
import {
  openAIErrorType,
  allLimitedMessage,
  asRecord,
  baseOutgoingHeaders,
  DEFAULT_RATE_LIMIT_COOLDOWN_MS,
  epochToMs,
  finiteNumber,
  headerValue,
  HOUR,
  jsonResponse,
  limitedHeaders,
  latestSane,
  MINUTE,
  PLAN_LIMIT_FALLBACK_MS,
  retryAfterMs,
  openaiTokens,
  tryJson,
  type ProviderRequestRules,
  modelFamily,
  sseEvent,
} from '../request-rules.js';
import type { ClassifyContext, HeaderBag, RequestCredential, UpstreamVerdict } from '../../rotation/contract.js';
import { parseTime } from '../http.js';
import {
  COPILOT_CHAT_QUOTA_HEADER,
  COPILOT_CLIENT_NOT_SUPPORTED_STATUS,
  COPILOT_EDITOR_HEADERS,
  COPILOT_GATEWAY_BASE,
  COPILOT_MAX_RESET_MS,
  COPILOT_PREMIUM_KEY,
  COPILOT_PREMIUM_LABEL,
  COPILOT_PREMIUM_QUOTA_HEADERS,
  COPILOT_QUOTA_CODES,
  COPILOT_QUOTA_PERIOD_MS,
  COPILOT_RATE_LIMIT_CODES,
  COPILOT_RATE_LIMIT_HEADERS,
} from './constants.js';

/** First day of next month, 00:00 UTC: when the premium quota resets. */
export function nextMonthlyReset(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** "try again in 58 hours", "wait 3 hours 43 minutes" → ms; undefined when the text names no duration. */
export function durationFromText(text: string): number | undefined {
  const match = /(?:try again in|wait)\s+((?:\d+\s*(?:days?|hours?|minutes?|mins?|seconds?|secs?)[\s,and]*)+)/i.exec(text);
  if (!match) return undefined;
  let ms = 0;
  for (const part of match[1]!.matchAll(/(\d+)\s*(days?|hours?|minutes?|mins?|seconds?|secs?)/gi)) {
    const n = Number(part[1]);
    const unit = part[2]!.toLowerCase();
    if (unit.startsWith('d')) ms += n * 24 * HOUR;
    else if (unit.startsWith('h')) ms += n * HOUR;
    else if (unit.startsWith('m')) ms += n * MINUTE;
    else ms += n * 1000;
  }
  return ms > 0 ? ms : undefined;
}

/** `ent=300&ov=0&ovPerm=false&rem=12.5&rst=2026-07-01T00%3A00%3A00Z` → its fields; undefined when it is not that. */
export function parseQuotaHeader(value: string | undefined): { entitlement?: number; percentRemaining: number; resetsAt?: number } | undefined {
  if (!value) return undefined;
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(value.trim());
  } catch {
    return undefined;
  }
  const percentRemaining = finiteNumber(params.get('rem') ?? undefined);
  if (percentRemaining === undefined) return undefined;
  const entitlement = finiteNumber(params.get('ent') ?? undefined);
  const rst = params.get('rst') ?? undefined;
  // ISO in every capture; epoch seconds accepted too.
  const resetsAt = epochToMs(rst) ?? parseTime(rst);
  return { percentRemaining, ...(entitlement !== undefined ? { entitlement } : {}), ...(resetsAt !== undefined ? { resetsAt } : {}) };
}

/** A quota header as a usage window; `ent=-1` is unlimited (nothing used). */
function quotaWindow(key: string, label: string, value: string | undefined, defaultReset?: number): UsageWindow | undefined {
  const q = parseQuotaHeader(value);
  if (!q) return undefined;
  const used = q.entitlement === -1 ? 0 : Math.round((100 - q.percentRemaining) * 10) / 10;
  const resetsAt = q.resetsAt ?? defaultReset;
  return { key, label, percentUsed: Math.max(0, used), ...(resetsAt !== undefined ? { resetsAt } : {}) };
}

/**
 * Usage from a chat answer's headers alone, so the bars move between polls. The premium
 * window has the quota endpoint's key, so it replaces the polled value; free users (no
 * premium header) get their chat quota. Without `rst` the language server assumes the
 * monthly reset, and so does this.
 */
export function copilotUsageFromHeaders(headers: HeaderBag, now: number): UsageSnapshot | undefined {
  const windows: UsageWindow[] = [];
  const premiumHeader = COPILOT_PREMIUM_QUOTA_HEADERS.map((name) => headerValue(headers, name)).find((v) => parseQuotaHeader(v));
  const premium = quotaWindow(COPILOT_PREMIUM_KEY, COPILOT_PREMIUM_LABEL, premiumHeader, nextMonthlyReset(now));
  if (premium) windows.push(premium);
  else {
    const chat = quotaWindow('chat', 'Chat (monthly)', headerValue(headers, COPILOT_CHAT_QUOTA_HEADER), nextMonthlyReset(now));
    if (chat) windows.push(chat);
  }
  for (const { header, key, label } of COPILOT_RATE_LIMIT_HEADERS) {
    const w = quotaWindow(key, label, headerValue(headers, header));
    if (w) windows.push(w);
  }
  return windows.length ? { windows, asOf: now, source: 'headers' } : undefined;
}

/** The `error.code` before any `:suffix`, lower-cased (`user_model_rate_limited:gpt-5` → `user_model_rate_limited`). */
function errorCode(error: Record<string, unknown> | undefined): string | undefined {
  const raw = typeof error?.code === 'string' ? error.code : undefined;
  const code = raw?.split(':')[0]?.trim().toLowerCase();
  return code || undefined;
}

/** When a used-up quota comes back: `retry-after`, else the quota reset the answer or the last poll names, else the 1st of next month. */
function quotaReset(headers: HeaderBag, body: Record<string, unknown> | undefined, retry: number | undefined, now: number, context: ClassifyContext | undefined): number {
  const error = asRecord(body?.error);
  const fromHeaders = COPILOT_PREMIUM_QUOTA_HEADERS.map((name) => parseQuotaHeader(headerValue(headers, name))?.resetsAt).find((t) => t !== undefined);
  const candidates = [
    retry,
    parseTime(error?.quota_reset_date_utc) ?? parseTime(body?.quota_reset_date_utc),
    fromHeaders,
    context?.usage?.windows.find((w) => w.key === COPILOT_PREMIUM_KEY)?.resetsAt,
  ];
  for (const c of candidates) if (latestSane([c], now, COPILOT_MAX_RESET_MS) !== undefined) return c!;
  const monthly = nextMonthlyReset(now);
  return monthly > now ? monthly : now + PLAN_LIMIT_FALLBACK_MS;
}

function clientNotSupported(upstreamMessage: string | undefined): string {
  const said = upstreamMessage ? ` GitHub said: "${upstreamMessage.slice(0, 300)}".` : '';
  return (
    `GitHub Copilot answered HTTP ${COPILOT_CLIENT_NOT_SUPPORTED_STATUS} ("client not supported"): it no longer accepts the editor headers of this request ` +
    `(editor-version, editor-plugin-version, x-github-api-version). This is not a limit of one account, so Rotary did not switch accounts. ` +
    `Update Rotary, or have your tool send current editor headers of its own.${said}`
  );
}

export function classifyCopilot(status: number, headers: HeaderBag, bodyText?: string, now = Date.now(), context?: ClassifyContext): UpstreamVerdict {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  // Both mean the short-lived Copilot token is no good: exchange it again and retry once (PROTOCOLS §3.6).
  if (status === 401 || status === 403) return { kind: 'unauthorized' };
  const body = asRecord(tryJson(bodyText));
  const error = asRecord(body?.error);
  const message = typeof error?.message === 'string' ? error.message : typeof body?.message === 'string' ? body.message : undefined;
  if (status === COPILOT_CLIENT_NOT_SUPPORTED_STATUS) return { kind: 'pass', explain: clientNotSupported(message) };
  if (status !== 402 && status !== 429) return { kind: 'pass' };
  const retry = retryAfterMs(headerValue(headers, 'retry-after'), now);
  const code = errorCode(error);

  // Any 402 is Copilot's "quota used up" (the code says which quota); so is a 429 with a quota code.
  if (status === 402 || (code && COPILOT_QUOTA_CODES.has(code))) {
    return { kind: 'plan-limit', until: quotaReset(headers, body, retry, now, context), reason: `quota used up (${code ?? status})` };
  }
  const text = (message ?? bodyText ?? '').slice(0, 2000);
  const inText = durationFromText(text);
  const until = latestSane([retry, inText === undefined ? undefined : now + inText], now, COPILOT_MAX_RESET_MS) ?? now + DEFAULT_RATE_LIMIT_COOLDOWN_MS;
  const known = code ? COPILOT_RATE_LIMIT_CODES.get(code) : undefined;
  if (known) return { kind: 'rate-limit', until, reason: `rate limit (${code})`, ...(known.modelScoped ? { modelScoped: true } : {}) };
  // No code we know: the text is all there is (older answers said "quota exceeded" in a 429).
  if (/quota[ _]exceeded|premium.*(exhausted|used up)/i.test(text)) {
    return { kind: 'plan-limit', until: quotaReset(headers, body, retry, now, context), reason: 'premium quota exceeded' };
  }
  return { kind: 'rate-limit', until, reason: 'rate limit (429)' };
}

export const copilotRequestRules: ProviderRequestRules = {
  providerID: 'github-copilot',
  name: 'GitHub Copilot',
  upstreamBase: COPILOT_GATEWAY_BASE,
  bodyParts: { system: ['instructions'], tools: ['tools', 'functions'], messages: ['messages', 'input'] },
  classify: classifyCopilot,
  needsBody: (status) => status === 402 || status === 429 || status === COPILOT_CLIENT_NOT_SUPPORTED_STATUS,
  usageFromHeaders: copilotUsageFromHeaders,
  affinityKey: () => undefined,
  // The session rate limit is not a 5-hour plan window; the proactive switch stays off for Copilot.
  sessionWindow: () => undefined,
  // Its monthly premium quota plays the weekly window's part: capacity that expires at the reset.
  weeklyWindow: (usage) => usage?.windows.find((w) => w.key === COPILOT_PREMIUM_KEY),
  windowLengthMs: (w) => (w.key === COPILOT_PREMIUM_KEY ? COPILOT_QUOTA_PERIOD_MS : undefined),
  modelFamily,

  allLimitedResponse(input) {
    const { message, retryAfterSec } = allLimitedMessage('GitHub Copilot', 'github-copilot', input);
    if (input.earliest === undefined) {
      return { ...jsonResponse(401, { error: { type: 'authentication_error', code: 'needs_reauth', message } }), message, retryAfterSec };
    }
    return {
      ...jsonResponse(429, { error: { type: 'rate_limit_exceeded', code: 'rate_limited', message } }, limitedHeaders(retryAfterSec)),
      message,
      retryAfterSec,
    };
  },

  errorResponse(status, kind, message) {
    return jsonResponse(status, { error: { type: openAIErrorType(status, kind, 'authentication_error'), message, code: null } });
  },

  // Chat completions streams carry errors as a data line with an `error` object (the openai SDK throws an APIError).
  streamError: (message) => sseEvent(undefined, { error: { type: 'server_error', message, code: null, param: null } }),

  outgoingHeaders(client: HeaderBag, credential: RequestCredential) {
    const out = baseOutgoingHeaders(client);
    // Editor headers only when the client did not send its own: we never rewrite a client's identity.
    // The credential's authorization always wins; its other headers are defaults like ours.
    for (const raw in credential.headers) {
      const name = raw.toLowerCase();
      if (name === 'authorization' || out[name] === undefined) out[name] = credential.headers[raw]!;
    }
    for (const name in COPILOT_EDITOR_HEADERS) if (out[name] === undefined) out[name] = COPILOT_EDITOR_HEADERS[name]!;
    // Every editor request carries its own id (PROTOCOLS §3.4).
    out['x-request-id'] ??= randomUUID();
    return out;
  },

  tokensFromJson(body) {
    return openaiTokens(asRecord(asRecord(body)?.usage));
  },

  tokensFromSse(_event, data) {
    if (!data.includes('"usage"')) return undefined;
    return openaiTokens(asRecord(asRecord(tryJson(data))?.usage));
  },
};
