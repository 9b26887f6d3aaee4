/**
 * Drip mode (drip.ts) and the any-account 429 queue: what `npm run bench` builds its
 * long-stream and failover series on, over real HTTP on loopback.
 *
 * Spacing is checked only as a lower bound (event k cannot arrive before k × D ms after the
 * request was sent): a slow, noisy machine can delay events but never bring them forward, so
 * the check cannot flake, yet it fails when the events come in a burst.
 */
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSse, startSimulator, type SimAccount, type Simulator } from './server.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});

const ROUTES = {
  anthropic: '/api.anthropic.com/v1/messages',
  openai: '/chatgpt.com/backend-api/codex/responses',
  'github-copilot': '/api.githubcopilot.com/chat/completions',
} as const;

/** The Copilot chat API wants the exchanged Copilot token, not the gho_ one. */
async function copilotToken(acc: SimAccount): Promise<string> {
  const res = await fetch(`${sim.url}/api.github.com/copilot_internal/v2/token`, { headers: { authorization: `token ${acc.credentials().access}` } });
  return ((await res.json()) as { token: string }).token;
}

async function request(acc: SimAccount, stream: boolean, headers: Record<string, string> = {}): Promise<Response> {
  const provider = acc.provider;
  const body =
    provider === 'openai'
      ? { model: 'gpt-5-codex', stream, store: false, instructions: 'x', input: [{ role: 'user', content: 'hi' }] }
      : { model: provider === 'anthropic' ? 'claude-sonnet-4-5' : 'claude-sonnet-4', max_tokens: 64, stream, messages: [{ role: 'user', content: 'hi' }] };
  const auth: Record<string, string> =
    provider === 'anthropic'
      ? { authorization: `Bearer ${acc.credentials().access}`, 'anthropic-version': '2023-06-01', 'anthropic-beta': 'oauth-2025-04-20' }
      : provider === 'openai'
        ? { authorization: `Bearer ${acc.credentials().access}`, 'chatgpt-account-id': acc.accountId }
        : { authorization: `Bearer ${await copilotToken(acc)}` };
  return await fetch(`${sim.url}${ROUTES[provider]}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth, ...headers },
    body: JSON.stringify(body),
  });
}

/** Reads an SSE answer; for each complete event, the time (ms after `t0`) of the read that completed it. */
async function readEvents(res: Response, t0: number): Promise<{ text: string; arrivals: number[] }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const arrivals: number[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    const complete = text.split('\n\n').length - 1;
    const at = performance.now() - t0;
    while (arrivals.length < complete) arrivals.push(at);
  }
  return { text, arrivals };
}

async function dripped(acc: SimAccount, headers: Record<string, string> = {}): Promise<{ text: string; arrivals: number[]; status: number }> {
  if (acc.provider === 'github-copilot') await copilotToken(acc); // exchanged before the clock starts
  const t0 = performance.now();
  const res = await request(acc, true, headers);
  return { status: res.status, ...(await readEvents(res, t0)) };
}

describe('drip mode', () => {
  it('streams exactly N events D ms apart with x-sim-drip: NxD', async () => {
    const acc = sim.addAccount('anthropic');
    const { status, text, arrivals } = await dripped(acc, { 'x-sim-drip': '12x30' });
    expect(status).toBe(200);
    const events = parseSse(text);
    expect(events).toHaveLength(12);
    expect(arrivals).toHaveLength(12);
    expect(events[0]!.event).toBe('message_start');
    expect(events.at(-1)!.event).toBe('message_stop');
    expect(events.filter((e) => e.event === 'content_block_delta')).toHaveLength(12 - 6);
    // Event k (0-based) is written k × 30 ms after the first; allow 1 ms of timer rounding.
    for (const [k, at] of arrivals.entries()) expect(at).toBeGreaterThanOrEqual(k * 30 - 1);
  });

  it('is off by default: a normal stream comes without pauses between its events', async () => {
    const acc = sim.addAccount('anthropic');
    const events = parseSse(await (await request(acc, true)).text());
    // The default reply's word deltas plus the 6 framing events, not a drip count.
    expect(events.at(-1)!.event).toBe('message_stop');
    expect(acc.drip).toBeUndefined();
  });

  it('takes the account knob, and the header wins over it', async () => {
    const acc = sim.addAccount('anthropic');
    acc.drip = { events: 9, intervalMs: 5 };
    expect(parseSse((await dripped(acc)).text)).toHaveLength(9);
    expect(parseSse((await dripped(acc, { 'x-sim-drip': '7x5' })).text)).toHaveLength(7);
    // A non-streamed answer is one JSON body whatever the drip.
    const json = await request(acc, false);
    expect(json.status).toBe(200);
    expect(((await json.json()) as { type: string }).type).toBe('message');
  });

  it('counts each provider framing: OpenAI Responses and Copilot chat streams have N events too', async () => {
    const codex = await dripped(sim.addAccount('openai'), { 'x-sim-drip': '14x2' });
    expect(codex.status).toBe(200);
    const codexEvents = parseSse(codex.text);
    expect(codexEvents).toHaveLength(14);
    expect(codexEvents.at(-1)!.event).toBe('response.completed');
    const copilot = await dripped(sim.addAccount('github-copilot'), { 'x-sim-drip': '8x2' });
    expect(copilot.status).toBe(200);
    const chunks = parseSse(copilot.text);
    expect(chunks).toHaveLength(8);
    expect(chunks.at(-1)!.data).toBe('[DONE]');
  });

  it('raises N below the framing to framing + one delta', async () => {
    const events = parseSse((await dripped(sim.addAccount('anthropic'), { 'x-sim-drip': '2x1' })).text);
    expect(events).toHaveLength(7);
  });

  it('answers a bad x-sim-drip with a 400 that says the format', async () => {
    for (const bad of ['fast', '50x', '0x40', '50x-1', '50x999999']) {
      const res = await request(sim.addAccount('anthropic'), true, { 'x-sim-drip': bad });
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(/x-sim-drip must be EVENTSxMS|drip (events|intervalMs) must be/);
    }
  });

  it('is a control-API knob: a string or {events, intervalMs}, null clears, bad values change nothing', async () => {
    const acc = sim.addAccount('anthropic');
    const patch = (body: unknown): Promise<Response> =>
      fetch(`${sim.url}/__sim/accounts/${acc.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await patch({ drip: '50x40' })).status).toBe(200);
    expect(acc.drip).toEqual({ events: 50, intervalMs: 40 });
    expect((await patch({ drip: { events: 10, intervalMs: 3 } })).status).toBe(200);
    expect(acc.drip).toEqual({ events: 10, intervalMs: 3 });
    const bad = await patch({ drip: { events: 'many' }, delayMs: 5 });
    expect(bad.status).toBe(400);
    expect(acc.drip).toEqual({ events: 10, intervalMs: 3 });
    expect(acc.delayMs).toBe(0);
    expect((await patch({ drip: null })).status).toBe(200);
    expect(acc.drip).toBeUndefined();
  });
});

describe('any-account 429 queue', () => {
  it('answers the next request 429 whichever account it uses, then serves normally', async () => {
    const a = sim.addAccount('anthropic');
    const b = sim.addAccount('anthropic');
    a.retryAfterSec = 0.05;
    b.retryAfterSec = 2;
    sim.anyAccount.perMinuteLimited = 1;
    const limited = await request(b, false);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(((await limited.json()) as { error: { type: string } }).error.type).toBe('rate_limit_error');
    expect(sim.anyAccount.perMinuteLimited).toBe(0);
    expect((await request(a, false)).status).toBe(200);
    expect((await request(b, false)).status).toBe(200);
  });
});
