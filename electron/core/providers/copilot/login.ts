/**
 * GitHub Copilot login: OAuth device flow (RFC 8628) on github.com, then `/user` for the login
 * and a Copilot token exchange to prove the account can use Copilot before it is added
 * (PROTOCOLS §3.2–3.3). oauth4webapi builds the requests; the polling answer is read by hand
 * because GitHub deviates from the RFC (see `readDevicePoll`).
 */
import * as oauth from 'oauth4webapi';
import type { AccountRecord } from '../../../../shared/domain.js';
import { RotaryError } from '../../errors.js';
import type { AccountPool } from '../../pool/account-pool.js';
import { applyUpstream } from '../../upstream.js';
import { isObject, oauthCall, oauthRequestOptions, readJson, type ProviderHttpContext } from '../http.js';
import { identityLabel } from '../identity-types.js';
import type { LoginProgress } from '../login-types.js';
import {
  DEVICE_SLOW_DOWN_STEP_MS,
  GITHUB_CLIENT_ID,
  GITHUB_DEVICE_CODE_URL,
  GITHUB_SCOPE,
  GITHUB_TOKEN_URL,
} from './constants.js';
import { fetchGithubIdentity } from './identity.js';
import { exchangeCopilotToken } from './refresh.js';
import { TokenEndpointError } from '../http.js';

export interface CopilotLoginOptions {
  pool: AccountPool;
  env: NodeJS.ProcessEnv;
  /** Opens the verification page. */
  openUrl?: (url: string) => void | Promise<void>;
  /** Show the user code (also available on the returned object). */
  onUserCode?: (info: { userCode: string; verificationUri: string; expiresAt: number }) => void;
  label?: string;
  onProgress?: (progress: LoginProgress) => void;
  /** Waits between polls (tests inject one; default: an abortable timer). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
}

export interface CopilotLogin {
  readonly userCode: string;
  readonly verificationUri: string;
  /** Epoch ms when the code expires. */
  readonly expiresAt: number;
  readonly done: Promise<AccountRecord>;
  cancel(): void;
}

function githubOAuth(env: NodeJS.ProcessEnv): { as: oauth.AuthorizationServer; client: oauth.Client } {
  return {
    as: {
      issuer: 'https://github.com',
      device_authorization_endpoint: applyUpstream(GITHUB_DEVICE_CODE_URL, env.ROTARY_UPSTREAM),
      token_endpoint: applyUpstream(GITHUB_TOKEN_URL, env.ROTARY_UPSTREAM),
    },
    client: { client_id: GITHUB_CLIENT_ID, token_endpoint_auth_method: 'none' },
  };
}

function requestOptions(ctx: ProviderHttpContext): oauth.TokenEndpointRequestOptions {
  // GitHub answers form-encoded unless asked for JSON.
  return { ...oauthRequestOptions(ctx), headers: { accept: 'application/json' } };
}

export async function startCopilotLogin(options: CopilotLoginOptions): Promise<CopilotLogin> {
  const { pool, env } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const abort = new AbortController();
  const ctx = { env, signal: abort.signal };
  const { as, client } = githubOAuth(env);

  const what = 'GitHub (device code)';
  const res = await oauthCall(ctx, what, () => oauth.deviceAuthorizationRequest(as, client, oauth.None(), { scope: GITHUB_SCOPE }, requestOptions(ctx)));
  const body = await readJson(res, what);
  if (res.status !== 200) {
    const code = isObject(body) && typeof body.error === 'string' ? body.error : `HTTP ${res.status}`;
    throw new RotaryError('provider-error', `GitHub refused to start the device login (${code}).`);
  }
  const device = readDeviceCode(body);
  const expiresAt = now() + device.expires_in * 1000;
  const info = { userCode: device.user_code, verificationUri: device.verification_uri, expiresAt };
  options.onUserCode?.(info);
  options.onProgress?.({ step: 'user-code', message: `Enter ${device.user_code} at ${device.verification_uri}` });
  try {
    await options.openUrl?.(device.verification_uri);
  } catch {
    // The page address is shown too; not opening a browser is not fatal.
  }

  const poll = async (): Promise<AccountRecord> => {
    let intervalMs = (device.interval ?? 5) * 1000;
    let githubToken: { access: string; refresh?: string; expires?: number } | undefined;
    options.onProgress?.({ step: 'exchanging', message: 'Waiting for approval on GitHub…' });
    while (!githubToken) {
      await sleep(intervalMs, abort.signal);
      if (abort.signal.aborted) throw cancelled();
      if (now() >= expiresAt) throw expired();
      const pollRes = await oauthCall(ctx, 'GitHub (device token)', () =>
        oauth.deviceCodeGrantRequest(as, client, oauth.None(), device.device_code, requestOptions(ctx)),
      );
      const answer = await readDevicePoll(pollRes);
      switch (answer.kind) {
        case 'token':
          githubToken = answer.token.refresh
            ? { access: answer.token.access, refresh: answer.token.refresh, ...(answer.token.expiresIn ? { expires: now() + answer.token.expiresIn * 1000 } : {}) }
            : { access: answer.token.access };
          break;
        case 'pending':
          break;
        case 'slow-down':
          // RFC 8628 §3.5: add 5 s, or take the interval GitHub sends back.
          intervalMs = answer.intervalSec !== undefined ? answer.intervalSec * 1000 : intervalMs + DEVICE_SLOW_DOWN_STEP_MS;
          break;
        case 'expired':
          throw expired();
        case 'denied':
          throw new RotaryError('auth-failed', 'The GitHub login was declined on the GitHub page (access_denied). Start again to retry.');
        case 'error':
          throw new RotaryError('auth-failed', `GitHub stopped the device login (${answer.code}). Start again.`);
      }
    }

    options.onProgress?.({ step: 'profile', message: 'Reading the GitHub account…' });
    const identity = await fetchGithubIdentity(githubToken.access, ctx);
    options.onProgress?.({ step: 'verifying', message: 'Checking Copilot access…' });
    let copilot;
    try {
      copilot = await exchangeCopilotToken(githubToken.access, { ...ctx, now: now() });
    } catch (error) {
      if (error instanceof TokenEndpointError) throw new RotaryError(error.permanent ? 'auth-failed' : 'provider-error', error.message);
      throw error;
    }
    if (abort.signal.aborted) throw cancelled();
    const label = options.label?.trim() || identityLabel({ ...identity, email: undefined }) || identity.email;
    const record = await pool.add({
      providerID: 'github-copilot',
      secret: { ...githubToken, extras: { copilot: { ...copilot } } },
      ...(identity.accountId ? { accountId: identity.accountId } : {}),
      ...(identity.email ? { email: identity.email } : {}),
      ...(label ? { label } : {}),
    });
    options.onProgress?.({ step: 'done', message: `Added ${record.label}.` });
    return record;
  };

  const done = poll().catch((error: unknown) => {
    throw abort.signal.aborted ? cancelled() : error;
  });
  done.catch(() => undefined); // callers that stop listening after cancel must not crash the process
  return { ...info, done, cancel: () => abort.abort() };
}

interface DeviceCode {
  device_code: string;
  user_code: string;
  verification_uri: string;
  expires_in: number;
  interval?: number;
}

/**
 * Read the device-code answer by hand rather than with oauth4webapi's processor: that one
 * rejects `interval: 0`, which test doubles (and nothing in the RFC) allow.
 */
function readDeviceCode(body: unknown): DeviceCode {
  const ok =
    isObject(body) &&
    typeof body.device_code === 'string' &&
    typeof body.user_code === 'string' &&
    typeof body.verification_uri === 'string' &&
    typeof body.expires_in === 'number';
  if (!ok) throw new RotaryError('provider-error', "GitHub's device-code answer is missing fields (device_code, user_code, verification_uri, expires_in). Try again later.");
  return {
    device_code: body.device_code as string,
    user_code: body.user_code as string,
    verification_uri: body.verification_uri as string,
    expires_in: body.expires_in as number,
    ...(typeof body.interval === 'number' && body.interval >= 0 ? { interval: body.interval } : {}),
  };
}

type DevicePoll =
  | { kind: 'token'; token: { access: string; refresh?: string; expiresIn?: number } }
  | { kind: 'pending' }
  | { kind: 'slow-down'; intervalSec?: number }
  | { kind: 'expired' }
  | { kind: 'denied' }
  | { kind: 'error'; code: string };

/**
 * GitHub's deviation from RFC 8628: "pending", "slow_down" and the other errors come back
 * as HTTP 200 with an `error` field, so the status cannot be used to tell them apart.
 */
async function readDevicePoll(res: Response): Promise<DevicePoll> {
  const body = await readJson(res, 'GitHub (device token)');
  if (!isObject(body)) return { kind: 'error', code: `HTTP ${res.status}` };
  if (typeof body.access_token === 'string' && body.access_token) {
    return {
      kind: 'token',
      token: {
        access: body.access_token,
        ...(typeof body.refresh_token === 'string' && body.refresh_token ? { refresh: body.refresh_token } : {}),
        ...(typeof body.expires_in === 'number' ? { expiresIn: body.expires_in } : {}),
      },
    };
  }
  switch (body.error) {
    case 'authorization_pending':
      return { kind: 'pending' };
    case 'slow_down':
      return { kind: 'slow-down', ...(typeof body.interval === 'number' ? { intervalSec: body.interval } : {}) };
    case 'expired_token':
      return { kind: 'expired' };
    case 'access_denied':
      return { kind: 'denied' };
    default:
      if (res.status >= 500 || res.status === 429) throw new RotaryError('provider-error', `GitHub is not answering properly right now (HTTP ${res.status}). Try again in a minute.`);
      return { kind: 'error', code: typeof body.error === 'string' ? body.error : `HTTP ${res.status}` };
  }
}

function expired(): RotaryError {
  return new RotaryError('timeout', 'The GitHub code expired before it was approved. Start the login again for a new code.');
}

function cancelled(): RotaryError {
  return new RotaryError('cancelled', 'The GitHub Copilot login was cancelled.');
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
