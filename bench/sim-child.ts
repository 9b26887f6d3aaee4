/**
 * Bench helper: the provider simulator in its own process (so its CPU is not the load
 * generator's), with accounts that never hit a limit. Prints one JSON line: {url, accounts}.
 * Answers IPC like the other children (child-stats.ts) and also:
 * - `{type: 'drip', drip: {events, intervalMs} | null}`: drip mode on every account (the
 *   long-stream series: 50 events 40 ms apart); `null` turns it off;
 * - `{type: 'limit-next', n}`: the next n inference requests, whichever account, answer a
 *   per-minute 429 (the failover series).
 * Each answers `{ok: true}` once applied.
 */
import { startSimulator, type SimDrip } from '../tests/sim/server.js';
import { serveStats } from './child-stats.js';

/**
 * `retry-after` on the failover series' 429s: the gateway parks the account that said no for
 * 20 ms only (the series paces its 429s further apart), so every sample finds free accounts.
 */
const FAILOVER_RETRY_AFTER_S = 0.02;

/**
 * The upstream stands in for a provider's servers, which take a burst of new connections: a
 * deep accept queue (the kernel caps it at net.core.somaxconn) so the direct baseline of a
 * 1000-stream burst is not capped by the simulator's listen queue.
 */
const BACKLOG = 4096;

const sim = await startSimulator({ backlog: BACKLOG });
const accounts = [];
for (let i = 0; i < 3; i++) {
  const acc = sim.addAccount('anthropic');
  acc.costPerRequest = 0;
  acc.weeklyCostPerRequest = 0;
  acc.retryAfterSec = FAILOVER_RETRY_AFTER_S;
  acc.replyText = 'Benchmark reply with a handful of words so the stream has several events in it.';
  accounts.push(acc.credentials());
}
// The request log would grow without bound under load.
setInterval(() => sim.clearRequests(), 500).unref();
serveStats(() => ({ inferenceCalls: sim.counters.inferenceCalls }));
process.stdout.write(`${JSON.stringify({ url: sim.url, accounts })}\n`);
process.on('message', (m: unknown) => {
  if (m === 'stop') {
    void sim.close().then(() => process.exit(0));
    return;
  }
  const cmd = m as { type?: string; drip?: SimDrip | null; n?: number };
  if (cmd.type === 'drip') {
    for (const acc of sim.accounts()) acc.drip = cmd.drip ?? undefined;
    process.send?.({ ok: true });
  } else if (cmd.type === 'limit-next') {
    sim.anyAccount.perMinuteLimited = cmd.n ?? 1;
    process.send?.({ ok: true });
  }
});
