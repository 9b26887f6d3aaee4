/**
 * The application service's view of a gateway that runs in another process: its
 * `GatewayPort` (state from the supervisor) and `ActivityPort` (queries to the child, events
 * from whichever child is up). While the child is down, `error()` says whether it is
 * starting, restarting or gave up, and activity reads fail with the same words.
 *
 * The gateway key does not come over the channel: `gateway:copySettings` (the clipboard, in
 * this process) reads it from this process's own vault — the same entry the child resolved
 * (or created) before it said `listening`, or ROTARY_GATEWAY_KEY from the same environment.
 */
import type { ConversationSummary, RequestEntry } from '../../../shared/activity.js';
import { readGatewayKey } from '../gateway/gateway-key.js';
import type { Vault } from '../pool/vault.js';
import type { ActivityPort, GatewayPort } from '../service/types.js';
import { downMessage, type GatewaySupervisor } from './supervisor.js';

export function supervisedGatewayPort(host: GatewaySupervisor, keySource: { env: NodeJS.ProcessEnv; vault: Vault }): GatewayPort {
  const running = () => {
    const s = host.state();
    return s.state === 'running' ? s : undefined;
  };
  return {
    running: () => running() !== undefined,
    url: () => running()?.url,
    port: () => running()?.port,
    error: () => (running() ? undefined : downMessage(host.state())),
    key: async () => (running() ? readGatewayKey(keySource) : undefined),
    restartable: () => host.state().state === 'failed',
    restart: () => host.restart(),
  };
}

export function supervisedActivityPort(host: GatewaySupervisor): ActivityPort {
  return {
    conversations: async (limit) => (await host.query({ name: 'conversations', ...(limit !== undefined ? { limit } : {}) })) as ConversationSummary[],
    requests: async (conversationID, limit) =>
      (await host.query({ name: 'requests', ...(conversationID !== undefined ? { conversationID } : {}), ...(limit !== undefined ? { limit } : {}) })) as RequestEntry[],
    subscribe: (listener) => host.subscribe(listener),
  };
}
