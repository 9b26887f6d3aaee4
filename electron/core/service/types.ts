/**
 * Shapes of the application service: the handler table the transports dispatch into, the
 * event source they forward, and the ports it uses to reach parts of the core that are
 * optional in some processes (login flows, usage poller, gateway, clipboard).
 */
import type { ProviderID } from '../../../shared/domain.js';
import type { ConversationSummary, RequestEntry, ActivityEvent } from '../../../shared/activity.js';
import type { ChannelInput, ChannelName, ChannelOutput, EventName, EventPayload, Result, VaultStatus } from '../../../shared/ipc.js';

export type ServiceHandlers = {
  [K in ChannelName]: (input: ChannelInput<K>) => Promise<Result<ChannelOutput<K>>>;
};

export interface ServiceEvents {
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** What the service needs from the activity log (the gateway owns it; in the desktop app it is in the gateway process, so reads may be async). */
export interface ActivityPort {
  conversations(limit?: number): ConversationSummary[] | Promise<ConversationSummary[]>;
  requests(conversationID: string, limit?: number): RequestEntry[] | Promise<RequestEntry[]>;
  subscribe(listener: (event: ActivityEvent) => void): () => void;
}

/** What the service needs from the gateway. The key is read only for the clipboard copy. */
export interface GatewayPort {
  running(): boolean;
  url(): string | undefined;
  port(): number | undefined;
  error?(): string | undefined;
  key(): string | undefined | Promise<string | undefined>;
  /** A gateway in its own process that gave up restarting: `restart()` starts it afresh (`gateway:restart`). */
  restartable?(): boolean;
  /** True when a start was begun; the outcome arrives as a `gateway-*` notice and in `gateway:status`. */
  restart?(): boolean;
}

/** Polls the usage endpoints now; the numbers land in the pool (`setUsage`), which fires `events:pool`. */
export interface UsagePort {
  refresh(target: { providerID?: ProviderID; recordID?: string }): Promise<void>;
}

/** The vault channels: its state, and unlocking or creating the encrypted file vault. Never returns the passphrase. */
export interface VaultPort {
  status(): Promise<VaultStatus>;
  unlock(passphrase: string): Promise<VaultStatus>;
  create(passphrase: string): Promise<VaultStatus>;
}
