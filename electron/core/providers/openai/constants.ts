/**
 * ChatGPT / Codex constants (UNCERTAIN values from PROTOCOLS.md live only here).
 */
export const CODEX_API_BASE = 'https://chatgpt.com/backend-api/codex';
export const CHATGPT_BACKEND_BASE = 'https://chatgpt.com/backend-api';

/** OpenAI's auth issuer (PROTOCOLS §2.1). */
export const OPENAI_ISSUER = 'https://auth.openai.com';
/** The Codex CLI's public client id, the de facto path for third-party clients. */
export const OPENAI_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
export const OPENAI_AUTHORIZE_URL = `${OPENAI_ISSUER}/oauth/authorize`;
export const OPENAI_TOKEN_URL = `${OPENAI_ISSUER}/oauth/token`;
/** opencode's scope set; the Codex CLI also asks for api.connectors.*, which Rotary does not use. */
export const OPENAI_SCOPES = 'openid profile email offline_access';
/** The loopback ports on OpenAI's redirect allow-list: 1455, then 1457 when 1455 is busy. */
export const OPENAI_CALLBACK_PORTS = [1455, 1457] as const;
export const OPENAI_CALLBACK_PATH = '/auth/callback';
/** Redirect URI for a callback port (OpenAI registers `localhost`, not 127.0.0.1). */
export function openaiRedirectUri(port: number): string {
  return `http://localhost:${port}${OPENAI_CALLBACK_PATH}`;
}
/** Sent as `originator` on authorize and inference. UNCERTAIN whether the backend checks it. */
export const OPENAI_ORIGINATOR = 'codex_cli_rs';
export const CHATGPT_USAGE_URL = `${CHATGPT_BACKEND_BASE}/wham/usage`;
/** JWT claim namespace holding `chatgpt_account_id`, `chatgpt_plan_type`… */
export const OPENAI_AUTH_CLAIM = 'https://api.openai.com/auth';
/** Codex-style UA; the backend 5xx-es requests that look like generic clients (PROTOCOLS §2.4). UNCERTAIN format details. */
export const CODEX_USER_AGENT = 'codex_cli_rs/0.50.0 (Linux; x86_64) rotary';
/** Gateway route `/openai/*` forwards to this base (through applyUpstream). */
export const CODEX_GATEWAY_BASE = CODEX_API_BASE;
/** Longest Codex window (weekly) plus slack: a reset further out is garbage. */
export const CODEX_MAX_RESET_MS = 8 * 24 * 3600 * 1000;
/**
 * Label of a Codex window 300 minutes long. Codex numbers its windows (primary/secondary), so
 * the header and usage-endpoint parsers both name the 5-hour one with this constant and the
 * proactive switch finds it by it.
 */
export const CODEX_FIVE_HOUR_LABEL = '5-hour';
/**
 * 429 types that mean a plan limit: cool down until their reset and rotate (PROTOCOLS §2.6,
 * §2.7). The `workspace_*` and `spend_control_reached` ones are named for the ChatGPT
 * workspace and may bind every pooled account of the same workspace at once (UNCERTAIN):
 * rotation then meets the same 429 on each and ends with the all-limited answer.
 */
export const CODEX_PLAN_LIMIT_TYPES: ReadonlySet<string> = new Set([
  'usage_limit_reached',
  'workspace_member_usage_limit_reached',
  'workspace_owner_usage_limit_reached',
  'workspace_member_credits_depleted',
  'spend_control_reached',
]);
/** The plan does not include this model or feature: do not rotate (another account of the plan gets the same). */
export const CODEX_NOT_INCLUDED_TYPE = 'usage_not_included';
/** Header naming the limit that was hit; same values as the 429 body's `error.type` (PROTOCOLS §2.5). */
export const CODEX_LIMIT_TYPE_HEADER = 'x-codex-rate-limit-reached-type';
/**
 * Compute-residency header (PROTOCOLS §2.4): set from the pooled account's access-token claim,
 * never passed through from the client (whose value describes its own login).
 */
export const CODEX_RESIDENCY_HEADER = 'x-openai-internal-codex-residency';
export const CODEX_RESIDENCY_CLAIM = 'chatgpt_compute_residency';
/** The claim value that means "no residency requirement": no header then (as opencode). */
export const CODEX_RESIDENCY_UNCONSTRAINED = 'no_constraint';
/** Label of a Codex window a week long (both parsers name it so); the drain-soonest policy spends it first. */
export const CODEX_WEEKLY_LABEL = 'Weekly';
