/**
 * Reads what the gateway needs from a buffered JSON request body (model, stream flag,
 * affinity fields, a rough token estimate of system/tools/messages — ≈ bytes / 4 — for the
 * Context Breakdown) WITHOUT building the whole object:
 * one pass over the top level that records where each value starts and ends. Strings are
 * skipped with `Buffer.indexOf` (native), so even a multi-megabyte conversation costs little,
 * and the body bytes themselves are forwarded untouched (never re-serialised).
 */
import type { AffinityFields, ProviderRequestRules } from '../providers/request-rules.js';


/** Byte ranges `[start, end)` of the top-level values of a JSON object. */
export type TopLevel = Map<string, [number, number]>;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Index just past the closing quote of the string whose opening quote is at `open`; -1 if unterminated. */
function skipString(buf: Buffer, open: number): number {
  let i = open + 1;
  for (;;) {
    const q = buf.indexOf(QUOTE, i);
    if (q < 0) return -1;
    // Count the backslashes right before the quote: an odd number escapes it.
    let k = q - 1;
    while (k > open && buf[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1;
    i = q + 1;
  }
}

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Index just past the value starting at `i` (object, array, string or scalar); -1 on malformed input. */
function skipValue(buf: Buffer, i: number): number {
  const c = buf[i];
  if (c === QUOTE) return skipString(buf, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    let j = i;
    while (j < buf.length) {
      const d = buf[j]!;
      if (d === QUOTE) {
        j = skipString(buf, j);
        if (j < 0) return -1;
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    return -1;
  }
  // Scalar: number, true, false, null.
  let j = i;
  while (j < buf.length) {
    const d = buf[j]!;
    if (d === 0x2c || d === 0x7d || d === 0x5d || isSpace(d)) break;
    j++;
  }
  return j > i ? j : -1;
}

/** Top-level keys of a JSON object body and their value ranges; undefined when the body is not a JSON object. */
export function scanTopLevel(buf: Buffer): TopLevel | undefined {
  const out: TopLevel = new Map();
  let i = 0;
  while (isSpace(buf[i])) i++;
  if (buf[i] !== 0x7b) return undefined;
  i++;
  for (;;) {
    while (isSpace(buf[i])) i++;
    if (buf[i] === 0x7d) return out;
    if (buf[i] !== QUOTE) return undefined;
    const keyEnd = skipString(buf, i);
    if (keyEnd < 0) return undefined;
    const key = buf.toString('utf8', i + 1, keyEnd - 1);
    i = keyEnd;
    while (isSpace(buf[i])) i++;
    if (buf[i] !== 0x3a) return undefined;
    i++;
    while (isSpace(buf[i])) i++;
    const end = skipValue(buf, i);
    if (end < 0) return undefined;
    out.set(key, [i, end]);
    i = end;
    while (isSpace(buf[i])) i++;
    if (buf[i] === 0x2c) {
      i++;
      continue;
    }
    if (buf[i] === 0x7d) return out;
    return undefined;
  }
}

/** JSON.parse of one top-level value (small ones: model, stream, metadata); undefined when absent or bad. */
export function parseValue(buf: Buffer, top: TopLevel | undefined, key: string, maxBytes = 64 * 1024): unknown {
  const range = top?.get(key);
  if (!range || range[1] - range[0] > maxBytes) return undefined;
  try {
    return JSON.parse(buf.toString('utf8', range[0], range[1]));
  } catch {
    return undefined;
  }
}

/** Size in bytes of a top-level value (0 when absent). */
export function valueSize(top: TopLevel | undefined, key: string): number {
  const range = top?.get(key);
  return range ? range[1] - range[0] : 0;
}

// ------------------------------------------------------------------ request summary

export interface RequestSummary {
  model?: string;
  stream: boolean;
  fields?: AffinityFields;
  estimate?: { system: number; tools: number; messages: number };
}

const tokens = (bytes: number): number => Math.ceil(bytes / 4);

export function summarizeBody(body: Buffer | undefined, rules: ProviderRequestRules): RequestSummary {
  if (!body || body.length === 0) return { stream: false };
  const top = scanTopLevel(body);
  if (!top) return { stream: false };
  const model = parseValue(body, top, 'model', 512);
  const stream = parseValue(body, top, 'stream', 16) === true;
  const fields: AffinityFields = {};
  if (top.has('metadata')) fields.metadata = parseValue(body, top, 'metadata', 8192);
  if (top.has('prompt_cache_key')) fields.prompt_cache_key = parseValue(body, top, 'prompt_cache_key', 1024);
  const summary: RequestSummary = {
    stream,
    fields,
    estimate: { system: tokens(sizeOf(top, rules.bodyParts.system)), tools: tokens(sizeOf(top, rules.bodyParts.tools)), messages: tokens(sizeOf(top, rules.bodyParts.messages)) },
  };
  if (typeof model === 'string') summary.model = model.slice(0, 200);
  return summary;
}

/** Bytes of the top-level values under `keys` together. */
function sizeOf(top: TopLevel, keys: readonly string[]): number {
  let n = 0;
  for (const key of keys) n += valueSize(top, key);
  return n;
}
