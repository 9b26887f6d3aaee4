/**
 * The desktop window loads the renderer from `app://rotary/`, a privileged custom scheme,
 * instead of `file://`. With the `grantFileProtocolExtraPrivileges` fuse off (electron-builder.yml),
 * `file://` pages lose Electron's extra rights, including the CORS fetch that Vite's
 * `<script type="module" crossorigin>` needs; a standard, secure scheme of our own is the
 * replacement Electron's security guide recommends, and it serves only the built renderer folder.
 *
 * Pure (a WHATWG Request in, a Response out), so it is tested under Node on the real
 * renderer/dist; main.ts registers it with `protocol.handle`.
 */
import { resolveStaticFile, staticFileHeaders } from './core/web/static-files.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'rotary';
export const APP_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** For `protocol.registerSchemesAsPrivileged` (before ready): a standard, secure origin like https; CORS on for Vite's `crossorigin` module script. */
export const APP_SCHEME_PRIVILEGES = { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } };

export async function appProtocolResponse(rendererDir: string, request: { url: string; method: string }): Promise<Response> {
  const text = (status: number, message: string) => new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return text(400, 'Bad URL');
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return text(404, 'Not found');
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Method not allowed');
  const found = await resolveStaticFile(rendererDir, url.pathname.slice(1) || 'index.html');
  if (!found.ok) return text(found.status, found.message);
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(found.body), { status: 200, headers: staticFileHeaders(found.type, found.body.length) });
}
