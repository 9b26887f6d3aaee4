/**
 * Reading a small upstream error body for classification. The client's `accept-encoding` is
 * forwarded, so a 429 body may come gzip-, br-, deflate- or zstd-compressed; classifying the
 * raw bytes would miss `usage_limit_reached` and its reset. The body is decoded here; when it
 * cannot be (an unknown coding, a corrupt or cut-off stream) the classifier gets no text and
 * the rate-limit headers decide.
 */
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';

/** Error bodies read for classification are small; never buffer more than this (compressed). */
export const MAX_ERROR_BODY = 64 * 1024;
/** Never inflate past this: a small compressed body must not expand into megabytes. */
export const MAX_DECODED_ERROR_BODY = 256 * 1024;

export interface ErrorBody {
  /** The decoded text; undefined when the body could not be decoded. */
  text: string | undefined;
  /** The bytes as they arrived (what to hand on when `text` is undefined). */
  raw: Buffer;
  /** True when `text` came out of a content-encoding, so the headers that described the raw bytes no longer apply. */
  decoded: boolean;
}

type Decoder = (input: Buffer) => Buffer;

const limit = { maxOutputLength: MAX_DECODED_ERROR_BODY };
const DECODERS: Record<string, Decoder | undefined> = {
  gzip: (b) => zlib.gunzipSync(b, limit),
  'x-gzip': (b) => zlib.gunzipSync(b, limit),
  // "deflate" is meant to be zlib-wrapped, but servers send raw deflate too; inflateSync takes the wrapped form, the fallback the raw one.
  deflate: (b) => {
    try {
      return zlib.inflateSync(b, limit);
    } catch {
      return zlib.inflateRawSync(b, limit);
    }
  },
  br: (b) => zlib.brotliDecompressSync(b, limit),
  // Node ≥ 22.15 has zstd; on older runtimes the coding counts as unknown (the headers decide).
  zstd: typeof zlib.zstdDecompressSync === 'function' ? (b) => zlib.zstdDecompressSync(b, limit) : undefined,
};

/** Codings in the order they were applied (`gzip, br` = gzip first); `identity` is no coding. */
function codings(contentEncoding: string | undefined): string[] {
  return (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
}

/** The body's text after undoing its content-encoding; undefined when it cannot be undone. */
export function decodeBody(raw: Buffer, contentEncoding: string | undefined): string | undefined {
  let bytes = raw;
  const applied = codings(contentEncoding);
  for (const coding of applied.reverse()) {
    const decode = DECODERS[coding];
    if (!decode) return undefined;
    try {
      bytes = decode(bytes);
    } catch {
      return undefined;
    }
  }
  return bytes.toString('utf8');
}

/** Read at most MAX_ERROR_BODY bytes; a longer body is cut off (and then, if compressed, undecodable). */
async function readLimited(body: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > max) {
        body.destroy();
        break;
      }
      chunks.push(buf);
    }
  } catch {
    // A broken error body is classified from what arrived.
  }
  return Buffer.concat(chunks);
}

export async function readErrorBody(body: Readable, contentEncoding: string | undefined): Promise<ErrorBody> {
  const raw = await readLimited(body, MAX_ERROR_BODY);
  const text = decodeBody(raw, contentEncoding);
  return { text, raw, decoded: text !== undefined && codings(contentEncoding).length > 0 };
}
