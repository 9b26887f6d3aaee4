/**
 * The failover series: the same ~1 KB non-streaming request through the gateway with and
 * without one 429 first (the simulator answers the first account the gateway tries with a
 * per-minute 429, whichever it picks; the gateway moves to the next account). What the
 * failover adds is compared with one upstream round trip: the simulator's own 429, called
 * directly. Direct and bare-proxy requests without a 429 sit beside them. One request at a
 * time, the five kinds interleaved in a rotating order, each on its own warmed connection.
 */
import { performance } from 'node:perf_hooks';
import { Client } from 'undici';
import { ask } from './children.js';
import { requestBody } from './requests-series.js';
import type { Rig, TargetName } from './rig.js';
import type { BenchSettings } from './settings.js';
import { pct, r2 } from './stats.js';

type Kind = 'gateway' | 'gateway-429' | 'direct' | 'direct-429' | 'bare';
const KINDS: Array<{ kind: Kind; target: TargetName; limited: boolean; expect: number }> = [
  { kind: 'gateway', target: 'gateway', limited: false, expect: 200 },
  { kind: 'gateway-429', target: 'gateway', limited: true, expect: 200 },
  { kind: 'direct', target: 'direct', limited: false, expect: 200 },
  { kind: 'direct-429', target: 'direct', limited: true, expect: 429 },
  { kind: 'bare', target: 'bare', limited: false, expect: 200 },
];

/** Time between two 429s: longer than the 20 ms `retry-after` they carry (sim-child.ts). */
const LIMIT_GAP_MS = 30;

export interface FailoverResult {
  samples: number;
  latency: Record<Kind, { p50Ms: number; p99Ms: number; failures: number }>;
  /** Gateway with a 429 first minus gateway without. */
  addedP50Ms: number;
  addedP99Ms: number;
  /** One upstream round trip: the simulator's 429 called directly (p50). */
  upstreamRttP50Ms: number;
}

export async function runFailoverSeries(rig: Rig, s: BenchSettings, log: (line: string) => void): Promise<FailoverResult> {
  const body = requestBody(false);
  const clients = new Map<Kind, Client>();
  const times = new Map<Kind, number[]>();
  const failures = new Map<Kind, number>();
  for (const k of KINDS) {
    clients.set(k.kind, new Client(rig.targets[k.target].origin, { pipelining: 1, keepAliveTimeout: 60_000 }));
    times.set(k.kind, []);
    failures.set(k.kind, 0);
  }
  let lastLimit = 0;
  const send = async (k: (typeof KINDS)[number]): Promise<{ ms: number; status: number }> => {
    const t = rig.targets[k.target];
    if (k.limited) {
      // Let the account the previous 429 parked come back, so the gateway always has a free one.
      const wait = lastLimit + LIMIT_GAP_MS - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await ask(rig.sim, { type: 'limit-next', n: 1 });
    }
    const t0 = performance.now();
    const res = await clients.get(k.kind)!.request({ path: t.path, method: 'POST', headers: t.headers, body });
    await res.body.dump();
    const ms = performance.now() - t0;
    if (k.limited) {
      lastLimit = performance.now();
      // A 429 nobody consumed (the gateway answered without asking upstream) must not hit the next request.
      await ask(rig.sim, { type: 'limit-next', n: 0 });
    }
    return { ms, status: res.statusCode };
  };
  // Warm every connection and path (the gateway's failover path too) before measuring.
  for (let i = 0; i < 10; i++) for (const k of KINDS) await send(k).catch(() => undefined);
  for (let i = 0; i < s.failoverSamples; i++) {
    const order = [...KINDS];
    for (let j = 0; j < i % order.length; j++) order.push(order.shift()!);
    for (const k of order) {
      try {
        const r = await send(k);
        if (r.status === k.expect) times.get(k.kind)!.push(r.ms);
        else failures.set(k.kind, failures.get(k.kind)! + 1);
      } catch {
        failures.set(k.kind, failures.get(k.kind)! + 1);
      }
    }
  }
  for (const c of clients.values()) await c.close();
  const latency = Object.fromEntries(
    KINDS.map((k) => [k.kind, { p50Ms: r2(pct(times.get(k.kind)!, 50)), p99Ms: r2(pct(times.get(k.kind)!, 99)), failures: failures.get(k.kind)! }]),
  ) as FailoverResult['latency'];
  const result: FailoverResult = {
    samples: s.failoverSamples,
    latency,
    addedP50Ms: r2(latency['gateway-429'].p50Ms - latency.gateway.p50Ms),
    addedP99Ms: r2(latency['gateway-429'].p99Ms - latency.gateway.p99Ms),
    upstreamRttP50Ms: latency['direct-429'].p50Ms,
  };
  log(
    `failover: gateway ${latency.gateway.p50Ms} ms p50, with one 429 first ${latency['gateway-429'].p50Ms} ms (+${result.addedP50Ms}); upstream 429 round trip ${result.upstreamRttP50Ms} ms; failures ${KINDS.map((k) => failures.get(k.kind)).join('/')}`,
  );
  return result;
}
