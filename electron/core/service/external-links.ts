/**
 * Which links the app may open in the OS browser. Only https, and only hosts the UI has a
 * reason to send the user to (provider login pages and the project's own links); a
 * compromised renderer cannot use `app:openExternal` to launch arbitrary URLs or schemes.
 */
export const EXTERNAL_HOST_ALLOW_LIST = [
  'claude.ai',
  'console.anthropic.com',
  'auth.openai.com',
  'github.com',
  'docs.github.com',
  'chatgpt.com',
  'platform.openai.com',
  'docs.anthropic.com',
  'opencode.ai',
] as const;

/**
 * `extraOrigins`: exact origins also allowed whatever their scheme — the `ROTARY_UPSTREAM`
 * origin, so login pages served by the simulator (demo, tests) can be opened too.
 */
export function isAllowedExternalUrl(raw: string, extraOrigins: readonly string[] = []): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (extraOrigins.includes(url.origin)) return true;
  if (url.protocol !== 'https:') return false;
  const host = url.hostname.toLowerCase();
  return EXTERNAL_HOST_ALLOW_LIST.some((allowed) => host === allowed);
}
