/**
 * Who may talk to the gateway: only local tools that know the key. The server listens on
 * 127.0.0.1 only; on top of that a foreign `Host` (DNS rebinding) and any browser `Origin`
 * are refused, and the key is compared in constant time.
 */
import crypto, { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export function digest(value: string): Buffer {
  // One-shot hash (Node ≥ 20.12) is cheaper than createHash() on every request.
  return typeof crypto.hash === 'function' ? crypto.hash('sha256', value, 'buffer') : crypto.createHash('sha256').update(value).digest();
}

/** Constant-time key check over equal-length digests. */
export function createKeyCheck(key: string): (headers: IncomingHttpHeaders) => boolean {
  const expected = digest(key);
  const matches = (presented: string | undefined): boolean => presented !== undefined && presented !== '' && timingSafeEqual(digest(presented), expected);
  return (headers) => {
    const apiKey = headers['x-api-key'];
    if (typeof apiKey === 'string' && matches(apiKey.trim())) return true;
    const auth = headers.authorization;
    if (typeof auth === 'string') {
      const m = /^bearer\s+(.+)$/i.exec(auth.trim());
      if (m && matches(m[1]!.trim())) return true;
    }
    return false;
  };
}

/** `Host` must name this server by its loopback name (anything else is a rebinding attempt or a mistake). */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}`;
}

/** The gateway's own origins (the web UI mounted on the same server). */
export function isSameOrigin(origin: string, port: number): boolean {
  const o = origin.toLowerCase();
  return o === `http://127.0.0.1:${port}` || o === `http://localhost:${port}`;
}
