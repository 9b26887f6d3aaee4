/**
 * The rotating fetch (PRODUCT §3): sends one buffered request with an account's credentials
 * and, depending on the answer, hands it to the client or retries the same bytes on the next
 * account. It decides only on the status line and headers (plus a small error body for some
 * statuses, decoded first: error-body.ts), so nothing has reached the client when it rotates,
 * and the 2xx/5xx body it hands back is an untouched stream.
 *
 * Bookkeeping (outcomes, cooldowns, rotation order, passive usage) goes to the pool's batched
 * in-memory path: no store write on the hot path.
 */
import { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import type { AccountRecord, UsageSnapshot } from '../../../shared/domain.js';
import { DEFAULT_NAMESPACE } from '../../../shared/domain.js';
import { envInteger, formatLimit } from '../env-settings.js';
import type { AccountPick, ActivityEvent, RotationEvent } from '../../../shared/activity.js';
import type { ProviderForecast } from '../../../shared/forecast.js';
import { errorMessage, isRotaryError } from '../errors.js';
import type { AccountPool } from '../pool/account-pool.js';
import { isAvailable } from '../pool/order.js';
import { applyUpstream } from '../upstream.js';
import { AffinityMap, earliestFree, limitedByFamily, planCandidates, type DrainInputs } from './affinity.js';
import type { CredentialSource, HeaderBag, LocalResponse, RequestCredential, RotationRules, UpstreamVerdict } from './contract.js';
import { readErrorBody, type ErrorBody } from './error-body.js';
import { rotationEnv, rotationSettings } from './policy.js';
import { StreamIdleError, StreamIdleWatcher } from './stream-idle.js';

/** How often a request meeting a pool without accounts may re-read the store file. */
const EMPTY_POOL_REREAD_MS = 1000;
/** A 401 that survives a fresh token: park the account briefly instead of hammering it. */
const UNAUTHORIZED_AFTER_REFRESH_COOLDOWN_MS = 5 * 60_000;

export interface ForwardRequest {
  /** The provider's rules (the gateway looked them up by route); they carry its id. */
  rules: RotationRules;
  method: string;
  /** Path after the route prefix, with the query: `/v1/messages?beta=true`. */
  path: string;
  /** The client's headers (lower-case names); the gateway key is dropped here. */
  headers: HeaderBag;
  body: Buffer | undefined;
  affinityKey?: string | undefined;
  /** The requested model, for model-family limits (Anthropic's weekly Sonnet/Opus caps). */
  model?: string | undefined;
  /** Aborted when the client goes away: cancels the upstream request. */
  signal?: AbortSignal;
}

interface ResultBase {
  recordID?: string;
  label?: string;
  rotations: RotationEvent[];
  /** Which policy and rule chose the account that answered (the activity log shows it). */
  pick?: AccountPick;
}

/** The forecasts the drain-soonest policy reads (history/live-forecasts.ts); cached, cheap to ask. */
export interface RotationForecasts {
  forProvider(providerID: RotationRules['providerID']): ProviderForecast;
}

/** An upstream answer to stream to the client as is. */
export interface UpstreamResult extends ResultBase {
  kind: 'upstream';
  status: number;
  headers: HeaderBag;
  body: Readable;
}

/** An answer made here (all-limited 429, 502 on a network error) or an upstream error body already read. */
export interface LocalResult extends ResultBase {
  kind: 'local';
  response: LocalResponse;
  /** True when the client is gone and nothing should be written. */
  aborted?: boolean;
}

export type ForwardResult = UpstreamResult | LocalResult;

export interface RotatingFetchOptions {
  pool: AccountPool;
  /** Credentials per account (the gateway passes the token manager behind a short cache). */
  tokens: CredentialSource;
  env?: NodeJS.ProcessEnv;
  /** Upstream connection pool (keep-alive). Default: a private undici Agent. */
  dispatcher?: Dispatcher;
  now?: () => number;
  affinity?: AffinityMap;
  /** Rotation, all-limited and needs-reauth events (the activity log). */
  onEvent?: (event: ActivityEvent) => void;
  namespace?: string;
  /** Forecasts for the drain-soonest policy; without them it plans like active-first. */
  forecasts?: RotationForecasts;
}

export interface RotatingFetch {
  forward(request: ForwardRequest): Promise<ForwardResult>;
  /**
   * The stream idle limit of every upstream body: whoever reads an `upstream` result's body
   * watches it here (undici's own per-chunk body timer is off).
   */
  readonly idle: StreamIdleWatcher;
  readonly affinity: AffinityMap;
  readonly dispatcher: Dispatcher;
  close(): Promise<void>;
}

interface UpstreamTarget {
  origin: string;
  pathPrefix: string;
}

export interface UpstreamTimeouts {
  /** Time to the status line and headers (a model may think for minutes first). */
  headersTimeoutMs: number;
  /** Longest silence between two pieces of an answer's body (a stream's events). */
  streamIdleMs: number;
}

/** ROTARY_UPSTREAM_HEADERS_TIMEOUT_MS (default 10 min) and ROTARY_UPSTREAM_STREAM_IDLE_MS (default 5 min). */
export function upstreamTimeoutsFromEnv(env: NodeJS.ProcessEnv): UpstreamTimeouts {
  const ms = { unit: 'milliseconds', min: 1 };
  return {
    headersTimeoutMs: envInteger(env, 'ROTARY_UPSTREAM_HEADERS_TIMEOUT_MS', 10 * 60_000, ms),
    streamIdleMs: envInteger(env, 'ROTARY_UPSTREAM_STREAM_IDLE_MS', 5 * 60_000, ms),
  };
}

/** The keep-alive agent the gateway uses for upstream calls. */
export function createUpstreamAgent(timeouts: UpstreamTimeouts = upstreamTimeoutsFromEnv({})): Agent {
  return new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    headersTimeout: timeouts.headersTimeoutMs,
    // Off: undici would refresh a timer on every body chunk. The stream idle limit is watched
    // for all bodies by one coarse interval instead (stream-idle.ts, the rotating fetch's `idle`).
    bodyTimeout: 0,
    connect: { timeout: 15_000 },
  });
}

export function createRotatingFetch(options: RotatingFetchOptions): RotatingFetch {
  const { pool, tokens } = options;
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const ownsDispatcher = !options.dispatcher;
  const timeouts = upstreamTimeoutsFromEnv(env);
  const dispatcher = options.dispatcher ?? createUpstreamAgent(timeouts);
  const idle = new StreamIdleWatcher(timeouts.streamIdleMs);
  const affinity = options.affinity ?? new AffinityMap();
  const emit = options.onEvent ?? (() => undefined);
  const targets = new Map<string, UpstreamTarget>();
  // Read once: a bad ROTARY_ROTATION_POLICY / ROTARY_FORECAST_LEAD_MINUTES stops the start with a clear message.
  const envOverrides = rotationEnv(env);
  const forecasts = options.forecasts;

  /** What drain-soonest needs, from the forecasts, asked for only when the plan gets that far. */
  function drainInputs(rules: RotationRules, leadMinutes: number, now: number): DrainInputs | undefined {
    if (!forecasts) return undefined;
    let forecast: ProviderForecast | undefined;
    const account = (id: string) => (forecast ??= forecasts.forProvider(rules.providerID)).accounts.find((a) => a.recordID === id);
    return {
      leadMs: leadMinutes * 60_000,
      weekly(record) {
        const w = rules.weeklyWindow(record.usage);
        return w?.resetsAt !== undefined && w.resetsAt > now ? { resetsAt: w.resetsAt, label: w.label } : undefined;
      },
      takeoverLimitAt: (record) => account(record.id)?.takeoverLimitAt,
    };
  }

  /** Upstream origin and path prefix for a base URL, through applyUpstream (computed once per base). */
  function target(base: string): UpstreamTarget {
    let t = targets.get(base);
    if (!t) {
      const url = new URL(applyUpstream(`${base.replace(/\/+$/, '')}/`, env.ROTARY_UPSTREAM));
      t = { origin: url.origin, pathPrefix: url.pathname.replace(/\/+$/, '') };
      targets.set(base, t);
    }
    return t;
  }

  function rotationEvent(
    rules: RotationRules,
    from: AccountRecord,
    to: AccountRecord | undefined,
    status: number,
    what: string,
  ): RotationEvent {
    const message = to ? `${what} on ${from.label} → ${to.label}` : `${what} on ${from.label}; no other ${rules.name} account available`;
    return {
      at: now(),
      providerID: rules.providerID,
      fromRecordID: from.id,
      fromLabel: from.label,
      ...(to ? { toRecordID: to.id, toLabel: to.label } : {}),
      status,
      message,
    };
  }

  function allLimited(rules: RotationRules, rotations: RotationEvent[], family: string | undefined): LocalResult {
    const t = now();
    const records = pool.snapshot(rules.providerID, namespace).records;
    const earliest = earliestFree(records, t, family);
    const scoped = limitedByFamily(records, t, family);
    const needsLogin = records.filter((r) => !r.health.disabled && r.health.needsReauth).map((r) => r.label);
    const disabled = records.filter((r) => r.health.disabled).map((r) => r.label);
    const answer = rules.allLimitedResponse({ count: records.length, earliest, now: t, needsLogin, disabled, ...(scoped && family ? { family } : {}) });
    emit({ kind: 'all-limited', providerID: rules.providerID, message: answer.message, retryAfterSec: answer.retryAfterSec });
    const { message: _m, retryAfterSec: _r, ...response } = answer;
    return { kind: 'local', response, rotations };
  }

  /** Passive usage from every answer's headers; the pool keeps it in memory and coalesces the writes. */
  function recordUsage(rules: RotationRules, record: Readonly<AccountRecord>, headers: HeaderBag, t: number): void {
    const fresh = rules.usageFromHeaders(headers, t);
    if (fresh) pool.setUsage(rules.providerID, record.id, mergeUsage(record.usage, fresh));
  }

  let emptyPoolReadAt = -Infinity;

  async function forward(request: ForwardRequest): Promise<ForwardResult> {
    const { rules } = request;
    const providerID = rules.providerID;
    affinity.syncSwitch(providerID, pool.switchSeq(providerID));
    const start = now();
    const key = request.affinityKey;
    const family = rules.modelFamily(request.model);
    const settings = rotationSettings(pool.settings(), envOverrides);
    const plan = planCandidates({
      snapshot: pool.peekSnapshot(providerID, namespace),
      boundID: key ? affinity.get(key, start) : undefined,
      now: start,
      proactiveThreshold: settings.proactiveThreshold,
      family,
      sessionWindow: (record) => rules.sessionWindow(record.usage),
      policy: settings.policy,
      drain: settings.policy === 'drain-soonest' ? drainInputs(rules, settings.leadMinutes, start) : undefined,
    });
    const rotations: RotationEvent[] = [];
    if (plan.candidates.length === 0) {
      // No account at all: one may have been added by another process a moment ago (the app's
      // window while this gateway runs in its own process, `rotary auth add`) and not have reached
      // this process's file watch yet. Read the store once before saying so; at most once a second.
      if (plan.all.length === 0 && start - emptyPoolReadAt >= EMPTY_POOL_REREAD_MS) {
        emptyPoolReadAt = start;
        await pool.reload().catch(() => undefined);
        if (pool.peekSnapshot(providerID, namespace).records.length > 0) return forward(request);
      }
      return allLimited(rules, rotations, family);
    }
    if (plan.proactive) {
      const from = plan.all.find((r) => r.id === plan.proactive!.fromID);
      const to = plan.candidates[0]!;
      if (from) {
        const pctLimit = Math.round(settings.proactiveThreshold * 100);
        const ev: RotationEvent = {
          at: start,
          providerID,
          fromRecordID: from.id,
          fromLabel: from.label,
          toRecordID: to.id,
          toLabel: to.label,
          // Not an upstream answer: the switch happened before any request was sent.
          status: 0,
          message: `${from.label} is above ${pctLimit} % of its 5-hour window → new conversation on ${to.label}`,
        };
        rotations.push(ev);
        emit({ kind: 'rotation', event: ev });
      }
    }

    let credentialFailure: string | undefined;
    const candidates = plan.candidates;
    const pickFor = (index: number): AccountPick | undefined =>
      index === 0 ? plan.pick : { policy: settings.policy, rule: 'failover', reason: 'the accounts before it in the order could not take the request' };
    for (let i = 0; i < candidates.length; i++) {
      let record = candidates[i]!;
      if (i > 0) {
        // Another request may have cooled this one down meanwhile: do not spend a call on it.
        const live = pool.peekRecord(providerID, record.id);
        if (!live || !isAvailable(live, now(), family)) continue;
        record = live;
      }
      const next = (): AccountRecord | undefined => {
        const t = now();
        for (let j = i + 1; j < candidates.length; j++) {
          const live = pool.peekRecord(providerID, candidates[j]!.id);
          if (live && isAvailable(live, t, family)) return live;
        }
        return undefined;
      };

      let credential: RequestCredential;
      try {
        credential = await tokens.credential(providerID, record.id);
      } catch (error) {
        if (request.signal?.aborted) return abortedResult(rotations);
        if (isRotaryError(error, 'needs-reauth')) {
          markReauth(rules, record, rotations, next());
        } else {
          credentialFailure = `Could not get a token for ${record.label}: ${errorMessage(error)}`;
        }
        continue;
      }

      let refreshed = false;
      for (;;) {
        const t = target(credential.baseURL ?? rules.upstreamBase);
        let res: Dispatcher.ResponseData;
        try {
          res = await dispatcher.request({
            origin: t.origin,
            path: t.pathPrefix + request.path,
            method: request.method as Dispatcher.HttpMethod,
            headers: rules.outgoingHeaders(request.headers, credential, record.accountId),
            body: request.body && request.body.length > 0 ? request.body : null,
            // Whatever the dispatcher's default: the idle limit is `idle`'s (no timer per chunk).
            bodyTimeout: 0,
            ...(request.signal ? { signal: request.signal } : {}),
          });
        } catch (error) {
          if (request.signal?.aborted) return abortedResult(rotations);
          // Network error: no rotation (the next account would meet the same network); the 502 leaves the client's own retry on.
          pool.recordOutcome({ providerID, recordID: record.id, ok: false, status: 0 });
          const answer = upstreamFailure(rules.name, error, timeouts);
          return { kind: 'local', response: rules.errorResponse(answer.status, 'network', answer.message), recordID: record.id, label: record.label, rotations };
        }

        const status = res.statusCode;
        const t0 = now();
        let errorBody: ErrorBody | undefined;
        if (status !== 200 && rules.needsBody(status)) errorBody = await readErrorBodyWithin(res.body, headerText(res.headers['content-encoding']), timeouts.streamIdleMs);
        const verdict: UpstreamVerdict = rules.classify(status, res.headers, errorBody?.text, t0, { usage: record.usage });
        recordUsage(rules, record, res.headers, t0);

        if (verdict.kind === 'ok' || verdict.kind === 'pass') {
          if (verdict.kind === 'ok') pool.recordOutcome({ providerID, recordID: record.id, ok: true, status, ...(family ? { scope: family } : {}) });
          else if (status >= 500) pool.recordOutcome({ providerID, recordID: record.id, ok: false, status });
          if (key && status < 500) affinity.bind(providerID, key, record.id, t0);
          const pick = pickFor(i);
          const base = { recordID: record.id, label: record.label, rotations, ...(pick ? { pick } : {}) };
          if (verdict.kind === 'pass' && verdict.explain) {
            if (!errorBody) res.body.dump().catch(() => undefined);
            return { kind: 'local', ...base, response: rules.errorResponse(status, 'bad-request', verdict.explain) };
          }
          if (errorBody?.text !== undefined) return { kind: 'local', ...base, response: decodedErrorResponse(status, res.headers, errorBody.text, errorBody.decoded) };
          // Not decodable: the client gets the bytes as they came, with their own content-encoding.
          if (errorBody) return { kind: 'upstream', ...base, status, headers: withoutLength(res.headers), body: Readable.from([errorBody.raw]) };
          return { kind: 'upstream', ...base, status, headers: res.headers, body: res.body };
        }

        if (!errorBody) res.body.dump().catch(() => undefined);

        if (verdict.kind === 'unauthorized') {
          if (!refreshed) {
            refreshed = true;
            try {
              credential = await tokens.refreshAfter401(providerID, record.id, credential);
              continue; // one retry on the same account with the new token
            } catch (error) {
              if (request.signal?.aborted) return abortedResult(rotations);
              if (isRotaryError(error, 'needs-reauth')) markReauth(rules, record, rotations, next());
              else {
                credentialFailure = `Could not refresh the token of ${record.label}: ${errorMessage(error)}`;
                pool.recordOutcome({ providerID, recordID: record.id, ok: false, status });
              }
              break;
            }
          }
          pool.recordOutcome({
            providerID,
            recordID: record.id,
            ok: false,
            status,
            cooldownUntil: t0 + UNAUTHORIZED_AFTER_REFRESH_COOLDOWN_MS,
            cooldownReason: `rejected the refreshed token (${status})`,
          });
          pool.moveToBack(providerID, namespace, record.id);
          const ev = rotationEvent(rules, record, next(), status, String(status));
          rotations.push(ev);
          emit({ kind: 'rotation', event: ev });
          break;
        }

        // A limit of one model family cools the account for that family only; it stays in place for the others.
        if (verdict.modelScoped && family) {
          pool.recordOutcome({ providerID, recordID: record.id, ok: false, status, cooldownUntil: verdict.until, cooldownReason: verdict.reason, scope: family });
          const ev = rotationEvent(rules, record, next(), status, `${status} (${family} limit)`);
          rotations.push(ev);
          emit({ kind: 'rotation', event: ev });
          break;
        }
        // plan-limit or rate-limit: cool down until the reported reset, go last, try the next account.
        pool.recordOutcome({ providerID, recordID: record.id, ok: false, status, cooldownUntil: verdict.until, cooldownReason: verdict.reason });
        pool.moveToBack(providerID, namespace, record.id);
        const ev = rotationEvent(rules, record, next(), status, String(status));
        rotations.push(ev);
        emit({ kind: 'rotation', event: ev });
        break;
      }
    }

    if (credentialFailure) {
      return { kind: 'local', response: rules.errorResponse(502, 'network', credentialFailure), rotations };
    }
    return allLimited(rules, rotations, family);
  }

  function markReauth(rules: RotationRules, record: AccountRecord, rotations: RotationEvent[], to: AccountRecord | undefined): void {
    pool.recordOutcome({ providerID: rules.providerID, recordID: record.id, ok: false, status: 401, needsReauth: true });
    emit({ kind: 'needs-reauth', providerID: rules.providerID, recordID: record.id, label: record.label });
    const ev = rotationEvent(rules, record, to, 401, 'Needs re-login');
    rotations.push(ev);
    emit({ kind: 'rotation', event: ev });
  }

  return {
    forward,
    idle,
    affinity,
    dispatcher,
    async close() {
      idle.close();
      if (ownsDispatcher) await dispatcher.close().catch(() => undefined);
    },
  };
}

/** A small error body (≤ 64 KiB) read within the stream idle limit: one timer per such answer, on this rare path only. */
async function readErrorBodyWithin(body: Readable, contentEncoding: string | undefined, idleMs: number): Promise<ErrorBody> {
  const timer = setTimeout(() => body.destroy(new StreamIdleError(idleMs)), idleMs);
  try {
    return await readErrorBody(body, contentEncoding);
  } finally {
    clearTimeout(timer);
  }
}

function abortedResult(rotations: RotationEvent[]): LocalResult {
  return { kind: 'local', aborted: true, response: { status: 499, headers: {}, body: '' }, rotations };
}

/** Header usage replaces the windows it carries; windows only the usage endpoint knows (Sonnet, Opus) stay. */
export function mergeUsage(previous: UsageSnapshot | undefined, fresh: UsageSnapshot): UsageSnapshot {
  if (!previous || previous.windows.length === 0) return fresh;
  const keys = new Set(fresh.windows.map((w) => w.key));
  const kept = previous.windows.filter((w) => !keys.has(w.key));
  return kept.length ? { ...fresh, windows: [...fresh.windows, ...kept] } : fresh;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Headers that describe the bytes or the connection, not the answer: sendLocal sets its own length. */
const BYTE_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/** An upstream error body already read and decoded, for the client: without the coding and length that described the raw bytes. */
function decodedErrorResponse(status: number, headers: HeaderBag, text: string, decoded: boolean): LocalResponse {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined || BYTE_HEADERS.has(name) || (decoded && name === 'content-encoding')) continue;
    out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  return { status, headers: out, body: text };
}

/** The raw bytes read may be fewer than the upstream announced (a cut-off body): let the length be counted anew. */
function withoutLength(headers: HeaderBag): HeaderBag {
  const { 'content-length': _length, ...rest } = headers;
  return rest;
}

/** A 504 when the upstream never started answering (the limit named), else a 502 with the network reason. */
function upstreamFailure(name: string, error: unknown, timeouts: UpstreamTimeouts): { status: number; message: string } {
  if (networkReason(error) === 'UND_ERR_HEADERS_TIMEOUT') {
    return {
      status: 504,
      message: `The ${name} API did not start answering within ${formatLimit(timeouts.headersTimeoutMs)} (ROTARY_UPSTREAM_HEADERS_TIMEOUT_MS); Rotary gave up on the request. Try again, or raise the limit for very long requests.`,
    };
  }
  return { status: 502, message: `Rotary could not reach the ${name} API: ${networkReason(error)}.` };
}

function networkReason(error: unknown): string {
  const e = error as { code?: string; cause?: { code?: string; message?: string }; message?: string };
  return e?.code ?? e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
}
