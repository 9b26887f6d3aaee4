/** Adapts a running gateway (and its activity log) to the service's ports. */
import type { ActivityLog } from '../gateway/activity-log.js';
import type { Gateway } from '../gateway/gateway.js';
import type { ActivityPort, GatewayPort } from './types.js';

export function gatewayPortFor(gateway: Pick<Gateway, 'url' | 'port' | 'key'> | undefined, error?: string): GatewayPort {
  return {
    running: () => gateway !== undefined,
    url: () => gateway?.url,
    port: () => gateway?.port,
    error: () => (gateway ? undefined : (error ?? 'The gateway is not started in this process.')),
    key: () => gateway?.key,
  };
}

export function activityPortFor(log: Pick<ActivityLog, 'conversations' | 'requests' | 'subscribe'>): ActivityPort {
  return {
    conversations: (limit = 50) => log.conversations().slice(0, limit),
    requests: (conversationID) => log.requests(conversationID),
    subscribe: (listener) => log.subscribe(listener),
  };
}
