/**
 * The per-provider request-path rules and the small parsing helpers they share. Each
 * provider implements `ProviderRequestRules` in `providers/<name>/request-rules.ts`; the
 * registry (`providers/registry.ts`) hands them to the gateway, which passes them on to the
 * provider-agnostic rotating fetch (`rotation/contract.ts` names what rotation needs).
 *
 * Every parser here is written for hostile input: a garbage or missing header, a non-JSON
 * body, a reset in the past or years away. None of them throws; they fall back.
 */
import type { ProviderID } from '../../../shared/domain.js';
import { formatIn, formatZonedClock } from '../../../shared/usage-format.js';
import type { AllLimitedInput, ErrorKind, HeaderBag, LocalResponse, RequestCredential, RotationRules } from '../rotation/contract.js';

/** The few body fields the affinity rules look at (parsed from small slices of the body). */
export interface AffinityFields {
  metadata?: unknown;
  prompt_cache_key?: unknown;
}

/** Token counts picked from a response (Context Breakdown / activity log). */
export interface TokenCounts {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/** Rotation's rules plus what the gateway itself reads from requests and answers. */
export interface ProviderRequestRules extends RotationRules {
  /** Which body fields in request bodies hold the system prompt, the tools and the conversation. */
  readonly bodyParts: { system: string[]; tools: string[]; messages: string[] };
  /** The conversation key that keeps a conversation on one account (prompt caches are per account). */
  affinityKey(headers: HeaderBag, body: AffinityFields | undefined): string | undefined;
  /** Token counts from a non-streaming JSON answer. */
  tokensFromJson(body: unknown): TokenCounts | undefined;
  /** Token counts from one SSE event (only cheap string checks before parsing). */
  tokensFromSse(event: string | undefined, data: string): TokenCounts | undefined;
  /**
   * The provider's own SSE error, framed and ready to write, for a stream the gateway has to end
   * (its upstream went silent or broke after the first bytes), so the client reports an error
   * instead of a cut connection.
   */
  streamError(message: string): string;
}

/** One server-sent event: `event:` line when named, one `data:` line, blank line. */
export function sseEvent(name: string | undefined, data: unknown): string {
  return `${name ? `event: ${name}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
}

// ------------------------------------------------------------------ header helpers

export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v[0] : v;
}

/** Headers never forwarded in either direction (RFC 9110 §7.6.1) plus the ones we set ourselves. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  // The gateway key and any credential the client sent: replaced by the account's.
  'authorization',
  'x-api-key',
  // The 100-continue handshake is between the client and the gateway (undici refuses to send `expect`).
  'expect',
  // The client's cookies are its own business, never the provider's.
  'cookie',
]);

/** Copy the client's headers without hop-by-hop ones, credentials and `drop`. */
export function baseOutgoingHeaders(client: HeaderBag, drop: ReadonlySet<string> = new Set()): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in client) {
    if (HOP_BY_HOP.has(name) || drop.has(name)) continue;
    const v = client[name];
    if (v === undefined) continue;
    out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Set the credential's headers (names lower-cased, so a client's `Authorization` cannot survive next to ours). */
export function applyCredentialHeaders(out: Record<string, string>, credential: RequestCredential): void {
  for (const name in credential.headers) out[name.toLowerCase()] = credential.headers[name]!;
}

// ------------------------------------------------------------------ time helpers

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** A 429 without window info (per-minute limit) and without `retry-after`. */
export const DEFAULT_RATE_LIMIT_COOLDOWN_MS = 30_000;
/** A plan-limit 429 whose reset cannot be read: re-probe after this rather than guess a long reset. */
export const PLAN_LIMIT_FALLBACK_MS = 5 * MINUTE;

/** A number from a header/body field; undefined for garbage ("soon", "NaN", ""). */
export function finiteNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const t = value.trim();
  if (!/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** Epoch seconds (or milliseconds, when obviously so) → epoch ms. */
export function epochToMs(value: unknown): number | undefined {
  const n = finiteNumber(value);
  if (n === undefined || n <= 0) return undefined;
  return n > 1e12 ? Math.round(n) : Math.round(n * 1000);
}

/** `retry-after`: delta seconds or an HTTP date → epoch ms. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const seconds = finiteNumber(value);
  if (seconds !== undefined) return seconds >= 0 ? now + Math.round(seconds * 1000) : undefined;
  if (!/[a-z]/i.test(value) || !/\d/.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isFinite(date) ? date : undefined;
}

/** A reset is usable when it is in the future and not absurdly far (a garbage header must not park an account for years). */
export function isSaneReset(until: number | undefined, now: number, maxHorizonMs: number): until is number {
  return until !== undefined && until > now && until <= now + maxHorizonMs;
}

/** The latest sane reset among candidates, or undefined. */
export function latestSane(candidates: Array<number | undefined>, now: number, maxHorizonMs: number): number | undefined {
  let best: number | undefined;
  for (const c of candidates) if (isSaneReset(c, now, maxHorizonMs) && (best === undefined || c > best)) best = c;
  return best;
}

/**
 * The cooldown end from absolute resets (epoch headers/fields) and relative ones
 * (`retry-after`, `resets_in_seconds`): the latest sane value, except that a relative value
 * only wins when clearly later, because whole seconds counted from "now" overshoot the exact
 * epoch reset by up to a second.
 */
export function pickReset(absolute: Array<number | undefined>, relative: Array<number | undefined>, now: number, maxHorizonMs: number): number | undefined {
  const abs = latestSane(absolute, now, maxHorizonMs);
  const rel = latestSane(relative, now, maxHorizonMs);
  if (abs === undefined) return rel;
  return rel !== undefined && rel > abs + 2000 ? rel : abs;
}

/**
 * The model family a request belongs to, for model-scoped cooldowns: `opus`, `sonnet`,
 * `haiku`, … or the model name itself. Undefined when the request names no model.
 */
export function modelFamily(model: string | undefined): string | undefined {
  if (!model) return undefined;
  const lower = model.toLowerCase();
  const known = /(opus|sonnet|haiku|fable)/.exec(lower);
  return known ? known[1] : lower.slice(0, 60);
}

function forFamily(family: string | undefined): string {
  return family ? ` for ${family.charAt(0).toUpperCase()}${family.slice(1)} models` : '';
}

/** The `error.type` of an OpenAI-style error body (Codex and Copilot answer in that format). */
export function openAIErrorType(status: number, kind: ErrorKind, authType: string): string {
  if (status === 429) return 'rate_limit_exceeded';
  switch (kind) {
    case 'auth':
    case 'needs-reauth':
      return authType;
    case 'network':
      return 'server_error';
    case 'bad-request':
    case 'too-large':
      return 'invalid_request_error';
    case 'not-found':
      return 'not_found_error';
    case 'forbidden':
      return 'permission_error';
  }
}

/** `Account 1`, `Account 1 and Account 2`, `A, B and C`. */
function listLabels(labels: string[]): string {
  return labels.length <= 1 ? (labels[0] ?? '') : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
}

/** An account label as a shell argument: bare when it is one plain word, else double-quoted. */
function shellArg(label: string): string {
  return /^[\w.@+-]+$/.test(label) ? label : `"${label.replace(/(["\\$`])/g, '\\$1')}"`;
}

/**
 * Why none of the accounts can take requests and no time will fix it: which need a new login,
 * which are disabled, each with the command that fixes it.
 */
function unusableMessage(name: string, providerID: ProviderID, input: AllLimitedInput): string {
  const needsLogin = input.needsLogin ?? [];
  const disabled = input.disabled ?? [];
  const login = `\`rotary auth login ${providerID}\``;
  const enable = (label: string) => `\`rotary auth enable ${providerID} ${shellArg(label)}\``;
  if (input.count === 1) {
    if (disabled.length === 1) return `The only ${name} account (${disabled[0]}) is disabled; enable it with ${enable(disabled[0]!)}.`;
    const which = needsLogin[0] ? ` (${needsLogin[0]})` : '';
    return `The only ${name} account${which} needs a new login; log in again with ${login}.`;
  }
  const parts: string[] = [];
  if (needsLogin.length) parts.push(`${listLabels(needsLogin)} ${needsLogin.length === 1 ? 'needs' : 'need'} a new login (${login})`);
  if (disabled.length === 1) parts.push(`${disabled[0]} is disabled (${enable(disabled[0]!)})`);
  else if (disabled.length > 1) parts.push(`${listLabels(disabled)} are disabled (${enable(disabled[0]!)} and so on)`);
  // Without the labels (older callers) the advice still names both fixes.
  const detail = parts.length ? parts.join('; ') : `each needs a new login (${login}) or is disabled (\`rotary auth enable ${providerID} <account>\`)`;
  return `None of the ${input.count} ${name} accounts can take requests: ${detail}.`;
}

/**
 * "All 3 Anthropic accounts are rate-limited; the first frees up at 14:05 UTC+1 (in 23 min)."
 * The time carries its zone: the answer is read by a client that may run on another machine.
 */
export function allLimitedMessage(name: string, providerID: ProviderID, input: AllLimitedInput): { message: string; retryAfterSec: number } {
  const { count, earliest, now, family } = input;
  if (count === 0) {
    return { message: `No ${name} account is set up in Rotary. Add one in the Rotary app or with \`rotary auth login ${providerID}\`.`, retryAfterSec: 0 };
  }
  if (earliest === undefined) return { message: unusableMessage(name, providerID, input), retryAfterSec: 0 };
  const retryAfterSec = Math.max(1, Math.ceil((earliest - now) / 1000));
  const when = `at ${formatZonedClock(earliest, now)} (${formatIn(earliest - now)})`;
  const message =
    count === 1
      ? `The only ${name} account is rate-limited${forFamily(family)}; it frees up ${when}.`
      : `All ${count} ${name} accounts are rate-limited${forFamily(family)}; the first frees up ${when}.`;
  return { message, retryAfterSec };
}

/** Parse a JSON text, undefined when it is not JSON. */
export function tryJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function nonNegInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Headers on the answers the gateway makes itself (all but the transient 502/503, below). `x-should-retry: false` tells the official
 * SDKs and CLIs (Anthropic's and OpenAI's honour it) not to retry: the gateway has already
 * tried every account, and an SDK retry would only sleep out `retry-after` (minutes to hours)
 * before giving the user the same message.
 */
export const LOCAL_ANSWER_HEADERS: Readonly<Record<string, string>> = { 'x-should-retry': 'false' };

/**
 * Headers of the all-limited answer. `retry-after` says when the first account frees up (for
 * people and for schedulers). `retry-after-ms: 0` is for the clients that ignore
 * `x-should-retry` and would otherwise sleep the whole `retry-after` in silence before showing
 * anything: the Vercel AI SDK (opencode) reads `retry-after-ms` first, so its few retries come
 * back at once with the same answer and the user sees the message. The official SDKs read
 * `x-should-retry: false` and do not retry at all.
 */
export function limitedHeaders(retryAfterSec: number): Record<string, string> {
  return { 'retry-after': String(retryAfterSec), 'retry-after-ms': '0' };
}

/**
 * Gateway answers a client's own retry may well fix: 502 (the provider could not be reached,
 * a blip of the network) and 503 (every connection was busy for a moment, with `retry-after`).
 * These leave the SDK's retry (with its back-off) alone instead of failing the user's request at once.
 */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([502, 503]);

/** A JSON answer made by the gateway: fixed `content-type`, plus LOCAL_ANSWER_HEADERS unless the status is transient. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): LocalResponse {
  const retry = TRANSIENT_STATUSES.has(status) ? {} : LOCAL_ANSWER_HEADERS;
  return { status, headers: { 'content-type': 'application/json', ...retry, ...headers }, body: JSON.stringify(body) };
}

/** Responses (`input_tokens`/`output_tokens`) and chat completions (`prompt_tokens`/`completion_tokens`). */
export function openaiTokens(usage: Record<string, unknown> | undefined): TokenCounts | undefined {
  if (!usage) return undefined;
  const out: TokenCounts = {};
  const input = nonNegInt(usage.input_tokens) ?? nonNegInt(usage.prompt_tokens);
  const output = nonNegInt(usage.output_tokens) ?? nonNegInt(usage.completion_tokens);
  const details = asRecord(usage.input_tokens_details) ?? asRecord(usage.prompt_tokens_details);
  const cacheRead = nonNegInt(details?.cached_tokens);
  if (input !== undefined) out.input = input;
  if (output !== undefined) out.output = output;
  if (cacheRead !== undefined) out.cacheRead = cacheRead;
  return out;
}
