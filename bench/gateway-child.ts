/**
 * Bench helper: the gateway in its own process so its peak RSS is its own. Reads the
 * simulator URL and account credentials from ROTARY_BENCH_SETUP, answers IPC messages
 * `stats-reset` / `stats-get` with its peak RSS, CPU time and how many history transactions it
 * wrote (bench/child-stats.ts). `ROTARY_HISTORY=off` in its environment runs it without the
 * history (the baseline recording is measured against).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRuntime } from '../electron/core/runtime.js';
import { serveStats } from './child-stats.js';

interface Setup {
  url: string;
  accounts: Array<{ access: string; refresh?: string; expires?: number; accountId: string }>;
}
const setup = JSON.parse(process.env.ROTARY_BENCH_SETUP ?? '{}') as Setup;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rotary-bench-'));
const env: NodeJS.ProcessEnv = {
  ROTARY_HOME: home,
  ROTARY_UPSTREAM: setup.url,
  ROTARY_SECRET_BACKEND: 'file',
  ROTARY_GATEWAY_KEY: 'bench-key',
  ...(process.env.ROTARY_HISTORY ? { ROTARY_HISTORY: process.env.ROTARY_HISTORY } : {}),
};
// The process `rotary gateway` runs: core, token manager, service, gateway.
const core = await startRuntime({ env, home, warn: () => undefined, service: { shell: 'web', version: 'bench' }, gateway: { port: 0 } });
const gw = core.gateway!;
for (const [i, a] of setup.accounts.entries()) {
  await core.pool.add({
    providerID: 'anthropic',
    label: `Account ${i + 1}`,
    accountId: a.accountId,
    secret: { access: a.access, ...(a.refresh ? { refresh: a.refresh } : {}), ...(a.expires ? { expires: a.expires } : {}) },
  });
}

serveStats(() => ({ historyWrites: core.history?.recorder.writes ?? 0 }));
process.on('message', (m) => {
  if (m === 'stop') {
    void core.close().then(() => {
      fs.rmSync(home, { recursive: true, force: true });
      process.exit(0);
    });
  }
});
process.stdout.write(`${JSON.stringify({ url: gw.url, key: gw.key })}\n`);
