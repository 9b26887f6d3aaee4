/**
 * Anthropic (Claude Pro/Max OAuth): consent page, token endpoint, /v1/messages (JSON + SSE)
 * with the unified rate-limit headers, count_tokens, oauth/usage and oauth/profile.
 * Shapes follow shared/docs/PROTOCOLS.md §1.
 */
import { ANTHROPIC_CLIENT_ID, rollWindows, type SimAccountImpl } from './accounts.js';
import {
  bearer,
  count,
  estimateTokens,
  escapeHtml,
  fraction,
  header,
  inferencePreamble,
  nowSec,
  parseBody,
  parseJson,
  recordRefresh,
  route,
  sendHtml,
  sendJson,
  type Ctx,
  type Route,
  takePerMinuteLimit,
  type SimState,
} from './http.js';
import { randomHex, randomToken } from './oauth.js';
import { SseWriter, sseTiming } from './sse.js';
import { dripPieces } from './drip.js';
import type { SimWindow } from './types.js';

const TOKEN_HOSTS = ['platform.claude.com', 'console.anthropic.com', 'api.anthropic.com'];
const AUTHORIZE_PAGES: Array<[string, string]> = [
  ['claude.ai', '/oauth/authorize'],
  ['claude.com', '/cai/oauth/authorize'],
  ['platform.claude.com', '/oauth/authorize'],
  ['console.anthropic.com', '/oauth/authorize'],
];
const OAUTH_BETA = 'oauth-2025-04-20';
const CODE_TTL_MS = 10 * 60 * 1000;
const H = 'anthropic-ratelimit-unified';
/** Events of a streamed answer besides the text deltas (message_start, content_block_start, ping, content_block_stop, message_delta, message_stop): drip mode counts them. */
const FRAMING_EVENTS = 6;

function requestId(): string {
  return `req_sim${randomHex(12)}`;
}

function errorBody(type: string, message: string, withRequestId = false): Record<string, unknown> {
  return { type: 'error', error: { type, message }, ...(withRequestId ? { request_id: requestId() } : {}) };
}

// ---------------------------------------------------------------------------------------------
// OAuth consent + token endpoint

/**
 * Validates an authorize query and issues a code for `accountId` (or the first anthropic account
 * that never logged in, or a new one). Throws with a readable message on a bad query, which the
 * HTTP page shows as a 400.
 */
export function authorizeAnthropic(
  state: SimState,
  params: URLSearchParams,
  accountId?: string,
): { code: string; state: string; redirectUri: string; account: SimAccountImpl } {
  const need = (k: string): string => {
    const v = params.get(k);
    if (!v) throw new Error(`missing ${k}`);
    return v;
  };
  if (need('client_id') !== ANTHROPIC_CLIENT_ID) throw new Error('unknown client_id');
  if (need('response_type') !== 'code') throw new Error('response_type must be code');
  if (need('code_challenge_method') !== 'S256') throw new Error('code_challenge_method must be S256');
  const challenge = need('code_challenge');
  const redirectUri = need('redirect_uri');
  const st = need('state');
  const account = pickAccount(state, accountId ?? params.get('sim_account') ?? undefined);
  account.loginCount += 1;
  const code = randomToken(30);
  state.codes.issue({
    code,
    accountId: account.id,
    clientId: ANTHROPIC_CLIENT_ID,
    redirectUri,
    codeChallenge: challenge,
    state: st,
    scope: params.get('scope') ?? 'user:profile user:inference',
    expiresAt: state.now() + CODE_TTL_MS,
  });
  return { code, state: st, redirectUri, account };
}

function pickAccount(state: SimState, id: string | undefined): SimAccountImpl {
  if (id) {
    const acc = state.accounts.get(id);
    if (!acc || acc.provider !== 'anthropic') throw new Error(`no anthropic account ${id}`);
    return acc;
  }
  const fresh = state.accounts.list().find((a) => a.provider === 'anthropic' && a.loginCount === 0);
  return fresh ?? state.accounts.add('anthropic');
}

function codePage(code: string, st: string): string {
  const text = escapeHtml(`${code}#${st}`);
  return `<!DOCTYPE html><html><head><title>Authentication Code</title></head><body>
<h1>Authentication Code</h1><p>Paste this into Claude Code:</p>
<code id="code">${text}</code></body></html>`;
}

async function authorizePage(ctx: Ctx): Promise<void> {
  let result: ReturnType<typeof authorizeAnthropic>;
  try {
    result = authorizeAnthropic(ctx.state, ctx.query);
  } catch (e) {
    await sendHtml(ctx, 400, `<!DOCTYPE html><html><body><h1>Invalid request</h1><p id="error">${escapeHtml(String((e as Error).message))}</p></body></html>`);
    return;
  }
  ctx.log.accountId = result.account.id;
  // Automatic flow (Claude Code's local listener) gets a redirect; the paste-back flow a page.
  const target = new URL(result.redirectUri);
  if (target.hostname === 'localhost' || target.hostname === '127.0.0.1') {
    target.searchParams.set('code', result.code);
    target.searchParams.set('state', result.state);
    ctx.res.writeHead(302, { location: target.toString(), 'content-length': '0' }).end();
    return;
  }
  await sendHtml(ctx, 200, codePage(result.code, result.state));
}

async function callbackPage(ctx: Ctx): Promise<void> {
  await sendHtml(ctx, 200, codePage(ctx.query.get('code') ?? '', ctx.query.get('state') ?? ''));
}

async function tokenEndpoint(ctx: Ctx): Promise<void> {
  const { state } = ctx;
  count(state, 'anthropic', 'tokenCalls');
  const body = parseBody(ctx);
  const grant = body?.grant_type;
  if (grant === 'refresh_token') count(state, 'anthropic', 'refreshCalls');
  if (grant === 'authorization_code') count(state, 'anthropic', 'authCodeCalls');
  if (!body || (grant !== 'refresh_token' && grant !== 'authorization_code')) {
    await sendJson(ctx, 400, { error: 'unsupported_grant_type' });
    return;
  }
  if (grant === 'refresh_token') recordRefresh(ctx, 'anthropic', body);
  // A refresh token names its own client (a login may carry its own clientId); rotate() checks that one.
  if (grant === 'authorization_code' && body.client_id !== ANTHROPIC_CLIENT_ID) {
    await sendJson(ctx, 400, { error: 'invalid_client', error_description: 'Invalid client_id' });
    return;
  }
  if (grant === 'authorization_code') {
    const r = state.codes.redeem(
      { code: body.code, clientId: body.client_id, redirectUri: body.redirect_uri, codeVerifier: body.code_verifier, state: body.state },
      state.now(),
      { checkState: true },
    );
    if (!r.ok) {
      // x-sim-reason is not upstream behaviour: it tells a failing test which check tripped.
      await sendJson(ctx, 400, { error: 'invalid_grant', error_description: "Invalid 'code' in request." }, { 'x-sim-reason': r.reason });
      return;
    }
    const acc = state.accounts.get(r.pending.accountId);
    if (!acc) throw new Error('account vanished');
    ctx.log.accountId = acc.id;
    await sendTokens(ctx, acc, r.pending.scope.split(/\s+/));
    return;
  }
  const r = state.accounts.rotate(body.refresh_token, body.scope, body.client_id);
  ctx.log.accountId = r.account?.id;
  if (!r.ok) {
    await sendJson(ctx, 400, { error: 'invalid_grant' }, { 'x-sim-reason': `refresh token ${r.reason}` });
    return;
  }
  await sendJsonTokens(ctx, r.account, r.scopes);
}

async function sendTokens(ctx: Ctx, acc: SimAccountImpl, scopes: string[]): Promise<void> {
  ctx.state.accounts.issue(acc, scopes);
  await sendJsonTokens(ctx, acc, scopes);
}

function sendJsonTokens(ctx: Ctx, acc: SimAccountImpl, scopes: string[]): Promise<void> {
  const c = acc.credentials();
  return sendJson(ctx, 200, {
    token_type: 'Bearer',
    access_token: c.access,
    expires_in: acc.accessTtlSec,
    refresh_token: c.refresh,
    scope: scopes.join(' '),
    organization: { uuid: acc.organizationId, name: `${acc.email}'s Organization` },
    account: { uuid: acc.accountId, email_address: acc.email },
  });
}

// ---------------------------------------------------------------------------------------------
// Unified rate-limit headers (§1.7)

type WindowName = 'five_hour' | 'seven_day' | 'seven_day_sonnet';
interface NamedWindow {
  claim: WindowName;
  /** Header infix: `5h`, `7d`, `7d_sonnet`. */
  key: string;
  w: SimWindow;
}

function windowStatus(u: number): string {
  if (u >= 1) return 'rejected';
  return u >= 0.8 ? 'allowed_warning' : 'allowed';
}

/** Windows that bind for this model; the Sonnet window only for Sonnet models. */
function bindingWindows(acc: SimAccountImpl, model: string): NamedWindow[] {
  const list: NamedWindow[] = [
    { claim: 'five_hour', key: '5h', w: acc.fiveHour },
    { claim: 'seven_day', key: '7d', w: acc.sevenDay },
  ];
  if (acc.sevenDaySonnet && /sonnet/i.test(model)) list.push({ claim: 'seven_day_sonnet', key: '7d_sonnet', w: acc.sevenDaySonnet });
  return list;
}

/** The first exhausted window (5h before 7d before Sonnet), or undefined. */
function exhausted(acc: SimAccountImpl, model: string): NamedWindow | undefined {
  return bindingWindows(acc, model).find((n) => n.w.utilization >= 1);
}

function unifiedHeaders(acc: SimAccountImpl, model: string): Record<string, string> {
  const wins = bindingWindows(acc, model);
  const rejected = wins.find((n) => n.w.utilization >= 1);
  const binding = rejected ?? wins.reduce((a, b) => (b.w.utilization > a.w.utilization ? b : a));
  const overall = rejected ? 'rejected' : wins.some((n) => n.w.utilization >= 0.8) ? 'allowed_warning' : 'allowed';
  const h: Record<string, string> = {
    [`${H}-status`]: overall,
    [`${H}-reset`]: String(binding.w.resetAt),
    [`${H}-representative-claim`]: binding.claim,
    [`${H}-fallback-percentage`]: '0.5',
    [`${H}-overage-status`]: 'rejected',
    [`${H}-overage-disabled-reason`]: 'out_of_credits',
    'anthropic-organization-id': acc.organizationId,
  };
  for (const n of wins) {
    h[`${H}-${n.key}-status`] = windowStatus(n.w.utilization);
    h[`${H}-${n.key}-utilization`] = fraction(n.w.utilization);
    h[`${H}-${n.key}-reset`] = String(n.w.resetAt);
  }
  if (acc.sevenDay.utilization >= 0.75) h[`${H}-7d-surpassed-threshold`] = '0.75';
  return h;
}

// ---------------------------------------------------------------------------------------------
// /v1/messages

async function authenticate(ctx: Ctx, scope: string): Promise<SimAccountImpl | undefined> {
  const token = bearer(ctx);
  if (!token && header(ctx, 'x-api-key')) {
    await sendJson(ctx, 401, errorBody('authentication_error', 'invalid x-api-key'));
    return undefined;
  }
  const auth = ctx.state.accounts.authenticate(token, ['access']);
  ctx.log.accountId = ctx.state.accounts.ownerOf(token);
  const acc = auth.ok ? auth.account : undefined;
  if (!auth.ok || acc?.provider !== 'anthropic') {
    await sendJson(ctx, 401, errorBody('authentication_error', 'Invalid bearer token'), { 'request-id': requestId() });
    return undefined;
  }
  if (!auth.record.scopes.includes(scope)) {
    await sendJson(ctx, 403, errorBody('permission_error', `OAuth token does not meet scope requirement ${scope}`));
    return undefined;
  }
  return acc;
}

/** OAuth tokens need the oauth beta flag and the usual anthropic-version, as upstream. */
async function checkApiHeaders(ctx: Ctx): Promise<boolean> {
  const betas = (header(ctx, 'anthropic-beta') ?? '').split(',').map((s) => s.trim());
  if (!betas.includes(OAUTH_BETA)) {
    await sendJson(ctx, 401, errorBody('authentication_error', 'OAuth authentication is currently not supported.', true));
    return false;
  }
  if (!header(ctx, 'anthropic-version')) {
    await sendJson(ctx, 400, errorBody('invalid_request_error', 'anthropic-version: header is required', true));
    return false;
  }
  return true;
}

async function messages(ctx: Ctx): Promise<void> {
  const { state } = ctx;
  count(state, 'anthropic', 'inferenceCalls');
  const acc = await authenticate(ctx, 'user:inference');
  if (!acc || !(await checkApiHeaders(ctx))) return;
  const body = parseJson(ctx);
  if (!body || typeof body.model !== 'string') {
    await sendJson(ctx, 400, errorBody('invalid_request_error', body ? 'model: Field required' : 'Invalid JSON body', true));
    return;
  }
  const model = body.model;
  rollWindows(acc, nowSec(state));

  const pre = await inferencePreamble(ctx, acc);
  if (pre.done) return;
  const base = { 'request-id': requestId(), ...unifiedHeaders(acc, model) };
  switch (pre.fault) {
    case '500':
      await sendJson(ctx, 500, errorBody('api_error', 'Internal server error', true), base);
      return;
    case '529':
      await sendJson(ctx, 529, errorBody('overloaded_error', 'Overloaded', true), base);
      return;
    case 'garbage-reset-headers':
      await sendJson(ctx, 429, planLimitBody(), {
        'request-id': requestId(),
        [`${H}-status`]: 'rejected',
        [`${H}-representative-claim`]: 'five_hour',
        [`${H}-reset`]: 'soon',
        [`${H}-5h-status`]: 'rejected',
        [`${H}-5h-utilization`]: 'lots',
        [`${H}-5h-reset`]: 'NaN',
        'retry-after': 'banana',
      });
      return;
    case 'missing-reset-headers':
      await sendJson(ctx, 429, planLimitBody(), {
        'request-id': requestId(),
        [`${H}-status`]: 'rejected',
        [`${H}-5h-status`]: 'rejected',
      });
      return;
    default:
      break;
  }

  if (takePerMinuteLimit(ctx.state, acc)) {
    const extra: Record<string, string> = acc.retryAfterSec !== undefined ? { 'retry-after': String(acc.retryAfterSec) } : {};
    await sendJson(
      ctx,
      429,
      errorBody(
        'rate_limit_error',
        'Number of requests has exceeded your per-minute rate limit. Please try again later.',
        true,
      ),
      { ...base, ...extra },
    );
    return;
  }

  const hit = exhausted(acc, model);
  if (hit) {
    await sendJson(ctx, 429, planLimitBody(), planLimitHeaders(acc, hit, nowSec(state)));
    return;
  }

  // Headers show the state before this request is charged, so a test sees exactly what it set.
  acc.fiveHour.utilization += acc.costPerRequest;
  acc.sevenDay.utilization += acc.weeklyCostPerRequest;
  if (acc.sevenDaySonnet && /sonnet/i.test(model)) acc.sevenDaySonnet.utilization += acc.weeklyCostPerRequest;
  acc.inferenceCount += 1;

  const text = acc.replyText ?? `Hello from ${acc.email} (simulated ${model}).`;
  const inputTokens = estimateTokens(JSON.stringify([body.system ?? '', body.messages ?? []]));
  const outputTokens = estimateTokens(text);
  const id = `msg_sim${randomHex(12)}`;
  const usage = { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: outputTokens };

  if (body.stream === true) {
    await streamMessage(ctx, acc, base, { id, model, text, usage });
    return;
  }
  await sendJson(
    ctx,
    200,
    {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage,
    },
    base,
    acc.firstByteDelayMs,
  );
}

/** Splits text into word-sized deltas (at least two, so clients see a real stream). */
export function chunksOf(text: string): string[] {
  const parts = text.match(/\S+\s*/g) ?? [text];
  return parts.length > 1 ? parts : [text.slice(0, Math.ceil(text.length / 2)), text.slice(Math.ceil(text.length / 2))];
}

async function streamMessage(
  ctx: Ctx,
  acc: SimAccountImpl,
  headers: Record<string, string>,
  m: { id: string; model: string; text: string; usage: Record<string, number> },
): Promise<void> {
  const sse = new SseWriter(ctx, sseTiming(ctx, acc));
  await sse.open(200, headers);
  await sse.event('message_start', {
    type: 'message_start',
    message: {
      id: m.id,
      type: 'message',
      role: 'assistant',
      model: m.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...m.usage, output_tokens: 1 },
    },
  });
  await sse.event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  await sse.event('ping', { type: 'ping' });
  const chunks = ctx.drip ? dripPieces(m.text, ctx.drip, FRAMING_EVENTS) : chunksOf(m.text);
  for (const [i, piece] of chunks.entries()) {
    await sse.event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } });
    if (ctx.midStreamReset && i === 0) {
      sse.destroy();
      return;
    }
  }
  await sse.event('content_block_stop', { type: 'content_block_stop', index: 0 });
  await sse.event('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: m.usage.output_tokens },
  });
  await sse.event('message_stop', { type: 'message_stop' });
  sse.end();
}

function planLimitBody(): Record<string, unknown> {
  return errorBody('rate_limit_error', "This request would exceed your account's rate limit. Please try again later.", true);
}

/** Exactly the header set of the real plan-limit 429 capture (PROTOCOLS §1.7), plus unified-reset. */
function planLimitHeaders(acc: SimAccountImpl, hit: NamedWindow, nowS: number): Record<string, string> {
  const h: Record<string, string> = {
    'request-id': requestId(),
    'anthropic-organization-id': acc.organizationId,
    [`${H}-status`]: 'rejected',
    [`${H}-reset`]: String(hit.w.resetAt),
    [`${H}-representative-claim`]: hit.claim,
    [`${H}-5h-status`]: windowStatus(acc.fiveHour.utilization),
    [`${H}-5h-utilization`]: fraction(acc.fiveHour.utilization),
    [`${H}-5h-reset`]: String(acc.fiveHour.resetAt),
    [`${H}-7d-status`]: windowStatus(acc.sevenDay.utilization),
    [`${H}-7d-utilization`]: fraction(acc.sevenDay.utilization),
    [`${H}-7d-reset`]: String(acc.sevenDay.resetAt),
    [`${H}-overage-status`]: 'rejected',
    [`${H}-overage-disabled-reason`]: 'out_of_credits',
    'retry-after': String(Math.max(0, hit.w.resetAt - nowS)),
  };
  if (hit.claim === 'seven_day_sonnet') {
    h[`${H}-7d_sonnet-status`] = 'rejected';
    h[`${H}-7d_sonnet-utilization`] = fraction(hit.w.utilization);
    h[`${H}-7d_sonnet-reset`] = String(hit.w.resetAt);
  }
  return h;
}

async function countTokens(ctx: Ctx): Promise<void> {
  const acc = await authenticate(ctx, 'user:inference');
  if (!acc || !(await checkApiHeaders(ctx))) return;
  const body = parseJson(ctx);
  await sendJson(ctx, 200, { input_tokens: estimateTokens(JSON.stringify([body?.system ?? '', body?.messages ?? []])) });
}

// ---------------------------------------------------------------------------------------------
// /api/oauth/usage and /api/oauth/profile (§1.4, §1.6)

/**
 * `2026-07-19T03:39:59.570750+00:00`: like the real body, a fraction of a second before the
 * header's whole-second reset, with microseconds and a `+00:00` offset.
 */
export function isoMicros(epochS: number): string {
  return new Date((epochS - 1) * 1000).toISOString().replace(/\.\d{3}Z$/, '.570750+00:00');
}

function usageWindow(w: SimWindow | undefined): Record<string, unknown> | null {
  if (!w) return null;
  return {
    utilization: Math.round(w.utilization * 1000) / 10,
    resets_at: isoMicros(w.resetAt),
    limit_dollars: null,
    used_dollars: null,
    remaining_dollars: null,
  };
}

function limitEntry(kind: string, group: string, w: SimWindow, active: boolean, scope: unknown): Record<string, unknown> {
  const percent = Math.round(w.utilization * 100);
  return {
    kind,
    group,
    percent,
    severity: percent >= 75 ? 'warning' : 'normal',
    resets_at: isoMicros(w.resetAt),
    scope,
    is_active: active,
  };
}

export function usageBody(acc: SimAccountImpl): Record<string, unknown> {
  const base: Record<string, unknown> = {
    five_hour: usageWindow(acc.fiveHour),
    seven_day: usageWindow(acc.sevenDay),
    seven_day_oauth_apps: null,
    seven_day_opus: null,
    seven_day_sonnet: usageWindow(acc.sevenDaySonnet),
    seven_day_cowork: null,
    iguana_necktie: null,
    extra_usage: {
      is_enabled: false,
      monthly_limit: null,
      used_credits: 0.0,
      utilization: null,
      currency: 'USD',
      decimal_places: 2,
      disabled_reason: null,
      daily: null,
      weekly: null,
    },
  };
  if (acc.usageLegacyBody) return base;
  const candidates: Array<[string, SimWindow]> = [
    ['session', acc.fiveHour],
    ['weekly_all', acc.sevenDay],
  ];
  if (acc.sevenDaySonnet) candidates.push(['weekly_scoped', acc.sevenDaySonnet]);
  const top = candidates.reduce((a, b) => (b[1].utilization > a[1].utilization ? b : a));
  const limits = candidates.map(([kind, w]) =>
    limitEntry(
      kind,
      kind === 'session' ? 'session' : 'weekly',
      w,
      kind === top[0],
      kind === 'weekly_scoped' ? { model: { id: null, display_name: 'Sonnet' }, surface: null } : null,
    ),
  );
  return {
    ...base,
    seven_day_omelette: null,
    tangelo: null,
    omelette_promotional: null,
    nimbus_quill: null,
    cinder_cove: null,
    amber_ladder: null,
    limits,
    spend: {
      used: { amount_minor: 0, currency: 'USD', exponent: 2 },
      limit: null,
      percent: 0,
      severity: 'normal',
      enabled: false,
      disabled_reason: null,
      cap: null,
      balance: null,
      auto_reload: null,
      disclaimer: 'Simulated.',
      can_purchase_credits: false,
      can_toggle: false,
    },
    member_dashboard_available: false,
  };
}

async function usage(ctx: Ctx): Promise<void> {
  count(ctx.state, 'anthropic', 'usageCalls');
  const acc = await authenticate(ctx, 'user:profile');
  if (!acc) return;
  if (acc.usage429 > 0) {
    acc.usage429 -= 1;
    await sendJson(ctx, 429, { error: { message: 'Rate limited. Please try again later.', type: 'rate_limit_error' } }, { 'retry-after': '0' });
    return;
  }
  rollWindows(acc, nowSec(ctx.state));
  await sendJson(ctx, 200, usageBody(acc));
}

async function profile(ctx: Ctx): Promise<void> {
  count(ctx.state, 'anthropic', 'profileCalls');
  const acc = await authenticate(ctx, 'user:profile');
  if (!acc) return;
  const name = acc.email.split('@')[0] ?? acc.email;
  await sendJson(ctx, 200, {
    account: {
      uuid: acc.accountId,
      email: acc.email,
      full_name: name,
      display_name: name,
      has_claude_max: acc.plan === 'max',
      has_claude_pro: acc.plan === 'pro',
    },
    organization: {
      uuid: acc.organizationId,
      name: `${acc.email}'s Organization`,
      organization_type: acc.plan === 'max' ? 'claude_max' : 'claude_pro',
      rate_limit_tier: acc.plan === 'max' ? 'default_claude_max_20x' : 'default_claude_ai',
      seat_tier: null,
      subscription_status: 'active',
      has_extra_usage_enabled: false,
    },
  });
}

export function anthropicRoutes(): Route[] {
  return [
    route('POST', 'api.anthropic.com', '/v1/messages', messages),
    route('POST', 'api.anthropic.com', '/v1/messages/count_tokens', countTokens),
    route('GET', 'api.anthropic.com', '/api/oauth/usage', usage),
    route('GET', 'api.anthropic.com', '/api/oauth/profile', profile),
    route('POST', TOKEN_HOSTS, '/v1/oauth/token', tokenEndpoint),
    ...AUTHORIZE_PAGES.map(([host, path]) => route('GET', host, path, authorizePage)),
    route('GET', ['platform.claude.com', 'console.anthropic.com'], '/oauth/code/callback', callbackPage),
  ];
}
