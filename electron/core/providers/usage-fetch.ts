/**
 * Shared plumbing for the three usage endpoints: one GET, one error type that tells the
 * poller whether to back off (429), refresh the token once (401) or just report.
 */
import type { UsageSnapshot } from '../../../shared/domain.js';
import { RotaryError } from '../errors.js';
import { providerFetch, readJson, type ProviderHttpContext } from './http.js';

export class UsageFetchError extends RotaryError {
  readonly status: number;
  /** From `retry-after` when it is a positive number of seconds (Anthropic often sends 0). */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, status: number, retryAfterMs?: number) {
    super('provider-error', message);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

export interface UsageContext extends ProviderHttpContext {
  now: number;
}

export type UsageFetcher = (credential: { headers: Record<string, string> }, ctx: UsageContext) => Promise<UsageSnapshot>;

/** GET a usage endpoint and hand the JSON body to `parse`. */
export async function getUsage(
  ctx: UsageContext,
  what: string,
  url: string,
  headers: Record<string, string>,
  parse: (body: unknown, now: number) => UsageSnapshot,
): Promise<UsageSnapshot> {
  const res = await providerFetch(ctx, what, url, { headers: { accept: 'application/json', ...headers } });
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    const retry = Number(res.headers.get('retry-after'));
    const retryAfterMs = Number.isFinite(retry) && retry > 0 ? retry * 1000 : undefined;
    const hint =
      res.status === 429
        ? 'it is rate-limiting usage checks; Rotary will retry later'
        : res.status === 401
          ? 'the token was not accepted'
          : res.status === 403
            ? 'the login lacks the permission to read usage'
            : 'try again later';
    throw new UsageFetchError(`${what} answered HTTP ${res.status} (${hint}).`, res.status, retryAfterMs);
  }
  return parse(await readJson(res, what), ctx.now);
}
