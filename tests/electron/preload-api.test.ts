/**
 * The api the preload exposes, derived from the contract. Electron's `contextBridge` and
 * `ipcRenderer` are mocked (the Electron binary cannot run here); `buildRotaryApi` is real.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { API_GLOBAL, buildRotaryApi, CHANNEL_NAMES, channelPath, EVENTS, EVENT_NAMES, type RotaryApi } from '../../shared/ipc.js';

const exposed: Record<string, unknown> = {};
const invoke = vi.fn(async (channel: string, input: unknown) => ({ ok: true, value: { channel, input } }));
const listeners = new Map<string, Set<(...args: unknown[]) => void>>();

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (name: string, api: unknown) => (exposed[name] = api) },
  ipcRenderer: {
    invoke: (channel: string, input: unknown) => invoke(channel, input),
    on: (channel: string, l: (...args: unknown[]) => void) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(l);
    },
    removeListener: (channel: string, l: (...args: unknown[]) => void) => listeners.get(channel)?.delete(l),
  },
}));

beforeEach(() => invoke.mockClear());

describe('preload', () => {
  it('exposes only `rotary`, with one method per channel and one onX per event', async () => {
    await import('../../electron/preload.js');
    expect(Object.keys(exposed)).toEqual([API_GLOBAL]);
    const api = exposed[API_GLOBAL] as Record<string, Record<string, unknown>>;
    for (const channel of CHANNEL_NAMES) {
      const [domain, verb] = channelPath(channel);
      expect(typeof api[domain]?.[verb], channel).toBe('function');
    }
    for (const event of EVENT_NAMES) expect(typeof api[EVENTS[event].method]).toBe('function');
    const domains = new Set(CHANNEL_NAMES.map((c) => channelPath(c)[0]));
    const methods = new Set(EVENT_NAMES.map((e) => EVENTS[e].method as string));
    expect(Object.keys(api).sort()).toEqual([...domains, ...methods].sort());
    // Nothing that looks like raw IPC reaches the page.
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/ipc|send|invoke/i);
  });

  it('calls go to ipcRenderer.invoke on the contract channel; events drop the IpcRendererEvent', async () => {
    const api = exposed[API_GLOBAL] as RotaryApi;
    const r = await api.accounts.setActive({ providerID: 'anthropic', recordID: 'r1' });
    expect(invoke).toHaveBeenCalledWith('accounts:setActive', { providerID: 'anthropic', recordID: 'r1' });
    expect(r).toEqual({ ok: true, value: { channel: 'accounts:setActive', input: { providerID: 'anthropic', recordID: 'r1' } } });

    const got: unknown[] = [];
    const off = api.onPool((v) => got.push(v));
    const fakeEvent = { sender: 'ipcRenderer!' };
    for (const l of listeners.get('events:pool')!) l(fakeEvent, { providers: [], at: 1 });
    expect(got).toEqual([{ providers: [], at: 1 }]);
    off();
    expect(listeners.get('events:pool')!.size).toBe(0);
  });
});

describe('buildRotaryApi', () => {
  it('turns transport failures into unavailable results instead of rejections', async () => {
    const api = buildRotaryApi({
      invoke: async () => {
        throw new Error('no handler');
      },
      subscribe: () => () => undefined,
    });
    expect(await api.app.info()).toEqual({ ok: false, error: { code: 'unavailable', message: expect.stringContaining('no handler') } });
    const junk = buildRotaryApi({ invoke: async () => 'junk', subscribe: () => () => undefined });
    expect((await junk.providers.list()).ok).toBe(false);
  });
});
