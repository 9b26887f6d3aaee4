/**
 * Real clients through the gateway to the simulator: the Anthropic SDK (plain and streaming),
 * `claude -p` from @anthropic-ai/claude-code, and the openai SDK on the Codex and Copilot routes.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inferenceAccounts, startHarness, TEST_KEY, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ accounts: { anthropic: 2, openai: 2, 'github-copilot': 2 } });
});
afterAll(async () => h?.close());

describe('Anthropic SDK', () => {
  it('plain messages.create with authToken = gateway key', async () => {
    const client = new Anthropic({ baseURL: `${h.gw.url}/anthropic`, authToken: TEST_KEY, apiKey: null, maxRetries: 0 });
    const msg = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] });
    const text = msg.content[0]?.type === 'text' ? msg.content[0].text : '';
    expect(text).toContain(h.accounts.anthropic[0]!.sim.email);
    // The simulator saw the account's token, never the gateway key.
    const seen = h.sim.requests.filter((r) => r.path === '/v1/messages').at(-1)!;
    expect(seen.headers.authorization).toBe(`Bearer ${h.accounts.anthropic[0]!.sim.credentials().access}`);
    expect(seen.headers['x-api-key']).toBeUndefined();
    expect(seen.headers['anthropic-beta']).toContain('oauth-2025-04-20');
    // Tokens for the activity log come from the JSON answer's usage.
    const entry = h.gw.activity.latest('anthropic')!;
    expect(entry).toMatchObject({ stream: false, status: 200, inputTokens: msg.usage.input_tokens, outputTokens: msg.usage.output_tokens, accountLabel: 'Account 1' });
  });

  it('streaming with apiKey = gateway key; activity gets tokens from the stream', async () => {
    const client = new Anthropic({ baseURL: `${h.gw.url}/anthropic`, apiKey: TEST_KEY, maxRetries: 0 });
    const stream = client.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user', content: 'Stream please' }] });
    let text = '';
    stream.on('text', (t) => (text += t));
    const final = await stream.finalMessage();
    expect(text).toContain('Hello from');
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    const entry = h.gw.activity.latest('anthropic')!;
    expect(entry.stream).toBe(true);
    expect(entry.outputTokens).toBe(final.usage.output_tokens);
    expect(entry.inputTokens).toBe(final.usage.input_tokens);
    expect(entry.breakdown!.messages).toBeGreaterThan(0);
  });
});

describe('claude -p', () => {
  it('prints the simulator reply through the gateway', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rotary-claude-home-'));
    try {
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: home,
        ANTHROPIC_BASE_URL: `${h.gw.url}/anthropic`,
        ANTHROPIC_AUTH_TOKEN: TEST_KEY,
        CLAUDE_CODE_MAX_RETRIES: '0',
        DISABLE_AUTOUPDATER: '1',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      };
      const reply = 'Rotary says hi via claude -p';
      for (const acc of h.accounts.anthropic) acc.sim.replyText = reply;
      const bin = path.resolve('node_modules/.bin/claude');
      const child = spawn(bin, ['-p', 'Say hello'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect({ code, err: err.slice(0, 500) }).toEqual({ code: 0, err: '' });
      expect(out).toContain(reply);
      const entry = h.gw.activity.latest('anthropic')!;
      expect(entry.conversationID).toMatch(/^anthropic:/);
      expect(entry.stream).toBe(true);
    } finally {
      for (const acc of h.accounts.anthropic) delete acc.sim.replyText;
      fs.rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('openai SDK', () => {
  it('Codex route: responses.create stream', async () => {
    const client = new OpenAI({ baseURL: `${h.gw.url}/openai`, apiKey: TEST_KEY, maxRetries: 0 });
    const stream = await client.responses.create({ model: 'gpt-5-codex', instructions: 'Be brief.', input: 'Hello', stream: true, store: false });
    let text = '';
    let completed = false;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = true;
    }
    expect(completed).toBe(true);
    expect(text).toContain(h.accounts.openai[0]!.sim.email);
    const seen = h.sim.requests.filter((r) => r.path === '/backend-api/codex/responses').at(-1)!;
    expect(seen.headers['chatgpt-account-id']).toBe(h.accounts.openai[0]!.sim.accountId);
    expect(inferenceAccounts(h.sim, '/backend-api/codex/responses')).toEqual([h.accounts.openai[0]!.sim.id]);
    const entry = h.gw.activity.latest('openai')!;
    expect(entry.outputTokens).toBeGreaterThan(0);
  });

  it('Copilot route: chat.completions.create (plain and streaming)', async () => {
    const client = new OpenAI({ baseURL: `${h.gw.url}/copilot`, apiKey: TEST_KEY, maxRetries: 0 });
    const done = await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'Hello' }] });
    expect(done.choices[0]?.message.content).toContain('Hello');
    const stream = await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'Hello' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    const seen = h.sim.requests.filter((r) => r.path === '/chat/completions').at(-1)!;
    expect(seen.headers.authorization).toMatch(/^Bearer tid=/);
    expect(seen.headers['editor-version']).toBeTruthy();
    expect(h.sim.counters.byProvider['github-copilot'].copilotTokenCalls).toBe(1);
  });
});
