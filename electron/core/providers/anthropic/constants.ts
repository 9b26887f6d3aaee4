/**
 * Anthropic (Claude Pro/Max) constants. Values marked UNCERTAIN in PROTOCOLS.md live
 * here only, so a provider change is a one-file edit.
 */
export const ANTHROPIC_API_BASE = 'https://api.anthropic.com';
/** Required on every OAuth-authenticated API call. */
export const ANTHROPIC_OAUTH_BETA = 'oauth-2025-04-20';

/** Claude Code's public OAuth client id (PROTOCOLS §1.1). */
export const ANTHROPIC_CLIENT_ID = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';
/** Claude.ai (Pro/Max) consent page. The newer `claude.com/cai/oauth/authorize` redirects here. */
export const ANTHROPIC_AUTHORIZE_URL = 'https://claude.ai/oauth/authorize';
/** Current token endpoint (the console.anthropic.com one still works but is throttled harder). */
export const ANTHROPIC_TOKEN_URL = 'https://platform.claude.com/v1/oauth/token';
/** Paste-back redirect: the page shows `code#state` for the user to copy. */
export const ANTHROPIC_REDIRECT_URI = 'https://platform.claude.com/oauth/code/callback';
/**
 * Scopes of Claude Code's default login. `user:profile` is needed for the usage endpoint.
 * UNCERTAIN: newer builds also ask for `user:plugins`; left out until it is confirmed.
 */
export const ANTHROPIC_SCOPES = [
  'org:create_api_key',
  'user:profile',
  'user:inference',
  'user:sessions:claude_code',
  'user:mcp_servers',
  'user:file_upload',
].join(' ');
export const ANTHROPIC_PROFILE_URL = `${ANTHROPIC_API_BASE}/api/oauth/profile`;
export const ANTHROPIC_USAGE_URL = `${ANTHROPIC_API_BASE}/api/oauth/usage`;
/**
 * User-Agent for token/profile/usage calls. Claude Code sends axios's UA on these; `claude-code/*`
 * and `claude-cli/*` UAs were throttled on the token endpoint for hours (PROTOCOLS §0).
 * UNCERTAIN: the exact axios version does not matter as far as anyone has seen.
 */
export const ANTHROPIC_AUTH_USER_AGENT = 'axios/1.13.6';
/** Gateway route `/anthropic/*` forwards to this base (through applyUpstream). */
export const ANTHROPIC_GATEWAY_BASE = ANTHROPIC_API_BASE;
/** Longest window Anthropic reports (7 days) plus slack: a reset further out is garbage. */
export const ANTHROPIC_MAX_RESET_MS = 8 * 24 * 3600 * 1000;
/** Stable key of the 5-hour window in usage snapshots (headers and the usage endpoint); the proactive switch watches it. */
export const ANTHROPIC_FIVE_HOUR_KEY = 'five_hour';
/**
 * Claude Code's macOS login-Keychain item (PROTOCOLS §1.3, §4.6): a generic password under the
 * user's name holding the same JSON as `.credentials.json`. With a custom config dir the
 * service name gets `-<first 8 hex of sha256(dir)>`. UNCERTAIN: whether Claude Code hashes the
 * path as given or resolved; both names are tried.
 */
export const CLAUDE_CODE_KEYCHAIN_SERVICE = 'Claude Code-credentials';
/** The account-wide weekly window (the drain-soonest policy spends the one that resets first). */
export const ANTHROPIC_WEEKLY_KEY = 'seven_day';
export const ANTHROPIC_FIVE_HOUR_MS = 5 * 3600 * 1000;
/** Every other Anthropic window (weekly all, Sonnet, Opus, scoped) is a 7-day one. */
export const ANTHROPIC_WEEK_MS = 7 * 24 * 3600 * 1000;
