/**
 * Serves the built renderer (`renderer/dist`) under `/ui/` (and, through `resolveStaticFile`,
 * the desktop app's `app://rotary/`). Paths are resolved inside the folder only; unknown paths
 * without an extension get `index.html` (client-side routes).
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
  const found = await resolveStaticFile(staticDir, relative);
  if (!found.ok) {
    res.writeHead(found.status, { 'content-type': 'text/plain; charset=utf-8' }).end(found.message);
    return;
  }
  res.writeHead(200, staticFileHeaders(found.type, found.body.length));
  res.end(req.method === 'HEAD' ? undefined : found.body);
}

export type StaticFile = { ok: true; file: string; type: string; body: Buffer } | { ok: false; status: 400 | 404 | 503; message: string };

/**
 * The file `relative` (URL-encoded) names inside `staticDir`, never outside it; a path without
 * an extension gets `index.html` (client-side routes). Shared by the web transport and the
 * desktop app's `app://` protocol.
 */
export async function resolveStaticFile(staticDir: string, relative: string): Promise<StaticFile> {
  const root = path.resolve(staticDir);
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return { ok: false, status: 400, message: 'Bad path' };
  }
  let file = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  if (file !== root && !file.startsWith(root + path.sep)) return { ok: false, status: 404, message: 'Not found' };
  let body: Buffer | undefined = await readFileIfAny(file);
  if (!body && !path.extname(file)) {
    file = path.join(root, 'index.html');
    body = await readFileIfAny(file);
  }
  if (!body) {
    const missingUi = file.endsWith('index.html');
    return missingUi ? { ok: false, status: 503, message: 'The UI is not built. Run `npm run build:web` and reload.' } : { ok: false, status: 404, message: 'Not found' };
  }
  return { ok: true, file, type: TYPES[path.extname(file)] ?? 'application/octet-stream', body };
}

/** Response headers for a served file: the CSP on every page, no sniffing, no referrer. */
export function staticFileHeaders(type: string, length: number): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': type,
    'content-length': String(length),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    // index.html is small and changes with every build; hashed assets may be cached.
    'cache-control': type.startsWith('text/html') ? 'no-store' : 'public, max-age=300',
  };
  if (type.startsWith('text/html')) {
    headers['content-security-policy'] = CONTENT_SECURITY_POLICY;
    headers['x-frame-options'] = 'DENY';
  }
  return headers;
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
