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

/** Splits an SSE byte stream into lines and hands over the payload of `data:` lines that mention `"usage"`. */
export class UsageLineScanner {
  private carry: Buffer | undefined;

  constructor(private readonly onData: (data: string) => void) {}

  push(chunk: Buffer): void {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const lastNewline = buf.lastIndexOf(NEWLINE);
    if (lastNewline < 0) {
      this.carry = buf.length <= MAX_CARRY ? Buffer.from(buf) : undefined;
      return;
    }
    // Keep the unfinished last line (copied, so the chunk itself can be freed).
    this.carry = lastNewline + 1 < buf.length && buf.length - lastNewline <= MAX_CARRY ? Buffer.from(buf.subarray(lastNewline + 1)) : undefined;
    const complete = buf.subarray(0, lastNewline);
    if (complete.indexOf(USAGE) < 0) return;
    let start = 0;
    while (start < complete.length) {
      let end = complete.indexOf(NEWLINE, start);
      if (end < 0) end = complete.length;
      const line = complete.subarray(start, end);
      if (line.indexOf(DATA) === 0 && line.indexOf(USAGE) >= 0) this.onData(line.toString('utf8', DATA.length).trim());
      start = end + 1;
    }
  }
}
