/**
 * Puts the application service together over an opened core: the provider login flows, the
 * usage poller, the gateway and its activity log. The desktop app, `rotary gateway --ui`,
 * the demo and the tests all build the service here, so they behave the same; each passes
 * only what its process has (Electron adds the clipboard and the OS browser).
 */
import type { Core } from '../core.js';
import type { Gateway } from '../gateway/gateway.js';
import type { RotaryUsagePoller } from '../providers/usage-poller.js';
import { createAppService, type AppService, type AppServiceDeps } from './app-service.js';
import { activityPortFor, gatewayPortFor } from './gateway-port.js';
import { createProviderLoginDriver } from './login-driver.js';
import { usagePortFor } from './usage-port.js';

export interface CoreServiceOptions {
  core: Pick<Core, 'pool' | 'store' | 'env'>;
  shell: AppServiceDeps['shell'];
  version: string;
  /** The running gateway; absent when it could not start (then `gatewayError` says why). */
  gateway?: Pick<Gateway, 'url' | 'port' | 'key' | 'activity'>;
  gatewayError?: string;
  poller?: Pick<RotaryUsagePoller, 'refreshNow'>;
  /** OpenAI loopback ports for the login callback (tests pass `[0]`). */
  openaiPorts?: number[];
  extra?: Pick<AppServiceDeps, 'writeClipboard' | 'openExternal' | 'now' | 'poolEventDelayMs'>;
}

export function createCoreAppService(options: CoreServiceOptions): AppService {
  const { core } = options;
  const upstream = core.env.ROTARY_UPSTREAM;
  let upstreamOrigin: string | undefined;
  try {
    upstreamOrigin = upstream ? new URL(upstream).origin : undefined;
  } catch {
    upstreamOrigin = undefined;
  }
  return createAppService({
    pool: core.pool,
    store: core.store,
    shell: options.shell,
    version: options.version,
    login: createProviderLoginDriver({ pool: core.pool, env: core.env, ...(options.openaiPorts ? { openaiPorts: options.openaiPorts } : {}) }),
    ...(options.poller ? { usage: usagePortFor(options.poller, core.pool) } : {}),
    gateway: gatewayPortFor(options.gateway, options.gatewayError),
    ...(options.gateway ? { activity: activityPortFor(options.gateway.activity) } : {}),
    ...(upstreamOrigin ? { extraExternalOrigins: [upstreamOrigin] } : {}),
    ...options.extra,
  });
}
