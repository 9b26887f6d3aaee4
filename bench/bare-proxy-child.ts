/**
 * Bench helper: the floor. A bare pass-through proxy (node:http in, undici keep-alive pool out,
 * swap the key for the account token, stream the answer back) with none of Rotary's logic,
 * measured beside the gateway so the table shows what Rotary itself adds on top of what any
 * Node proxy costs on this machine. Answers IPC `stats-reset` / `stats-get` like the gateway child.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { serveStats } from './child-stats.js';

const setup = JSON.parse(process.env.ROTARY_BENCH_SETUP ?? '{}') as { url: string; accounts: Array<{ access: string }> };
const upstream = new URL(setup.url);
// No cap below the bench's largest level (1000 concurrent streams): a pool limit would queue streams
// behind each other and make the floor look slower than a proxy has to be.
const pool = new Pool(upstream.origin, { connections: 2048, keepAliveTimeout: 30_000 });
const token = `Bearer ${setup.accounts[0]!.access}`;

const server = createServer({ keepAlive: true }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const headers = { ...req.headers, authorization: token, 'anthropic-beta': 'oauth-2025-04-20' };
    delete (headers as Record<string, unknown>)['x-api-key'];
    delete headers.host;
    delete headers.connection;
    pool
      .request({ path: `/api.anthropic.com${req.url!.slice('/anthropic'.length)}`, method: 'POST', headers, body: Buffer.concat(chunks) })
      .then((up) => {
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && k !== 'connection' && k !== 'keep-alive' && k !== 'transfer-encoding') out[k] = v;
        res.writeHead(up.statusCode, out);
        up.body.pipe(res);
      })
      .catch(() => {
        res.writeHead(502).end();
      });
  });
});
// A deep accept queue (capped by net.core.somaxconn), so the floor is what a proxy's work costs,
// not Node's default backlog of 511 overflowing under a burst of 1000 new connections.
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  serveStats();
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
process.on('message', (m) => {
  if (m === 'stop') server.close(() => process.exit(0));
});
