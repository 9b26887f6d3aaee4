/**
 * Picks token counts out of a response as it streams past, for the activity log. Chunks are
 * fed AFTER they were written to the client; JSON bodies are parsed once at the end. Off the
 * critical path and bounded: a compressed or oversized body is simply not counted.
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';
import { parseValue, scanTopLevel } from '../rotation/body-scan.js';
import type { ProviderRequestRules, TokenCounts } from '../rotation/rules.js';

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
    const decoder = new TextDecoder();
    const parser: EventSourceParser = createParser({
      onEvent(event) {
        const found = rules.tokensFromSse(event.event, event.data);
        if (found) {
          seen = true;
          merge(counts, found);
        }
      },
    });
    return {
      push(chunk) {
        parser.feed(decoder.decode(chunk, { stream: true }));
      },
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
