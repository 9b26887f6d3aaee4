/**
 * The renderer's Content-Security-Policy, one string for every place that sends it: the
 * Electron session header (window-options.ts) and the web transport's index.html header.
 * renderer/index.html carries the same policy (minus `form-action`, which a meta tag ignores
 * anyway) so the page is protected even when opened some other way.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');
