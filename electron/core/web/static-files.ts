/**
 * Serves the built renderer (`renderer/dist`) under `/ui/`. Paths are resolved inside the
 * folder only; unknown paths without an extension get `index.html` (client-side routes).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONTENT_SECURITY_POLICY } from './csp.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export async function serveStatic(req: IncomingMessage, res: ServerResponse, staticDir: string, relative: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed');
    return;
  }
  const root = path.resolve(staticDir);
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Bad path');
    return;
  }
  let file = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  if (file !== root && !file.startsWith(root + path.sep)) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
    return;
  }
  let body: Buffer | undefined = await readFileIfAny(file);
  if (!body && !path.extname(file)) {
    file = path.join(root, 'index.html');
    body = await readFileIfAny(file);
  }
  if (!body) {
    const missingUi = file.endsWith('index.html');
    res
      .writeHead(missingUi ? 503 : 404, { 'content-type': 'text/plain; charset=utf-8' })
      .end(missingUi ? 'The UI is not built. Run `npm run build:web` and reload.' : 'Not found');
    return;
  }
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  const headers: Record<string, string> = {
    'content-type': type,
    'content-length': String(body.length),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // index.html is small and changes with every build; hashed assets may be cached.
    'cache-control': type.startsWith('text/html') ? 'no-store' : 'public, max-age=300',
  };
  if (type.startsWith('text/html')) {
    headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
    headers['x-frame-options'] = 'DENY';
  }
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

async function readFileIfAny(file: string): Promise<Buffer | undefined> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return undefined;
    return await fs.readFile(file);
  } catch {
    return undefined;
  }
}
