/**
 * Who is on the gateway's port (for `rotary doctor`): nobody, a Rotary gateway (this home's, when
 * our key works, or another one), or some other program. One short GET of a path no route serves:
 * a Rotary gateway answers it with its own 404 (key accepted) or 401 (another key). Nothing is
 * changed and no secret is sent except our own gateway key to our own loopback port.
 */
import { GATEWAY_HOST } from './gateway.js';

export type PortState =
  | { state: 'free' }
  | { state: 'rotary'; sameKey: boolean }
  | { state: 'other'; detail: string };

export async function probeGatewayPort(port: number, key: string | undefined, timeoutMs = 2000): Promise<PortState> {
  let res: Response;
  try {
    res = await fetch(`http://${GATEWAY_HOST}:${port}/rotary-doctor-probe`, {
      headers: key ? { 'x-api-key': key } : {},
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED') return { state: 'free' };
    return { state: 'other', detail: `it does not answer like a web server (${code ?? (error as Error).name})` };
  }
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const shape = body && typeof body === 'object' ? (body as { error?: { type?: unknown; message?: unknown } }) : undefined;
  if (res.status === 404 && shape?.error?.type === 'not_found' && /Routes: .*\/anthropic/.test(String(shape.error.message))) return { state: 'rotary', sameKey: true };
  if (res.status === 401 && shape?.error?.type === 'unauthorized' && /gateway key/i.test(String(shape.error.message))) return { state: 'rotary', sameKey: false };
  return { state: 'other', detail: `it answered HTTP ${res.status}${res.headers.get('server') ? ` (server: ${res.headers.get('server')!.slice(0, 40)})` : ''}` };
}
