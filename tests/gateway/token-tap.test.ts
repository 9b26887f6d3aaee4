import { describe, expect, it } from 'vitest';
import { createTokenTap, UsageLineScanner } from '../../electron/core/gateway/token-tap.js';
import { rulesFor } from '../../electron/core/providers/registry.js';

const anthropicStream = [
  'event: message_start',
  'data: {"type":"message_start","message":{"id":"m","usage":{"input_tokens":120,"output_tokens":1,"cache_read_input_tokens":30,"cache_creation_input_tokens":7}}}',
  '',
  'event: content_block_delta',
  'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hello"}}',
  '',
  'event: message_delta',
  'data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":42}}',
  '',
  'event: message_stop',
  'data: {"type":"message_stop"}',
  '',
  '',
].join('\n');

describe('token tap', () => {
  it('reads Anthropic stream usage however the bytes are split', () => {
    const bytes = Buffer.from(anthropicStream);
    for (const size of [1, 7, 64, bytes.length]) {
      const tap = createTokenTap(rulesFor('anthropic'), 'text/event-stream', undefined)!;
      for (let i = 0; i < bytes.length; i += size) tap.push(bytes.subarray(i, i + size));
      expect(tap.result(), `chunks of ${size}`).toEqual({ input: 120, output: 42, cacheRead: 30, cacheWrite: 7 });
    }
  });

  it('hands over only data lines that mention usage, CRLF included', () => {
    const seen: string[] = [];
    const scanner = new UsageLineScanner((d) => seen.push(d));
    scanner.push(Buffer.from('data: {"a":1}\r\ndata: {"usage":{"x":1}}\r\nevent: usage\r\n'));
    expect(seen).toEqual(['{"usage":{"x":1}}']);
  });

  it('finds usage lines split anywhere across chunks, CRLF and long lines included (the scanner carries only partial lines)', () => {
    const long = `data: {"type":"content_block_delta","delta":{"text":"${'y'.repeat(10_000)}"}}`;
    const text = [anthropicStream.replace(/\n/g, '\r\n'), long, '', anthropicStream].join('\n');
    const bytes = Buffer.from(text);
    for (const size of [2, 3, 5, 13, 100, 4097]) {
      const seen: string[] = [];
      const scanner = new UsageLineScanner((d) => seen.push(d));
      for (let i = 0; i < bytes.length; i += size) scanner.push(bytes.subarray(i, i + size));
      expect(seen.length, `chunks of ${size}`).toBe(4);
      expect(seen.every((d) => d.startsWith('{') && d.endsWith('}') && d.includes('"usage"')), `chunks of ${size}`).toBe(true);
    }
  });

  it('counts nothing for a compressed body', () => {
    expect(createTokenTap(rulesFor('anthropic'), 'text/event-stream', 'gzip')).toBeUndefined();
  });
});
