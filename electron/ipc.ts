/**
 * Electron IPC ↔ application service. The only module that touches `ipcMain`: one
 * `handle()` per contract channel, each checking the sender and then handing the payload to
 * `service.call()` (schema-parsed input and output, results not exceptions). Events go the
 * other way through `forwardEvents()`.
 *
 * Everything here takes Electron-shaped collaborators as arguments, so it is unit-tested
 * without the Electron binary (which cannot run on the build machine).
 */
import { CHANNEL_NAMES, EVENTS, EVENT_NAMES, type EventName, type Result } from '../shared/ipc.js';
import type { ServiceEvents } from './core/service/types.js';

/** The parts of `Electron.IpcMainInvokeEvent` the checks read. */
export interface InvokeEventLike {
  senderFrame: { url: string; parent: unknown } | null;
  sender: unknown;
}

/** The parts of `Electron.IpcMain` used here (a fake registry in tests). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown> | unknown): void;
  removeHandler(channel: string): void;
}

export interface RegisterOptions {
  /** True when the call comes from our own window's main frame showing our own page. */
  isTrustedSender(event: InvokeEventLike): boolean;
}

export interface CallableService {
  call(channel: string, input: unknown): Promise<Result<unknown>>;
}

/** Register a handler for every channel of the contract. Returns a function that removes them. */
export function registerHandlers(ipcMain: IpcMainLike, service: CallableService, options: RegisterOptions): () => void {
  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(channel, (event, ...args) => handle(channel, event, args, service, options));
  }
  return () => {
    for (const channel of CHANNEL_NAMES) ipcMain.removeHandler(channel);
  };
}

/** The one wrapper every call goes through. Never throws across the bridge. */
export async function handle(
  channel: string,
  event: InvokeEventLike,
  args: unknown[],
  service: CallableService,
  options: RegisterOptions,
): Promise<Result<unknown>> {
  let trusted = false;
  try {
    trusted = options.isTrustedSender(event);
  } catch {
    trusted = false;
  }
  if (!trusted) return { ok: false, error: { code: 'forbidden', message: 'This call did not come from the Rotary window.' } };
  if (args.length > 1) return { ok: false, error: { code: 'bad-input', message: 'A call takes one argument.' } };
  try {
    return await service.call(channel, args[0]);
  } catch (error) {
    return { ok: false, error: { code: 'internal', message: error instanceof Error ? error.message : String(error) } };
  }
}

export interface TrustedPage {
  /** The packaged renderer's page: `app://rotary/index.html` (app-protocol.ts). Any hash/query. */
  pageUrl?: string;
  /** Dev server origin (`http://localhost:5173`) when running against Vite. */
  devOrigin?: string;
}

/** Is this frame URL our own page? The exact page (scheme, host and path) or the exact dev origin. */
export function isTrustedPageUrl(raw: string, page: TrustedPage): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (page.pageUrl) {
    const own = new URL(page.pageUrl);
    if (url.protocol === own.protocol && url.host === own.host && url.pathname === own.pathname) return true;
  }
  if (page.devOrigin && url.origin === new URL(page.devOrigin).origin && url.protocol.startsWith('http')) return true;
  return false;
}

/**
 * The sender check: the frame is a main frame (no parent), it shows our page, and it belongs
 * to one of our windows (`isOwnContents` compares `event.sender` with our webContents).
 */
export function createSenderCheck(page: TrustedPage, isOwnContents: (sender: unknown) => boolean): (event: InvokeEventLike) => boolean {
  return (event) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent) return false;
    if (!isOwnContents(event.sender)) return false;
    return isTrustedPageUrl(frame.url, page);
  };
}

/**
 * Push service events to a window. Payloads are parsed with their schemas on the way out,
 * for the same reason results are: nothing beyond the contract reaches the renderer.
 */
export function forwardEvents(events: ServiceEvents, send: (name: EventName, payload: unknown) => void): () => void {
  const offs = EVENT_NAMES.map((name) =>
    events.on(name, (payload) => {
      const parsed = EVENTS[name].payload.safeParse(payload);
      if (parsed.success) send(name, parsed.data);
    }),
  );
  return () => offs.forEach((off) => off());
}
