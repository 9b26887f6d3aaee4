/** Upstream error bodies come compressed when the client accepts it; rotation decodes them before classifying. */
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../electron/core/rotation/error-body.js';

const json = (v: unknown) => JSON.stringify(v);

describe('error bodies are decoded before classification', () => {
  const body = json({ error: { type: 'usage_limit_reached', resets_at: 1774472400 } });
  it.each([
    ['gzip', zlib.gzipSync(body)],
    ['br', zlib.brotliCompressSync(body)],
    ['deflate', zlib.deflateSync(body)],
    ['deflate', zlib.deflateRawSync(body)],
    ['zstd', zlib.zstdCompressSync(Buffer.from(body))],
    ['identity', Buffer.from(body)],
    ['gzip, br', zlib.brotliCompressSync(zlib.gzipSync(body))],
  ])('%s', (coding, bytes) => {
    expect(decodeBody(bytes, coding)).toBe(body);
  });

  it('an unknown coding or corrupt bytes give no text (the headers decide)', () => {
    expect(decodeBody(Buffer.from('not gzip'), 'gzip')).toBeUndefined();
    expect(decodeBody(zlib.gzipSync(body).subarray(0, 20), 'gzip')).toBeUndefined();
    expect(decodeBody(Buffer.from(body), 'compress')).toBeUndefined();
    // A small body that inflates into megabytes is refused, not expanded.
    expect(decodeBody(zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024)), 'gzip')).toBeUndefined();
  });
});

