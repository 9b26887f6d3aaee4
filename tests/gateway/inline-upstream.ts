/**
 * Test helper for the gateway's load and memory tests: a minimal Anthropic-shaped upstream
 * (node:http on loopback, in the `ROTARY_UPSTREAM` layout) whose answer the test writes itself,
 * and the real gateway (`startRuntime`, as `rotary gateway` runs it) with one account in front
 * of it. Leaner than the simulator, so the load in a test is the gateway's, and the test
 * decides every byte and pause of the answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRuntime, type Runtime } from '../../electron/core/runtime.js';
import type { Gateway } from '../../electron/core/gateway/gateway.js';
import { makeTempHome } from '../helpers/temp-home.js';

export const INLINE_KEY = 'rotary-inline-key-0123456789';

/** Writes the answer to one `/v1/messages` request (the request body is already read). */
export type Answer = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface InlineGateway {
  gw: Gateway;
  core: Runtime;
  upstream: Server;
  /** Replace how the upstream answers `/v1/messages`. */
  answer: Answer;
  close(): Promise<void>;
}

/** One SSE event in the Anthropic framing. */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The events of a short Anthropic stream: message_start (input usage), `deltas` text deltas (seq numbers), message_delta (output usage), message_stop. */
export function anthropicStream(id: string, deltas: number): string[] {
  const events = [sseEvent('message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', content: [], usage: { input_tokens: 7, output_tokens: 1 } } })];
  for (let i = 0; i < deltas; i++) events.push(sseEvent('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `${id}#${i} ` } }));
  events.push(sseEvent('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: deltas } }));
  events.push(sseEvent('message_stop', { type: 'message_stop' }));
  return events;
}

export async function startInlineGateway(options: { env?: Record<string, string>; answer: Answer }): Promise<InlineGateway> {
  const state = { answer: options.answer };
  const upstream = createServer({ keepAlive: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url?.startsWith('/api.anthropic.com/v1/messages')) state.answer(req, res, Buffer.concat(chunks).toString('utf8'));
      else res.writeHead(404, { 'content-type': 'application/json' }).end('{"type":"error","error":{"type":"not_found_error","message":"not here"}}');
    });
  });
  // The upstream takes a burst as large as the gateway's.
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', 4096, resolve));
  const { home, cleanup } = makeTempHome('rotary-inline-');
  const env: NodeJS.ProcessEnv = {
    ROTARY_HOME: home,
    ROTARY_UPSTREAM: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
    ROTARY_SECRET_BACKEND: 'file',
    ROTARY_GATEWAY_KEY: INLINE_KEY,
    ROTARY_HISTORY: 'off',
    ...options.env,
  };
  const core = await startRuntime({ env, home, warn: () => undefined, service: { shell: 'web', version: '0.0.0-test' }, gateway: { port: 0 } });
  await core.pool.add({ providerID: 'anthropic', label: 'Inline', accountId: 'inline-account', secret: { access: 'inline-access-token', expires: Date.now() + 24 * 3600_000 } });
  const result: InlineGateway = {
    gw: core.gateway!,
    core,
    upstream,
    get answer() {
      return state.answer;
    },
    set answer(a: Answer) {
      state.answer = a;
    },
    async close() {
      await core.close();
      upstream.closeAllConnections();
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
      cleanup();
    },
  };
  return result;
}

/** The raw HTTP/1.1 text of a request to the gateway's Anthropic route. */
export function rawMessagesRequest(port: number, body: string, extra = ''): string {
  return (
    `POST /anthropic/v1/messages HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nx-api-key: ${INLINE_KEY}\r\n` +
    `content-type: application/json\r\nanthropic-version: 2023-06-01\r\n${extra}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}
