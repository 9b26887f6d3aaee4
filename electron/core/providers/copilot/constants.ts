/**
 * GitHub Copilot constants (UNCERTAIN values from PROTOCOLS.md live only here).
 */
/** Copilot's premium-request quota resets monthly; a month, for forecasts, is 30 days. */
export const COPILOT_QUOTA_PERIOD_MS = 30 * 24 * 3600 * 1000;

export const COPILOT_API_BASE = 'https://api.githubcopilot.com';

/**
 * GitHub OAuth app used for the device flow: the legacy VS Code Copilot app, the only one
 * whose tokens can be exchanged at copilot_internal/v2/token. UNCERTAIN: GitHub asked others
 * not to reuse it (PROTOCOLS §0); swap here if Rotary gets its own app.
 */
export const GITHUB_CLIENT_ID = 'Iv1.b507a08c87ecfe98';
export const GITHUB_SCOPE = 'read:user';
export const GITHUB_DEVICE_CODE_URL = 'https://github.com/login/device/code';
export const GITHUB_TOKEN_URL = 'https://github.com/login/oauth/access_token';
export const GITHUB_API_BASE = 'https://api.github.com';
export const GITHUB_USER_URL = `${GITHUB_API_BASE}/user`;
export const COPILOT_TOKEN_URL = `${GITHUB_API_BASE}/copilot_internal/v2/token`;
export const COPILOT_USAGE_URL = `${GITHUB_API_BASE}/copilot_internal/user`;
/** RFC 8628 §3.5: on `slow_down` the interval grows by 5 s. */
export const DEVICE_SLOW_DOWN_STEP_MS = 5_000;
/** Refresh the Copilot token this long before GitHub's `refresh_in` says to (copilot-api uses 60 s). */
export const COPILOT_REFRESH_MARGIN_MS = 60_000;
/** Gateway route `/copilot/*` forwards here unless the Copilot token names its own `endpoints.api`. */
export const COPILOT_GATEWAY_BASE = COPILOT_API_BASE;
/** Premium quota resets monthly: a reset further out than this is garbage. */
export const COPILOT_MAX_RESET_MS = 32 * 24 * 3600 * 1000;
/** Who the client is, on every GitHub/Copilot call. Outdated values get HTTP 466 on chat (PROTOCOLS §3.4, §3.6). */
const COPILOT_CLIENT_HEADERS: Record<string, string> = {
  'editor-version': 'vscode/1.107.0',
  'editor-plugin-version': 'copilot-chat/0.35.0',
  'copilot-integration-id': 'vscode-chat',
  'user-agent': 'GitHubCopilotChat/0.35.0',
};
/**
 * Headers the chat API expects; added only when the client did not send its own. The API
 * version is the one the language server 1.539.0 and opencode 1.18.33 send (checked 2026-12).
 * UNCERTAIN: the editor/plugin versions are only "current enough"; bump them when 466 appears.
 */
export const COPILOT_EDITOR_HEADERS: Record<string, string> = {
  ...COPILOT_CLIENT_HEADERS,
  'openai-intent': 'conversation-panel',
  'x-github-api-version': '2026-06-01',
};
/** Headers for the GitHub API calls (token exchange, quota endpoint), which still take the older API version (PROTOCOLS §3.3, §3.5). */
export const COPILOT_GITHUB_API_HEADERS: Record<string, string> = {
  ...COPILOT_CLIENT_HEADERS,
  'x-github-api-version': '2025-04-01',
};
/** HTTP status Copilot answers when the client headers are outdated ("client not supported"); every account gets it. */
export const COPILOT_CLIENT_NOT_SUPPORTED_STATUS = 466;
/** 402 `error.code`s: a plan quota is used up (PROTOCOLS §3.6). Older reports sent `quota_exceeded` as a 429. */
export const COPILOT_QUOTA_CODES: ReadonlySet<string> = new Set([
  'quota_exceeded',
  'free_quota_exceeded',
  'overage_limit_reached',
  'billing_not_configured',
  'additional_spend_limit_reached',
]);
/**
 * 429 `error.code`s (the part before any `:suffix`) and whether the limit binds one model only.
 * UNCERTAIN: the language server words `model_overloaded` and `integration_rate_limited` as
 * "high demand" (capacity, where another account may not help); they still rotate, with the
 * short retry-after cooldown, since rotating costs one request and waiting costs the user.
 */
export const COPILOT_RATE_LIMIT_CODES: ReadonlyMap<string, { modelScoped: boolean }> = new Map([
  ['user_global_rate_limited', { modelScoped: false }],
  ['user_model_rate_limited', { modelScoped: true }],
  ['integration_rate_limited', { modelScoped: false }],
  ['model_overloaded', { modelScoped: true }],
  ['agent_mode_limit_exceeded', { modelScoped: false }],
]);
/** Usage headers on chat answers (PROTOCOLS §3.5): premium quota (the language server prefers `premium_models`), free users' chat quota, rate limits. */
export const COPILOT_PREMIUM_QUOTA_HEADERS = ['x-quota-snapshot-premium_models', 'x-quota-snapshot-premium_interactions'] as const;
export const COPILOT_CHAT_QUOTA_HEADER = 'x-quota-snapshot-chat';
export const COPILOT_RATE_LIMIT_HEADERS = [
  { header: 'x-usage-ratelimit-session', key: 'session', label: 'Session' },
  { header: 'x-usage-ratelimit-weekly', key: 'weekly', label: 'Weekly' },
] as const;
/** Usage-window key of the monthly premium quota (the quota endpoint and the headers both fill it). */
export const COPILOT_PREMIUM_KEY = 'premium';
export const COPILOT_PREMIUM_LABEL = 'Premium requests (monthly)';
