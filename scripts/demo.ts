/**
 * `npm run demo`: see rotation happen in a minute, without a real subscription.
 *
 * Starts the provider simulator with three Anthropic accounts (each 5-hour window fills fast),
 * a throw-away ROTARY_HOME (file secret backend, nothing touches your keychain), the gateway
 * with the web UI, opens the UI in your browser, then sends a request through the gateway every
 * few seconds with the Anthropic SDK. Watch the context panel: Account 1 fills up, a 429 moves
 * the conversation to Account 2, then Account 3. Ctrl+C stops everything and deletes the home.
 *
 * Options: --port N (gateway port, default a free one), --every S (seconds between requests,
 * default 3), --no-open (only print the URL).
 */
import Anthropic from '@anthropic-ai/sdk';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { RENDERER_DIST, startStack } from '../tests/e2e/stack.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function fail(message: string): never {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: { port: { type: 'string' }, every: { type: 'string' }, 'no-open': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    });
  } catch (error) {
    return fail(`${(error as Error).message}\nUsage: npm run demo -- [--port N] [--every SECONDS] [--no-open]`);
  }
})();
if (values.help) {
  process.stdout.write('Usage: npm run demo -- [--port N] [--every SECONDS] [--no-open]\n');
  process.exit(0);
}
const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, not "${values.port}".`);
const everySec = values.every === undefined ? 3 : Number(values.every);
if (!Number.isFinite(everySec) || everySec < 0.5 || everySec > 600) fail(`--every must be between 0.5 and 600 seconds, not "${values.every}".`);

async function ensureRendererBuilt(): Promise<void> {
  if (existsSync(path.join(RENDERER_DIST, 'index.html'))) return;
  process.stdout.write('Building the web UI (first run)…\n');
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

function openInBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '""', url] : [url];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true, env: { ...process.env } });
    child.on('error', () => process.stdout.write('(Could not open a browser; open the URL above yourself.)\n'));
    child.unref();
  } catch {
    process.stdout.write('(Could not open a browser; open the URL above yourself.)\n');
  }
}

await ensureRendererBuilt();
const stack = await startStack({
  anthropicAccounts: 3,
  secrets: 'file',
  port,
  pollUsage: true,
  log: (line) => process.stdout.write(`  gateway: ${line}\n`),
});

// Staggered starting points and an expensive request: Account 1 runs out after a few requests.
const start = [0.62, 0.35, 0.12];
stack.accounts.forEach((a, i) => {
  a.sim.fiveHour.utilization = start[i] ?? 0.1;
  a.sim.costPerRequest = 0.09;
  a.sim.sevenDay.utilization = 0.2 + 0.1 * i;
  a.sim.sevenDaySonnet = { utilization: 0.1 + 0.05 * i, resetAt: a.sim.sevenDay.resetAt };
  a.sim.chunkDelayMs = 40;
});
const labelOf = new Map(stack.accounts.map((a) => [a.sim.id, a.record.label]));

process.stdout.write(`
Rotary demo
  Web UI:   ${stack.uiURL}
  Gateway:  ${stack.gateway.url}/anthropic   (key: shown in the UI under "Connect a tool")
  Upstream: provider simulator at ${stack.sim.url}, 3 Anthropic accounts

Sending a request every ${everySec} s. Watch the context panel: when an account's 5-hour window
fills up, the next request gets a 429 and moves on to the next account. Ctrl+C to stop.

`);
if (!values['no-open']) openInBrowser(stack.uiURL);

const client = new Anthropic({
  baseURL: `${stack.gateway.url}/anthropic`,
  apiKey: stack.gateway.key,
  maxRetries: 0,
  defaultHeaders: { 'x-claude-code-session-id': `demo-${randomUUID()}` },
});
const prompts = ['Explain rate limits in one sentence.', 'Name three prime numbers.', 'What does a gateway do?', 'Say hello.'];

/** Full at the simulator, or cooling down at the gateway after its 429 (until the reset, 5 h away). */
function everyAccountUsedUp(): boolean {
  const status = new Map(stack.core.pool.getAccounts('anthropic').map((r) => [r.id, r.status.kind]));
  return stack.accounts.every((a) => a.sim.fiveHour.utilization >= 1 || status.get(a.record.id) !== 'ok');
}

/**
 * Play the provider's 5-hour reset so the demo keeps going: the windows start again and the
 * cooldowns the 429s set end, as they would at the reset time (a sim reset alone would leave the
 * gateway waiting 5 hours for the accounts it saw limited).
 */
async function playReset(): Promise<void> {
  stack.accounts.forEach((a, i) => (a.sim.fiveHour.utilization = start[i] ?? 0.1));
  for (const a of stack.accounts) await stack.core.pool.clearCooldown('anthropic', a.record.id);
  process.stdout.write('  (demo) every 5-hour window reset\n');
}

let n = 0;
let stopping = false;
async function tick(): Promise<void> {
  n++;
  if (everyAccountUsedUp()) await playReset();
  const before = stack.sim.requests.length;
  try {
    const stream = client.messages.stream({
      model: 'claude-sonnet-5-5',
      max_tokens: 128,
      system: 'You are a demo assistant.',
      messages: [{ role: 'user', content: prompts[n % prompts.length]! }],
    });
    await stream.finalMessage();
    const served = stack.sim.requests.slice(before).filter((r) => r.path === '/v1/messages');
    const last = served.at(-1);
    const tried = served.length > 1 ? `  (after ${served.length - 1} × 429)` : '';
    const acc = stack.accounts.find((a) => a.sim.id === last?.accountId);
    const pct = acc ? Math.round(acc.sim.fiveHour.utilization * 100) : undefined;
    process.stdout.write(`#${n} 200 via ${labelOf.get(last?.accountId ?? '') ?? '?'}${pct !== undefined ? ` (5-hour now ${pct}%)` : ''}${tried}\n`);
  } catch (error) {
    const status = (error as { status?: number }).status;
    process.stdout.write(`#${n} ${status ?? 'error'}: ${(error as Error).message.split('\n')[0]}\n`);
  }
}

const timer = setInterval(() => void tick(), everySec * 1000);
void tick();

async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  process.stdout.write('\nStopping…\n');
  await stack.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
