/**
 * The c=1 probe: one connection, opened (and warmed with a request) before the load starts,
 * sending one small non-streaming request at a time while the load runs. Its latency is what
 * an interactive request feels next to a thousand streams (a stalled event loop shows here).
 * It runs in the bench's main process, which is otherwise idle during the load; that process's
 * own event-loop delay is reported with it, to show the probe's client was not what waited.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Client } from 'undici';
import type { HttpTarget } from './wrk.js';

/** Pause between probe requests: a probe, not more load. */
const GAP_MS = 20;

export interface Probe {
  /** Stops after the request in flight; resolves with the latencies (ms) and the failures. */
  stop(): Promise<{ latencies: number[]; errors: number; loopDelayP99Ms: number }>;
}

export const PROBE_BODY = JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{ role: 'user', content: 'ping' }] });

async function once(client: Client, target: HttpTarget): Promise<number | undefined> {
  const t0 = performance.now();
  const res = await client.request({ path: target.path, method: 'POST', headers: target.headers, body: PROBE_BODY });
  await res.body.dump();
  return res.statusCode === 200 ? performance.now() - t0 : undefined;
}

export async function startProbe(target: HttpTarget): Promise<Probe> {
  const client = new Client(target.origin, { pipelining: 1, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000, headersTimeout: 30_000, bodyTimeout: 30_000 });
  // Opens the connection and warms the path before any load.
  await once(client, target);
  const latencies: number[] = [];
  let errors = 0;
  let running = true;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const loop = (async () => {
    while (running) {
      try {
        const ms = await once(client, target);
        if (ms === undefined) errors++;
        else latencies.push(ms);
      } catch {
        errors++;
      }
      await new Promise((r) => setTimeout(r, GAP_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await client.close().catch(() => undefined);
      loopDelay.disable();
      return { latencies, errors, loopDelayP99Ms: Math.round((loopDelay.percentile(99) / 1e6) * 100) / 100 };
    },
  };
}
