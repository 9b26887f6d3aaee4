/**
 * Checks every web-transport request passes before it reaches the service: the page must be
 * ours (same origin — a browser page elsewhere cannot drive the API even if it guesses the
 * port) and must hold the gateway key.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type GuardVerdict = { ok: true } | { ok: false; status: 401 | 403; message: string };

/** `http://127.0.0.1:<port>` and its `localhost` twin: the origins our own page can have. */
export function ownOrigins(gatewayUrl: string): string[] {
  const url = new URL(gatewayUrl);
  const port = url.port ? `:${url.port}` : '';
  return [...new Set([url.origin, `${url.protocol}//127.0.0.1${port}`, `${url.protocol}//localhost${port}`])];
}

/**
 * Same origin only. An `Origin` header, when present, must be exactly ours; `Sec-Fetch-Site`,
 * when present, must say the request came from our own origin (`none` — typed into the
 * address bar — is allowed only where `allowNavigation`, i.e. for the static UI).
 */
export function checkOrigin(headers: IncomingHttpHeaders, origins: string[], allowNavigation = false): GuardVerdict {
  const origin = headers.origin;
  if (origin !== undefined && !origins.includes(origin)) {
    return { ok: false, status: 403, message: 'Requests from other origins are refused.' };
  }
  const site = headers['sec-fetch-site'];
  if (site !== undefined) {
    const allowed = site === 'same-origin' || (allowNavigation && site === 'none');
    if (!allowed) return { ok: false, status: 403, message: 'Cross-site requests are refused.' };
  }
  return { ok: true };
}

/** Constant-time comparison of an `Authorization: Bearer <key>` header with the gateway key. */
export function bearerMatches(header: string | undefined, key: string): boolean {
  if (!header || !key) return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return false;
  // Hash both sides so the comparison is constant-time whatever the lengths.
  const a = createHash('sha256').update(match[1]!).digest();
  const b = createHash('sha256').update(key).digest();
  return timingSafeEqual(a, b);
}
