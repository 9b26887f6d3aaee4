/**
 * OAuth building blocks shared by the providers: random ids, unsigned JWTs, PKCE S256 and a
 * single-use authorization-code store.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** Random base64url string of `bytes` bytes. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function randomHex(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}

export { randomUUID };

/** PKCE S256: challenge = base64url(sha256(verifier)), no padding. */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/**
 * A JWT with a random signature. Nobody can verify OpenAI's RS256 signature offline anyway;
 * clients only decode the payload, so the shape (three base64url parts) is what matters.
 */
export function mintJwt(payload: Record<string, unknown>): string {
  const header = { alg: 'RS256', typ: 'JWT', kid: 'sim-key-1' };
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${randomToken(64)}`;
}

export function decodeJwtPayload(jwt: string): Record<string, unknown> | undefined {
  const part = jwt.split('.')[1];
  if (!part) return undefined;
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** What the authorize step remembers about a code until it is redeemed. */
export interface PendingCode {
  code: string;
  accountId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  state: string;
  scope: string;
  expiresAt: number;
  redeemed: boolean;
}

export type RedeemResult = { ok: true; pending: PendingCode } | { ok: false; reason: string };

/**
 * Authorization codes: issued by the consent step, redeemed once at the token endpoint.
 * A code is consumed only by a successful redemption, so a client that sends a wrong verifier
 * by mistake gets a clear error rather than a burnt code; a second successful redeem fails.
 */
export class AuthCodeStore {
  private readonly codes = new Map<string, PendingCode>();

  issue(p: Omit<PendingCode, 'redeemed'>): PendingCode {
    const pending: PendingCode = { ...p, redeemed: false };
    this.codes.set(p.code, pending);
    return pending;
  }

  redeem(
    req: { code: unknown; clientId: unknown; redirectUri: unknown; codeVerifier: unknown; state?: unknown },
    now: number,
    opts: { checkState: boolean },
  ): RedeemResult {
    const pending = typeof req.code === 'string' ? this.codes.get(req.code) : undefined;
    if (!pending) return { ok: false, reason: 'unknown code' };
    if (pending.redeemed) return { ok: false, reason: 'code already redeemed' };
    if (now > pending.expiresAt) return { ok: false, reason: 'code expired' };
    if (req.clientId !== pending.clientId) return { ok: false, reason: 'client_id differs from authorize' };
    if (req.redirectUri !== pending.redirectUri) return { ok: false, reason: 'redirect_uri differs from authorize' };
    if (typeof req.codeVerifier !== 'string' || s256(req.codeVerifier) !== pending.codeChallenge) {
      return { ok: false, reason: 'code_verifier does not match code_challenge' };
    }
    if (opts.checkState && req.state !== pending.state) return { ok: false, reason: 'state differs from authorize' };
    pending.redeemed = true;
    return { ok: true, pending };
  }
}
