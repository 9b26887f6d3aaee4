/**
 * HTTP control API under `/__sim/` so the demo, browser tests and humans can script the
 * simulator from outside the process. Same knobs as the in-process `SimAccount` object.
 */
import type { SimAccountImpl } from './accounts.js';
import { approveDevice, denyDevice, type DeviceStore } from './copilot.js';
import { checkDrip, parseDrip } from './drip.js';
import { escapeHtml, parseBody, route, sendHtml, sendJson, type Ctx, type Route } from './http.js';
import { SIM_ENCODINGS, SIM_FAULTS, SIM_PROVIDERS, type SimEncoding, type SimFault, type SimDrip, type SimProvider, type SimWindow } from './types.js';

const NUMBER_KNOBS = [
  'costPerRequest',
  'weeklyCostPerRequest',
  'perMinuteLimited',
  'retryAfterSec',
  'delayMs',
  'firstByteDelayMs',
  'chunkDelayMs',
  'accessTtlSec',
  'usage429',
  'copilotTtlSec',
  'inferenceCount',
  'quotaRetryAfterSec',
] as const;
const OPTIONAL_NUMBER_KNOBS = new Set<string>(['retryAfterSec', 'firstByteDelayMs', 'quotaRetryAfterSec']);
const BOOLEAN_KNOBS = ['revoked', 'usageLegacyBody'] as const;
const STRING_KNOBS = ['plan', 'email', 'login', 'replyText', 'quotaCode', 'rateLimitCode', 'limitType', 'computeResidency'] as const;
const OPTIONAL_STRING_KNOBS = new Set<string>(['replyText', 'computeResidency']);
const WINDOW_KNOBS = ['fiveHour', 'sevenDay', 'sevenDaySonnet'] as const;

/** Knob names accepted by PATCH /__sim/accounts/:id (plus the action `expireAccessToken: true`). */
export const KNOBS = [
  ...WINDOW_KNOBS,
  ...NUMBER_KNOBS,
  ...BOOLEAN_KNOBS,
  ...STRING_KNOBS,
  'breakNext',
  'premium',
  'errorEncoding',
  'drip',
  'expireAccessToken',
] as const;

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function mergeWindow(current: SimWindow | undefined, patch: unknown, nowS: number): SimWindow {
  if (!patch || typeof patch !== 'object') throw new Error('window must be {utilization?, resetAt?}');
  const p = patch as Record<string, unknown>;
  const next: SimWindow = { ...(current ?? { utilization: 0, resetAt: nowS + 7 * 86400 }) };
  if (p.utilization !== undefined) {
    if (!isNum(p.utilization)) throw new Error('utilization must be a number (fraction)');
    next.utilization = p.utilization;
  }
  if (p.resetAt !== undefined) {
    if (!isNum(p.resetAt)) throw new Error('resetAt must be epoch seconds');
    next.resetAt = p.resetAt;
  }
  return next;
}

/**
 * Applies a knob patch to an account. Validates everything first so a bad patch changes
 * nothing. Windows and `premium` merge; `breakNext` replaces the queue; null clears optionals.
 */
export function applyPatch(acc: SimAccountImpl, patch: Record<string, unknown>, nowS: number): void {
  const unknown = Object.keys(patch).filter((k) => !(KNOBS as readonly string[]).includes(k));
  if (unknown.length) throw new Error(`unknown knob(s): ${unknown.join(', ')}; known: ${KNOBS.join(', ')}`);
  const ops: Array<() => void> = [];
  for (const k of WINDOW_KNOBS) {
    if (!(k in patch)) continue;
    const v = patch[k];
    if (v === null && k === 'sevenDaySonnet') ops.push(() => delete acc.sevenDaySonnet);
    else {
      const w = mergeWindow(acc[k], v, nowS);
      ops.push(() => (acc[k] = w));
    }
  }
  for (const k of NUMBER_KNOBS) {
    if (!(k in patch)) continue;
    const v = patch[k];
    if (v === null && OPTIONAL_NUMBER_KNOBS.has(k)) ops.push(() => ((acc as unknown as Record<string, unknown>)[k] = undefined));
    else if (isNum(v)) ops.push(() => ((acc as unknown as Record<string, unknown>)[k] = v));
    else throw new Error(`${k} must be a number`);
  }
  for (const k of BOOLEAN_KNOBS) {
    if (!(k in patch)) continue;
    const v = patch[k];
    if (typeof v !== 'boolean') throw new Error(`${k} must be a boolean`);
    ops.push(() => (acc[k] = v));
  }
  for (const k of STRING_KNOBS) {
    if (!(k in patch)) continue;
    const v = patch[k];
    if (v === null && OPTIONAL_STRING_KNOBS.has(k)) ops.push(() => ((acc as unknown as Record<string, unknown>)[k] = undefined));
    else if (typeof v === 'string') ops.push(() => (acc[k] = v));
    else throw new Error(`${k} must be a string`);
  }
  if ('breakNext' in patch) {
    const v = patch.breakNext;
    if (!Array.isArray(v) || !v.every((f) => (SIM_FAULTS as readonly unknown[]).includes(f))) {
      throw new Error(`breakNext must be an array of: ${SIM_FAULTS.join(', ')}`);
    }
    ops.push(() => (acc.breakNext = [...(v as SimFault[])]));
  }
  if ('premium' in patch) {
    const p = patch.premium as Record<string, unknown> | null;
    if (!p || typeof p !== 'object') throw new Error('premium must be {entitlement?, remaining?, unlimited?}');
    const next = { ...acc.premium };
    if (p.entitlement !== undefined) next.entitlement = isNum(p.entitlement) ? p.entitlement : NaN;
    if (p.remaining !== undefined) next.remaining = isNum(p.remaining) ? p.remaining : NaN;
    if (p.unlimited !== undefined) next.unlimited = p.unlimited === true;
    if (Number.isNaN(next.entitlement) || Number.isNaN(next.remaining)) throw new Error('premium numbers must be numbers');
    ops.push(() => (acc.premium = next));
  }
  if ('errorEncoding' in patch) {
    const v = patch.errorEncoding;
    if (v !== null && !(SIM_ENCODINGS as readonly unknown[]).includes(v)) throw new Error(`errorEncoding must be null or one of: ${SIM_ENCODINGS.join(', ')}`);
    ops.push(() => (acc.errorEncoding = (v ?? undefined) as SimEncoding | undefined));
  }
  if ('drip' in patch) {
    const v = patch.drip;
    let drip: SimDrip | undefined;
    if (typeof v === 'string') drip = parseDrip(v);
    else if (v && typeof v === 'object') {
      drip = { events: (v as Record<string, unknown>).events as number, intervalMs: (v as Record<string, unknown>).intervalMs as number };
      checkDrip(drip);
    } else if (v !== null) throw new Error('drip must be null, "EVENTSxMS" or {events, intervalMs}');
    ops.push(() => (acc.drip = drip));
  }
  if (patch.expireAccessToken === true) ops.push(() => acc.expireAccessToken());
  for (const op of ops) op();
}

export function controlRoutes(devices: DeviceStore): Route[] {
  const find = async (ctx: Ctx): Promise<SimAccountImpl | undefined> => {
    const id = decodeURIComponent(ctx.path.split('/')[2] ?? '');
    const acc = ctx.state.accounts.get(id);
    if (!acc) await sendJson(ctx, 404, { error: `no account ${id}` });
    return acc;
  };

  return [
    route('GET', '__sim', '/accounts', (ctx) => sendJson(ctx, 200, ctx.state.accounts.list())),
    route('POST', '__sim', '/accounts', async (ctx) => {
      const body = parseBody(ctx) ?? {};
      const provider = body.provider as SimProvider;
      if (!SIM_PROVIDERS.includes(provider)) {
        await sendJson(ctx, 400, { error: `provider must be one of ${SIM_PROVIDERS.join(', ')}` });
        return;
      }
      const { provider: _p, email, login, accessTtlSec, clientId, computeResidency, ...knobs } = body;
      const acc = ctx.state.accounts.add(provider, {
        ...(typeof email === 'string' ? { email } : {}),
        ...(typeof login === 'string' ? { login } : {}),
        ...(isNum(accessTtlSec) ? { accessTtlSec } : {}),
        ...(typeof clientId === 'string' ? { clientId } : {}),
        ...(typeof computeResidency === 'string' ? { computeResidency } : {}),
      });
      try {
        applyPatch(acc, knobs, Math.floor(ctx.state.now() / 1000));
      } catch (e) {
        await sendJson(ctx, 400, { error: (e as Error).message, account: acc });
        return;
      }
      await sendJson(ctx, 201, acc);
    }),
    route('GET', '__sim', /^\/accounts\/[^/]+$/, async (ctx) => {
      const acc = await find(ctx);
      if (acc) await sendJson(ctx, 200, acc);
    }),
    route('PATCH', '__sim', /^\/accounts\/[^/]+$/, async (ctx) => {
      const acc = await find(ctx);
      if (!acc) return;
      const body = parseBody(ctx);
      try {
        if (!body) throw new Error('body must be a JSON object');
        applyPatch(acc, body, Math.floor(ctx.state.now() / 1000));
      } catch (e) {
        await sendJson(ctx, 400, { error: (e as Error).message });
        return;
      }
      await sendJson(ctx, 200, acc);
    }),
    route('GET', '__sim', '/requests', (ctx) => sendJson(ctx, 200, ctx.state.requests)),
    route('DELETE', '__sim', '/requests', async (ctx) => {
      ctx.state.requests.length = 0;
      ctx.state.refreshRequests.length = 0;
      await sendJson(ctx, 200, { ok: true });
    }),
    route('GET', '__sim', '/counters', (ctx) => sendJson(ctx, 200, ctx.state.counters)),
    route('GET', '__sim', '/refresh-requests', (ctx) => sendJson(ctx, 200, ctx.state.refreshRequests)),
    route('GET', '__sim', '/github/device', (ctx) =>
      sendJson(
        ctx,
        200,
        devices.pending().map((g) => ({ user_code: g.userCode, client_id: g.clientId, expires_at: g.expiresAt })),
      ),
    ),
    route('POST', '__sim', '/github/device', async (ctx) => {
      const body = parseBody(ctx) ?? {};
      const fromForm = String(ctx.req.headers['content-type'] ?? '').includes('form');
      const userCode = String(body.user_code ?? '');
      try {
        if (body.action === 'deny') denyDevice(devices, userCode);
        else if (body.action === 'approve') approveDevice(ctx.state, devices, userCode, String(body.account_id ?? ''));
        else throw new Error('action must be approve or deny');
      } catch (e) {
        if (fromForm) await sendHtml(ctx, 400, `<p id="result">${escapeHtml((e as Error).message)}</p>`);
        else await sendJson(ctx, 400, { error: (e as Error).message });
        return;
      }
      if (fromForm) await sendHtml(ctx, 200, `<p id="result">${body.action === 'deny' ? 'Device denied.' : 'Device approved.'}</p>`);
      else await sendJson(ctx, 200, { ok: true });
    }),
  ];
}
