/**
 * Contracts between the provider adapters (login, refresh, usage, request rules) and
 * the rotation/gateway layer. Each provider keeps its constants in
 * `providers/<name>/constants.ts` so they can change when a provider changes.
 */
import type { ProviderID, UsageSnapshot } from '../../../shared/domain.js';

/** What the gateway puts on an upstream request for one account. */
export interface RequestCredential {
  /** Headers to set (Authorization, ChatGPT-Account-Id, Copilot editor headers…). */
  headers: Record<string, string>;
  /** Upstream origin to use instead of the provider default (Copilot's `endpoints.api`), before ROTARY_UPSTREAM mapping. */
  baseURL?: string;
  /** Opaque fingerprint of the access token used, so a 401 refresh can tell whether someone already refreshed. */
  fingerprint: string;
}

/** Hands out fresh credentials; owns refresh (single-flight per account, across processes). */
export interface TokenManager {
  /** A credential for a request; refreshes first when the token is expired or about to expire. */
  credential(providerID: ProviderID, recordID: string): Promise<RequestCredential>;
  /**
   * The upstream said 401 with `failed`. Refresh once (concurrent callers share one refresh;
   * if the token already changed since `failed`, the new one is returned without refreshing).
   * Throws RotaryError('needs-reauth') when the refresh is refused for good (invalid_grant, reused token).
   */
  refreshAfter401(providerID: ProviderID, recordID: string, failed: RequestCredential): Promise<RequestCredential>;
}

/** How the rotation layer reads an upstream answer. */
export type UpstreamVerdict =
  | { kind: 'ok' }
  /**
   * Plan/window limit: cool down until `until` (epoch ms), rotate. `modelScoped`: only a
   * model-family window was rejected (Anthropic weekly Sonnet/Opus), so the cooldown binds
   * requests for the requested model's family and the account keeps serving the others.
   */
  | { kind: 'plan-limit'; until: number; reason: string; modelScoped?: boolean }
  /** Short-term limit without window info: cool down `until`, rotate. */
  | { kind: 'rate-limit'; until: number; reason: string }
  | { kind: 'unauthorized' }
  /** Do not rotate; hand the answer to the client (5xx, 529, 4xx other than the above, usage_not_included). */
  | { kind: 'pass' };

export interface UsagePoller {
  /** Poll the usage endpoint for one account (the caller rate-limits). */
  fetchUsage(providerID: ProviderID, recordID: string): Promise<UsageSnapshot>;
}
