/**
 * What the rotating fetch needs from the outside, as types only. The rotation engine knows no
 * provider: each provider implements `RotationRules` (providers/<name>/request-rules.ts) and
 * the token manager implements `CredentialSource`; the gateway hands both in.
 */
import type { ProviderID, UsageSnapshot, UsageWindow } from '../../../shared/domain.js';

/** Node/undici style headers: lower-case names. */
export type HeaderBag = Record<string, string | string[] | undefined>;

/** An answer the gateway makes itself (all-limited 429, 502 on a network error, 401…). */
export interface LocalResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What the gateway puts on an upstream request for one account. */
export interface RequestCredential {
  /** Headers to set (Authorization, ChatGPT-Account-Id, Copilot editor headers…). */
  headers: Record<string, string>;
  /** Upstream origin to use instead of the provider default (Copilot's `endpoints.api`), before ROTARY_UPSTREAM mapping. */
  baseURL?: string;
  /** Opaque fingerprint of the access token used, so a 401 refresh can tell whether someone already refreshed. */
  fingerprint: string;
  /**
   * Every token value of the account (access, refresh, an exchanged token such as Copilot's):
   * an upstream answer header that carries one of them never reaches the client.
   */
  redact?: readonly string[];
}

/** Hands out fresh credentials; owns refresh (single-flight per account, across processes). */
export interface CredentialSource {
  /** A credential for a request; refreshes first when the token is expired or about to expire. */
  credential(providerID: ProviderID, recordID: string): Promise<RequestCredential>;
  /**
   * The upstream said 401 with `failed`. Refresh once (concurrent callers share one refresh;
   * if the token already changed since `failed`, the new one is returned without refreshing).
   * Throws RotaryError('needs-reauth') when the refresh is refused for good (invalid_grant, reused token).
   */
  refreshAfter401(providerID: ProviderID, recordID: string, failed: RequestCredential): Promise<RequestCredential>;
}

/** How the rotation layer reads an upstream answer. */
export type UpstreamVerdict =
  | { kind: 'ok' }
  /**
   * Plan/window limit: cool down until `until` (epoch ms), rotate. `modelScoped`: only a
   * model-family window was rejected (Anthropic weekly Sonnet/Opus), so the cooldown binds
   * requests for the requested model's family and the account keeps serving the others.
   */
  | { kind: 'plan-limit'; until: number; reason: string; modelScoped?: boolean }
  /** Short-term limit: cool down `until`, rotate. `modelScoped` as for plan-limit (Copilot's per-model rate limit). */
  | { kind: 'rate-limit'; until: number; reason: string; modelScoped?: boolean }
  /** The token was refused (401; Copilot also 403): refresh once and retry the same account. */
  | { kind: 'unauthorized' }
  /**
   * Do not rotate, do not cool down; hand the answer to the client (5xx, 529, 4xx other than
   * the above, usage_not_included). With `explain`, the client gets the same status with this
   * message in the provider's error format instead of the upstream body (Copilot's 466).
   */
  | { kind: 'pass'; explain?: string };

/** What rotation knows about the account that got the answer, for classifiers that need more than the answer. */
export interface ClassifyContext {
  /** The account's last known usage (Copilot's monthly reset when a 402 names none). */
  usage?: UsageSnapshot | undefined;
}

export type ErrorKind = 'auth' | 'network' | 'bad-request' | 'not-found' | 'too-large' | 'needs-reauth' | 'forbidden';

export interface AllLimitedInput {
  /** Accounts of this provider (all of them unavailable). */
  count: number;
  /** Epoch ms when the first one frees up; undefined when none will (all need re-login). */
  earliest: number | undefined;
  now: number;
  /** Set when what binds is a model-family limit (`sonnet`): the message names it. */
  family?: string;
  /** Labels of the accounts that need a new login / are disabled (the message names the fix). */
  needsLogin?: string[];
  disabled?: string[];
}

/** A provider's rules for one request path, as far as rotation needs them. */
export interface RotationRules {
  readonly providerID: ProviderID;
  /** "Anthropic", "OpenAI", "GitHub Copilot" (used in messages). */
  readonly name: string;
  /** Default upstream base of the gateway route, before ROTARY_UPSTREAM. */
  readonly upstreamBase: string;
  /**
   * How an upstream answer is handled (PRODUCT §3). `bodyText` is only read for statuses in
   * `needsBody`, already decoded (gzip, br, deflate, zstd); undefined when it could not be
   * decoded, so the headers decide.
   */
  classify(status: number, headers: HeaderBag, bodyText?: string, now?: number, context?: ClassifyContext): UpstreamVerdict;
  /** Statuses whose body `classify` needs to see (small error bodies only). */
  needsBody(status: number): boolean;
  /** Passive usage from response headers; undefined when the response carries none. */
  usageFromHeaders(headers: HeaderBag, now: number): UsageSnapshot | undefined;
  /** The window the proactive switch watches (the 5-hour one); undefined when the provider has none. */
  sessionWindow(usage: UsageSnapshot | undefined): UsageWindow | undefined;
  /**
   * The account-wide long window the drain-soonest policy spends first (the weekly one;
   * Copilot: its monthly premium quota); undefined when the provider has none.
   */
  weeklyWindow(usage: UsageSnapshot | undefined): UsageWindow | undefined;
  /** A window's length (5 h, 7 d, a month) when the provider's numbers say it; undefined otherwise. */
  windowLengthMs(window: Pick<UsageWindow, 'key' | 'label'>): number | undefined;
  /** The model family a request belongs to, for model-scoped cooldowns (`sonnet`); undefined without a model. */
  modelFamily(model: string | undefined): string | undefined;
  /** The immediate answer when no account can take the request. */
  allLimitedResponse(input: AllLimitedInput): LocalResponse & { message: string; retryAfterSec: number };
  /** A gateway-made error in the provider's own error format. */
  errorResponse(status: number, kind: ErrorKind, message: string): LocalResponse;
  /** Outgoing headers: the client's minus hop-by-hop and credentials, plus the account's credential. */
  outgoingHeaders(client: HeaderBag, credential: RequestCredential, accountId?: string): Record<string, string>;
}
