/**
 * GitHub Copilot: device flow on github.com, /user, the Copilot token exchange, the quota
 * endpoint and chat/completions (JSON + SSE). Shapes follow shared/docs/PROTOCOLS.md §3.
 */
import { randomBytes } from 'node:crypto';
import { GITHUB_CLIENT_IDS, GITHUB_DIRECT_CLIENT_ID, rollWindows, type SimAccountImpl } from './accounts.js';
import type { SimWindow } from './types.js';
import {
  bearer,
  count,
  escapeHtml,
  estimateTokens,
  header,
  inferencePreamble,
  nowSec,
  parseBody,
  parseJson,
  route,
  send,
  sendHtml,
  sendJson,
  type Ctx,
  type Route,
  takePerMinuteLimit,
  type SimState,
} from './http.js';
import { chunksOf } from './anthropic.js';
import { randomHex } from './oauth.js';
import { SseWriter, sseTiming } from './sse.js';
import { dripPieces } from './drip.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const COPILOT_API = 'https://api.githubcopilot.com';
/** Chunks of a streamed answer besides the text deltas (role, finish with usage, [DONE]): drip mode counts them. */
const FRAMING_EVENTS = 3;

// ---------------------------------------------------------------------------------------------
// Device flow state

interface DeviceGrant {
  deviceCode: string;
  userCode: string;
  clientId: string;
  expiresAt: number;
  /** Seconds; grows by 5 on every slow_down, as RFC 8628 says. */
  interval: number;
  lastPollAt?: number;
  status: 'pending' | 'approved' | 'denied' | 'redeemed';
  accountId?: string;
}

export class DeviceStore {
  private readonly grants = new Map<string, DeviceGrant>();

  create(clientId: string, now: number, interval: number, expiresIn: number): DeviceGrant {
    const letters = [...randomBytes(4)].map((b) => 'BCDFGHJKLMNPQRSTVWXZ'[b % 20]).join('');
    const digits = [...randomBytes(4)].map((b) => String(b % 10)).join('');
    const grant: DeviceGrant = {
      deviceCode: randomHex(20),
      userCode: `${letters}-${digits}`,
      clientId,
      expiresAt: now + expiresIn * 1000,
      interval,
      status: 'pending',
    };
    this.grants.set(grant.deviceCode, grant);
    return grant;
  }

  byDeviceCode(code: unknown): DeviceGrant | undefined {
    return typeof code === 'string' ? this.grants.get(code) : undefined;
  }

  byUserCode(userCode: string): DeviceGrant | undefined {
    const want = userCode.trim().toUpperCase();
    return [...this.grants.values()].find((g) => g.userCode === want);
  }

  pending(): DeviceGrant[] {
    return [...this.grants.values()].filter((g) => g.status === 'pending');
  }
}

/** The user typed `userCode` on github.com/login/device and approved as `accountId`. */
export function approveDevice(state: SimState, devices: DeviceStore, userCode: string, accountId: string): void {
  const grant = devices.byUserCode(userCode);
  if (!grant || grant.status !== 'pending') throw new Error(`no pending device code ${userCode}`);
  const acc = state.accounts.get(accountId);
  if (!acc || acc.provider !== 'github-copilot') throw new Error(`no github-copilot account ${accountId}`);
  grant.status = 'approved';
  grant.accountId = acc.id;
}

export function denyDevice(devices: DeviceStore, userCode: string): void {
  const grant = devices.byUserCode(userCode);
  if (!grant || grant.status !== 'pending') throw new Error(`no pending device code ${userCode}`);
  grant.status = 'denied';
}

/** GitHub answers form-encoded unless the client asks for JSON; clients that forget get bitten. */
function sendGithub(ctx: Ctx, status: number, body: Record<string, string | number>): Promise<void> {
  if ((header(ctx, 'accept') ?? '').includes('json')) return sendJson(ctx, status, body);
  const form = new URLSearchParams(Object.entries(body).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return send(ctx, status, form, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
}

function githubError(error: string, description: string, extra: Record<string, string | number> = {}): Record<string, string | number> {
  return { error, error_description: description, error_uri: `https://docs.github.com/developers/apps/authorizing-oauth-apps#${error}`, ...extra };
}

function deviceRoutes(devices: DeviceStore): Route[] {
  const deviceCode = async (ctx: Ctx): Promise<void> => {
    const { state } = ctx;
    count(state, 'github-copilot', 'deviceCodeCalls');
    const body = parseBody(ctx) ?? {};
    const clientId = String(body.client_id ?? '');
    if (!(GITHUB_CLIENT_IDS as readonly string[]).includes(clientId)) {
      await sendGithub(ctx, 400, githubError('incorrect_client_credentials', 'The client_id is not valid.'));
      return;
    }
    const g = devices.create(clientId, state.now(), state.github.deviceInterval, state.github.deviceExpiresIn);
    await sendGithub(ctx, 200, {
      device_code: g.deviceCode,
      user_code: g.userCode,
      verification_uri: `${state.url}/github.com/login/device`,
      expires_in: state.github.deviceExpiresIn,
      interval: g.interval,
    });
  };

  const accessToken = async (ctx: Ctx): Promise<void> => {
    const { state } = ctx;
    count(state, 'github-copilot', 'tokenCalls');
    const body = parseBody(ctx) ?? {};
    if (body.grant_type !== DEVICE_GRANT) {
      await sendGithub(ctx, 200, githubError('unsupported_grant_type', 'The grant type is not supported.'));
      return;
    }
    if (!(GITHUB_CLIENT_IDS as readonly string[]).includes(String(body.client_id ?? ''))) {
      await sendGithub(ctx, 200, githubError('incorrect_client_credentials', 'The client_id is not valid.'));
      return;
    }
    const g = devices.byDeviceCode(body.device_code);
    if (!g || g.status === 'redeemed' || g.clientId !== body.client_id) {
      await sendGithub(ctx, 200, githubError('incorrect_device_code', 'The device_code provided is not valid.'));
      return;
    }
    const now = state.now();
    if (now >= g.expiresAt) {
      await sendGithub(ctx, 200, githubError('expired_token', 'The device_code has expired.'));
      return;
    }
    // 10 % slack: a client that sleeps exactly `interval` must not be punished for timer jitter.
    const tooFast = g.lastPollAt !== undefined && now - g.lastPollAt < g.interval * 1000 * 0.9;
    g.lastPollAt = now;
    if (state.github.enforceSlowDown && tooFast) {
      g.interval += 5;
      await sendGithub(ctx, 200, githubError('slow_down', 'Too many requests have been made in the same amount of time.', { interval: g.interval }));
      return;
    }
    if (g.status === 'denied') {
      await sendGithub(ctx, 200, githubError('access_denied', 'The authorization request was denied.'));
      return;
    }
    if (g.status === 'pending') {
      await sendGithub(ctx, 200, githubError('authorization_pending', 'The authorization request is still pending.'));
      return;
    }
    const acc = g.accountId ? state.accounts.get(g.accountId) : undefined;
    if (!acc) throw new Error('approved device grant without account');
    g.status = 'redeemed';
    acc.githubClientId = g.clientId;
    acc.loginCount += 1;
    ctx.log.accountId = acc.id;
    const creds = state.accounts.issue(acc, ['read:user']);
    await sendGithub(ctx, 200, { access_token: creds.access, token_type: 'bearer', scope: 'read:user' });
  };

  /** The page a browser test (or a human running `npm run sim`) uses to approve a code. */
  const devicePage = async (ctx: Ctx): Promise<void> => {
    const options = ctx.state.accounts
      .list()
      .filter((a) => a.provider === 'github-copilot')
      .map((a) => `<option value="${escapeHtml(a.id)}">${escapeHtml(`${a.login ?? a.id} (${a.id})`)}</option>`)
      .join('');
    await sendHtml(
      ctx,
      200,
      `<!DOCTYPE html><html><head><title>Device activation</title></head><body>
<h1>Device activation (simulated)</h1>
<form method="post" action="/__sim/github/device">
<label>Code <input name="user_code" id="user_code" value="${escapeHtml(ctx.query.get('user_code') ?? '')}"></label>
<label>Account <select name="account_id" id="account_id">${options}</select></label>
<button name="action" value="approve" id="approve">Authorize</button>
<button name="action" value="deny" id="deny">Cancel</button>
</form></body></html>`,
    );
  };

  return [
    route('POST', 'github.com', '/login/device/code', deviceCode),
    route('POST', 'github.com', '/login/oauth/access_token', accessToken),
    route('GET', 'github.com', '/login/device', devicePage),
  ];
}

// ---------------------------------------------------------------------------------------------
// api.github.com

async function githubAuth(ctx: Ctx): Promise<SimAccountImpl | undefined> {
  const token = bearer(ctx);
  const auth = ctx.state.accounts.authenticate(token, ['github']);
  ctx.log.accountId = ctx.state.accounts.ownerOf(token);
  if (!auth.ok) {
    await sendJson(ctx, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    return undefined;
  }
  return auth.account;
}

async function user(ctx: Ctx): Promise<void> {
  count(ctx.state, 'github-copilot', 'profileCalls');
  const acc = await githubAuth(ctx);
  if (!acc) return;
  await sendJson(ctx, 200, {
    login: acc.login,
    id: Number(acc.accountId),
    node_id: `U_sim${acc.accountId}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${acc.accountId}?v=4`,
    type: 'User',
    site_admin: false,
    name: acc.login,
    email: acc.email,
  });
}

async function copilotToken(ctx: Ctx): Promise<void> {
  count(ctx.state, 'github-copilot', 'copilotTokenCalls');
  const acc = await githubAuth(ctx);
  if (!acc) return;
  // Tokens of opencode's own app cannot be exchanged (PROTOCOLS §3.1).
  if (acc.githubClientId === GITHUB_DIRECT_CLIENT_ID) {
    await sendJson(ctx, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
    return;
  }
  const { token, expiresAt } = ctx.state.accounts.issueCopilotToken(acc);
  const ttl = acc.copilotTtlSec;
  await sendJson(ctx, 200, {
    token,
    expires_at: expiresAt,
    refresh_in: ttl > 300 ? ttl - 300 : Math.floor(ttl / 2),
    endpoints: {
      api: COPILOT_API,
      proxy: 'https://copilot-proxy.githubusercontent.com',
      telemetry: 'https://copilot-telemetry.githubusercontent.com',
      'origin-tracker': 'https://origin-tracker.githubusercontent.com',
    },
    sku: 'monthly_subscriber_quota',
    individual: true,
    chat_enabled: true,
    annotations_enabled: true,
    tracking_id: randomHex(16),
  });
}

/** First day of next month, 00:00 UTC: when the premium quota resets. */
export function monthlyReset(nowMs: number): Date {
  const d = new Date(nowMs);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
}

async function copilotUser(ctx: Ctx): Promise<void> {
  count(ctx.state, 'github-copilot', 'usageCalls');
  const acc = await githubAuth(ctx);
  if (!acc) return;
  const reset = monthlyReset(ctx.state.now());
  const p = acc.premium;
  const percent = p.unlimited || p.entitlement <= 0 ? 100 : (Math.max(0, p.remaining) / p.entitlement) * 100;
  await sendJson(ctx, 200, {
    login: acc.login,
    copilot_plan: acc.plan,
    access_type_sku: 'monthly_subscriber_quota',
    chat_enabled: true,
    assigned_date: '2025-01-01T00:00:00Z',
    can_signup_for_limited: false,
    organization_login_list: [],
    organization_list: [],
    quota_reset_date: reset.toISOString().slice(0, 10),
    quota_reset_date_utc: reset.toISOString(),
    quota_snapshots: {
      premium_interactions: {
        entitlement: p.entitlement,
        remaining: Math.max(0, p.remaining),
        quota_remaining: Math.max(0, p.remaining),
        percent_remaining: Math.round(percent * 10) / 10,
        unlimited: p.unlimited,
        overage_count: 0,
        overage_permitted: false,
        quota_id: 'premium_interactions',
      },
      chat: { entitlement: 0, remaining: 0, quota_remaining: 0, percent_remaining: 100.0, unlimited: true, overage_count: 0, overage_permitted: false, quota_id: 'chat' },
      completions: { entitlement: 0, remaining: 0, quota_remaining: 0, percent_remaining: 100.0, unlimited: true, overage_count: 0, overage_permitted: false, quota_id: 'completions' },
    },
  });
}

// ---------------------------------------------------------------------------------------------
// api.githubcopilot.com

/** Copilot token from the exchange, or (opencode's app) the gho_ token itself. */
function copilotAuth(ctx: Ctx): { ok: true; account: SimAccountImpl } | { ok: false; expired: boolean } {
  const token = bearer(ctx);
  const { accounts } = ctx.state;
  ctx.log.accountId = accounts.ownerOf(token);
  const auth = accounts.authenticate(token, ['copilot', 'github']);
  if (!auth.ok) return { ok: false, expired: auth.reason === 'expired' };
  if (auth.record.kind === 'github' && auth.account.githubClientId !== GITHUB_DIRECT_CLIENT_ID) return { ok: false, expired: false };
  return { ok: true, account: auth.account };
}

/** Copilot's usage headers (PROTOCOLS §3.5), URL-encoded like the real ones: `ent=300&ov=0.0&ovPerm=false&rem=42.3&rst=2026-07-01T00%3A00%3A00.000Z`. */
function usageHeaders(acc: SimAccountImpl, nowMs: number): Record<string, string> {
  const p = acc.premium;
  const encode = (ent: number, rem: number, rst: number): string =>
    new URLSearchParams({ ent: String(ent), ov: '0.0', ovPerm: 'false', rem: String(Math.round(rem * 10) / 10), rst: new Date(rst).toISOString() }).toString();
  const premiumRem = p.unlimited || p.entitlement <= 0 ? 100 : (Math.max(0, p.remaining) / p.entitlement) * 100;
  const window = (w: SimWindow): string => encode(0, Math.max(0, 100 - w.utilization * 100), w.resetAt * 1000);
  return {
    'x-quota-snapshot-premium_interactions': encode(p.unlimited ? -1 : p.entitlement, premiumRem, monthlyReset(nowMs).getTime()),
    'x-quota-snapshot-chat': encode(-1, 100, monthlyReset(nowMs).getTime()),
    'x-usage-ratelimit-session': window(acc.fiveHour),
    'x-usage-ratelimit-weekly': window(acc.sevenDay),
  };
}

/** The 402 Copilot sends once a quota is used up (PROTOCOLS §3.6): a code, maybe a retry-after. */
function quotaExceeded(acc: SimAccountImpl): Record<string, unknown> {
  return {
    error: {
      message: 'You have exceeded your premium request allowance. Upgrade your plan or wait for your allowance to renew.',
      code: acc.quotaCode,
    },
  };
}

/** `2026-06-01` < `2026-06-02`: the dated API versions sort as text. */
function apiVersionTooOld(ctx: Ctx): boolean {
  const min = ctx.state.copilot.minApiVersion;
  if (!min) return false;
  const sent = header(ctx, 'x-github-api-version');
  return !sent || sent.trim() < min;
}

async function chatCompletions(ctx: Ctx): Promise<void> {
  const { state } = ctx;
  count(state, 'github-copilot', 'inferenceCalls');
  const auth = copilotAuth(ctx);
  if (!auth.ok) {
    await sendJson(ctx, 401, { error: { message: auth.expired ? 'unauthorized: token expired' : 'unauthorized: invalid token', code: 'unauthorized' } });
    return;
  }
  const acc = auth.account;
  const body = parseJson(ctx);
  if (!body) {
    await sendJson(ctx, 400, { error: { message: 'invalid JSON body', code: 'invalid_request_body' } });
    return;
  }
  const nowS = nowSec(state);
  rollWindows(acc, nowS);
  const pre = await inferencePreamble(ctx, acc);
  if (pre.done) return;
  const ids = { 'x-request-id': randomHex(16), 'x-github-request-id': randomHex(8).toUpperCase() };
  const base = { ...ids, ...usageHeaders(acc, state.now()) };
  const clientNotSupported = (): Promise<void> =>
    sendJson(ctx, 466, { error: { message: 'client not supported: please update your editor and the GitHub Copilot extension', code: 'client_not_supported' } }, ids);
  if (apiVersionTooOld(ctx)) {
    await clientNotSupported();
    return;
  }
  switch (pre.fault) {
    case '500':
      await sendJson(ctx, 500, { error: { message: 'Internal Server Error', code: 'internal_error' } }, base);
      return;
    case '529':
      await sendJson(ctx, 529, { error: { message: 'The service is overloaded', code: 'overloaded' } }, base);
      return;
    case '466':
      await clientNotSupported();
      return;
    case '403':
      // The Copilot token is refused and forgotten; one exchanged anew works.
      acc.expireAccessToken();
      await sendJson(ctx, 403, { error: { message: 'Forbidden: the Copilot token is no longer valid', code: 'forbidden' } }, ids);
      return;
    case 'garbage-reset-headers':
      await sendJson(ctx, 402, quotaExceeded(acc), { ...ids, 'retry-after': 'banana', 'x-quota-snapshot-premium_interactions': 'ent=lots&rem=none&rst=never' });
      return;
    case 'missing-reset-headers':
      await sendJson(ctx, 402, quotaExceeded(acc), ids);
      return;
    default:
      break;
  }
  if (takePerMinuteLimit(ctx.state, acc)) {
    const extra: Record<string, string> = acc.retryAfterSec !== undefined ? { 'retry-after': String(acc.retryAfterSec) } : {};
    const wait = acc.retryAfterSec ?? 60;
    const global = !acc.rateLimitCode.startsWith('user_model');
    await sendJson(
      ctx,
      429,
      {
        error: {
          message: global
            ? `Sorry, you've hit a rate limit that restricts the number of Copilot model requests you can make within a specific time period. Please try again in ${wait} seconds.`
            : `Sorry, you've hit a rate limit for this model. Please try again in ${wait} seconds or switch to another model.`,
          code: acc.rateLimitCode,
        },
      },
      { ...base, ...extra, 'x-ratelimit-exceeded': acc.rateLimitCode.split(':')[0]! },
    );
    return;
  }
  if (!acc.premium.unlimited && acc.premium.remaining <= 0) {
    const extra: Record<string, string> = acc.quotaRetryAfterSec !== undefined ? { 'retry-after': String(acc.quotaRetryAfterSec) } : {};
    await sendJson(ctx, 402, quotaExceeded(acc), { ...base, ...extra });
    return;
  }
  if (!acc.premium.unlimited) acc.premium.remaining -= 1;
  acc.fiveHour.utilization += acc.costPerRequest;
  acc.sevenDay.utilization += acc.weeklyCostPerRequest;
  acc.inferenceCount += 1;

  const model = typeof body.model === 'string' ? body.model : 'gpt-4.1';
  const text = acc.replyText ?? `Hello from ${acc.login ?? acc.email} (simulated ${model}).`;
  const id = `chatcmpl-sim${randomHex(10)}`;
  const created = nowSec(state);
  const usage = {
    prompt_tokens: estimateTokens(JSON.stringify(body.messages ?? [])),
    completion_tokens: estimateTokens(text),
    total_tokens: 0,
  };
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;

  if (body.stream !== true) {
    await sendJson(
      ctx,
      200,
      {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage,
      },
      base,
      acc.firstByteDelayMs,
    );
    return;
  }
  const sse = new SseWriter(ctx, sseTiming(ctx, acc));
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...extra,
  });
  await sse.open(200, base);
  await sse.event(undefined, chunk({ role: 'assistant', content: '' }, null));
  for (const [i, piece] of (ctx.drip ? dripPieces(text, ctx.drip, FRAMING_EVENTS) : chunksOf(text)).entries()) {
    await sse.event(undefined, chunk({ content: piece }, null));
    if (ctx.midStreamReset && i === 0) {
      sse.destroy();
      return;
    }
  }
  await sse.event(undefined, chunk({}, 'stop', { usage }));
  await sse.event(undefined, '[DONE]');
  sse.end();
}

export function copilotRoutes(devices: DeviceStore): Route[] {
  return [
    ...deviceRoutes(devices),
    route('GET', 'api.github.com', '/user', user),
    route('GET', 'api.github.com', '/copilot_internal/v2/token', copilotToken),
    route('GET', 'api.github.com', '/copilot_internal/user', copilotUser),
    route('POST', 'api.githubcopilot.com', '/chat/completions', chatCompletions),
  ];
}
