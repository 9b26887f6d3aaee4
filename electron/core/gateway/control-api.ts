/**
 * The control API on the gateway (PRODUCT §5, issue 6): switch and remove accounts, read
 * accounts and usage. Same key as the proxy routes. Answers never carry a secret: records
 * are pool metadata (AccountView), which holds none.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { PROVIDER_IDS, ProviderIDSchema, type ProviderID } from '../../../shared/domain.js';
import { errorMessage, isRotaryError } from '../errors.js';
import type { AccountPool } from '../pool/account-pool.js';
import type { ActivityLog } from './activity-log.js';
import { readBody } from './read-body.js';

const MAX_CONTROL_BODY = 64 * 1024;

const AccountRefSchema = z.object({ providerID: z.string().min(1), recordID: z.string().min(1) });

export interface ControlDeps {
  pool: AccountPool;
  activity: ActivityLog;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)), ...extra });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, type: string, message: string, extra: Record<string, string> = {}): void {
  sendJson(res, status, { error: { type, message } }, extra);
}

async function readJsonBody(req: IncomingMessage, res: ServerResponse): Promise<unknown | undefined> {
  const read = await readBody(req, MAX_CONTROL_BODY);
  if (!read.ok) {
    if (read.reason === 'too-large') sendError(res, 413, 'too_large', `Control requests are limited to ${MAX_CONTROL_BODY / 1024} KiB.`, { connection: 'close' });
    return undefined;
  }
  try {
    return JSON.parse(read.body.toString('utf8'));
  } catch {
    sendError(res, 400, 'bad_request', 'The body must be JSON like {"providerID": "anthropic", "recordID": "…"}.');
    return undefined;
  }
}

/** Parses `{providerID, recordID}`; answers 400/404 itself and returns undefined on bad input. */
function accountRef(pool: AccountPool, res: ServerResponse, raw: unknown): { providerID: ProviderID; recordID: string } | undefined {
  const parsed = AccountRefSchema.safeParse(raw);
  if (!parsed.success) {
    sendError(res, 400, 'bad_request', 'The body needs "providerID" and "recordID" strings.');
    return undefined;
  }
  const provider = ProviderIDSchema.safeParse(parsed.data.providerID);
  if (!provider.success) {
    sendError(res, 404, 'not_found', `Unknown provider "${parsed.data.providerID.slice(0, 60)}". Known: ${PROVIDER_IDS.join(', ')}.`);
    return undefined;
  }
  if (!pool.getRecord(provider.data, parsed.data.recordID)) {
    sendError(res, 404, 'not_found', `No ${provider.data} account with id "${parsed.data.recordID.slice(0, 80)}".`);
    return undefined;
  }
  return { providerID: provider.data, recordID: parsed.data.recordID };
}

function accountsBody(pool: AccountPool): Record<string, unknown> {
  const providers: Record<string, unknown> = {};
  for (const providerID of PROVIDER_IDS) {
    const accounts = pool.getAccounts(providerID);
    providers[providerID] = { activeID: accounts.find((a) => a.isActive)?.id ?? null, accounts };
  }
  return { providers };
}

function usageBody(pool: AccountPool): Record<string, unknown> {
  const providers: Record<string, unknown> = {};
  for (const providerID of PROVIDER_IDS) {
    providers[providerID] = pool.getAccounts(providerID).map((a) => ({
      recordID: a.id,
      label: a.label,
      ...(a.email ? { email: a.email } : {}),
      isActive: a.isActive,
      status: a.status,
      usage: a.usage ?? null,
    }));
  }
  return { providers };
}

/** Handles `/auth/*` and `/activity`. Returns false when the path is not a control route. */
export async function handleControl(req: IncomingMessage, res: ServerResponse, pathname: string, deps: ControlDeps): Promise<boolean> {
  const { pool } = deps;
  const method = req.method ?? 'GET';
  const route = `${method} ${pathname}`;
  try {
    switch (route) {
      case 'POST /auth/active': {
        const raw = await readJsonBody(req, res);
        if (raw === undefined) return true;
        const ref = accountRef(pool, res, raw);
        if (!ref) return true;
        const record = pool.getRecord(ref.providerID, ref.recordID)!;
        await pool.setActive(ref.providerID, record.namespace, ref.recordID);
        const anthropicActive = pool.getAccounts('anthropic').find((a) => a.isActive);
        sendJson(res, 200, { success: true, anthropicUsage: anthropicActive?.usage ?? null });
        return true;
      }
      case 'DELETE /auth/account': {
        const raw = await readJsonBody(req, res);
        if (raw === undefined) return true;
        const ref = accountRef(pool, res, raw);
        if (!ref) return true;
        const { remaining } = await pool.removeRecord(ref.providerID, ref.recordID);
        sendJson(res, 200, { success: true, remaining });
        return true;
      }
      case 'GET /auth/accounts':
        sendJson(res, 200, accountsBody(pool));
        return true;
      case 'GET /auth/usage':
        sendJson(res, 200, usageBody(pool));
        return true;
      case 'GET /activity':
        sendJson(res, 200, {
          conversations: deps.activity.conversations(),
          requests: deps.activity.requests(undefined, 200),
          events: deps.activity.recentEvents(),
        });
        return true;
      default:
        if (pathname.startsWith('/auth/') || pathname === '/activity') {
          sendError(res, 404, 'not_found', `No control endpoint ${method} ${pathname}. Known: POST /auth/active, DELETE /auth/account, GET /auth/accounts, GET /auth/usage, GET /activity.`);
          return true;
        }
        return false;
    }
  } catch (error) {
    if (isRotaryError(error, 'not-found')) sendError(res, 404, 'not_found', error.message);
    else if (isRotaryError(error, 'bad-input')) sendError(res, 400, 'bad_request', error.message);
    else sendError(res, 500, 'internal_error', errorMessage(error));
    return true;
  }
}

/** `GET /events`: ActivityEvents as server-sent events, with a heartbeat so proxies keep the stream open. */
export function handleEvents(req: IncomingMessage, res: ServerResponse, activity: ActivityLog): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
  res.write(': rotary activity stream\n\n');
  const unsubscribe = activity.subscribe((event) => {
    res.write(`event: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  heartbeat.unref();
  const stop = (): void => {
    clearInterval(heartbeat);
    unsubscribe();
  };
  req.once('close', stop);
  res.once('close', stop);
}
