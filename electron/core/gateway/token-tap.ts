/**
 * Picks token counts out of a response as it streams past, for the activity log. Chunks are
 * fed AFTER they were written to the client; JSON bodies are parsed once at the end. Off the
 * critical path and bounded: a compressed or oversized body is simply not counted.
 *
 * Streams are scanned as bytes, not decoded and parsed event by event: every provider puts
 * its token counts in a single `data:` line that contains `"usage"` (Anthropic message_start
 * and message_delta, Responses `response.completed`, the last chat-completions chunk), so
 * only those lines are decoded and parsed. The bulk of a stream (text deltas) costs one
 * native byte search per chunk.
 */
import { parseValue, scanTopLevel } from './body-scan.js';
import type { ProviderRequestRules, TokenCounts } from '../providers/request-rules.js';

const MAX_JSON_TAP = 1024 * 1024;

export interface TokenTap {
  push(chunk: Buffer): void;
  /** Counts seen so far (call after the body ended). */
  result(): TokenCounts | undefined;
}

function merge(into: TokenCounts, more: TokenCounts | undefined): void {
  if (!more) return;
  if (more.input !== undefined) into.input = more.input;
  if (more.output !== undefined) into.output = more.output;
  if (more.cacheRead !== undefined) into.cacheRead = more.cacheRead;
  if (more.cacheWrite !== undefined) into.cacheWrite = more.cacheWrite;
}

export function createTokenTap(rules: ProviderRequestRules, contentType: string | undefined, contentEncoding: string | undefined): TokenTap | undefined {
  if (contentEncoding && contentEncoding !== 'identity') return undefined;
  const type = (contentType ?? '').toLowerCase();
  const counts: TokenCounts = {};
  let seen = false;
  if (type.includes('text/event-stream')) {
    const lines = new UsageLineScanner((data) => {
      const found = rules.tokensFromSse(undefined, data);
      if (found) {
        seen = true;
        merge(counts, found);
      }
    });
    return {
      push: (chunk) => lines.push(chunk),
      result: () => (seen ? counts : undefined),
    };
  }
  if (type.includes('json')) {
    const chunks: Buffer[] = [];
    let size = 0;
    return {
      push(chunk) {
        size += chunk.length;
        if (size <= MAX_JSON_TAP) chunks.push(chunk);
      },
      result() {
        if (size > MAX_JSON_TAP || size === 0) return undefined;
        // Only the top-level `usage` object is parsed, not the whole answer.
        const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
        const top = scanTopLevel(buf);
        if (!top?.has('usage')) return undefined;
        return rules.tokensFromJson({ usage: parseValue(buf, top, 'usage') });
      },
    };
  }
  return undefined;
}

const USAGE = Buffer.from('"usage"');
const DATA = Buffer.from('data:');
const NEWLINE = 0x0a;
/** A line longer than this is not an event we care about; drop it rather than buffer without bound. */
const MAX_CARRY = 256 * 1024;
/** First size of the buffer that carries a line split across chunks (grows by doubling up to MAX_CARRY). */
const FIRST_CARRY = 4 * 1024;

/**
 * Splits an SSE byte stream into lines and hands over the payload of `data:` lines that mention
 * `"usage"`. Per chunk, on the common path (a chunk of whole events), the cost is one native
 * search for `"usage"` and one for the last newline: nothing is allocated or decoded. Only a
 * line cut by a chunk boundary is copied, into one buffer per stream that is reused; only a
 * usage line (two or three per answer) is decoded.
 */
export class UsageLineScanner {
  /** The start of a line the previous chunks did not finish (reused; allocated on the first split). */
  private line: Buffer | undefined;
  private lineLength = 0;
  /** The carried line grew past MAX_CARRY: skip it up to its newline. */
  private skipping = false;

  constructor(private readonly onData: (data: string) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    if (this.lineLength > 0 || this.skipping) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline < 0) {
        this.carry(chunk, 0, chunk.length);
        return;
      }
      this.carry(chunk, 0, newline);
      if (!this.skipping) this.lineDone(this.line!, 0, this.lineLength);
      this.lineLength = 0;
      this.skipping = false;
      start = newline + 1;
    }
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline >= start) {
      // Complete lines in [start, lastNewline): only the ones holding "usage" are looked at.
      let at = chunk.indexOf(USAGE, start);
      while (at >= 0 && at < lastNewline) {
        const lineStart = Math.max(start, chunk.lastIndexOf(NEWLINE, at) + 1);
        const lineEnd = chunk.indexOf(NEWLINE, at);
        this.lineDone(chunk, lineStart, lineEnd);
        at = chunk.indexOf(USAGE, lineEnd + 1);
      }
      start = lastNewline + 1;
    }
    if (start < chunk.length) this.carry(chunk, start, chunk.length);
  }

  /** A whole line `buf[from, to)` (without its newline). */
  private lineDone(buf: Buffer, from: number, to: number): void {
    if (to - from <= DATA.length || buf.compare(DATA, 0, DATA.length, from, from + DATA.length) !== 0) return;
    const at = buf.indexOf(USAGE, from);
    if (at >= 0 && at < to) this.onData(buf.toString('utf8', from + DATA.length, to).trim());
  }

  /** Keeps `chunk[from, to)` as the start of the next line (copied: the chunk itself is not held). */
  private carry(chunk: Buffer, from: number, to: number): void {
    if (this.skipping) return;
    const needed = this.lineLength + (to - from);
    if (needed > MAX_CARRY) {
      this.skipping = true;
      this.lineLength = 0;
      return;
    }
    if (!this.line || this.line.length < needed) {
      let size = this.line ? this.line.length * 2 : FIRST_CARRY;
      while (size < needed) size *= 2;
      const grown = Buffer.allocUnsafe(Math.min(size, MAX_CARRY));
      if (this.line) this.line.copy(grown, 0, 0, this.lineLength);
      this.line = grown;
    }
    chunk.copy(this.line, this.lineLength, from, to);
    this.lineLength = needed;
  }
}
