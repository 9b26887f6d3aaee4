/**
 * RotaryApi over the web transport of the headless core (`rotary gateway --ui`): one
 * `POST /rpc/<channel>` per call and one SSE stream for events, both authenticated with the
 * gateway key. The api object comes from the contract (`buildRotaryApi`), so no channel name is
 * written here. Calls never reject: transport failures become `unavailable` results.
 */
import {
  EVENT_NAMES,
  GATEWAY_KEY_PLACEHOLDER,
  WEB_KEY_STORAGE,
  WEB_RPC_PREFIX,
  buildRotaryApi,
  type EventName,
  type Result,
  type RotaryApi,
  type RotaryTransport,
} from '../../../shared/ipc';

type Listener = (payload: unknown) => void;

export interface WebTransportOptions {
  key: string;
  /** Origin-relative by default: the page is served by the same gateway. */
  rpcPrefix?: string;
  fetch?: typeof fetch;
}

const unavailable = (message: string): Result<never> => ({ ok: false, error: { code: 'unavailable', message } });

/**
 * Takes the gateway key from `#key=…` (once), keeps it in sessionStorage and removes it from
 * the address bar so it is not bookmarked, shared in a screenshot or left in history.
 */
export function takeWebKey(loc: Location = location, storage: Storage = sessionStorage): string | undefined {
  const hash = loc.hash.startsWith('#') ? loc.hash.slice(1) : loc.hash;
  const fromHash = new URLSearchParams(hash).get('key')?.trim();
  if (fromHash) {
    storage.setItem(WEB_KEY_STORAGE, fromHash);
    history.replaceState(null, '', loc.pathname + loc.search);
    return fromHash;
  }
  return storage.getItem(WEB_KEY_STORAGE) ?? undefined;
}

/**
 * Whether the gateway answers, as the page sees it: down the moment the event stream ends or a
 * call cannot reach it, up again when the stream reopens or a call gets an answer. While down
 * the stream retries every `DOWN_RETRY_MS`, so the page recovers by itself.
 */
export interface ConnectionMonitor {
  up(): boolean;
  onChange(listener: (up: boolean) => void): () => void;
  /** Try now instead of waiting for the next retry (the banner's "Retry now"). */
  retry(): void;
}

/** Longest wait between reconnect attempts while the gateway is away (loopback: cheap). */
const DOWN_RETRY_MS = 2000;

function createConnectionState() {
  let up = true;
  const listeners = new Set<(up: boolean) => void>();
  return {
    up: () => up,
    set(next: boolean) {
      if (next === up) return;
      up = next;
      for (const l of listeners) l(up);
    },
    onChange(listener: (up: boolean) => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

export function createWebPlatformApi(options: WebTransportOptions): { api: RotaryApi; connection: ConnectionMonitor } {
  const prefix = options.rpcPrefix ?? WEB_RPC_PREFIX;
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const headers = { Authorization: `Bearer ${options.key}`, 'Content-Type': 'application/json' };
  const state = createConnectionState();
  const events = createEventStream(prefix, doFetch, headers, state.set);

  const transport: RotaryTransport = {
    async invoke(channel, input) {
      let res: Response;
      try {
        res = await doFetch(`${prefix}${channel}`, {
          method: 'POST',
          headers,
          body: JSON.stringify(input ?? {}),
          credentials: 'omit',
          cache: 'no-store',
        });
      } catch {
        state.set(false);
        events.retryNow();
        return unavailable('Rotary is not reachable. Is `rotary gateway --ui` still running?');
      }
      state.set(true);
      try {
        // Every status (401, 403, 404…) still carries a Result body written for the user.
        return await res.json();
      } catch {
        return unavailable(`Unexpected answer from Rotary (HTTP ${res.status}).`);
      }
    },
    subscribe: (event, listener) => events.subscribe(event, listener),
  };
  const api = buildRotaryApi(transport);

  // Electron-only channels, done the browser's way (see the contract's header comment).
  api.app.openExternal = async (input) => {
    const opened = window.open(input.url, '_blank', 'noopener,noreferrer');
    return { ok: true, value: { opened: opened !== null } };
  };
  api.gateway.copySettings = async (input) => {
    const status = await api.gateway.status();
    if (!status.ok) return status;
    const client = status.value.clients.find((c) => c.clientID === input.clientID);
    if (!client) return { ok: false, error: { code: 'not-found', message: `No settings for ${input.clientID}.` } };
    try {
      await navigator.clipboard.writeText(client.text.split(GATEWAY_KEY_PLACEHOLDER).join(options.key));
      return { ok: true, value: { copied: true } };
    } catch {
      return { ok: false, error: { code: 'unavailable', message: 'The browser did not allow copying to the clipboard.' } };
    }
  };
  return { api, connection: { up: state.up, onChange: state.onChange, retry: () => events.retryNow() } };
}

/**
 * One EventSource shared by every subscriber, opened with the first and closed with the last.
 * Tickets are single-use, so on any error the stream is closed and reopened with a new ticket
 * (EventSource's own reconnect would replay the spent one).
 */
function createEventStream(prefix: string, doFetch: typeof fetch, headers: Record<string, string>, setUp: (up: boolean) => void) {
  const listeners = new Map<EventName, Set<Listener>>();
  let source: EventSource | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let wanted = false;

  const active = () => [...listeners.values()].some((s) => s.size > 0);

  async function open(): Promise<void> {
    if (!wanted || source) return;
    let ticket: string | undefined;
    try {
      const res = await doFetch(`${prefix}events-ticket`, { method: 'POST', headers, body: '{}', cache: 'no-store' });
      const body = (await res.json()) as Result<{ ticket: string }>;
      if (body.ok) ticket = body.value.ticket;
    } catch {
      // No answer at all: the gateway is away (a refused ticket is a key problem, not this).
      setUp(false);
    }
    if (!wanted || source) return;
    if (!ticket) return scheduleRetry();
    const es = new EventSource(`${prefix}events?ticket=${encodeURIComponent(ticket)}`);
    source = es;
    es.onopen = () => {
      attempt = 0;
      setUp(true);
    };
    es.onerror = () => {
      es.close();
      if (source === es) source = undefined;
      // The stream ends only when the gateway goes away (or restarts): say so now, not at the next call.
      setUp(false);
      scheduleRetry();
    };
    for (const name of EVENT_NAMES) {
      es.addEventListener(name, (ev) => {
        let payload: unknown;
        try {
          payload = JSON.parse((ev as MessageEvent<string>).data);
        } catch {
          return;
        }
        for (const l of listeners.get(name) ?? []) l(payload);
      });
    }
  }

  function scheduleRetry() {
    if (!wanted || retry) return;
    const delay = Math.min(DOWN_RETRY_MS, 250 * 2 ** attempt++);
    retry = setTimeout(() => {
      retry = undefined;
      void open();
    }, delay);
  }

  function stop() {
    wanted = false;
    source?.close();
    source = undefined;
    if (retry) clearTimeout(retry);
    retry = undefined;
  }

  return {
    /** Reconnect now (a failed call, or the user asked): skips the pending back-off. */
    retryNow() {
      if (!wanted || source) return;
      if (retry) clearTimeout(retry);
      retry = undefined;
      attempt = 0;
      void open();
    },
    subscribe(name: EventName, listener: Listener): () => void {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener);
      if (!wanted) {
        wanted = true;
        void open();
      }
      return () => {
        set.delete(listener);
        if (!active()) stop();
      };
    },
  };
}
