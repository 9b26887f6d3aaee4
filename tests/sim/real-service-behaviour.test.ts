/**
 * What the simulator learned from the real services (issue 12, PROTOCOLS "checked 2026-12"):
 * Copilot's 402 quota answers with codes, 429 codes, 466, 403 and usage headers; compressed
 * error bodies; the new Codex limit types and their header; the residency claim; and a record
 * of what each refresh request sent. Real HTTP over loopback; node's http client is used
 * where fetch would decode the body on its own.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_CLIENT_ID, decodeJwtPayload, startSimulator, type SimAccount, type Simulator } from './server.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});

const nowS = (): number => Math.floor(Date.now() / 1000);

/** Raw request: status, headers and the body bytes exactly as sent. */
function raw(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${sim.url}${path}`, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

async function copilotToken(acc: SimAccount): Promise<string> {
  const res = await fetch(`${sim.url}/api.github.com/copilot_internal/v2/token`, { headers: { authorization: `token ${acc.credentials().access}` } });
  return ((await res.json()) as { token: string }).token;
}

function chat(token: string, headers: Record<string, string> = {}, model = 'gpt-4.1') {
  return raw('/api.githubcopilot.com/chat/completions', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
}

const jsonOf = (body: Buffer) => JSON.parse(body.toString('utf8')) as { error: Record<string, unknown> };

describe('Copilot', () => {
  it('a used-up quota answers 402 with the account\'s code, retry-after only when set, and the quota header at rem=0', async () => {
    const acc = sim.addAccount('github-copilot');
    const token = await copilotToken(acc);
    acc.premium.remaining = 0;
    for (const code of ['quota_exceeded', 'free_quota_exceeded', 'overage_limit_reached', 'billing_not_configured', 'additional_spend_limit_reached']) {
      acc.quotaCode = code;
      const res = await chat(token);
      expect(res.status).toBe(402);
      expect(jsonOf(res.body).error.code).toBe(code);
      expect(res.headers['retry-after']).toBeUndefined();
    }
    acc.quotaRetryAfterSec = 7200;
    const withRetry = await chat(token);
    expect(withRetry.headers['retry-after']).toBe('7200');
    const q = new URLSearchParams(String(withRetry.headers['x-quota-snapshot-premium_interactions']));
    expect(q.get('rem')).toBe('0');
    expect(q.get('rst')).toMatch(/-01T00:00:00\.000Z$/);
  });

  it('per-minute limits answer 429 with a code (also a :suffixed one) and x-ratelimit-exceeded', async () => {
    const acc = sim.addAccount('github-copilot');
    const token = await copilotToken(acc);
    acc.perMinuteLimited = 2;
    acc.rateLimitCode = 'user_model_rate_limited:gpt-4.1';
    const scoped = await chat(token);
    expect(scoped.status).toBe(429);
    expect(jsonOf(scoped.body).error.code).toBe('user_model_rate_limited:gpt-4.1');
    expect(scoped.headers['x-ratelimit-exceeded']).toBe('user_model_rate_limited');
    acc.rateLimitCode = 'user_global_rate_limited';
    expect(jsonOf((await chat(token)).body).error).toMatchObject({ code: 'user_global_rate_limited', message: expect.stringMatching(/try again in 60 seconds/) });
  });

  it('466 for an outdated x-github-api-version (when the simulator is told the minimum) and as a fault', async () => {
    const acc = sim.addAccount('github-copilot');
    const token = await copilotToken(acc);
    sim.copilot.minApiVersion = '2026-06-01';
    try {
      expect((await chat(token, { 'x-github-api-version': '2025-04-01' })).status).toBe(466);
      expect((await chat(token)).status).toBe(466);
      expect((await chat(token, { 'x-github-api-version': '2026-06-01' })).status).toBe(200);
    } finally {
      sim.copilot.minApiVersion = undefined;
    }
    acc.breakNext.push('466');
    const fault = await chat(token);
    expect(fault.status).toBe(466);
    expect(jsonOf(fault.body).error.message).toMatch(/client not supported/);
  });

  it('a 403 fault refuses the Copilot token for good; a newly exchanged one works', async () => {
    const acc = sim.addAccount('github-copilot');
    const token = await copilotToken(acc);
    acc.breakNext.push('403');
    expect((await chat(token)).status).toBe(403);
    expect((await chat(token)).status).toBe(401);
    expect((await chat(await copilotToken(acc))).status).toBe(200);
  });

  it('every chat answer carries the usage headers, URL-encoded, showing the state before the request is charged', async () => {
    const acc = sim.addAccount('github-copilot');
    const token = await copilotToken(acc);
    acc.premium = { entitlement: 300, remaining: 75, unlimited: false };
    acc.fiveHour = { utilization: 0.943, resetAt: nowS() + 3600 };
    const res = await chat(token);
    expect(res.status).toBe(200);
    const premium = new URLSearchParams(String(res.headers['x-quota-snapshot-premium_interactions']));
    expect(Object.fromEntries(premium)).toMatchObject({ ent: '300', ovPerm: 'false', rem: '25' });
    expect(String(res.headers['x-quota-snapshot-premium_interactions'])).toContain('%3A');
    expect(new URLSearchParams(String(res.headers['x-usage-ratelimit-session'])).get('rem')).toBe('5.7');
    expect(res.headers['x-usage-ratelimit-weekly']).toMatch(/rem=\d/);
    expect(new URLSearchParams(String(res.headers['x-quota-snapshot-chat'])).get('ent')).toBe('-1');
    expect(acc.premium.remaining).toBe(74);
  });
});

describe('compressed error bodies', () => {
  it.each(['gzip', 'br', 'deflate', 'zstd'] as const)('%s when the request accepts it; plain when it does not; success bodies stay plain', async (coding) => {
    const acc = sim.addAccount('openai');
    acc.errorEncoding = coding;
    acc.fiveHour = { utilization: 1, resetAt: nowS() + 1500 };
    const send = (acceptEncoding?: string) =>
      raw('/chatgpt.com/backend-api/codex/responses', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${acc.credentials().access}`,
          'chatgpt-account-id': acc.accountId,
          'content-type': 'application/json',
          ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}),
        },
        body: JSON.stringify({ model: 'gpt-5-codex', input: 'hi' }),
      });
    const packed = await send(`${coding}, identity`);
    expect(packed.status).toBe(429);
    expect(packed.headers['content-encoding']).toBe(coding);
    expect(Number(packed.headers['content-length'])).toBe(packed.body.length);
    const inflate = { gzip: zlib.gunzipSync, br: zlib.brotliDecompressSync, deflate: zlib.inflateSync, zstd: zlib.zstdDecompressSync }[coding];
    expect(JSON.parse(inflate(packed.body).toString())).toMatchObject({ error: { type: 'usage_limit_reached' } });
    const plain = await send(`${coding};q=0`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(jsonOf(plain.body).error.type).toBe('usage_limit_reached');
    acc.fiveHour.utilization = 0;
    const ok = await send(coding);
    expect(ok.status).toBe(200);
    expect(ok.headers['content-encoding']).toBeUndefined();
  });
});

describe('Codex', () => {
  it('the plan-limit 429 names the account\'s limit type in the body and in x-codex-rate-limit-reached-type', async () => {
    const acc = sim.addAccount('openai');
    acc.sevenDay = { utilization: 1, resetAt: nowS() + 86_400 };
    for (const type of ['usage_limit_reached', 'workspace_owner_usage_limit_reached', 'workspace_member_credits_depleted', 'spend_control_reached']) {
      acc.limitType = type;
      const res = await raw('/chatgpt.com/backend-api/codex/responses', {
        method: 'POST',
        headers: { authorization: `Bearer ${acc.credentials().access}`, 'chatgpt-account-id': acc.accountId, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-5-codex', input: 'hi' }),
      });
      expect(res.status).toBe(429);
      expect(jsonOf(res.body).error).toMatchObject({ type, resets_at: acc.sevenDay.resetAt });
      expect(res.headers['x-codex-rate-limit-reached-type']).toBe(type);
    }
  });

  it('access tokens carry chatgpt_compute_residency when the account has one', () => {
    const eu = sim.addAccount('openai', { computeResidency: 'eu' });
    expect(decodeJwtPayload(eu.credentials().access)!['https://api.openai.com/auth']).toMatchObject({ chatgpt_compute_residency: 'eu' });
    const none = sim.addAccount('openai');
    expect(decodeJwtPayload(none.credentials().access)!['https://api.openai.com/auth']).not.toHaveProperty('chatgpt_compute_residency');
  });
});

describe('refresh requests are recorded with what they sent', () => {
  it('client_id, scope and body format; a token bound to its own client refreshes only with that client_id', async () => {
    sim.clearRequests();
    const own = sim.addAccount('anthropic', { clientId: 'cc-own-client-1234' });
    const refresh = (clientId: string, token = own.credentials().refresh!) =>
      fetch(`${sim.url}/platform.claude.com/v1/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'axios/1.15.2' },
        body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: token, client_id: clientId, scope: 'user:inference user:profile' }),
      });
    const wrong = await refresh(ANTHROPIC_CLIENT_ID);
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get('x-sim-reason')).toBe('refresh token client-mismatch');
    expect((await refresh('cc-own-client-1234')).status).toBe(200);
    expect(sim.refreshRequests).toEqual([
      expect.objectContaining({ provider: 'anthropic', accountId: own.id, clientId: ANTHROPIC_CLIENT_ID, scope: 'user:inference user:profile', bodyFormat: 'json', userAgent: 'axios/1.15.2', status: 400 }),
      expect.objectContaining({ provider: 'anthropic', accountId: own.id, clientId: 'cc-own-client-1234', status: 200 }),
    ]);
    const list = (await (await fetch(`${sim.url}/__sim/refresh-requests`)).json()) as unknown[];
    expect(list).toHaveLength(2);
  });
});
