/**
 * The one way provider modules talk HTTP: every URL goes through `applyUpstream`, network
 * failures and non-JSON answers become RotaryErrors with messages a user can act on, and
 * token-endpoint refusals are classified as permanent (log in again) or transient (retry).
 * Tokens never appear in these messages.
 */
import * as oauth from 'oauth4webapi';
import { RotaryError } from '../errors.js';
import { applyUpstream } from '../upstream.js';

export interface ProviderHttpContext {
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** `fetch` with ROTARY_UPSTREAM applied; `what` names the endpoint in error messages ("the Claude token endpoint"). */
export async function providerFetch(ctx: ProviderHttpContext, what: string, url: string, init: RequestInit = {}): Promise<Response> {
  const target = applyUpstream(url, ctx.env.ROTARY_UPSTREAM);
  try {
    return await fetch(target, { ...init, ...(ctx.signal ? { signal: ctx.signal } : {}), redirect: 'manual' });
  } catch (error) {
    if (ctx.signal?.aborted) throw new RotaryError('cancelled', `The request to ${what} was cancelled.`, { cause: error });
    const reason = describeNetworkError(error);
    throw new RotaryError('provider-error', `Could not reach ${what} (${new URL(url).host}): ${reason}. Check the connection and try again.`, { cause: error });
  }
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** Parsed JSON body, or a clear error when the answer is an HTML error page or empty. */
export async function readJson(res: Response, what: string): Promise<unknown> {
  const text = await res.text().catch(() => '');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const type = res.headers.get('content-type')?.split(';')[0] ?? 'no content type';
    throw new RotaryError(
      'provider-error',
      `${what} answered HTTP ${res.status} with something that is not JSON (${type}${text.trim() ? '' : ', empty'}). The service may be down; try again later.`,
    );
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** OAuth error code from the shapes providers use: `{error:"x"}` or `{error:{code|type:"x"}}`. */
export function oauthErrorCode(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  const error = body.error;
  if (typeof error === 'string') return error;
  if (isObject(error)) {
    if (typeof error.code === 'string') return error.code;
    if (typeof error.type === 'string') return error.type;
  }
  return undefined;
}

/** Refresh-token errors that mean the grant is gone for good. */
const PERMANENT_CODES = new Set([
  'invalid_grant',
  'refresh_token_reused',
  'refresh_token_expired',
  'refresh_token_invalidated',
  'invalid_client',
  'unauthorized_client',
  'bad_refresh_token',
]);

/**
 * A token endpoint said no. `permanent` = the stored grant is dead (needs a new login);
 * otherwise it is worth retrying later (429, 5xx, network).
 */
export class TokenEndpointError extends RotaryError {
  readonly permanent: boolean;
  readonly oauthError: string | undefined;
  readonly status: number;
  constructor(message: string, details: { permanent: boolean; oauthError?: string; status: number }) {
    super(details.permanent ? 'auth-failed' : 'provider-error', message);
    this.permanent = details.permanent;
    this.oauthError = details.oauthError;
    this.status = details.status;
  }
}

export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in?: number;
  raw: Record<string, unknown>;
}

/**
 * Read a token endpoint answer. Non-2xx and error bodies become TokenEndpointError; 400/401
 * (and known permanent codes) are permanent, 429/5xx transient.
 */
export async function readTokenResponse(res: Response, what: string): Promise<TokenResponse> {
  let body: unknown;
  try {
    body = await readJson(res, what);
  } catch (error) {
    // Not JSON: an edge proxy page. Only a 400/401 would mean the grant is dead; keep it transient.
    throw new TokenEndpointError((error as Error).message, { permanent: false, status: res.status });
  }
  const code = oauthErrorCode(body);
  if (!res.ok || code) {
    const permanent = res.status === 400 || res.status === 401 || (code !== undefined && PERMANENT_CODES.has(code));
    const transient = res.status === 429 || res.status >= 500;
    const label = code ? `${code}` : `HTTP ${res.status}`;
    const message = transient
      ? `${what} is not answering properly right now (${label}). Try again in a minute.`
      : `${what} refused the request (${label}).`;
    throw new TokenEndpointError(message, { permanent: permanent && !transient, ...(code ? { oauthError: code } : {}), status: res.status });
  }
  if (!isObject(body) || typeof body.access_token !== 'string' || !body.access_token) {
    throw new TokenEndpointError(`${what} answered without an access token.`, { permanent: false, status: res.status });
  }
  return {
    access_token: body.access_token,
    ...(typeof body.refresh_token === 'string' && body.refresh_token ? { refresh_token: body.refresh_token } : {}),
    ...(typeof body.id_token === 'string' && body.id_token ? { id_token: body.id_token } : {}),
    ...(typeof body.expires_in === 'number' && Number.isFinite(body.expires_in) ? { expires_in: body.expires_in } : {}),
    raw: body,
  };
}

/** Lenient timestamp parse: ISO with microseconds/offset/`Z`, epoch seconds or ms; undefined when absent or garbage. */
export function parseTime(value: unknown): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e12 ? value * 1000 : value;
  if (typeof value !== 'string') return undefined;
  // JS Date understands milliseconds only: cut longer fractions (`.570750`) to three digits.
  const normalized = value.trim().replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(normalized);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Short, non-reversible fingerprint of a token (for "has it changed?" checks and logs). */
export { tokenFingerprint } from './fingerprint.js';

// ------------------------------------------------------------------ oauth4webapi calls

/** Options for oauth4webapi calls: the simulator is plain http, and errors carry our own messages. */
export function oauthRequestOptions(ctx: ProviderHttpContext): oauth.TokenEndpointRequestOptions {
  return {
    [oauth.allowInsecureRequests]: Boolean(ctx.env.ROTARY_UPSTREAM?.startsWith('http:')),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
}

/** Run an oauth4webapi request, turning network failures into clear errors. */
export async function oauthCall(ctx: ProviderHttpContext, what: string, call: () => Promise<Response>): Promise<Response> {
  try {
    return await call();
  } catch (error) {
    if (ctx.signal?.aborted) throw new TokenEndpointError(`The request to ${what} was cancelled.`, { permanent: false, status: 0 });
    const cause = (error as { cause?: { code?: string } })?.cause?.code ?? (error instanceof Error ? error.message : String(error));
    throw new TokenEndpointError(`Could not reach ${what}: ${cause}. Check the connection and try again.`, { permanent: false, status: 0 });
  }
}
