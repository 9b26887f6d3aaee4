/**
 * Child process for the vault screen's browser test: the desktop app's start-up path without
 * Electron — the vault gate (service/vault-gate.ts), and once a vault opens the real runtime
 * and application service — served to the built renderer by the real web transport behind the
 * gateway's real front door (createFrontDoor) on a loopback port. A gateway proper cannot run
 * before the vault is open (it needs the pool), so this server only mounts the transport. In a
 * child so the test can give it an environment of its own (no reachable Secret Service for the
 * first-run case). Prints `{"url","key"}` once listening; stops on SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActivityLog } from '../../electron/core/gateway/activity-log.js';
import { createFrontDoor } from '../../electron/core/gateway/front-door.js';
import type { Gateway, MountHandler, MountOptions } from '../../electron/core/gateway/gateway.js';
import { startRuntime, type Runtime } from '../../electron/core/runtime.js';
import { createVaultGate } from '../../electron/core/service/vault-gate.js';
import { mountWebTransport } from '../../electron/core/web/web-transport.js';

const env = process.env;
const home = env.ROTARY_HOME!;
const staticDir = process.argv[2]!;
const key = `rk-test-${randomBytes(12).toString('hex')}`;
let runtime: Runtime | undefined;
const gate = createVaultGate({
  home,
  env,
  warn: () => undefined,
  shell: 'web',
  version: 'test',
  open: async (vault) => {
    runtime = await startRuntime({ home, env, vault, reconcile: false, service: { shell: 'web', version: 'test' } });
    return runtime.service!;
  },
});

let port = 0;
const door = createFrontDoor({ key, port: () => port });
const activity = new ActivityLog();
const mounts: Array<{ prefix: string; handler: MountHandler; opts: MountOptions }> = [];
const mountPoint: Pick<Gateway, 'mount'> = {
  mount: (prefix, handler, opts) => {
    mounts.push({ prefix, handler, opts });
    mounts.sort((a, b) => b.prefix.length - a.prefix.length);
  },
};
const transport = mountWebTransport(mountPoint, gate.service, { staticDir });
const server = http.createServer((req, res) => {
  const pathname = (req.url ?? '/').split('?')[0]!;
  const m = mounts.find((x) => (x.prefix.endsWith('/') ? pathname.startsWith(x.prefix) || pathname === x.prefix.slice(0, -1) : pathname === x.prefix || pathname.startsWith(`${x.prefix}/`)));
  if (!m) return void res.writeHead(404).end();
  const admission = door.admit(req, m.opts.policy);
  if (!admission.ok) return void (m.opts.refuse ? m.opts.refuse(res, admission) : res.writeHead(admission.status).end(admission.message));
  void m.handler(req, res, { pathname, query: new URLSearchParams(req.url?.split('?')[1] ?? ''), url: `http://127.0.0.1:${port}`, activity });
});
server.listen(0, '127.0.0.1', () => {
  port = (server.address() as AddressInfo).port;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, key })}\n`);
});
process.on('SIGTERM', () => {
  transport.close();
  gate.service.close();
  server.close();
  void (runtime?.close() ?? Promise.resolve()).finally(() => process.exit(0));
});
