/**
 * GitHub Copilot request-path rules (PROTOCOLS §3.4, §3.6; PRODUCT §3). Copilot's 429s are
 * the least documented: "quota exceeded" means the monthly premium quota is gone; other
 * texts ("try again in 58 hours") are time-window rate limits.
 */
import {
  openAIErrorType,
  allLimitedMessage,
  asRecord,
  baseOutgoingHeaders,
  DEFAULT_RATE_LIMIT_COOLDOWN_MS,
  headerValue,
  HOUR,
  jsonResponse,
  latestSane,
  MINUTE,
  PLAN_LIMIT_FALLBACK_MS,
  retryAfterMs,
  openaiTokens,
  tryJson,
  type ProviderRequestRules,
  modelFamily,
} from '../request-rules.js';
import type { HeaderBag, RequestCredential, UpstreamVerdict } from '../../rotation/contract.js';
import { COPILOT_EDITOR_HEADERS, COPILOT_GATEWAY_BASE, COPILOT_MAX_RESET_MS, COPILOT_QUOTA_PERIOD_MS } from './constants.js';

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

export function classifyCopilot(status: number, headers: HeaderBag, bodyText?: string, now = Date.now()): UpstreamVerdict {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  if (status === 401) return { kind: 'unauthorized' };
  if (status !== 429) return { kind: 'pass' };
  const retry = retryAfterMs(headerValue(headers, 'retry-after'), now);
  const error = asRecord(asRecord(tryJson(bodyText))?.error);
  const text = `${typeof error?.code === 'string' ? error.code : ''} ${typeof error?.message === 'string' ? error.message : bodyText ?? ''}`.slice(0, 2000);
  const inText = durationFromText(text);
  const fromText = inText === undefined ? undefined : now + inText;
  if (/quota[ _]exceeded|premium.*(exhausted|used up)/i.test(text)) {
    const until = latestSane([retry, fromText], now, COPILOT_MAX_RESET_MS);
    const monthly = nextMonthlyReset(now);
    return {
      kind: 'plan-limit',
      until: until ?? (monthly > now ? monthly : now + PLAN_LIMIT_FALLBACK_MS),
      reason: 'premium quota exceeded',
    };
  }
  const until = latestSane([retry, fromText], now, COPILOT_MAX_RESET_MS);
  return { kind: 'rate-limit', until: until ?? now + DEFAULT_RATE_LIMIT_COOLDOWN_MS, reason: 'rate limit (429)' };
}

export const copilotRequestRules: ProviderRequestRules = {
  providerID: 'github-copilot',
  name: 'GitHub Copilot',
  upstreamBase: COPILOT_GATEWAY_BASE,
  bodyParts: { system: ['instructions'], tools: ['tools', 'functions'], messages: ['messages', 'input'] },
  classify: classifyCopilot,
  needsBody: (status) => status === 429,
  // Copilot sends no usage headers; its quota comes from copilot_internal/user (the usage poller).
  usageFromHeaders: () => undefined,
  affinityKey: () => undefined,
  // Copilot's quota is monthly; it has no 5-hour window to switch on.
  sessionWindow: () => undefined,
  // Its monthly premium quota plays the weekly window's part: capacity that expires at the reset.
  weeklyWindow: (usage) => usage?.windows.find((w) => w.key === 'premium'),
  windowLengthMs: (w) => (w.key === 'premium' ? COPILOT_QUOTA_PERIOD_MS : undefined),
  modelFamily,

  allLimitedResponse(input) {
    const { message, retryAfterSec } = allLimitedMessage('GitHub Copilot', input);
    if (input.earliest === undefined) {
      return { ...jsonResponse(401, { error: { type: 'authentication_error', code: 'needs_reauth', message } }), message, retryAfterSec };
    }
    return {
      ...jsonResponse(429, { error: { type: 'rate_limit_exceeded', code: 'rate_limited', message } }, { 'retry-after': String(retryAfterSec) }),
      message,
      retryAfterSec,
    };
  },

  errorResponse(status, kind, message) {
    return jsonResponse(status, { error: { type: openAIErrorType(status, kind, 'authentication_error'), message, code: null } });
  },

  outgoingHeaders(client: HeaderBag, credential: RequestCredential) {
    const out = baseOutgoingHeaders(client);
    // Editor headers only when the client did not send its own: we never rewrite a client's identity.
    // The credential's authorization always wins; its other headers are defaults like ours.
    for (const raw in credential.headers) {
      const name = raw.toLowerCase();
      if (name === 'authorization' || out[name] === undefined) out[name] = credential.headers[raw]!;
    }
    for (const name in COPILOT_EDITOR_HEADERS) if (out[name] === undefined) out[name] = COPILOT_EDITOR_HEADERS[name]!;
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
