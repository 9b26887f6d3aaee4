/**
 * OpenAI / ChatGPT Codex: authorize redirect, token endpoint (PKCE exchange, rotating refresh),
 * the Codex Responses SSE endpoint with `x-codex-*` headers, and wham/usage.
 * Shapes follow shared/docs/PROTOCOLS.md §2.
 */
import { OPENAI_CLIENT_ID, OPENAI_DEFAULT_SCOPES, rollWindows, type SimAccountImpl } from './accounts.js';
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
  recordRefresh,
  route,
  sendHtml,
  sendJson,
  type Ctx,
  type Route,
  takePerMinuteLimit,
  type SimState,
} from './http.js';
import { chunksOf } from './anthropic.js';
import { randomHex, randomToken } from './oauth.js';
import { SseWriter, sseTiming } from './sse.js';
import { dripPieces } from './drip.js';
import type { SimWindow } from './types.js';

const CODE_TTL_MS = 10 * 60 * 1000;
const PRIMARY_MINUTES = 300;
const SECONDARY_MINUTES = 10080;
/** Events of a streamed answer besides the text deltas (created, in_progress, codex.rate_limits, item/part added and done, text done, completed): drip mode counts them. */
const FRAMING_EVENTS = 9;

function validRedirect(uri: string): boolean {
  // Upstream allows only ports 1455/1457; the simulator accepts any loopback port so tests can
  // run their callback server on a free port.
  try {
    const u = new URL(uri);
    if (uri === 'https://auth.openai.com/deviceauth/callback') return true;
    return u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '127.0.0.1');
  } catch {
    return false;
  }
}

/** Validates an authorize query and issues a code; throws a readable Error on a bad query. */
export function authorizeOpenai(
  state: SimState,
  params: URLSearchParams,
  accountId?: string,
): { code: string; state: string; location: string; account?: SimAccountImpl } {
  const need = (k: string): string => {
    const v = params.get(k);
    if (!v) throw new Error(`missing ${k}`);
    return v;
  };
  if (need('client_id') !== OPENAI_CLIENT_ID) throw new Error('unknown client_id');
  if (need('response_type') !== 'code') throw new Error('response_type must be code');
  if (need('code_challenge_method') !== 'S256') throw new Error('code_challenge_method must be S256');
  const challenge = need('code_challenge');
  const redirectUri = need('redirect_uri');
  const st = need('state');
  if (!validRedirect(redirectUri)) throw new Error('redirect_uri not allowed');
  const location = new URL(redirectUri);
  if (params.get('sim_deny') === '1') {
    location.searchParams.set('error', 'access_denied');
    location.searchParams.set('error_description', 'missing_codex_entitlement');
    location.searchParams.set('state', st);
    return { code: '', state: st, location: location.toString() };
  }
  const id = accountId ?? params.get('sim_account') ?? undefined;
  let account: SimAccountImpl | undefined;
  if (id) {
    account = state.accounts.get(id);
    if (!account || account.provider !== 'openai') throw new Error(`no openai account ${id}`);
  } else {
    account =
      state.accounts.list().find((a) => a.provider === 'openai' && a.loginCount === 0) ?? state.accounts.add('openai');
  }
  account.loginCount += 1;
  const code = `ac_sim${randomToken(32)}`;
  state.codes.issue({
    code,
    accountId: account.id,
    clientId: OPENAI_CLIENT_ID,
    redirectUri,
    codeChallenge: challenge,
    state: st,
    scope: params.get('scope') ?? OPENAI_DEFAULT_SCOPES.join(' '),
    expiresAt: state.now() + CODE_TTL_MS,
  });
  location.searchParams.set('code', code);
  location.searchParams.set('scope', params.get('scope') ?? OPENAI_DEFAULT_SCOPES.join(' '));
  location.searchParams.set('state', st);
  return { code, state: st, location: location.toString(), account };
}

async function authorizePage(ctx: Ctx): Promise<void> {
  try {
    const r = authorizeOpenai(ctx.state, ctx.query);
    ctx.log.accountId = r.account?.id;
    ctx.res.writeHead(302, { location: r.location, 'content-length': '0' }).end();
  } catch (e) {
    await sendHtml(ctx, 400, `<!DOCTYPE html><html><body><p id="error">${escapeHtml((e as Error).message)}</p></body></html>`);
  }
}

function refreshError(code: string, message: string): Record<string, unknown> {
  return { error: { message, type: 'invalid_request_error', param: null, code } };
}

async function tokenEndpoint(ctx: Ctx): Promise<void> {
  const { state } = ctx;
  count(state, 'openai', 'tokenCalls');
  const body = parseBody(ctx);
  const grant = body?.grant_type;
  if (grant === 'refresh_token') count(state, 'openai', 'refreshCalls');
  if (grant === 'authorization_code') count(state, 'openai', 'authCodeCalls');
  if (!body || (grant !== 'refresh_token' && grant !== 'authorization_code')) {
    await sendJson(ctx, 400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant type' });
    return;
  }
  if (grant === 'refresh_token') recordRefresh(ctx, 'openai', body);
  if (body.client_id !== OPENAI_CLIENT_ID) {
    await sendJson(ctx, 401, { error: 'invalid_client', error_description: 'Unknown client' });
    return;
  }
  if (grant === 'authorization_code') {
    // The Codex exchange does not send `state` (the client checks it on its callback).
    const r = state.codes.redeem(
      { code: body.code, clientId: body.client_id, redirectUri: body.redirect_uri, codeVerifier: body.code_verifier },
      state.now(),
      { checkState: false },
    );
    if (!r.ok) {
      await sendJson(ctx, 400, { error: 'invalid_grant', error_description: 'Invalid authorization code' }, { 'x-sim-reason': r.reason });
      return;
    }
    const acc = state.accounts.get(r.pending.accountId);
    if (!acc) throw new Error('account vanished');
    ctx.log.accountId = acc.id;
    state.accounts.issue(acc, r.pending.scope.split(/\s+/));
    await sendTokens(ctx, acc);
    return;
  }
  const r = state.accounts.rotate(body.refresh_token);
  ctx.log.accountId = r.account?.id;
  if (!r.ok) {
    const err =
      r.reason === 'reused'
        ? refreshError(
            'refresh_token_reused',
            'Your refresh token has already been used to generate a new access token. Please try signing in again.',
          )
        : refreshError('refresh_token_invalidated', 'Your refresh token has been invalidated. Please try signing in again.');
    await sendJson(ctx, 401, err, { 'x-sim-reason': `refresh token ${r.reason}` });
    return;
  }
  await sendTokens(ctx, r.account);
}

function sendTokens(ctx: Ctx, acc: SimAccountImpl): Promise<void> {
  const c = acc.credentials();
  return sendJson(ctx, 200, {
    id_token: c.idToken,
    access_token: c.access,
    refresh_token: c.refresh,
    expires_in: acc.accessTtlSec,
    token_type: 'Bearer',
    scope: OPENAI_DEFAULT_SCOPES.join(' '),
  });
}

// ---------------------------------------------------------------------------------------------
// Codex backend

/** Bearer + ChatGPT-Account-Id check shared by responses and usage. */
async function authenticate(ctx: Ctx, requireAccountHeader: boolean): Promise<SimAccountImpl | undefined> {
  const token = bearer(ctx);
  const auth = ctx.state.accounts.authenticate(token, ['access']);
  ctx.log.accountId = ctx.state.accounts.ownerOf(token);
  if (!auth.ok || auth.account.provider !== 'openai') {
    const expired = !auth.ok && auth.reason === 'expired';
    await sendJson(ctx, 401, {
      error: expired
        ? { message: 'Provided authentication token is expired. Please try signing in again.', type: null, code: 'token_expired', param: null }
        : { message: 'Could not parse your authentication token. Please try signing in again.', type: 'invalid_request_error', code: 'token_invalid', param: null },
    });
    return undefined;
  }
  const acc = auth.account;
  const claimed = header(ctx, 'chatgpt-account-id');
  if ((requireAccountHeader && !claimed) || (claimed && claimed !== acc.accountId)) {
    await sendJson(ctx, 403, {
      error: { message: 'ChatGPT-Account-Id is missing or does not match the token.', type: 'invalid_request_error', code: 'account_mismatch', param: null },
    });
    return undefined;
  }
  return acc;
}

function pct(w: SimWindow): number {
  return Math.round(w.utilization * 1000) / 10;
}

function codexHeaders(acc: SimAccountImpl, nowS: number): Record<string, string> {
  const h: Record<string, string> = { 'x-codex-plan-type': acc.plan, 'x-codex-active-limit': 'codex' };
  const put = (prefix: string, w: SimWindow, minutes: number): void => {
    h[`x-codex-${prefix}-used-percent`] = String(pct(w));
    h[`x-codex-${prefix}-window-minutes`] = String(minutes);
    h[`x-codex-${prefix}-reset-at`] = String(w.resetAt);
    h[`x-codex-${prefix}-reset-after-seconds`] = String(Math.max(0, w.resetAt - nowS));
  };
  put('primary', acc.fiveHour, PRIMARY_MINUTES);
  put('secondary', acc.sevenDay, SECONDARY_MINUTES);
  h['x-codex-credits-has-credits'] = 'False';
  h['x-codex-credits-unlimited'] = 'False';
  h['x-codex-credits-balance'] = '0';
  return h;
}

function usageLimitBody(acc: SimAccountImpl, w: SimWindow, nowS: number): Record<string, unknown> {
  return {
    error: {
      type: acc.limitType,
      message: 'The usage limit has been reached',
      plan_type: acc.plan,
      resets_at: w.resetAt,
      resets_in_seconds: Math.max(0, w.resetAt - nowS),
    },
  };
}

async function responses(ctx: Ctx): Promise<void> {
  const { state } = ctx;
  count(state, 'openai', 'inferenceCalls');
  const acc = await authenticate(ctx, true);
  if (!acc) return;
  const body = parseJson(ctx);
  if (!body) {
    await sendJson(ctx, 400, { detail: 'Invalid JSON body' });
    return;
  }
  const nowS = nowSec(state);
  rollWindows(acc, nowS);
  const pre = await inferencePreamble(ctx, acc);
  if (pre.done) return;
  const headers = codexHeaders(acc, nowS);
  const limitBase = { error: { type: 'usage_limit_reached', message: 'The usage limit has been reached', plan_type: acc.plan } };
  switch (pre.fault) {
    case '500':
      await sendJson(ctx, 500, { error: { message: 'An error occurred while processing your request.', type: 'server_error', param: null, code: null } }, headers);
      return;
    case '529':
      await sendJson(ctx, 529, { error: { message: 'The server is overloaded.', type: 'server_error', param: null, code: 'server_is_overloaded' } }, headers);
      return;
    case 'garbage-reset-headers':
      await sendJson(
        ctx,
        429,
        { error: { ...limitBase.error, resets_at: 'soon', resets_in_seconds: 'a while' } },
        { ...headers, 'x-codex-primary-used-percent': 'lots', 'x-codex-primary-reset-at': 'never', 'x-codex-primary-reset-after-seconds': 'NaN', 'retry-after': 'banana' },
      );
      return;
    case 'missing-reset-headers':
      await sendJson(ctx, 429, limitBase);
      return;
    default:
      break;
  }
  if (takePerMinuteLimit(ctx.state, acc)) {
    const extra: Record<string, string> = acc.retryAfterSec !== undefined ? { 'retry-after': String(acc.retryAfterSec) } : {};
    await sendJson(
      ctx,
      429,
      { error: { message: 'Rate limit reached for requests. Please try again later.', type: 'rate_limit_exceeded', param: null, code: 'rate_limit_exceeded' } },
      { ...headers, ...extra },
    );
    return;
  }
  const hit = [acc.fiveHour, acc.sevenDay].find((w) => w.utilization >= 1);
  if (hit) {
    await sendJson(ctx, 429, usageLimitBody(acc, hit, nowS), { ...headers, 'x-codex-rate-limit-reached-type': acc.limitType });
    return;
  }
  acc.fiveHour.utilization += acc.costPerRequest;
  acc.sevenDay.utilization += acc.weeklyCostPerRequest;
  acc.inferenceCount += 1;
  const model = typeof body.model === 'string' ? body.model : 'gpt-5-codex';
  await streamResponse(ctx, acc, headers, model, JSON.stringify([body.instructions ?? '', body.input ?? '']), nowS);
}

async function streamResponse(
  ctx: Ctx,
  acc: SimAccountImpl,
  headers: Record<string, string>,
  model: string,
  inputText: string,
  nowS: number,
): Promise<void> {
  const sse = new SseWriter(ctx, sseTiming(ctx, acc));
  const text = acc.replyText ?? `Hello from ${acc.email} (simulated ${model}).`;
  const id = `resp_sim${randomHex(12)}`;
  const itemId = `msg_sim${randomHex(12)}`;
  const inputTokens = estimateTokens(inputText);
  const outputTokens = estimateTokens(text);
  const response = { id, object: 'response', created_at: nowS, status: 'in_progress', model, output: [] as unknown[], usage: null as unknown };
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>): Promise<void> =>
    sse.event(type, { type, sequence_number: seq++, ...data });

  await sse.open(200, headers);
  await ev('response.created', { response });
  await ev('response.in_progress', { response });
  await sse.event('codex.rate_limits', {
    type: 'codex.rate_limits',
    plan_type: acc.plan,
    rate_limits: {
      primary: { used_percent: pct(acc.fiveHour), window_minutes: PRIMARY_MINUTES, reset_at: acc.fiveHour.resetAt },
      secondary: { used_percent: pct(acc.sevenDay), window_minutes: SECONDARY_MINUTES, reset_at: acc.sevenDay.resetAt },
    },
    credits: { has_credits: false, unlimited: false, balance: '0' },
  });
  const item = { id: itemId, type: 'message', role: 'assistant', status: 'in_progress', content: [] as unknown[] };
  await ev('response.output_item.added', { output_index: 0, item });
  await ev('response.content_part.added', { item_id: itemId, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
  for (const [i, delta] of (ctx.drip ? dripPieces(text, ctx.drip, FRAMING_EVENTS) : chunksOf(text)).entries()) {
    await ev('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta });
    if (ctx.midStreamReset && i === 0) {
      sse.destroy();
      return;
    }
  }
  const part = { type: 'output_text', text, annotations: [] };
  await ev('response.output_text.done', { item_id: itemId, output_index: 0, content_index: 0, text });
  await ev('response.content_part.done', { item_id: itemId, output_index: 0, content_index: 0, part });
  const doneItem = { ...item, status: 'completed', content: [part] };
  await ev('response.output_item.done', { output_index: 0, item: doneItem });
  await ev('response.completed', {
    response: {
      ...response,
      status: 'completed',
      output: [doneItem],
      usage: {
        input_tokens: inputTokens,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: outputTokens,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: inputTokens + outputTokens,
      },
    },
  });
  sse.end();
}

function windowBody(w: SimWindow, minutes: number, nowS: number): Record<string, unknown> {
  return {
    used_percent: Math.round(w.utilization * 100),
    limit_window_seconds: minutes * 60,
    reset_after_seconds: Math.max(0, w.resetAt - nowS),
    reset_at: w.resetAt,
  };
}

async function usage(ctx: Ctx): Promise<void> {
  count(ctx.state, 'openai', 'usageCalls');
  const acc = await authenticate(ctx, false);
  if (!acc) return;
  const nowS = nowSec(ctx.state);
  rollWindows(acc, nowS);
  const reached = acc.fiveHour.utilization >= 1 || acc.sevenDay.utilization >= 1;
  await sendJson(ctx, 200, {
    user_id: `user-sim${acc.id}`,
    account_id: acc.accountId,
    email: acc.email,
    plan_type: acc.plan,
    rate_limit: {
      allowed: !reached,
      limit_reached: reached,
      primary_window: windowBody(acc.fiveHour, PRIMARY_MINUTES, nowS),
      secondary_window: windowBody(acc.sevenDay, SECONDARY_MINUTES, nowS),
    },
    code_review_rate_limit: null,
    additional_rate_limits: null,
    credits: { has_credits: false, unlimited: false, overage_limit_reached: false, balance: '0' },
    spend_control: { reached: false, individual_limit: null },
    rate_limit_reached_type: reached ? 'usage_limit_reached' : null,
    promo: null,
    rate_limit_reset_credits: { available_count: 0, applicable_available_count: 0 },
  });
}

export function openaiRoutes(): Route[] {
  return [
    route('GET', 'auth.openai.com', '/oauth/authorize', authorizePage),
    route('POST', 'auth.openai.com', '/oauth/token', tokenEndpoint),
    route('POST', 'chatgpt.com', '/backend-api/codex/responses', responses),
    route('GET', 'chatgpt.com', '/backend-api/wham/usage', usage),
    route('GET', 'chatgpt.com', '/backend-api/codex/usage', usage),
  ];
}
