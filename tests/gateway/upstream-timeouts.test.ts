/**
 * Issue 11, finding 8: a hanging upstream and a stream that goes silent. Both limits are set
 * short through their environment variables; the simulator's `delayMs` (nothing before the
 * status line) and `chunkDelayMs` (a pause between events) play the silent upstream. The client
 * must get a clear answer in the provider's own format: a 504 before the first byte, the
 * provider's SSE error event (then a clean end of the stream) after it.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderID } from '../../shared/domain.js';
import { parseSse } from '../sim/sse.js';
import { ANTHROPIC_HEADERS, anthropicBody, gwFetch, jsonOf, startHarness, TEST_KEY, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    accounts: { anthropic: 1, openai: 1, 'github-copilot': 1 },
    env: { ROTARY_UPSTREAM_HEADERS_TIMEOUT_MS: '300', ROTARY_UPSTREAM_STREAM_IDLE_MS: '300' },
  });
});
afterAll(async () => h?.close());

const ROUTES: Record<ProviderID, { path: string; body: (stream: boolean) => string }> = {
  anthropic: { path: '/anthropic/v1/messages', body: (stream) => anthropicBody({ stream }) },
  openai: { path: '/openai/responses', body: () => JSON.stringify({ model: 'gpt-5-codex', instructions: 'Be brief.', input: 'Hello there, tell me a long story', stream: true, store: false }) },
  'github-copilot': { path: '/copilot/chat/completions', body: (stream) => JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'Hello there, tell me a long story' }], stream }) },
};

function sim(providerID: ProviderID) {
  return h.accounts[providerID][0]!.sim;
}

async function post(providerID: ProviderID, stream: boolean): Promise<Response> {
  return gwFetch(h, ROUTES[providerID].path, {
    method: 'POST',
    headers: ANTHROPIC_HEADERS,
    body: ROUTES[providerID].body(stream),
    // Today's code waits ten minutes; the test must fail, not hang.
    signal: AbortSignal.timeout(15_000),
  });
}

describe('silent upstream: nothing before the first byte', () => {
  it.each<[ProviderID, (body: { type?: string; error: { type: string } }) => string]>([
    ['anthropic', (b) => `${b.type}/${b.error.type}`],
    ['openai', (b) => `${b.error.type}`],
    ['github-copilot', (b) => `${b.error.type}`],
  ])('%s: 504 in the provider format, naming the limit', async (providerID, shape) => {
    sim(providerID).delayMs = 5_000;
    try {
      const res = await post(providerID, false);
      expect(res.status).toBe(504);
      expect(res.headers.get('x-should-retry')).toBe('false');
      const body = await jsonOf(res);
      expect(shape(body)).toBe(providerID === 'anthropic' ? 'error/api_error' : 'server_error');
      const message: string = body.error.message;
      expect(message).toMatch(/did not start answering within 0\.3 s/);
      expect(message).toContain('ROTARY_UPSTREAM_HEADERS_TIMEOUT_MS');
      expect(message).not.toMatch(/UND_ERR/);
    } finally {
      sim(providerID).delayMs = 0;
    }
  });
});

describe('stalled stream: the upstream goes silent after the first events', () => {
  it('anthropic: raw SSE ends with event: error (api_error), then the stream closes cleanly', async () => {
    sim('anthropic').chunkDelayMs = 5_000;
    try {
      const res = await post('anthropic', true);
      expect(res.status).toBe(200);
      const events = parseSse(await res.text());
      expect(events[0]!.event).toBe('message_start');
      const last = events.at(-1)!;
      expect(last.event).toBe('error');
      const data = JSON.parse(last.data);
      expect(data).toMatchObject({ type: 'error', error: { type: 'api_error' } });
      expect(data.error.message).toMatch(/sent nothing for 0\.3 s/);
      expect(data.error.message).toContain('ROTARY_UPSTREAM_STREAM_IDLE_MS');
    } finally {
      sim('anthropic').chunkDelayMs = 0;
    }
  });

  it('anthropic SDK: the stream rejects with an APIError of type api_error (not a socket error)', async () => {
    sim('anthropic').chunkDelayMs = 5_000;
    try {
      const client = new Anthropic({ baseURL: `${h.gw.url}/anthropic`, apiKey: TEST_KEY, maxRetries: 0 });
      const stream = client.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user', content: 'Stream' }] });
      const error = await stream.finalMessage().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Anthropic.APIError);
      expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    } finally {
      sim('anthropic').chunkDelayMs = 0;
    }
  });

  it('openai (Codex Responses): an error event and response.failed, then the stream closes', async () => {
    sim('openai').chunkDelayMs = 5_000;
    try {
      const res = await post('openai', true);
      expect(res.status).toBe(200);
      const events = parseSse(await res.text());
      const names = events.map((e) => e.event);
      expect(names.slice(-2)).toEqual(['error', 'response.failed']);
      const error = JSON.parse(events.at(-2)!.data);
      expect(error).toMatchObject({ type: 'error', code: 'server_error', message: expect.stringContaining('ROTARY_UPSTREAM_STREAM_IDLE_MS') });
      const failed = JSON.parse(events.at(-1)!.data);
      expect(failed).toMatchObject({ type: 'response.failed', response: { status: 'failed', error: { code: 'server_error' } } });
    } finally {
      sim('openai').chunkDelayMs = 0;
    }
  });

  it('copilot (chat completions) via the openai SDK: the stream throws an APIError with the message', async () => {
    sim('github-copilot').chunkDelayMs = 5_000;
    try {
      const client = new OpenAI({ baseURL: `${h.gw.url}/copilot`, apiKey: TEST_KEY, maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'Hello there' }], stream: true });
      const error = await (async () => {
        for await (const _chunk of stream) void _chunk;
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as Error).message).toContain('ROTARY_UPSTREAM_STREAM_IDLE_MS');
    } finally {
      sim('github-copilot').chunkDelayMs = 0;
    }
  });

  it('a normal stream with short pauses is untouched', async () => {
    sim('anthropic').chunkDelayMs = 50;
    try {
      const res = await post('anthropic', true);
      const events = parseSse(await res.text());
      expect(events.at(-1)!.event).toBe('message_stop');
      expect(events.some((e) => e.event === 'error')).toBe(false);
    } finally {
      sim('anthropic').chunkDelayMs = 0;
    }
  });
});
