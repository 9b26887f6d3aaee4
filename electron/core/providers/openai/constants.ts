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
/** Label of a Codex window a week long (both parsers name it so); the drain-soonest policy spends it first. */
export const CODEX_WEEKLY_LABEL = 'Weekly';
