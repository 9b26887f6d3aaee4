/**
 * Issue 11, finding 6: headers are filtered both ways. A hostile (or buggy) upstream — the
 * simulator's `echo-credentials` fault — sets a cookie and echoes the request's Authorization
 * and Cookie and the account's tokens in response headers; none of it may reach the client,
 * and the client's own cookie never reaches the provider. JSON and SSE answers, all three routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderID } from '../../shared/domain.js';
import { ANTHROPIC_HEADERS, anthropicBody, gwFetch, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ accounts: { anthropic: 1, openai: 1, 'github-copilot': 1 } });
});
afterAll(async () => h?.close());

const ROUTES: Array<{ providerID: ProviderID; path: string; upstreamPath: string; body: (stream: boolean) => string }> = [
  { providerID: 'anthropic', path: '/anthropic/v1/messages', upstreamPath: '/v1/messages', body: (stream) => anthropicBody({ stream }) },
  {
    providerID: 'openai',
    path: '/openai/responses',
    upstreamPath: '/backend-api/codex/responses',
    body: () => JSON.stringify({ model: 'gpt-5-codex', instructions: 'Be brief.', input: 'Hello', stream: true, store: false }),
  },
  {
    providerID: 'github-copilot',
    path: '/copilot/chat/completions',
    upstreamPath: '/chat/completions',
    body: (stream) => JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'Hello' }], stream }),
  },
];

/** Every token value of the account (the gateway's view: vault secret) plus what the upstream saw as Authorization. */
async function accountTokens(providerID: ProviderID, seenAuthorization: string | undefined): Promise<string[]> {
  const record = h.accounts[providerID][0]!.record;
  const secret = await h.core.pool.getSecret(providerID, record.id);
  const out = [secret!.access, ...(secret!.refresh ? [secret!.refresh] : [])];
  if (seenAuthorization) out.push(seenAuthorization.replace(/^Bearer\s+/i, ''));
  return out;
}

describe.each(ROUTES)('$providerID', (route) => {
  for (const stream of route.providerID === 'openai' ? [true] : [false, true]) {
    it(`${stream ? 'SSE' : 'JSON'}: no set-cookie, no echoed token, no client cookie upstream`, async () => {
      h.accounts[route.providerID][0]!.sim.breakNext.push('echo-credentials');
      const res = await gwFetch(h, route.path, {
        method: 'POST',
        headers: { ...ANTHROPIC_HEADERS, cookie: 'client_session=do-not-forward' },
        body: route.body(stream),
      });
      const text = await res.text();
      expect(res.status).toBe(200);
      // The fault really fired: the harmless echo header made it through.
      expect(res.headers.get('x-sim-echo-safe')).toBe('kept');
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(res.headers.getSetCookie()).toEqual([]);

      const seen = h.sim.requests.filter((r) => r.path === route.upstreamPath).at(-1)!;
      expect(seen.headers.cookie).toBeUndefined();
      const tokens = await accountTokens(route.providerID, seen.headers.authorization);
      const all = [...res.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
      for (const token of tokens) {
        expect(all).not.toContain(token);
        expect(text).not.toContain(token);
      }
      for (const name of ['x-sim-echo-authorization', 'x-sim-echo-access', 'x-sim-echo-refresh', 'x-sim-echo-cookie']) {
        expect(res.headers.get(name)).toBeNull();
      }
    });
  }
});
