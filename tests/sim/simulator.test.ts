/**
 * The simulator is a test double other suites rely on, so it gets its own tests: real HTTP
 * over loopback with fetch, asserting the shapes from shared/docs/PROTOCOLS.md.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANTHROPIC_CLIENT_ID,
  OPENAI_CLIENT_ID,
  decodeJwtPayload,
  parseSse,
  startSimulator,
  type SimAccount,
  type Simulator,
} from './server.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ github: { deviceInterval: 0 } });
});
afterAll(async () => {
  await sim.close();
});

const nowS = (): number => Math.floor(Date.now() / 1000);

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function claude(acc: SimAccount, body: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${sim.url}/api.anthropic.com/v1/messages?beta=true`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${acc.credentials().access}`,
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'oauth-2025-04-20,interleaved-thinking-2025-05-14',
      'content-type': 'application/json',
      ...headers,
    },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }], ...body }),
  });
}

function postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('anthropic', () => {
  it('answers 200 with the Messages shape and unified headers from the account windows', async () => {
    const acc = sim.addAccount('anthropic');
    acc.fiveHour = { utilization: 0.42, resetAt: nowS() + 3600 };
    acc.sevenDay = { utilization: 0.59, resetAt: nowS() + 86400 };
    const res = await claude(acc, { model: 'claude-opus-4-1' });
    expect(res.status).toBe(200);
    const h = res.headers;
    expect(h.get('anthropic-ratelimit-unified-status')).toBe('allowed');
    expect(h.get('anthropic-ratelimit-unified-5h-status')).toBe('allowed');
    expect(h.get('anthropic-ratelimit-unified-5h-utilization')).toBe('0.42');
    expect(h.get('anthropic-ratelimit-unified-5h-reset')).toBe(String(acc.fiveHour.resetAt));
    expect(h.get('anthropic-ratelimit-unified-7d-utilization')).toBe('0.59');
    expect(h.get('anthropic-ratelimit-unified-representative-claim')).toBe('seven_day');
    expect(h.get('anthropic-ratelimit-unified-reset')).toBe(String(acc.sevenDay.resetAt));
    expect(h.get('anthropic-ratelimit-unified-7d_sonnet-status')).toBeNull();
    expect(h.get('retry-after')).toBeNull();
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-opus-4-1', stop_reason: 'end_turn' });
    expect(body.usage).toEqual({
      input_tokens: expect.any(Number),
      output_tokens: expect.any(Number),
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
    });
    // charged after answering
    expect(acc.fiveHour.utilization).toBeCloseTo(0.43);
    const log = sim.requests.at(-1);
    expect(log).toMatchObject({ method: 'POST', host: 'api.anthropic.com', path: '/v1/messages', query: 'beta=true', status: 200, accountId: acc.id });
    expect(log?.headers.authorization).toBe(`Bearer ${acc.credentials().access}`);
  });

  it('answers a plan-limit 429 with exactly the headers of the real capture', async () => {
    const acc = sim.addAccount('anthropic');
    const reset = nowS() + 2094;
    acc.fiveHour = { utilization: 1, resetAt: reset };
    acc.sevenDay = { utilization: 0.59, resetAt: nowS() + 100000 };
    const res = await claude(acc);
    expect(res.status).toBe(429);
    const h = res.headers;
    expect(h.get('anthropic-ratelimit-unified-status')).toBe('rejected');
    expect(h.get('anthropic-ratelimit-unified-5h-status')).toBe('rejected');
    expect(h.get('anthropic-ratelimit-unified-5h-utilization')).toBe('1.0');
    expect(h.get('anthropic-ratelimit-unified-5h-reset')).toBe(String(reset));
    expect(h.get('anthropic-ratelimit-unified-7d-status')).toBe('allowed');
    expect(h.get('anthropic-ratelimit-unified-7d-utilization')).toBe('0.59');
    expect(h.get('anthropic-ratelimit-unified-representative-claim')).toBe('five_hour');
    expect(h.get('anthropic-ratelimit-unified-reset')).toBe(String(reset));
    expect(h.get('anthropic-ratelimit-unified-overage-status')).toBe('rejected');
    expect(h.get('anthropic-ratelimit-unified-overage-disabled-reason')).toBe('out_of_credits');
    expect(Number(h.get('retry-after'))).toBeGreaterThanOrEqual(2093);
    expect(Number(h.get('retry-after'))).toBeLessThanOrEqual(2094);
    const body = (await res.json()) as { type: string; error: { type: string; message: string }; request_id: string };
    expect(body.type).toBe('error');
    expect(body.error).toEqual({ type: 'rate_limit_error', message: "This request would exceed your account's rate limit. Please try again later." });
    expect(body.request_id).toMatch(/^req_/);
    expect(acc.fiveHour.utilization).toBe(1); // a rejected request is not charged
  });

  it('limits Sonnet only through the model-scoped window', async () => {
    const acc = sim.addAccount('anthropic');
    acc.sevenDaySonnet = { utilization: 1.02, resetAt: nowS() + 5000 };
    const sonnet = await claude(acc, { model: 'claude-sonnet-4-5' });
    expect(sonnet.status).toBe(429);
    expect(sonnet.headers.get('anthropic-ratelimit-unified-representative-claim')).toBe('seven_day_sonnet');
    expect(sonnet.headers.get('anthropic-ratelimit-unified-5h-status')).toBe('allowed');
    const opus = await claude(acc, { model: 'claude-opus-4-1' });
    expect(opus.status).toBe(200);
  });

  it('streams SSE with the real event names and framing', async () => {
    const acc = sim.addAccount('anthropic');
    acc.replyText = 'one two three four';
    const res = await claude(acc, { stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('anthropic-ratelimit-unified-status')).toBe('allowed');
    const raw = await res.text();
    expect(raw).toMatch(/^event: message_start\ndata: \{.*\}\n\n/);
    const events = parseSse(raw);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('message_start');
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(names.filter((n) => n === 'content_block_delta').length).toBeGreaterThan(1);
    for (const e of events) expect((JSON.parse(e.data) as { type: string }).type).toBe(e.event);
    const text = events
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => (JSON.parse(e.data) as { delta: { text: string } }).delta.text)
      .join('');
    expect(text).toBe('one two three four');
    const delta = JSON.parse(events.find((e) => e.event === 'message_delta')?.data ?? '{}') as { usage: { output_tokens: number } };
    expect(delta.usage.output_tokens).toBeGreaterThan(0);
  });

  it('rejects expired tokens, missing oauth beta and per-minute limits the way upstream does', async () => {
    const acc = sim.addAccount('anthropic');
    const noBeta = await claude(acc, {}, { 'anthropic-beta': 'interleaved-thinking-2025-05-14' });
    expect(noBeta.status).toBe(401);
    acc.perMinuteLimited = 1;
    acc.retryAfterSec = 7;
    const minute = await claude(acc);
    expect(minute.status).toBe(429);
    expect(minute.headers.get('retry-after')).toBe('7');
    expect(minute.headers.get('anthropic-ratelimit-unified-status')).toBe('allowed');
    expect(((await minute.json()) as { error: { type: string } }).error.type).toBe('rate_limit_error');
    expect((await claude(acc)).status).toBe(200);
    acc.expireAccessToken();
    const expired = await claude(acc);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'Invalid bearer token' } });
  });

  it('rotates refresh tokens and rejects a reused one', async () => {
    const acc = sim.addAccount('anthropic');
    const first = acc.credentials();
    const before = sim.counters.byProvider.anthropic.refreshCalls;
    const ok = await postJson('/platform.claude.com/v1/oauth/token', { grant_type: 'refresh_token', refresh_token: first.refresh, client_id: ANTHROPIC_CLIENT_ID });
    expect(ok.status).toBe(200);
    const tokens = (await ok.json()) as Record<string, unknown>;
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, account: { uuid: acc.accountId, email_address: acc.email } });
    expect(tokens.access_token).toMatch(/^sk-ant-oat01-sim/);
    expect(tokens.refresh_token).toMatch(/^sk-ant-ort01-sim/);
    expect(tokens.refresh_token).not.toBe(first.refresh);
    expect(acc.credentials().access).toBe(tokens.access_token);
    const reused = await postJson('/console.anthropic.com/v1/oauth/token', { grant_type: 'refresh_token', refresh_token: first.refresh, client_id: ANTHROPIC_CLIENT_ID });
    expect(reused.status).toBe(400);
    expect(await reused.json()).toEqual({ error: 'invalid_grant' });
    expect(sim.counters.byProvider.anthropic.refreshCalls).toBe(before + 2);
    acc.revoked = true;
    const revoked = await postJson('/api.anthropic.com/v1/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: ANTHROPIC_CLIENT_ID });
    expect(revoked.status).toBe(400);
  });

  it('redeems a PKCE code once, through the consent page', async () => {
    const acc = sim.addAccount('anthropic', { email: 'max@example.com' });
    const { verifier, challenge } = pkce();
    const redirect = 'https://platform.claude.com/oauth/code/callback';
    const params = new URLSearchParams({
      code: 'true',
      client_id: ANTHROPIC_CLIENT_ID,
      response_type: 'code',
      redirect_uri: redirect,
      scope: 'org:create_api_key user:profile user:inference',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'state-xyz-0123456789',
      sim_account: acc.id,
    });
    const page = await fetch(`${sim.url}/claude.ai/oauth/authorize?${params}`);
    expect(page.status).toBe(200);
    const pasted = /<code id="code">([^<]+)<\/code>/.exec(await page.text())?.[1] ?? '';
    const [code, state] = pasted.split('#');
    expect(state).toBe('state-xyz-0123456789');
    const exchange = (verifierToSend: string): Promise<Response> =>
      postJson('/platform.claude.com/v1/oauth/token', {
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirect,
        client_id: ANTHROPIC_CLIENT_ID,
        code_verifier: verifierToSend,
        state,
      });
    const wrong = await exchange(pkce().verifier);
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ error: 'invalid_grant', error_description: "Invalid 'code' in request." });
    const ok = await exchange(verifier);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ account: { uuid: acc.accountId, email_address: 'max@example.com' }, scope: 'org:create_api_key user:profile user:inference' });
    expect((await exchange(verifier)).status).toBe(400);
    // the in-process consent helper issues codes too
    const again = sim.anthropicAuthorize(params, acc.id);
    expect(again.state).toBe('state-xyz-0123456789');
  });

  it('serves usage (0-100, microsecond ISO, limits[]), the legacy body, usage 429s and profile', async () => {
    const acc = sim.addAccount('anthropic');
    acc.fiveHour = { utilization: 0.15, resetAt: 1900000000 };
    const get = (p: string): Promise<Response> =>
      fetch(`${sim.url}/api.anthropic.com${p}`, { headers: { authorization: `Bearer ${acc.credentials().access}`, 'anthropic-beta': 'oauth-2025-04-20' } });
    const usage = (await (await get('/api/oauth/usage')).json()) as { five_hour: { utilization: number; resets_at: string }; limits: Array<{ kind: string }> };
    expect(usage.five_hour.utilization).toBe(15);
    expect(usage.five_hour.resets_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    expect(Date.parse(usage.five_hour.resets_at)).toBeLessThan(1900000000 * 1000);
    expect(usage.limits.map((l) => l.kind)).toEqual(['session', 'weekly_all']);
    acc.usageLegacyBody = true;
    expect('limits' in ((await (await get('/api/oauth/usage')).json()) as object)).toBe(false);
    acc.usage429 = 1;
    const limited = await get('/api/oauth/usage');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('0');
    const profile = (await (await get('/api/oauth/profile')).json()) as { account: unknown };
    expect(profile.account).toMatchObject({ uuid: acc.accountId, email: acc.email });
  });
});

describe('faults', () => {
  it('consumes breakNext in order, then answers normally', async () => {
    const acc = sim.addAccount('anthropic');
    acc.breakNext = ['500', '529', 'non-json-429', 'missing-reset-headers', 'garbage-reset-headers', 'non-json-200', 'reset-connection'];
    expect((await claude(acc)).status).toBe(500);
    const overloaded = await claude(acc);
    expect(overloaded.status).toBe(529);
    expect(await overloaded.json()).toMatchObject({ error: { type: 'overloaded_error', message: 'Overloaded' } });
    const html = await claude(acc);
    expect(html.status).toBe(429);
    expect(html.headers.get('content-type')).toContain('text/html');
    const missing = await claude(acc);
    expect(missing.status).toBe(429);
    expect(missing.headers.get('anthropic-ratelimit-unified-status')).toBe('rejected');
    expect(missing.headers.get('anthropic-ratelimit-unified-reset')).toBeNull();
    expect(missing.headers.get('retry-after')).toBeNull();
    const garbage = await claude(acc);
    expect(garbage.status).toBe(429);
    expect(Number.isNaN(Number(garbage.headers.get('anthropic-ratelimit-unified-reset')))).toBe(true);
    const notJson = await claude(acc);
    expect(notJson.status).toBe(200);
    await expect(notJson.json()).rejects.toThrow();
    await expect(claude(acc)).rejects.toThrow();
    expect(acc.breakNext).toEqual([]);
    expect((await claude(acc)).status).toBe(200);
  });

  it('delays and resets mid-stream', async () => {
    const acc = sim.addAccount('anthropic');
    acc.delayMs = 120;
    const t0 = Date.now();
    expect((await claude(acc)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    acc.delayMs = 0;
    acc.breakNext = ['reset-mid-stream'];
    const res = await claude(acc, { stream: true });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });
});

describe('openai', () => {
  it('runs authorize → PKCE exchange → JWT claims → rotating refresh', async () => {
    const acc = sim.addAccount('openai', { email: 'codex@example.com' });
    const { verifier, challenge } = pkce();
    const redirect = 'http://localhost:1455/auth/callback';
    const params = new URLSearchParams({
      response_type: 'code',
      client_id: OPENAI_CLIENT_ID,
      redirect_uri: redirect,
      scope: 'openid profile email offline_access',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'st-1',
      sim_account: acc.id,
    });
    const auth = await fetch(`${sim.url}/auth.openai.com/oauth/authorize?${params}`, { redirect: 'manual' });
    expect(auth.status).toBe(302);
    const location = new URL(auth.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe(redirect);
    expect(location.searchParams.get('state')).toBe('st-1');
    const form = new URLSearchParams({ grant_type: 'authorization_code', code: location.searchParams.get('code') ?? '', redirect_uri: redirect, client_id: OPENAI_CLIENT_ID, code_verifier: verifier });
    const tokenRes = await fetch(`${sim.url}/auth.openai.com/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect(tokenRes.status).toBe(200);
    const tokens = (await tokenRes.json()) as { id_token: string; access_token: string; refresh_token: string; expires_in: number };
    const claims = decodeJwtPayload(tokens.id_token) ?? {};
    expect(claims.email).toBe('codex@example.com');
    expect(claims['https://api.openai.com/auth']).toMatchObject({ chatgpt_account_id: acc.accountId, chatgpt_plan_type: 'pro' });
    expect((decodeJwtPayload(tokens.access_token) as { exp: number }).exp).toBeGreaterThan(nowS());
    const second = await fetch(`${sim.url}/auth.openai.com/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect(second.status).toBe(400);

    const refresh = (rt: string): Promise<Response> => postJson('/auth.openai.com/oauth/token', { client_id: OPENAI_CLIENT_ID, grant_type: 'refresh_token', refresh_token: rt });
    const r1 = await refresh(tokens.refresh_token);
    expect(r1.status).toBe(200);
    expect(((await r1.json()) as { refresh_token: string }).refresh_token).not.toBe(tokens.refresh_token);
    const reused = await refresh(tokens.refresh_token);
    expect(reused.status).toBe(401);
    expect(((await reused.json()) as { error: { code: string } }).error.code).toBe('refresh_token_reused');

    const denied = await fetch(`${sim.url}/auth.openai.com/oauth/authorize?${params}&sim_deny=1`, { redirect: 'manual' });
    expect(new URL(denied.headers.get('location') ?? '').searchParams.get('error_description')).toBe('missing_codex_entitlement');
  });

  it('streams Codex responses with x-codex headers and answers usage_limit_reached', async () => {
    const acc = sim.addAccount('openai');
    acc.fiveHour = { utilization: 0.08, resetAt: nowS() + 6625 };
    const call = (): Promise<Response> =>
      postJson(
        '/chatgpt.com/backend-api/codex/responses',
        { model: 'gpt-5-codex', instructions: 'x', input: [{ role: 'user', content: 'hi' }], stream: true, store: false },
        { authorization: `Bearer ${acc.credentials().access}`, 'chatgpt-account-id': acc.accountId, accept: 'text/event-stream' },
      );
    const res = await call();
    expect(res.status).toBe(200);
    expect(res.headers.get('x-codex-primary-used-percent')).toBe('8');
    expect(res.headers.get('x-codex-primary-window-minutes')).toBe('300');
    expect(res.headers.get('x-codex-primary-reset-at')).toBe(String(acc.fiveHour.resetAt));
    expect(res.headers.get('x-codex-secondary-window-minutes')).toBe('10080');
    const events = parseSse(await res.text());
    expect(events[0]?.event).toBe('response.created');
    expect(events.at(-1)?.event).toBe('response.completed');
    expect(events.some((e) => e.event === 'response.output_text.delta')).toBe(true);
    const done = JSON.parse(events.at(-1)?.data ?? '{}') as { response: { usage: { total_tokens: number } } };
    expect(done.response.usage.total_tokens).toBeGreaterThan(0);

    acc.fiveHour.utilization = 1;
    const limited = await call();
    expect(limited.status).toBe(429);
    const body = (await limited.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type: 'usage_limit_reached', resets_at: acc.fiveHour.resetAt });
    expect(body.error.resets_in_seconds).toBeGreaterThan(6000);

    const usage = (await (await fetch(`${sim.url}/chatgpt.com/backend-api/wham/usage`, { headers: { authorization: `Bearer ${acc.credentials().access}`, 'chatgpt-account-id': acc.accountId } })).json()) as { rate_limit: unknown };
    expect(usage.rate_limit).toMatchObject({ limit_reached: true, primary_window: { used_percent: 100, limit_window_seconds: 18000 } });

    const wrongAccount = await postJson('/chatgpt.com/backend-api/codex/responses', {}, { authorization: `Bearer ${acc.credentials().access}`, 'chatgpt-account-id': 'other' });
    expect(wrongAccount.status).toBe(403);
  });
});

describe('github copilot', () => {
  it('runs the device flow: pending → slow_down → approve → token → Copilot token → chat', async () => {
    const acc = sim.addAccount('github-copilot', { login: 'octo' });
    const dc = await postJson('/github.com/login/device/code', { client_id: 'Iv1.b507a08c87ecfe98', scope: 'read:user' });
    const grant = (await dc.json()) as { device_code: string; user_code: string; verification_uri: string; interval: number };
    expect(grant.user_code).toMatch(/^[A-Z]{4}-\d{4}$/);
    expect(grant.verification_uri).toBe(`${sim.url}/github.com/login/device`);
    const poll = async (): Promise<Record<string, unknown>> =>
      (await (await postJson('/github.com/login/oauth/access_token', { client_id: 'Iv1.b507a08c87ecfe98', device_code: grant.device_code, grant_type: 'urn:ietf:params:oauth:grant-type:device_code' })).json()) as Record<string, unknown>;
    expect((await poll()).error).toBe('authorization_pending');

    sim.github.deviceInterval = 1;
    const slow = await postJson('/github.com/login/device/code', { client_id: 'Iv1.b507a08c87ecfe98' });
    const slowGrant = (await slow.json()) as { device_code: string };
    const pollSlow = async (): Promise<Record<string, unknown>> =>
      (await (await postJson('/github.com/login/oauth/access_token', { client_id: 'Iv1.b507a08c87ecfe98', device_code: slowGrant.device_code, grant_type: 'urn:ietf:params:oauth:grant-type:device_code' })).json()) as Record<string, unknown>;
    expect((await pollSlow()).error).toBe('authorization_pending');
    expect(await pollSlow()).toMatchObject({ error: 'slow_down', interval: 6 });
    sim.github.deviceInterval = 0;

    const approve = await postJson('/__sim/github/device', { user_code: grant.user_code, account_id: acc.id, action: 'approve' });
    expect(approve.status).toBe(200);
    const token = await poll();
    expect(token).toMatchObject({ token_type: 'bearer', scope: 'read:user' });
    expect(token.access_token).toMatch(/^gho_/);
    expect((await poll()).error).toBe('incorrect_device_code');

    const gh = { authorization: `token ${String(token.access_token)}` };
    expect(await (await fetch(`${sim.url}/api.github.com/user`, { headers: gh })).json()).toMatchObject({ login: 'octo', id: Number(acc.accountId) });
    const ex = (await (await fetch(`${sim.url}/api.github.com/copilot_internal/v2/token`, { headers: gh })).json()) as { token: string; expires_at: number; endpoints: { api: string } };
    expect(ex.token).toMatch(/^tid=[0-9a-f]+;exp=\d+;sku=/);
    expect(ex.endpoints.api).toBe('https://api.githubcopilot.com');
    expect(ex.expires_at).toBeGreaterThan(nowS() + 1700);

    const chat = (stream: boolean): Promise<Response> =>
      postJson('/api.githubcopilot.com/chat/completions', { model: 'claude-sonnet-4', stream, messages: [{ role: 'user', content: 'hi' }] }, { authorization: `Bearer ${String(ex.token)}` });
    const sse = await chat(true);
    expect(sse.status).toBe(200);
    const raw = await sse.text();
    expect(raw.trimEnd().endsWith('data: [DONE]')).toBe(true);
    const chunks = parseSse(raw).filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data) as { object: string });
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(acc.premium.remaining).toBe(299);

    acc.premium.remaining = 0;
    const quota = await chat(false);
    // A used-up quota is a 402 with a code; retry-after only when the account is told to send one.
    expect(quota.status).toBe(402);
    expect(await quota.json()).toMatchObject({ error: { code: 'quota_exceeded' } });
    expect(quota.headers.get('retry-after')).toBeNull();
    expect(new URLSearchParams(quota.headers.get('x-quota-snapshot-premium_interactions')!).get('rem')).toBe('0');
    const q = (await (await fetch(`${sim.url}/api.github.com/copilot_internal/user`, { headers: gh })).json()) as { quota_snapshots: { premium_interactions: unknown }; quota_reset_date_utc: string };
    expect(q.quota_snapshots.premium_interactions).toMatchObject({ entitlement: 300, remaining: 0, percent_remaining: 0 });
    expect(q.quota_reset_date_utc).toMatch(/-01T00:00:00\.000Z$/);

    acc.expireAccessToken();
    expect((await chat(false)).status).toBe(401);
  });

  it('reports denied and expired device codes', async () => {
    const dc = (await (await postJson('/github.com/login/device/code', { client_id: 'Ov23li8tweQw6odWQebz' })).json()) as { device_code: string; user_code: string };
    sim.denyDevice(dc.user_code);
    const res = await postJson('/github.com/login/oauth/access_token', { client_id: 'Ov23li8tweQw6odWQebz', device_code: dc.device_code, grant_type: 'urn:ietf:params:oauth:grant-type:device_code' });
    expect(((await res.json()) as { error: string }).error).toBe('access_denied');
    sim.github.deviceExpiresIn = 0;
    const stale = (await (await postJson('/github.com/login/device/code', { client_id: 'Iv1.b507a08c87ecfe98' })).json()) as { device_code: string };
    sim.github.deviceExpiresIn = 900;
    const expired = await postJson('/github.com/login/oauth/access_token', { client_id: 'Iv1.b507a08c87ecfe98', device_code: stale.device_code, grant_type: 'urn:ietf:params:oauth:grant-type:device_code' });
    expect(((await expired.json()) as { error: string }).error).toBe('expired_token');
    // without Accept: application/json GitHub answers form-encoded
    const form = await fetch(`${sim.url}/github.com/login/device/code`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'client_id=Iv1.b507a08c87ecfe98' });
    expect(new URLSearchParams(await form.text()).get('user_code')).toMatch(/-/);
  });
});

describe('control API', () => {
  it('creates accounts and sets knobs over HTTP', async () => {
    const created = await postJson('/__sim/accounts', { provider: 'anthropic', email: 'http@example.com' });
    expect(created.status).toBe(201);
    const view = (await created.json()) as { id: string; credentials: { access: string } };
    expect(view.credentials.access).toMatch(/^sk-ant-oat01-/);
    const patch = await fetch(`${sim.url}/__sim/accounts/${view.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fiveHour: { utilization: 1 }, breakNext: ['529'], delayMs: 0 }),
    });
    expect(patch.status).toBe(200);
    expect(sim.account(view.id).fiveHour.utilization).toBe(1);
    expect(sim.account(view.id).breakNext).toEqual(['529']);
    const bad = await fetch(`${sim.url}/__sim/accounts/${view.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nope: 1 }) });
    expect(bad.status).toBe(400);
    const list = (await (await fetch(`${sim.url}/__sim/accounts`)).json()) as Array<{ id: string }>;
    expect(list.some((a) => a.id === view.id)).toBe(true);
    const requests = (await (await fetch(`${sim.url}/__sim/requests`)).json()) as unknown[];
    expect(requests.length).toBe(sim.requests.length);
    await fetch(`${sim.url}/__sim/requests`, { method: 'DELETE' });
    expect(sim.requests.length).toBe(0);
  });
});
