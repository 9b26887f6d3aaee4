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
/** Editor headers the Copilot API expects; added only when the client did not send its own. */
export const COPILOT_EDITOR_HEADERS: Record<string, string> = {
  'editor-version': 'vscode/1.99.3',
  'editor-plugin-version': 'copilot-chat/0.26.7',
  'copilot-integration-id': 'vscode-chat',
  'user-agent': 'GitHubCopilotChat/0.26.7',
  'openai-intent': 'conversation-panel',
  'x-github-api-version': '2025-04-01',
};
