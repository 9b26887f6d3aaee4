/**
 * The control API on the gateway (PRODUCT §5): switch and remove accounts, read accounts,
 * usage and activity, with the request and response shapes of the feature request
 * (`POST /auth/active` → `{success, anthropicUsage}`, `DELETE /auth/account` → `{success,
 * remaining}`). A thin adapter: the account operations are the application service's (the
 * same calls the app makes), so the rules and the messages are the service's too. Answers
 * never carry a secret: the service's views hold none.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { PROVIDER_IDS, ProviderIDSchema, type ProviderID } from '../../../shared/domain.js';
import type { ErrorCode, PoolView, Result } from '../../../shared/ipc.js';
import type { ActivityLog } from './activity-log.js';
import { readJsonBody, sendError, sendJson } from './front-door.js';

const MAX_CONTROL_BODY = 64 * 1024;
const ACCOUNT_REF_EXAMPLE = '{"providerID": "anthropic", "recordID": "…"}';
const AccountRefSchema = z.object({ providerID: z.string().min(1), recordID: z.string().min(1) });

/** What the control API needs of the application service (the same `call` every transport uses). */
export interface ControlService {
  call(channel: string, input: unknown): Promise<Result<unknown>>;
}

export interface ControlDeps {
  service: ControlService;
  activity: ActivityLog;
}

/** The one error format of control routes, with an HTTP status per contract error code. */
const STATUS: Partial<Record<ErrorCode, number>> = { 'not-found': 404, 'bad-input': 400, forbidden: 403, unavailable: 503 };
const TYPE: Partial<Record<ErrorCode, string>> = { 'not-found': 'not_found', 'bad-input': 'bad_request', forbidden: 'forbidden', unavailable: 'unavailable' };

function sendFailure(res: ServerResponse, error: { code: ErrorCode; message: string }): void {
  sendError(res, STATUS[error.code] ?? 500, TYPE[error.code] ?? 'internal_error', error.message);
}

const KNOWN = `Known: POST /auth/active, DELETE /auth/account, GET /auth/accounts, GET /auth/usage, GET /activity.`;

/** Reads `{providerID, recordID}`; answers 400/404 itself and returns undefined on bad input. */
async function accountRef(req: IncomingMessage, res: ServerResponse): Promise<{ providerID: ProviderID; recordID: string } | undefined> {
  const body = await readJsonBody(req, { maxBytes: MAX_CONTROL_BODY, example: ACCOUNT_REF_EXAMPLE });
  if (!body.ok) {
    sendError(res, body.status, body.status === 413 ? 'too_large' : 'bad_request', body.message, body.status === 413 ? { connection: 'close' } : {});
    return undefined;
  }
  const parsed = AccountRefSchema.safeParse(body.value);
  if (!parsed.success) {
    sendError(res, 400, 'bad_request', `The body needs "providerID" and "recordID" strings, like ${ACCOUNT_REF_EXAMPLE}.`);
    return undefined;
  }
  // An unknown provider is a resource that does not exist here (404), like an unknown account.
  const provider = ProviderIDSchema.safeParse(parsed.data.providerID);
  if (!provider.success) {
    sendError(res, 404, 'not_found', `Unknown provider "${parsed.data.providerID.slice(0, 60)}". Known: ${PROVIDER_IDS.join(', ')}.`);
    return undefined;
  }
  return { providerID: provider.data, recordID: parsed.data.recordID };
}

/** Every provider (connected or not), keyed by id, from the service's pool view. */
function byProvider<T>(view: PoolView, shape: (accounts: PoolView['providers'][number] | undefined) => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const id of PROVIDER_IDS) out[id] = shape(view.providers.find((p) => p.providerID === id));
  return out;
}

/** Handles `/auth/*` and `/activity`. Returns false when the path is not a control route. */
export async function handleControl(req: IncomingMessage, res: ServerResponse, pathname: string, deps: ControlDeps): Promise<boolean> {
  const { service } = deps;
  const method = req.method ?? 'GET';
  const call = async (channel: string, input: unknown): Promise<unknown> => {
    const result = await service.call(channel, input);
    if (result.ok) return result.value;
    sendFailure(res, result.error);
    return undefined;
  };
  const poolView = async (): Promise<PoolView | undefined> => (await call('accounts:list', undefined)) as PoolView | undefined;

  switch (`${method} ${pathname}`) {
    case 'POST /auth/active': {
      const ref = await accountRef(req, res);
      if (!ref || (await call('accounts:setActive', ref)) === undefined) return true;
      const anthropic = (await call('accounts:list', { providerID: 'anthropic' })) as PoolView | undefined;
      if (!anthropic) return true;
      const active = anthropic.providers[0]?.accounts.find((a) => a.isActive);
      sendJson(res, 200, { success: true, anthropicUsage: active?.usage ?? null });
      return true;
    }
    case 'DELETE /auth/account': {
      const ref = await accountRef(req, res);
      const removed = ref && ((await call('accounts:remove', ref)) as { remaining: number } | undefined);
      if (removed) sendJson(res, 200, { success: true, remaining: removed.remaining });
      return true;
    }
    case 'GET /auth/accounts': {
      const view = await poolView();
      if (view) sendJson(res, 200, { providers: byProvider(view, (p) => ({ activeID: p?.activeID ?? null, accounts: p?.accounts ?? [] })) });
      return true;
    }
    case 'GET /auth/usage': {
      const view = await poolView();
      if (view) {
        const providers = byProvider(view, (p) =>
          (p?.accounts ?? []).map((a) => ({
            recordID: a.id,
            label: a.label,
            ...(a.email ? { email: a.email } : {}),
            isActive: a.isActive,
            status: a.status,
            usage: a.usage ?? null,
          })),
        );
        sendJson(res, 200, { providers });
      }
      return true;
    }
    case 'GET /activity':
      sendJson(res, 200, {
        conversations: deps.activity.conversations(),
        requests: deps.activity.requests(undefined, 200),
        events: deps.activity.recentEvents(),
      });
      return true;
    default:
      if (pathname.startsWith('/auth/') || pathname === '/activity') {
        sendError(res, 404, 'not_found', `No control endpoint ${method} ${pathname.slice(0, 100)}. ${KNOWN}`);
        return true;
      }
      return false;
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
