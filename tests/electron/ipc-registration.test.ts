/**
 * Handler registration, sender checks and schema checks of electron/ipc.ts. Electron itself is
 * replaced by a fake `ipcMain`-shaped registry because the Electron binary cannot run on this
 * machine; the service behind it is the real one (real core on a temp home).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSenderCheck, forwardEvents, handle, isTrustedPageUrl, registerHandlers, type InvokeEventLike, type IpcMainLike } from '../../electron/ipc.js';
import { CHANNEL_NAMES, EVENT_NAMES } from '../../shared/ipc.js';
import { expectNoTokens, startServiceHarness, type ServiceHarness } from '../helpers/rotary-service.js';

class FakeIpcMain implements IpcMainLike {
  handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown) {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
  invoke(channel: string, event: InvokeEventLike, ...args: unknown[]) {
    return Promise.resolve(this.handlers.get(channel)!(event, ...args));
  }
}

const OWN = {};
const PAGE = { pageUrl: 'app://rotary/index.html', devOrigin: 'http://localhost:5173' };
const trusted: InvokeEventLike = { sender: OWN, senderFrame: { url: 'app://rotary/index.html', parent: null } };

let h: ServiceHarness;
let ipc: FakeIpcMain;
let unregister: () => void;
const payloads: string[] = [];

beforeAll(async () => {
  h = await startServiceHarness({ label: 'ipc' });
  ipc = new FakeIpcMain();
  unregister = registerHandlers(ipc, h.service, { isTrustedSender: createSenderCheck(PAGE, (s) => s === OWN) });
});
afterAll(async () => {
  expectNoTokens(payloads.join('\n'), h.tokens);
  await h.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- results are read loosely here; their shapes are the service tests' job
type Loose = any;
async function invoke(channel: string, event: InvokeEventLike, ...args: unknown[]): Promise<Loose> {
  const r = (await ipc.invoke(channel, event, ...args)) as Loose;
  payloads.push(JSON.stringify(r));
  return r;
}

describe('registerHandlers', () => {
  it('registers exactly the contract channels, and removes them again', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual([...CHANNEL_NAMES].sort());
    const other = new FakeIpcMain();
    const off = registerHandlers(other, h.service, { isTrustedSender: () => true });
    off();
    expect(other.handlers.size).toBe(0);
  });

  it('answers trusted calls through the real service', async () => {
    const a = await h.addAccount('anthropic');
    const b = await h.addAccount('anthropic');
    const r = await invoke('accounts:setActive', trusted, { providerID: 'anthropic', recordID: b.recordID });
    expect(r.ok).toBe(true);
    expect(r.value.activeID).toBe(b.recordID);
    expect(h.core.pool.snapshot('anthropic').activeID).toBe(b.recordID);
    const list = await invoke('accounts:list', trusted);
    // The user's order (creation order here): a switch does not move the account to the front.
    expect(list.value.providers[0].accounts.map((x: { id: string }) => x.id)).toEqual([a.recordID, b.recordID]);
  });

  it('refuses untrusted senders: sub-frames, other pages, other webContents, no frame', async () => {
    const cases: InvokeEventLike[] = [
      { sender: OWN, senderFrame: { url: 'app://rotary/index.html', parent: {} } },
      { sender: OWN, senderFrame: { url: 'https://evil.example/', parent: null } },
      { sender: OWN, senderFrame: { url: 'file:///tmp/evil.html', parent: null } },
      { sender: {}, senderFrame: { url: 'app://rotary/index.html', parent: null } },
      { sender: OWN, senderFrame: null },
    ];
    for (const event of cases) {
      const r = await invoke('accounts:list', event);
      expect(r).toEqual({ ok: false, error: { code: 'forbidden', message: expect.any(String) } });
    }
    const throwing = await handle('accounts:list', trusted, [], h.service, {
      isTrustedSender: () => {
        throw new Error('boom');
      },
    });
    expect(throwing.ok).toBe(false);
  });

  it('turns malformed payloads into bad-input results, never a throw', async () => {
    for (const args of [[{ providerID: 'anthropic' }], ['string'], [null], [{ providerID: 'anthropic', recordID: 'x' }, 'extra']]) {
      const r = await invoke('accounts:setActive', trusted, ...args);
      expect(r.ok).toBe(false);
      expect(r.error.code).toBe('bad-input');
    }
  });

  it('trusts the dev server origin only when configured, and the exact app:// page only', () => {
    expect(isTrustedPageUrl('http://localhost:5173/#/x', PAGE)).toBe(true);
    expect(isTrustedPageUrl('http://localhost:5174/', PAGE)).toBe(false);
    expect(isTrustedPageUrl('http://localhost:5173/', { pageUrl: PAGE.pageUrl })).toBe(false);
    expect(isTrustedPageUrl('app://rotary/index.html?x=1#/settings', PAGE)).toBe(true);
    expect(isTrustedPageUrl('app://rotary/other.html', PAGE)).toBe(false);
    expect(isTrustedPageUrl('app://evil/index.html', PAGE)).toBe(false);
    // The renderer is no longer served from file:// (the fuses take its privileges away).
    expect(isTrustedPageUrl('file:///app/renderer/dist/index.html', PAGE)).toBe(false);
    expect(isTrustedPageUrl('file:///index.html', PAGE)).toBe(false);
  });

  it('forwards every contract event, parsed against its schema', async () => {
    const sent: Array<[string, unknown]> = [];
    const off = forwardEvents(h.service.events, (name, payload) => sent.push([name, payload]));
    h.service.notify({ level: 'warning', code: 'test', message: 'hello' });
    await h.service.call('accounts:relabel', { providerID: 'anthropic', recordID: h.core.pool.getAccounts('anthropic')[0]!.id, label: 'Renamed' });
    await expect.poll(() => sent.map(([n]) => n)).toEqual(expect.arrayContaining(['events:notice', 'events:pool']));
    payloads.push(JSON.stringify(sent));
    off();
    expect(EVENT_NAMES).toEqual(['events:pool', 'events:activity', 'events:login', 'events:notice', 'events:command']);
  });

  it('unregister leaves the registry empty', () => {
    unregister();
    expect(ipc.handlers.size).toBe(0);
  });
});
