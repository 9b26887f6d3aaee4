/**
 * The provider routes (`/anthropic/*`, `/openai/*`, `/copilot/*`): buffer the body once,
 * hand it to the rotating fetch, stream the chosen answer back untouched, cancel upstream
 * when the client goes away, and log the request in the activity log once it is over.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { RequestEntry } from '../../../shared/activity.js';
import type { ProviderRequestRules, TokenCounts } from '../providers/request-rules.js';
import type { LocalResponse } from '../rotation/contract.js';
import type { ForwardResult, RotatingFetch } from '../rotation/rotating-fetch.js';
import type { ActivityLog } from './activity-log.js';
import { summarizeBody, type RequestSummary } from './body-scan.js';
import { readBody } from './front-door.js';
import { createTokenTap } from './token-tap.js';

/** Response headers that describe the upstream connection, not the answer. */
const RESPONSE_HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'trailer', 'upgrade']);

export interface ProxyDeps {
  fetch: RotatingFetch;
  activity: ActivityLog;
  maxBodyBytes: number;
  now: () => number;
}

let seq = 0;
const idPrefix = randomBytes(3).toString('hex');

export function sendLocal(res: ServerResponse, response: LocalResponse, extra: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(response.status, { ...response.headers, ...extra, 'content-length': String(Buffer.byteLength(response.body)) });
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
  const read = await readBody(req, deps.maxBodyBytes);
  if (!read.ok) {
    if (read.reason === 'too-large') {
      const mib = Math.round((deps.maxBodyBytes / 1024 / 1024) * 10) / 10;
      sendLocal(
        res,
        rules.errorResponse(413, 'too-large', `The request body is larger than the gateway's limit of ${mib} MiB (set ROTARY_GATEWAY_MAX_BODY to change it).`),
        { connection: 'close' },
      );
    }
    return;
  }
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

  if (result.kind === 'local') {
    res.off('close', onClose);
    if (result.aborted) return;
    sendLocal(res, result.response);
    finish(result.response.status, result.kind === 'local' && result.response.status < 300 ? tapLocal(rules, result.response) : undefined);
    return;
  }

  streamUpstream(res, result, rules, (status, tokens) => {
    res.off('close', onClose);
    finish(status, tokens);
  });
}

function tapLocal(rules: ProviderRequestRules, response: LocalResponse): TokenCounts | undefined {
  const tap = createTokenTap(rules, response.headers['content-type'], response.headers['content-encoding']);
  if (!tap) return undefined;
  tap.push(Buffer.from(response.body));
  return tap.result();
}

/** Writes the upstream answer through with backpressure; token counting only looks at chunks already written. */
function streamUpstream(
  res: ServerResponse,
  result: Extract<ForwardResult, { kind: 'upstream' }>,
  rules: ProviderRequestRules,
  done: (status: number, tokens: TokenCounts | undefined) => void,
): void {
  const headers: OutgoingHttpHeaders = {};
  for (const name in result.headers) {
    if (!RESPONSE_HOP_BY_HOP.has(name)) headers[name] = result.headers[name];
  }
  const contentType = result.headers['content-type'];
  const contentEncoding = result.headers['content-encoding'];
  const tap = createTokenTap(
    rules,
    Array.isArray(contentType) ? contentType[0] : contentType,
    Array.isArray(contentEncoding) ? contentEncoding[0] : contentEncoding,
  );
  res.writeHead(result.status, headers);
  // Streams show their first byte at once instead of waiting for Nagle/cork.
  if (String(contentType ?? '').includes('event-stream')) res.flushHeaders();
  const body = result.body;
  let finished = false;
  const end = (): void => {
    if (finished) return;
    finished = true;
    done(result.status, tap?.result());
  };
  body.on('data', (chunk: Buffer) => {
    if (!res.write(chunk)) body.pause();
    tap?.push(chunk);
  });
  res.on('drain', () => body.resume());
  body.once('end', () => {
    res.end();
    end();
  });
  body.once('error', () => {
    // Upstream broke mid-answer: bytes already reached the client, so no rotation; cut the client off too.
    res.destroy();
    end();
  });
  res.once('close', () => {
    if (!body.readableEnded) body.destroy();
    end();
  });
}
