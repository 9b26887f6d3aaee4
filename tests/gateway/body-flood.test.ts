/**
 * Issue 11, finding 7: memory for buffered request bodies is bounded. The real `rotary gateway`
 * runs in its own process (so its RSS is its own) with ROTARY_GATEWAY_MAX_INFLIGHT_BODY set to
 * 64 MiB; 20 clients send a 32 MiB body each at the same time (8 with content-length, 8 of them
 * waiting for `100 Continue` as curl does above 1 MiB, 4 chunked).
 * What does not fit gets a 503 in the Anthropic format with retry-after; the peak RSS of the
 * gateway process (VmHWM) stays bounded; the gateway serves normally afterwards.
 */
import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnCli } from '../cli/cli-helpers.js';
import { homeWithAnthropicAccount } from '../helpers/seeded-home.js';
import { childEnv } from '../helpers/temp-home.js';
import { startSimulator, type Simulator } from '../sim/server.js';

const KEY = 'rotary-flood-key-0123456789';
const MiB = 1024 * 1024;
let sim: Simulator;
let temp: { home: string; cleanup: () => void };

beforeAll(async () => {
  sim = await startSimulator();
  temp = await homeWithAnthropicAccount(sim, 'rotary-flood-');
});
afterAll(async () => {
  await sim?.close();
  temp?.cleanup();
});

function memoryOf(pid: number): { rssMB: number; peakMB: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rssMB: Math.round(kb('VmRSS') / 1024), peakMB: Math.round(kb('VmHWM') / 1024) };
}

/** A 32 MiB Anthropic request body. */
function bigBody(): Buffer {
  const head = '{"model":"claude-sonnet-4-6","max_tokens":16,"messages":[{"role":"user","content":"';
  const tail = '"}]}';
  const body = Buffer.alloc(32 * MiB, 'x');
  body.write(head, 0);
  body.write(tail, body.length - tail.length);
  return body;
}

type Mode = 'length' | 'expect-continue' | 'chunked';

function send(url: URL, body: Buffer, mode: Mode): Promise<{ status: number; retryAfter?: string; text: string }> {
  const chunked = mode === 'chunked';
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: '/anthropic/v1/messages',
        method: 'POST',
        agent: false,
        headers: {
          'x-api-key': KEY,
          'content-type': 'application/json',
          'anthropic-version': '2023-06-01',
          ...(chunked ? {} : { 'content-length': String(body.length) }),
          // Like curl above 1 MiB: the body goes only after the gateway's 100 Continue, so a refusal costs no upload.
          ...(mode === 'expect-continue' ? { expect: '100-continue' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, ...(res.headers['retry-after'] ? { retryAfter: String(res.headers['retry-after']) } : {}), text });
          // Refused before 100 Continue: the body is never sent.
          if (mode === 'expect-continue' && !req.writableEnded) req.destroy();
        });
        res.on('error', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', (error) => (req.destroyed && mode === 'expect-continue' ? undefined : reject(error)));
    if (mode === 'expect-continue') req.on('continue', () => req.end(body));
    else if (chunked) {
      // 1 MiB pieces, no content-length: the gateway only learns the size as it reads.
      for (let i = 0; i < body.length; i += MiB) req.write(body.subarray(i, i + MiB));
      req.end();
    } else req.end(body);
  });
}

it('20 concurrent 32 MiB bodies: bounded RSS, 503 + retry-after for what does not fit, served afterwards', async () => {
  const env = childEnv({
    ROTARY_HOME: temp.home,
    ROTARY_UPSTREAM: sim.url,
    ROTARY_SECRET_BACKEND: 'file',
    ROTARY_GATEWAY_KEY: KEY,
    ROTARY_GATEWAY_MAX_INFLIGHT_BODY: String(64 * MiB),
  });
  const gw = spawnCli(['gateway', '--port', '0'], env);
  try {
    const url = new URL((await gw.waitFor(/listening on (http:\/\/\S+)/))[1]!);
    const before = memoryOf(gw.child.pid!);
    const body = bigBody();
    const modes: Mode[] = ['length', 'expect-continue', 'length', 'expect-continue', 'chunked'];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => send(url, body, modes[i % 5]!)));
    const after = memoryOf(gw.child.pid!);

    const ok = results.filter((r) => r.status === 200).length;
    const refused = results.filter((r) => r.status === 503);
    console.log(
      `body flood: 20 × 32 MiB, cap 64 MiB: ${ok} served, ${refused.length} refused (503); gateway RSS ${before.rssMB} MB before, ` +
        `peak ${after.peakMB} MB (VmHWM), ${after.rssMB} MB after`,
    );
    expect(ok + refused.length).toBe(20);
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) {
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
      expect(JSON.parse(r.text)).toMatchObject({ type: 'error', error: { type: 'api_error', message: expect.stringContaining('ROTARY_GATEWAY_MAX_INFLIGHT_BODY') } });
    }
    // Two bodies of 32 MiB fit the budget; the rest is never buffered. (Unbounded, it peaked near 1 GB.)
    expect(after.peakMB).toBeLessThan(before.rssMB + 3 * 64 + 60);

    // Capacity comes back: a normal request goes through.
    const small = await fetch(`${url.origin}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(small.status).toBe(200);
    await small.text();
  } finally {
    gw.child.kill('SIGTERM');
    await gw.exited;
  }
}, 90_000);
