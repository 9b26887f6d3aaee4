/**
 * The provider routes (`/anthropic/*`, `/openai/*`, `/copilot/*`): buffer the body once
 * (within the size limit, the body deadline and the in-flight budget), hand it to the rotating
 * fetch, stream the chosen answer back (bytes untouched; cookies and any header carrying the
 * account's token dropped), end a stream whose upstream goes silent with the provider's own
 * error event, cancel upstream when the client goes away, and log the request once it is over.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RequestEntry } from '../../../shared/activity.js';
import type { ProviderRequestRules, TokenCounts } from '../providers/request-rules.js';
import type { LocalResponse } from '../rotation/contract.js';
import type { ForwardResult, RotatingFetch } from '../rotation/rotating-fetch.js';
import { StreamIdleError, type StreamIdleWatcher } from '../rotation/stream-idle.js';
import type { ActivityLog } from './activity-log.js';
import { summarizeBody, type RequestSummary } from './body-scan.js';
import { formatBytes, formatLimit } from '../env-settings.js';
import { readBody, type BodyBudget } from './front-door.js';
import { createTokenTap } from './token-tap.js';

/**
 * Response headers never passed on: the ones that describe the upstream connection, not the
 * answer (hop-by-hop), and cookies (the provider's session with Rotary, not the client's).
 */
const NOT_FOR_CLIENT = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'trailer', 'upgrade', 'set-cookie', 'set-cookie2']);

export interface ProxyDeps {
  fetch: RotatingFetch;
  activity: ActivityLog;
  maxBodyBytes: number;
  now: () => number;
  /** Shared bound on buffered request bodies (ROTARY_GATEWAY_MAX_INFLIGHT_BODY). */
  budget: BodyBudget;
  /** A body must arrive within this (ROTARY_GATEWAY_BODY_TIMEOUT_MS). */
  bodyTimeoutMs: number;
  /** The stream idle limit, for the message when it ends a stream (ROTARY_UPSTREAM_STREAM_IDLE_MS). */
  streamIdleMs: number;
  /** Token values of the account that answered: a header carrying one is dropped. */
  secretsOf(providerID: ProviderRequestRules['providerID'], recordID: string): readonly string[];
}

/**
 * The headers of an upstream answer as the client may see them: no hop-by-hop headers, no
 * cookies, and no header whose value carries one of the account's tokens (an upstream that
 * echoes `Authorization` must not hand the token to the client).
 */
export function clientHeaders(upstream: Record<string, string | string[] | undefined>, secrets: readonly string[]): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined || NOT_FOR_CLIENT.has(name)) continue;
    if (secrets.length > 0 && carriesSecret(value, secrets)) continue;
    out[name] = value;
  }
  return out;
}

/** Whether a header value (or one of its values) contains one of the secrets; plain loops, as this runs on every header of every answer. */
function carriesSecret(value: string | string[], secrets: readonly string[]): boolean {
  if (typeof value !== 'string') {
    for (const v of value) if (carriesSecret(v, secrets)) return true;
    return false;
  }
  for (const secret of secrets) if (value.includes(secret)) return true;
  return false;
}

let seq = 0;
const idPrefix = randomBytes(3).toString('hex');

export function sendLocal(res: ServerResponse, response: LocalResponse, extra: Record<string, string> = {}, secrets: readonly string[] = []): void {
  if (res.headersSent || res.destroyed) return;
  const headers = clientHeaders(response.headers, secrets);
  for (const name in extra) headers[name] = extra[name];
  headers['content-length'] = String(Buffer.byteLength(response.body));
  res.writeHead(response.status, headers);
  res.end(response.body);
}

/** `..` segments (also percent-encoded) could walk off the provider's base path upstream. */
function unsafePath(path: string): boolean {
  const q = path.indexOf('?');
  const p = (q < 0 ? path : path.slice(0, q)).toLowerCase();
  return p.includes('..') || p.includes('%2e') || p.includes('\\') || p.includes('%5c') || !p.startsWith('/');
}

function clientName(userAgent: string | undefined): string | undefined {
  if (!userAgent) return undefined;
  const ua = userAgent.toLowerCase();
  if (ua.includes('claude-cli') || ua.includes('claude-code')) return 'Claude Code';
  if (ua.includes('codex')) return 'Codex';
  if (ua.includes('opencode')) return 'opencode';
  if (ua.includes('anthropic') || ua.includes('openai')) return 'SDK';
  return undefined;
}

function conversationTitle(rules: ProviderRequestRules, key: string | undefined, userAgent: string | undefined): string {
  const who = clientName(userAgent) ?? rules.name;
  if (!key) return `${who} (no session)`;
  const session = key.slice(key.indexOf(':') + 1);
  return `${who} · ${session.slice(0, 8)}`;
}

export async function handleProxy(
  req: IncomingMessage,
  res: ServerResponse,
  rules: ProviderRequestRules,
  path: string,
  deps: ProxyDeps,
): Promise<void> {
  const start = deps.now();
  if (unsafePath(path)) {
    sendLocal(res, rules.errorResponse(400, 'bad-request', 'Rotary refused a path with ".." or backslashes.'));
    return;
  }
  const read = await readBody(req, deps.maxBodyBytes, { budget: deps.budget, timeoutMs: deps.bodyTimeoutMs });
  if (!read.ok) {
    if (read.reason !== 'aborted') sendBodyRefusal(res, rules, read.reason, deps);
    return;
  }
  // The body stays in memory until the answer is over (it may be replayed on the next account).
  res.once('close', read.release);
  const body = read.body;
  const summary: RequestSummary = req.method === 'GET' || req.method === 'HEAD' ? { stream: false } : summarizeBody(body, rules);
  const affinityKey = rules.affinityKey(req.headers, summary.fields);

  const abort = new AbortController();
  const onClose = (): void => {
    if (!res.writableFinished) abort.abort();
  };
  res.once('close', onClose);

  let result: ForwardResult;
  try {
    result = await deps.fetch.forward({
      rules,
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      affinityKey,
      model: summary.model,
      signal: abort.signal,
    });
  } catch (error) {
    sendLocal(res, rules.errorResponse(502, 'network', `Rotary failed to forward the request: ${(error as Error)?.message ?? String(error)}`));
    return;
  }

  // Built with plain assignments: this runs once per request and object spreads cost more.
  const finish = (status: number, tokens: TokenCounts | undefined): void => {
    const q = path.indexOf('?');
    const entry: RequestEntry = {
      id: `${idPrefix}-${++seq}`,
      conversationID: affinityKey ?? `${rules.providerID}:no-session`,
      providerID: rules.providerID,
      at: start,
      method: req.method ?? 'GET',
      path: (q < 0 ? path : path.slice(0, q)).slice(0, 200),
      stream: summary.stream,
      status,
      latencyMs: deps.now() - start,
      rotations: result.rotations,
    };
    if (summary.model) entry.model = summary.model;
    if (result.recordID) entry.recordID = result.recordID;
    if (result.label) entry.accountLabel = result.label;
    if (result.pick) entry.pick = result.pick;
    if (tokens?.input !== undefined) entry.inputTokens = tokens.input;
    if (tokens?.output !== undefined) entry.outputTokens = tokens.output;
    if (summary.estimate) {
      entry.breakdown = {
        system: summary.estimate.system,
        tools: summary.estimate.tools,
        messages: summary.estimate.messages,
        cacheRead: tokens?.cacheRead ?? 0,
        cacheWrite: tokens?.cacheWrite ?? 0,
        output: tokens?.output ?? 0,
      };
    }
    deps.activity.addRequest(entry, conversationTitle(rules, affinityKey, req.headers['user-agent']));
  };

  const secrets = result.recordID ? deps.secretsOf(rules.providerID, result.recordID) : [];
  if (result.kind === 'local') {
    res.off('close', onClose);
    if (result.aborted) return;
    sendLocal(res, result.response, {}, secrets);
    finish(result.response.status, result.kind === 'local' && result.response.status < 300 ? tapLocal(rules, result.response) : undefined);
    return;
  }

  streamUpstream(res, result, rules, { secrets, streamIdleMs: deps.streamIdleMs, idle: deps.fetch.idle }, (status, tokens) => {
    res.off('close', onClose);
    finish(status, tokens);
  });
}

/** A body that was not taken: too large (413), not sent in time (408), or no room in the in-flight budget (503). */
function sendBodyRefusal(res: ServerResponse, rules: ProviderRequestRules, reason: 'too-large' | 'timeout' | 'busy', deps: ProxyDeps): void {
  switch (reason) {
    case 'too-large':
      sendLocal(
        res,
        rules.errorResponse(413, 'too-large', `The request body is larger than the gateway's limit of ${formatBytes(deps.maxBodyBytes)} (set ROTARY_GATEWAY_MAX_BODY to change it).`),
        { connection: 'close' },
      );
      return;
    case 'timeout':
      sendLocal(
        res,
        rules.errorResponse(408, 'bad-request', `The request body did not arrive within ${formatLimit(deps.bodyTimeoutMs)} (ROTARY_GATEWAY_BODY_TIMEOUT_MS); Rotary closed the connection.`),
        { connection: 'close' },
      );
      return;
    case 'busy':
      // The rest of the body drains unread; the connection stays usable for the retry.
      sendLocal(
        res,
        rules.errorResponse(
          503,
          'network',
          `Rotary is already holding ${formatBytes(deps.budget.limit)} of request bodies in flight (ROTARY_GATEWAY_MAX_INFLIGHT_BODY); retry in a few seconds.`,
        ),
        { 'retry-after': String(BUSY_RETRY_AFTER_SEC) },
      );
  }
}

/** Seconds a client is asked to wait when the in-flight body budget is full (bodies clear in seconds). */
const BUSY_RETRY_AFTER_SEC = 2;

function tapLocal(rules: ProviderRequestRules, response: LocalResponse): TokenCounts | undefined {
  const tap = createTokenTap(rules, response.headers['content-type'], response.headers['content-encoding']);
  if (!tap) return undefined;
  tap.push(Buffer.from(response.body));
  return tap.result();
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Writes the upstream answer through with backpressure (the upstream is paused while the
 * client's socket is full, so a client that stops reading holds at most the socket buffers).
 * Per chunk: the write, a flag for the idle watch, a two-byte look at the chunk's end, and the
 * token tap's byte search, after the write. Rotary's code allocates, emits, logs and times
 * nothing per chunk (Node's chunked write itself still makes a length prefix and a nextTick).
 */
function streamUpstream(
  res: ServerResponse,
  result: Extract<ForwardResult, { kind: 'upstream' }>,
  rules: ProviderRequestRules,
  options: { secrets: readonly string[]; streamIdleMs: number; idle: StreamIdleWatcher },
  done: (status: number, tokens: TokenCounts | undefined) => void,
): void {
  const headers = clientHeaders(result.headers, options.secrets);
  const contentType = firstValue(result.headers['content-type']);
  const contentEncoding = firstValue(result.headers['content-encoding']);
  const tap = createTokenTap(rules, contentType, contentEncoding);
  const isEventStream = contentType !== undefined && contentType.includes('event-stream');
  // A plain (uncompressed) event stream can take one more event from us when its upstream fails.
  const eventStream = isEventStream && !contentEncoding;
  const body = result.body;
  res.writeHead(result.status, headers);
  // The headers go out with the first chunk, in the same write. A stream whose first event is
  // not here yet gets them at once (after this turn of the loop), so its first byte is not held back.
  let wrote = false;
  if (isEventStream && body.readableLength === 0) {
    setImmediate(() => {
      if (!wrote && !res.destroyed) res.flushHeaders();
    });
  }
  let finished = false;
  /** Whether what the client has so far ends between two events (a blank line). */
  let atEventBoundary = true;
  const watch = options.idle.watch(() => body.destroy(new StreamIdleError(options.streamIdleMs)));
  const end = (): void => {
    if (finished) return;
    finished = true;
    options.idle.unwatch(watch);
    done(result.status, tap?.result());
  };
  body.on('data', (chunk: Buffer) => {
    watch.seen = true;
    wrote = true;
    if (!res.write(chunk)) {
      body.pause();
      watch.paused = true;
    }
    if (eventStream && chunk.length > 0) atEventBoundary = endsEvent(chunk);
    tap?.push(chunk);
  });
  res.on('drain', () => {
    watch.paused = false;
    watch.seen = true;
    body.resume();
  });
  body.once('end', () => {
    res.end();
    end();
  });
  body.once('error', (error: Error) => {
    // Upstream went silent or broke mid-answer: bytes already reached the client, so no rotation.
    // A stream gets the provider's own error event and a clean end; anything else is cut off.
    if (eventStream && !res.destroyed) {
      const silent = (error as { code?: string }).code === 'UND_ERR_BODY_TIMEOUT';
      const message = silent
        ? `The ${rules.name} API sent nothing for ${formatLimit(options.streamIdleMs)} (ROTARY_UPSTREAM_STREAM_IDLE_MS); Rotary ended the stream.`
        : `The connection to the ${rules.name} API broke in the middle of the answer (${(error as { code?: string }).code ?? error.message}); Rotary ended the stream.`;
      res.end(`${atEventBoundary ? '' : '\n\n'}${rules.streamError(message)}`);
    } else res.destroy();
    end();
  });
  res.once('close', () => {
    if (!body.readableEnded) body.destroy();
    end();
  });
}

/** An SSE chunk that ends with a blank line (LF or CRLF framing). */
function endsEvent(chunk: Buffer): boolean {
  const n = chunk.length;
  return (n >= 2 && chunk[n - 1] === 0x0a && chunk[n - 2] === 0x0a) || (n >= 4 && chunk[n - 1] === 0x0a && chunk[n - 2] === 0x0d && chunk[n - 3] === 0x0a);
}
