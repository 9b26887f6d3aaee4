/**
 * Bench helper: the provider simulator in its own process (so its CPU is not the load
 * generator's), with accounts that never hit a limit. Prints one JSON line: {url, accounts}.
 */
import { startSimulator } from '../tests/sim/server.js';

const sim = await startSimulator();
const accounts = [];
for (let i = 0; i < 3; i++) {
  const acc = sim.addAccount('anthropic');
  acc.costPerRequest = 0;
  acc.weeklyCostPerRequest = 0;
  acc.replyText = 'Benchmark reply with a handful of words so the stream has several events in it.';
  accounts.push(acc.credentials());
}
// The request log would grow without bound under load.
setInterval(() => sim.clearRequests(), 500).unref();
process.stdout.write(`${JSON.stringify({ url: sim.url, accounts })}\n`);
process.on('message', (m) => {
  if (m === 'stop') void sim.close().then(() => process.exit(0));
});
