/**
 * Server-sent events: a small writer used by all three providers, and a parser tests use to
 * check the framing (`event:` line, `data:` line, blank line).
 */
import type { Ctx } from './http.js';

export interface SseOptions {
  /** Delay between headers and the first event. */
  firstByteDelayMs?: number | undefined;
  /** Delay between events. */
  chunkDelayMs?: number | undefined;
}

export class SseWriter {
  private started = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly opts: SseOptions = {},
  ) {}

  /** Sends the status line and headers at once, so clients see the stream begin. */
  async open(status: number, headers: Record<string, string>): Promise<void> {
    const { res } = this.ctx;
    if (res.destroyed) return;
    res.writeHead(status, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...headers,
      ...this.ctx.echoHeaders,
    });
    res.flushHeaders();
    if (this.opts.firstByteDelayMs) await this.ctx.state.sleep(this.opts.firstByteDelayMs);
  }

  /** Anthropic and the Responses API name their events; Copilot (chat completions) does not. */
  async event(name: string | undefined, data: unknown): Promise<void> {
    const payload = typeof data === 'string' ? data : JSON.stringify(data);
    await this.write(`${name ? `event: ${name}\n` : ''}data: ${payload}\n\n`);
  }

  async write(chunk: string): Promise<void> {
    const { res } = this.ctx;
    if (res.destroyed) return;
    if (this.started && this.opts.chunkDelayMs) await this.ctx.state.sleep(this.opts.chunkDelayMs);
    this.started = true;
    if (!res.destroyed) res.write(chunk);
  }

  end(): void {
    if (!this.ctx.res.destroyed) this.ctx.res.end();
  }

  /** Simulates the upstream dying mid-stream. */
  destroy(): void {
    this.ctx.req.socket.destroy();
  }
}

export interface ParsedSseEvent {
  event?: string;
  data: string;
}

/** Minimal SSE parser (spec subset: `event:`, multi-line `data:`, comments, CRLF). */
export function parseSse(text: string): ParsedSseEvent[] {
  const out: ParsedSseEvent[] = [];
  for (const block of text.replace(/\r\n?/g, '\n').split('\n\n')) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (event !== undefined || data.length) out.push({ ...(event !== undefined ? { event } : {}), data: data.join('\n') });
  }
  return out;
}

/** Writer timing for an account's streamed answer: drip mode (ctx.drip) sets the gap between events. */
export function sseTiming(ctx: Ctx, acc: { firstByteDelayMs?: number | undefined; chunkDelayMs: number }): SseOptions {
  return { firstByteDelayMs: acc.firstByteDelayMs, chunkDelayMs: ctx.drip ? ctx.drip.intervalMs : acc.chunkDelayMs };
}
