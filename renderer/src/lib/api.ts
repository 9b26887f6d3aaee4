/**
 * The Platform seam: the UI gets its RotaryApi from this context and never touches
 * `window.rotary` or `fetch` itself. In Electron the preload's bridge is used; in a plain
 * browser the web transport to the headless core.
 */
import { createContext, useContext } from 'solid-js';
import { API_GLOBAL, type RotaryApi } from '../../../shared/ipc';
import { createWebPlatformApi, takeWebKey, type ConnectionMonitor } from './transport-web';

export type { ConnectionMonitor };

export interface Platform {
  api: RotaryApi;
  shell: 'electron' | 'web';
  /** Web transport only: whether the gateway answers. Electron's IPC never goes away (the gateway's own state is in `gateway:status`). */
  connection?: ConnectionMonitor;
}

/** `undefined` when in a browser without the gateway key: the UI explains how to open the right link. */
export function detectPlatform(): Platform | undefined {
  const bridge = (window as unknown as Record<string, RotaryApi | undefined>)[API_GLOBAL];
  if (bridge) return { api: bridge, shell: 'electron' };
  const key = takeWebKey();
  if (!key) return undefined;
  const { api, connection } = createWebPlatformApi({ key });
  return { api, connection, shell: 'web' };
}

export const PlatformContext = createContext<Platform>();

export function usePlatform(): Platform {
  const platform = useContext(PlatformContext);
  if (!platform) throw new Error('usePlatform() outside <PlatformContext.Provider>');
  return platform;
}

export function useApi(): RotaryApi {
  return usePlatform().api;
}
