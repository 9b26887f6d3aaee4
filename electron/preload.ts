/**
 * Sandboxed preload: exposes the typed `RotaryApi` as `window.rotary` and nothing else.
 * The api is built from the contract's tables (`buildRotaryApi`), so no channel name is
 * written here; `ipcRenderer` itself never reaches the page. Bundled to CJS by esbuild
 * (a sandboxed preload can `require('electron')` but no other module).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_GLOBAL, buildRotaryApi, type RotaryTransport } from '../shared/ipc.js';

export const ipcTransport: RotaryTransport = {
  invoke: (channel, input) => ipcRenderer.invoke(channel, input),
  subscribe(event, listener) {
    // Drop the IpcRendererEvent: it carries `sender` (the ipcRenderer) which must not reach the page.
    const wrapped = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(event, wrapped);
    return () => void ipcRenderer.removeListener(event, wrapped);
  },
};

contextBridge.exposeInMainWorld(API_GLOBAL, buildRotaryApi(ipcTransport));
