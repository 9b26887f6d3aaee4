/**
 * ChatGPT/Codex login: PKCE S256 with a loopback callback server, like the Codex CLI
 * (PROTOCOLS §2.1–2.3). The server listens on 127.0.0.1:1455 (1457 when 1455 is busy), waits
 * for `/auth/callback`, checks the state, redeems the code and answers the browser with a small
 * page. It closes in every case: success, provider error, timeout (a closed browser tab looks
 * like this) and cancel.
 *
 * `ROTARY_OPENAI_CALLBACK_PORT` overrides the port (tests run in parallel and use `0`, a free
 * port; the real OpenAI only accepts 1455 and 1457 as redirect ports).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oauth from 'oauth4webapi';
import type { AccountRecord } from '../../../../shared/domain.js';
import { RotaryError } from '../../errors.js';
import type { AccountPool } from '../../pool/account-pool.js';
import { applyUpstream } from '../../upstream.js';
import { readTokenResponse, TokenEndpointError } from '../http.js';
import { identityLabel } from '../identity-types.js';
import type { LoginProgress } from '../login-types.js';
import {
  OPENAI_AUTHORIZE_URL,
  OPENAI_CALLBACK_PATH,
  OPENAI_CALLBACK_PORTS,
  OPENAI_CLIENT_ID,
  OPENAI_ORIGINATOR,
  OPENAI_SCOPES,
  openaiRedirectUri,
} from './constants.js';
import { jwtExpiry, openaiIdentity } from './identity.js';
import { oauthCall, oauthRequestOptions } from '../http.js';
import { OPENAI_TOKEN_WHAT, openaiOAuth } from './refresh.js';

export const OPENAI_LOGIN_TIMEOUT_MS = 5 * 60 * 1000;

export interface OpenAILoginOptions {
  pool: AccountPool;
  env: NodeJS.ProcessEnv;
  openUrl?: (url: string) => void | Promise<void>;
  label?: string;
  /** Give up after this long without a callback (default 5 min). */
  timeoutMs?: number;
  /** Ports to try in order (default: ROTARY_OPENAI_CALLBACK_PORT, else 1455 then 1457). `0` = any free port. */
  ports?: number[];
  onProgress?: (progress: LoginProgress) => void;
  now?: () => number;
}

export interface OpenAILogin {
  /** The authorize URL to open (ROTARY_UPSTREAM applied). */
  readonly url: string;
  /** The loopback port in use. */
  readonly port: number;
  readonly redirectUri: string;
  /** Settles once: the added account, or a RotaryError (timeout, cancelled, auth-failed…). */
  readonly done: Promise<AccountRecord>;
  cancel(): void;
}

export function openaiCallbackPorts(env: NodeJS.ProcessEnv): number[] {
  const override = env.ROTARY_OPENAI_CALLBACK_PORT?.trim();
  if (override) {
    const port = Number(override);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new RotaryError('bad-input', `ROTARY_OPENAI_CALLBACK_PORT must be a port number (0–65535), not "${override}".`);
    }
    return [port];
  }
  return [...OPENAI_CALLBACK_PORTS];
}

export async function startOpenAILogin(options: OpenAILoginOptions): Promise<OpenAILogin> {
  const { pool, env } = options;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? OPENAI_LOGIN_TIMEOUT_MS;
  const verifier = oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  const state = oauth.generateRandomState();
  const abort = new AbortController();

  const server = http.createServer();
  const port = await listenOnFirstFree(server, options.ports ?? openaiCallbackPorts(env));
  const redirectUri = openaiRedirectUri(port);

  const authorize = new URL(OPENAI_AUTHORIZE_URL);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: OPENAI_CLIENT_ID,
    redirect_uri: redirectUri,
    scope: OPENAI_SCOPES,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    id_token_add_organizations: 'true',
    codex_cli_simplified_flow: 'true',
    state,
    originator: OPENAI_ORIGINATOR,
  }).toString();
  const url = applyUpstream(authorize.toString(), env.ROTARY_UPSTREAM);

  let settle!: { resolve: (r: AccountRecord) => void; reject: (e: unknown) => void };
  const done = new Promise<AccountRecord>((resolve, reject) => (settle = { resolve, reject }));
  // A caller that stops listening (e.g. after cancel) must not crash the process with an unhandled rejection.
  done.catch(() => undefined);
  let handled = false;
  let closed = false;
  // `soft` lets the answer page finish writing (it is sent with `connection: close`);
  // timeout and cancel drop every connection at once.
  const finish = (outcome: { record: AccountRecord } | { error: unknown }, soft = false): void => {
    clearTimeout(timer);
    if (!closed) {
      closed = true;
      server.close();
      if (soft) server.closeIdleConnections?.();
      else server.closeAllConnections?.();
    }
    if ('record' in outcome) settle.resolve(outcome.record);
    else settle.reject(outcome.error);
  };
  const timer = setTimeout(() => {
    abort.abort();
    finish({
      error: new RotaryError(
        'timeout',
        `The ChatGPT login timed out after ${formatDuration(timeoutMs)} without an answer from the browser (was the tab closed?). Start again.`,
      ),
    });
  }, timeoutMs);
  timer.unref?.();

  const redeem = async (params: URLSearchParams): Promise<AccountRecord> => {
    const ctx = { env, signal: abort.signal };
    const { as, client } = openaiOAuth(env);
    options.onProgress?.({ step: 'exchanging', message: 'Redeeming the code…' });
    const res = await oauthCall(ctx, OPENAI_TOKEN_WHAT, () =>
      oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri, verifier, oauthRequestOptions(ctx)),
    );
    let tokens;
    try {
      tokens = await readTokenResponse(res, OPENAI_TOKEN_WHAT);
    } catch (error) {
      if (error instanceof TokenEndpointError && error.permanent) {
        throw new RotaryError('auth-failed', `OpenAI did not accept the login code (${error.oauthError ?? `HTTP ${error.status}`}). Start again.`);
      }
      throw error;
    }
    const identity = openaiIdentity({ ...(tokens.id_token ? { idToken: tokens.id_token } : {}), access: tokens.access_token });
    if (!identity.accountId) {
      throw new RotaryError('auth-failed', 'OpenAI signed you in but did not say which ChatGPT account to use (no chatgpt_account_id in the token). Start again, or check that the account has a ChatGPT plan.');
    }
    if (abort.signal.aborted) throw cancelled();
    const expires = jwtExpiry(tokens.access_token) ?? (tokens.expires_in !== undefined ? now() + tokens.expires_in * 1000 : undefined);
    const label = options.label?.trim() || identityLabel(identity);
    return pool.add({
      providerID: 'openai',
      secret: {
        access: tokens.access_token,
        ...(tokens.refresh_token ? { refresh: tokens.refresh_token } : {}),
        ...(expires !== undefined ? { expires } : {}),
        extras: { accountId: identity.accountId },
      },
      accountId: identity.accountId,
      ...(identity.email ? { email: identity.email } : {}),
      ...(label ? { label } : {}),
    });
  };

  server.on('request', (req, res) => {
    const reqUrl = new URL(req.url ?? '/', 'http://localhost');
    if (reqUrl.pathname === '/cancel') {
      // The Codex CLI sends this to a stale login server before taking its port.
      page(res, 200, 'Login cancelled', 'This login was cancelled. You can close this tab.');
      abort.abort();
      finish({ error: cancelled() }, true);
      return;
    }
    if (reqUrl.pathname !== OPENAI_CALLBACK_PATH) {
      page(res, 404, 'Not found', 'This address is only used to finish a Rotary login.');
      return;
    }
    if (handled) {
      page(res, 409, 'Already handled', 'This login has already been handled. You can close this tab.');
      return;
    }
    handled = true;
    let params: URLSearchParams;
    try {
      params = oauth.validateAuthResponse(openaiOAuth(env).as, openaiOAuth(env).client, reqUrl.searchParams, state);
    } catch (error) {
      const failure = callbackError(error, reqUrl.searchParams, state);
      page(res, 400, 'Login failed', failure.message);
      finish({ error: failure }, true);
      return;
    }
    redeem(params).then(
      (record) => {
        page(res, 200, 'Signed in', `Rotary added ${record.label}. You can close this tab.`);
        options.onProgress?.({ step: 'done', message: `Added ${record.label}.` });
        finish({ record }, true);
      },
      (error: unknown) => {
        const failure = abort.signal.aborted && !(error instanceof RotaryError && error.code === 'timeout') ? cancelled() : error;
        page(res, 500, 'Login failed', failure instanceof Error ? failure.message : String(failure));
        finish({ error: failure }, true);
      },
    );
  });

  try {
    await options.openUrl?.(url);
  } catch {
    // The URL is also shown to the user; a browser that does not open is not fatal.
  }
  options.onProgress?.({ step: 'waiting', message: 'Finish the login in the browser…' });
  return {
    url,
    port,
    redirectUri,
    done,
    cancel: () => {
      abort.abort();
      finish({ error: cancelled() });
    },
  };
}

function cancelled(): RotaryError {
  return new RotaryError('cancelled', 'The ChatGPT login was cancelled.');
}

/** Turn what the callback brought (error params, wrong state) into a clear error. */
function callbackError(error: unknown, params: URLSearchParams, expectedState: string): RotaryError {
  if (params.get('state') !== expectedState) {
    return new RotaryError('auth-failed', 'The browser returned to a different login attempt (state mismatch). Start again.');
  }
  const code = params.get('error');
  const description = params.get('error_description') ?? '';
  if (code === 'access_denied' && /missing_codex_entitlement/.test(description)) {
    return new RotaryError('auth-failed', 'This ChatGPT workspace does not include Codex (missing_codex_entitlement). Pick another workspace or plan and start again.');
  }
  if (code === 'access_denied') return new RotaryError('auth-failed', 'The login was declined in the browser (access_denied). Start again to retry.');
  if (code) return new RotaryError('auth-failed', `OpenAI reported an error instead of a code (${code}${description ? `: ${description}` : ''}). Start again.`);
  if (!params.get('code')) return new RotaryError('auth-failed', 'The browser came back without a login code. Start again.');
  return new RotaryError('auth-failed', `The login answer could not be used (${error instanceof Error ? error.message : String(error)}). Start again.`);
}

function page(res: http.ServerResponse, status: number, title: string, text: string): void {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Rotary: ${escape(title)}</title></head><body style="font-family:system-ui;margin:3rem"><h1>${escape(title)}</h1><p>${escape(text)}</p></body></html>`;
  if (res.destroyed || res.headersSent) return; // the flow already ended (timeout/cancel dropped the connection)
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}

/** Listen on 127.0.0.1 at the first port that is free. */
async function listenOnFirstFree(server: http.Server, ports: number[]): Promise<number> {
  let lastError: unknown;
  for (const port of ports) {
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error) => {
          server.off('listening', onListening);
          reject(error);
        };
        const onListening = () => {
          server.off('error', onError);
          resolve();
        };
        server.once('error', onError);
        server.once('listening', onListening);
        server.listen(port, '127.0.0.1');
      });
      return (server.address() as AddressInfo).port;
    } catch (error) {
      lastError = error;
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') break;
    }
  }
  throw new RotaryError(
    'port-in-use',
    `The ChatGPT login needs local port ${ports.join(' or ')}, but ${ports.length > 1 ? 'they are' : 'it is'} in use (${(lastError as Error)?.message ?? 'unknown error'}). Close other Codex/Rotary logins and try again.`,
  );
}

function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
  return `${Math.round(ms / 1000)} s`;
}
