/**
 * Public types of the provider simulator. Tests, the demo and the CLI import from here
 * (or from `server.ts`, which re-exports everything).
 *
 * The simulator speaks the real provider endpoints (see shared/docs/PROTOCOLS.md) under the
 * `ROTARY_UPSTREAM` layout: the provider host is the first path segment, so
 * `https://api.anthropic.com/v1/messages` is served at `${sim.url}/api.anthropic.com/v1/messages`.
 */

export type SimProvider = 'anthropic' | 'openai' | 'github-copilot';
export const SIM_PROVIDERS: readonly SimProvider[] = ['anthropic', 'openai', 'github-copilot'];

/**
 * Faults queued per account; each inference request (Anthropic messages, Codex responses,
 * Copilot chat completions) consumes the first one. Auth is checked before a fault is taken,
 * so a 401 never eats a fault.
 * - `non-json-429`: 429 with an HTML body and no rate-limit headers (an edge proxy answering).
 * - `garbage-reset-headers`: a plan-limit 429 whose reset/retry-after values are not numbers.
 * - `missing-reset-headers`: a plan-limit 429 with no reset, retry-after or resets_at at all.
 * - `500` / `529`: the provider's server error / overloaded body.
 * - `reset-connection`: the socket is destroyed before any byte is sent.
 * - `non-json-200`: 200 with an HTML body.
 * - `reset-mid-stream`: headers and part of the body are sent, then the socket is destroyed.
 * - `echo-credentials`: a hostile upstream: the answer is normal but sets a cookie and echoes the
 *   request's `Authorization` and `Cookie` and the account's tokens in response headers
 *   (`x-sim-echo-*`), so tests can check the gateway never hands them to the client.
 * - `466`: Copilot's "client not supported" (outdated editor headers); other providers answer 400.
 * - `403`: Copilot refuses the Copilot token with 403 and forgets it (a re-exchanged one works);
 *   other providers answer a plain 403 permission error.
 */
export type SimFault =
  | 'non-json-429'
  | 'garbage-reset-headers'
  | 'missing-reset-headers'
  | '500'
  | '529'
  | 'reset-connection'
  | 'non-json-200'
  | 'reset-mid-stream'
  | 'echo-credentials'
  | '466'
  | '403';

export const SIM_FAULTS: readonly SimFault[] = [
  'non-json-429',
  'garbage-reset-headers',
  'missing-reset-headers',
  '500',
  '529',
  'reset-connection',
  'non-json-200',
  'reset-mid-stream',
  'echo-credentials',
  '466',
  '403',
];

/** Content codings the simulator can put on error bodies (`errorEncoding`). */
export type SimEncoding = 'gzip' | 'br' | 'deflate' | 'zstd';
export const SIM_ENCODINGS: readonly SimEncoding[] = ['gzip', 'br', 'deflate', 'zstd'];

/** A usage window. `utilization` is a fraction (1 = 100 %, may exceed 1); `resetAt` is epoch seconds. */
export interface SimWindow {
  utilization: number;
  resetAt: number;
}

/** Copilot premium-request quota (monthly). */
export interface SimPremiumQuota {
  entitlement: number;
  remaining: number;
  unlimited: boolean;
}

/** The account's current tokens, exactly what a logged-in client would hold. */
export interface SimCredentials {
  /** Anthropic `sk-ant-oat01-…`, OpenAI JWT, GitHub `gho_…`. */
  access: string;
  /** Anthropic `sk-ant-ort01-…`, OpenAI `rt_…`. GitHub tokens have none. */
  refresh?: string;
  /** Epoch ms when `access` stops working. GitHub tokens have none. */
  expires?: number;
  /** OpenAI only: the id_token JWT. */
  idToken?: string;
  /** Provider-side identity: Anthropic account uuid, ChatGPT account id, GitHub numeric user id. */
  accountId: string;
}

/** Live, mutable per-account state. Every knob may be changed at any time, also over HTTP (PATCH /__sim/accounts/:id). */
export interface SimAccount {
  readonly id: string;
  readonly provider: SimProvider;
  email: string;
  /** GitHub login (github-copilot accounts only). */
  login?: string;
  /** Provider-side id: Anthropic account uuid, ChatGPT `chatgpt_account_id`, GitHub numeric user id. */
  readonly accountId: string;
  /** Anthropic organization uuid (sent as `anthropic-organization-id`). */
  readonly organizationId: string;
  credentials(): SimCredentials;

  // ---- scripting knobs -------------------------------------------------------------------
  /** 5-hour window (Anthropic 5h; Codex primary, 300 min). Rolls over to 0 when `resetAt` passes. */
  fiveHour: SimWindow;
  /** Weekly window (Anthropic 7d; Codex secondary, 10080 min). Rolls over when `resetAt` passes. */
  sevenDay: SimWindow;
  /** Anthropic only: model-scoped weekly window, binding only for models whose name contains "sonnet". */
  sevenDaySonnet?: SimWindow;
  /** Utilization added to `fiveHour` per successful inference request (default 0.01). */
  costPerRequest: number;
  /** Utilization added to `sevenDay` per successful inference request (default 0.002). */
  weeklyCostPerRequest: number;
  /** The next N inference requests get a per-minute 429 (no window info). */
  perMinuteLimited: number;
  /** `retry-after` seconds on per-minute 429s; header omitted when undefined. */
  retryAfterSec?: number | undefined;
  /** Delay before answering each inference request (after the token check; slow upstream). */
  delayMs: number;
  /** Delay between the response headers and the first body byte. */
  firstByteDelayMs?: number | undefined;
  /** Delay between SSE events (slow stream). */
  chunkDelayMs: number;
  /**
   * Drip mode (drip.ts): streamed answers are exactly `events` SSE events `intervalMs` apart.
   * Undefined (default): off. A request's `x-sim-drip: NxD` header wins over it.
   */
  drip?: SimDrip | undefined;
  /** Queued faults for the next inference requests (consumed front first). */
  breakNext: SimFault[];
  /** When true the refresh grant fails (Anthropic `invalid_grant`, OpenAI `refresh_token_invalidated`); for GitHub the gho_ token answers 401. */
  revoked: boolean;
  /** Plan label: Anthropic `max`/`pro`, ChatGPT `plus`/`pro`, Copilot `individual`… */
  plan: string;
  /** Access-token lifetime in seconds for tokens issued from now on (Anthropic 3600, OpenAI 864000). */
  accessTtlSec: number;
  /** Anthropic: the next N `/api/oauth/usage` calls answer 429 with `retry-after: 0`. */
  usage429: number;
  /** Anthropic: `/api/oauth/usage` returns the older body without `limits[]`/`spend`. */
  usageLegacyBody: boolean;
  /** Copilot premium-request quota; each chat request spends 1 unless unlimited. */
  premium: SimPremiumQuota;
  /** Copilot token lifetime in seconds (default 1800). */
  copilotTtlSec: number;
  /** Text of the assistant reply; default names the account so tests can see who answered. */
  replyText?: string | undefined;
  /**
   * Compress inference error bodies (4xx/5xx after the token check) with this coding when the
   * request's `accept-encoding` allows it, as real front ends do. Undefined: plain bodies.
   */
  errorEncoding?: SimEncoding | undefined;
  /** Copilot: `error.code` of the 402 sent once `premium.remaining` is 0 (`quota_exceeded`, `free_quota_exceeded`, …). */
  quotaCode: string;
  /** Copilot: `retry-after` seconds on that 402; omitted when undefined (then the client must use the monthly reset). */
  quotaRetryAfterSec?: number | undefined;
  /** Copilot: `error.code` of the per-minute 429s (`user_global_rate_limited`, `user_model_rate_limited:<model>`, …). */
  rateLimitCode: string;
  /**
   * Codex: the limit type of the plan-limit 429 (body `error.type` and header
   * `x-codex-rate-limit-reached-type`): `usage_limit_reached`, `workspace_owner_usage_limit_reached`,
   * `workspace_member_credits_depleted`, `spend_control_reached`, …
   */
  limitType: string;
  /** Codex: `chatgpt_compute_residency` claim of access tokens issued from now on (undefined: no claim). */
  computeResidency?: string | undefined;
  /** Successful inference requests served by this account. */
  inferenceCount: number;
  /** Current access token now answers 401. For github-copilot: every issued Copilot token expires (the gho_ token stays valid). */
  expireAccessToken(): void;
}

/** What a refresh-grant call sent (any provider), recorded whether it succeeded or not. */
export interface SimRefreshRequest {
  at: number;
  provider: SimProvider;
  /** Simulator account id of the refresh token, when recognised. */
  accountId?: string | undefined;
  /** `client_id` as sent (undefined when missing). */
  clientId?: string | undefined;
  /** `scope` as sent (undefined when missing). */
  scope?: string | undefined;
  /** `json` or `form`, from the body. */
  bodyFormat: 'json' | 'form';
  userAgent?: string | undefined;
  /** The answer's status. */
  status: number;
}

export interface SimRequestLog {
  /** Epoch ms when the request arrived. */
  at: number;
  method: string;
  /** Provider host, i.e. the first path segment (`api.anthropic.com`, `__sim`…). */
  host: string;
  /** Path after the host, without the query string (`/v1/messages`). */
  path: string;
  /** Query string without `?` ('' when none). */
  query: string;
  /** Simulator account id (`anthropic-1`) of the token that was presented, when recognised. */
  accountId?: string | undefined;
  /** Response status; 0 while in flight or when the connection was reset. */
  status: number;
  /** All request headers, lower-case names, repeated values joined with ", ". */
  headers: Record<string, string>;
  /** Request body as text (first 256 KiB), when there was one. */
  body?: string;
}

/** Call counters. Top-level fields are totals; `byProvider` splits them. */
export interface SimCounterSet {
  /** Every call to a token endpoint (any grant, success or not; GitHub device polls included). */
  tokenCalls: number;
  /** `refresh_token` grant calls (success or not). */
  refreshCalls: number;
  /** `authorization_code` grant calls (success or not). */
  authCodeCalls: number;
  /** Usage endpoint calls (Anthropic oauth/usage, Codex wham/usage, Copilot copilot_internal/user). */
  usageCalls: number;
  /** Profile/identity calls (Anthropic oauth/profile, GitHub /user). */
  profileCalls: number;
  /** Inference calls (messages, responses, chat/completions), any outcome. */
  inferenceCalls: number;
  /** Copilot token exchanges (`copilot_internal/v2/token`). */
  copilotTokenCalls: number;
  /** GitHub device-code requests. */
  deviceCodeCalls: number;
}

export interface SimCounters extends SimCounterSet {
  byProvider: Record<SimProvider, SimCounterSet>;
}

/** GitHub device-flow settings (mutable at runtime through `sim.github`). */
export interface SimGithubSettings {
  /**
   * `interval` returned by device/code, seconds. Default 1. Fractions are fine (0.05 for fast
   * tests); 0 is served as-is but oauth4webapi rejects it (interval must be > 0).
   */
  deviceInterval: number;
  /** `expires_in` returned by device/code, seconds. Default 900. */
  deviceExpiresIn: number;
  /** Answer `slow_down` (interval + 5 s, as RFC 8628) when polled faster than the interval. Default true. */
  enforceSlowDown: boolean;
}

/** A drip-mode stream: `events` SSE events in all, `intervalMs` apart (drip.ts). */
export interface SimDrip {
  events: number;
  intervalMs: number;
}

/** Settings that apply to whichever account a request uses (mutable at runtime through `sim.anyAccount`). */
export interface SimAnyAccountSettings {
  /**
   * The next N inference requests, whichever account they use, get that account's per-minute
   * 429 (with its `retryAfterSec`), before the account's own `perMinuteLimited`. Lets a test
   * make "the first account a gateway tries" answer 429 without knowing which one it picks.
   */
  perMinuteLimited: number;
}

/** Copilot API settings (mutable at runtime through `sim.copilot`). */
export interface SimCopilotSettings {
  /**
   * Requests whose `x-github-api-version` is missing or older than this (YYYY-MM-DD) get 466
   * "client not supported", as on 2026-02-11 (PROTOCOLS §3.6). Undefined: no check.
   */
  minApiVersion?: string | undefined;
}

export interface SimulatorOptions {
  /** Default 0 (random free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * Listen backlog (default Node's 511). A provider's servers take a burst of new connections;
   * the bench raises this so a burst of 1000 streams is not capped by the simulator's accept queue.
   */
  backlog?: number;
  /** Clock in epoch ms (default Date.now); lets tests move time without fake timers. */
  now?: () => number;
  github?: Partial<SimGithubSettings>;
  copilot?: Partial<SimCopilotSettings>;
}

export interface AddAccountOptions {
  email?: string;
  /** GitHub login (github-copilot). */
  login?: string;
  accessTtlSec?: number;
  /**
   * OAuth client the account's tokens were issued to. GitHub: the app of its gho_ token
   * (default `Iv1.b507a08c87ecfe98`). Anthropic: its refresh tokens only refresh with this
   * `client_id` (default Claude Code's), like a login that carries its own `clientId`.
   */
  clientId?: string;
  /** OpenAI: `chatgpt_compute_residency` claim of its tokens (also the `computeResidency` knob). */
  computeResidency?: string;
}

export interface Simulator {
  /** `http://127.0.0.1:PORT`: the ROTARY_UPSTREAM value. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and destroys every open socket. */
  close(): Promise<void>;
  addAccount(provider: SimProvider, opts?: AddAccountOptions): SimAccount;
  /** Throws when unknown. */
  account(id: string): SimAccount;
  accounts(): SimAccount[];
  /** Every request received, in arrival order (control-API calls under /__sim/ are not logged). */
  readonly requests: SimRequestLog[];
  clearRequests(): void;
  readonly counters: SimCounters;
  resetCounters(): void;
  /** Every refresh-grant call with the fields it sent, in arrival order (cleared with clearRequests). */
  readonly refreshRequests: SimRefreshRequest[];
  readonly github: SimGithubSettings;
  readonly copilot: SimCopilotSettings;
  readonly anyAccount: SimAnyAccountSettings;
  /**
   * Plays the Claude consent page: validates the authorize query exactly like
   * `GET /claude.ai/oauth/authorize` and returns what the callback page shows as `code#state`.
   */
  anthropicAuthorize(params: URLSearchParams, accountId: string): { code: string; state: string };
  /** Plays the OpenAI consent page; returns the code and the callback URL the browser would be sent to. */
  openaiAuthorize(params: URLSearchParams, accountId: string): { code: string; state: string; location: string };
  /** The user enters `userCode` on github.com/login/device and approves as `accountId`. */
  approveDevice(userCode: string, accountId: string): void;
  denyDevice(userCode: string): void;
}
