/** A small typed emitter for the contract's events; transports subscribe, the service emits. */
import type { EventName, EventPayload } from '../../../shared/ipc.js';
import type { ServiceEvents } from './types.js';

export function createEventHub(): ServiceEvents & { emit<E extends EventName>(name: E, payload: EventPayload<E>): void } {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  return {
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => void set.delete(listener as (payload: never) => void);
    },
    emit(name, payload) {
      for (const listener of [...(listeners.get(name) ?? [])]) {
        // One broken subscriber (a closed window, a dropped SSE client) must not stop the others.
        try {
          (listener as (p: typeof payload) => void)(payload);
        } catch {
          /* ignored on purpose */
        }
      }
    },
  };
}
