/**
 * Account and token state. One `AccountStore` per simulator owns every account and every token
 * ever issued, so old tokens keep their own fate: an access token works until its own expiry
 * even after a refresh (as upstream), while a used refresh token is dead forever (rotation).
 */
import { randomBytes } from 'node:crypto';
import { mintJwt, randomHex, randomToken, randomUUID } from './oauth.js';
import type {
  AddAccountOptions,
  SimAccount,
  SimCredentials,
  SimDrip,
  SimFault,
  SimPremiumQuota,
  SimEncoding,
  SimProvider,
  SimWindow,
} from './types.js';

export const ANTHROPIC_CLIENT_ID = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';
export const OPENAI_CLIENT_ID = 'app_EMoamEEZ73f0CkXaXp7hrann';
export const GITHUB_CLIENT_IDS = ['Iv1.b507a08c87ecfe98', 'Ov23li8tweQw6odWQebz'] as const;
/** opencode's own GitHub app: its tokens call the Copilot API directly and get 404 on the token exchange. */
export const GITHUB_DIRECT_CLIENT_ID = 'Ov23li8tweQw6odWQebz';

export const ANTHROPIC_DEFAULT_SCOPES = [
  'org:create_api_key',
  'user:profile',
  'user:inference',
  'user:sessions:claude_code',
  'user:mcp_servers',
  'user:file_upload',
];
export const OPENAI_DEFAULT_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

const FIVE_HOURS_S = 5 * 3600;
const SEVEN_DAYS_S = 7 * 24 * 3600;

const DEFAULT_ACCESS_TTL_S: Record<SimProvider, number> = {
  anthropic: 3600,
  openai: 864000, // ~10 days, as reported for ChatGPT access tokens
  'github-copilot': 0, // gho_ tokens from the device flow do not expire
};

const DEFAULT_PLAN: Record<SimProvider, string> = {
  anthropic: 'max',
  openai: 'pro',
  'github-copilot': 'individual',
};

/** GitHub-style token body: 36 alphanumerics (gho_ tokens never contain - or _). */
function alnum(n: number): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(n)].map((b) => abc[b % abc.length]).join('');
}

interface AccessRecord {
  accountId: string;
  kind: 'access' | 'github' | 'copilot';
  /** Epoch ms; undefined = never expires. */
  expiresAt?: number;
  scopes: string[];
  /** GitHub OAuth app that issued a gho_ token. */
  clientId?: string;
}

interface RefreshRecord {
  accountId: string;
  used: boolean;
  scopes: string[];
  /** OAuth client the token was issued to; a refresh must name the same one. */
  clientId?: string;
}

export type AuthResult =
  | { ok: true; account: SimAccountImpl; record: AccessRecord }
  | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'revoked' };

export type RotateResult =
  | { ok: true; account: SimAccountImpl; credentials: SimCredentials; scopes: string[] }
  | { ok: false; reason: 'unknown' | 'reused' | 'revoked' | 'client-mismatch'; account?: SimAccountImpl };

export class SimAccountImpl implements SimAccount {
  readonly id: string;
  readonly provider: SimProvider;
  email: string;
  login?: string;
  readonly accountId: string;
  readonly organizationId: string;
  /** GitHub OAuth app of the account's gho_ token. */
  githubClientId: string;
  /** Anthropic OAuth client its tokens are issued to (refresh must name it). */
  anthropicClientId: string;
  /** Logins completed through an authorize/device flow; the consent page prefers accounts with 0. */
  loginCount = 0;

  fiveHour: SimWindow;
  sevenDay: SimWindow;
  sevenDaySonnet?: SimWindow;
  costPerRequest = 0.01;
  weeklyCostPerRequest = 0.002;
  perMinuteLimited = 0;
  retryAfterSec?: number | undefined;
  delayMs = 0;
  firstByteDelayMs?: number | undefined;
  chunkDelayMs = 0;
  drip?: SimDrip | undefined;
  breakNext: SimFault[] = [];
  revoked = false;
  plan: string;
  accessTtlSec: number;
  usage429 = 0;
  usageLegacyBody = false;
  premium: SimPremiumQuota = { entitlement: 300, remaining: 300, unlimited: false };
  copilotTtlSec = 1800;
  replyText?: string | undefined;
  errorEncoding?: SimEncoding | undefined;
  quotaCode = 'quota_exceeded';
  quotaRetryAfterSec?: number | undefined;
  rateLimitCode = 'user_global_rate_limited';
  limitType = 'usage_limit_reached';
  computeResidency?: string | undefined;
  inferenceCount = 0;

  /** Latest tokens handed out; what `credentials()` returns. */
  current: SimCredentials;

  constructor(
    private readonly store: AccountStore,
    provider: SimProvider,
    seq: number,
    opts: AddAccountOptions,
    nowMs: number,
  ) {
    this.provider = provider;
    this.id = `${provider}-${seq}`;
    this.email = opts.email ?? `${provider}-${seq}@sim.rotary.test`;
    if (provider === 'github-copilot') this.login = opts.login ?? `sim-user-${seq}`;
    this.accountId = provider === 'github-copilot' ? String(9_000_000 + seq) : randomUUID();
    this.organizationId = randomUUID();
    this.githubClientId = opts.clientId ?? GITHUB_CLIENT_IDS[0];
    this.anthropicClientId = provider === 'anthropic' && opts.clientId ? opts.clientId : ANTHROPIC_CLIENT_ID;
    this.computeResidency = opts.computeResidency;
    this.plan = DEFAULT_PLAN[provider];
    this.accessTtlSec = opts.accessTtlSec ?? DEFAULT_ACCESS_TTL_S[provider];
    const nowS = Math.floor(nowMs / 1000);
    this.fiveHour = { utilization: 0, resetAt: nowS + FIVE_HOURS_S };
    this.sevenDay = { utilization: 0, resetAt: nowS + SEVEN_DAYS_S };
    this.current = { access: '', accountId: this.accountId };
  }

  credentials(): SimCredentials {
    return { ...this.current };
  }

  expireAccessToken(): void {
    this.store.expireAccess(this);
  }

  /** JSON view for the control API and the CLI (credentials included: this is a test double). */
  toJSON(): Record<string, unknown> {
    return {
      id: this.id,
      provider: this.provider,
      email: this.email,
      login: this.login,
      accountId: this.accountId,
      organizationId: this.organizationId,
      credentials: this.credentials(),
      fiveHour: this.fiveHour,
      sevenDay: this.sevenDay,
      sevenDaySonnet: this.sevenDaySonnet,
      costPerRequest: this.costPerRequest,
      weeklyCostPerRequest: this.weeklyCostPerRequest,
      perMinuteLimited: this.perMinuteLimited,
      retryAfterSec: this.retryAfterSec,
      delayMs: this.delayMs,
      firstByteDelayMs: this.firstByteDelayMs,
      chunkDelayMs: this.chunkDelayMs,
      drip: this.drip,
      breakNext: this.breakNext,
      revoked: this.revoked,
      plan: this.plan,
      accessTtlSec: this.accessTtlSec,
      usage429: this.usage429,
      usageLegacyBody: this.usageLegacyBody,
      premium: this.premium,
      copilotTtlSec: this.copilotTtlSec,
      replyText: this.replyText,
      errorEncoding: this.errorEncoding,
      quotaCode: this.quotaCode,
      quotaRetryAfterSec: this.quotaRetryAfterSec,
      rateLimitCode: this.rateLimitCode,
      limitType: this.limitType,
      computeResidency: this.computeResidency,
      inferenceCount: this.inferenceCount,
    };
  }
}

/**
 * Windows roll over like the real ones: once `resetAt` has passed, utilization drops to 0 and a
 * new window starts now. Without this a demo account would stay limited forever.
 */
export function rollWindows(acc: SimAccount, nowS: number): void {
  const roll = (w: SimWindow | undefined, len: number): void => {
    if (w && w.resetAt <= nowS) {
      w.utilization = 0;
      w.resetAt = nowS + len;
    }
  };
  roll(acc.fiveHour, FIVE_HOURS_S);
  roll(acc.sevenDay, SEVEN_DAYS_S);
  roll(acc.sevenDaySonnet, SEVEN_DAYS_S);
}

export class AccountStore {
  private readonly byId = new Map<string, SimAccountImpl>();
  private readonly access = new Map<string, AccessRecord>();
  private readonly refresh = new Map<string, RefreshRecord>();
  private readonly seq: Record<SimProvider, number> = { anthropic: 0, openai: 0, 'github-copilot': 0 };

  constructor(private readonly now: () => number) {}

  add(provider: SimProvider, opts: AddAccountOptions = {}): SimAccountImpl {
    const seq = ++this.seq[provider];
    const acc = new SimAccountImpl(this, provider, seq, opts, this.now());
    this.byId.set(acc.id, acc);
    // Accounts start logged in, so tests can use them without playing the OAuth dance.
    this.issue(acc, provider === 'openai' ? OPENAI_DEFAULT_SCOPES : ANTHROPIC_DEFAULT_SCOPES);
    return acc;
  }

  get(id: string): SimAccountImpl | undefined {
    return this.byId.get(id);
  }

  list(): SimAccountImpl[] {
    return [...this.byId.values()];
  }

  /** Issues a fresh token set and makes it the account's current one. */
  issue(acc: SimAccountImpl, scopes: string[]): SimCredentials {
    const now = this.now();
    if (acc.provider === 'github-copilot') {
      const access = `gho_${alnum(36)}`;
      this.access.set(access, { accountId: acc.id, kind: 'github', scopes: ['read:user'], clientId: acc.githubClientId });
      acc.current = { access, accountId: acc.accountId };
      return acc.credentials();
    }
    const expires = now + acc.accessTtlSec * 1000;
    let access: string;
    let refresh: string;
    let idToken: string | undefined;
    if (acc.provider === 'anthropic') {
      access = `sk-ant-oat01-sim${randomToken(68)}`;
      refresh = `sk-ant-ort01-sim${randomToken(68)}`;
    } else {
      const iat = Math.floor(now / 1000);
      const exp = Math.floor(expires / 1000);
      const auth = {
        chatgpt_account_id: acc.accountId,
        chatgpt_plan_type: acc.plan,
        chatgpt_user_id: `user-sim${acc.id}`,
        user_id: `user-sim${acc.id}`,
        ...(acc.computeResidency !== undefined ? { chatgpt_compute_residency: acc.computeResidency } : {}),
      };
      const common = { iss: 'https://auth.openai.com', sub: `auth0|sim-${acc.id}`, email: acc.email, iat, exp };
      access = mintJwt({
        ...common,
        aud: ['https://api.openai.com/v1'],
        client_id: OPENAI_CLIENT_ID,
        jti: randomUUID(),
        scp: scopes,
        'https://api.openai.com/auth': auth,
        'https://api.openai.com/profile': { email: acc.email, email_verified: true },
      });
      idToken = mintJwt({
        ...common,
        aud: [OPENAI_CLIENT_ID],
        email_verified: true,
        jti: randomUUID(),
        'https://api.openai.com/auth': { ...auth, organizations: [] },
      });
      refresh = `rt_sim${randomToken(40)}`;
    }
    this.access.set(access, { accountId: acc.id, kind: 'access', expiresAt: expires, scopes });
    this.refresh.set(refresh, { accountId: acc.id, used: false, scopes, ...(acc.provider === 'anthropic' ? { clientId: acc.anthropicClientId } : {}) });
    acc.current = { access, refresh, expires, accountId: acc.accountId, ...(idToken ? { idToken } : {}) };
    return acc.credentials();
  }

  /** Short-lived Copilot API token for an account (legacy client id flow). */
  issueCopilotToken(acc: SimAccountImpl): { token: string; expiresAt: number } {
    const expiresAt = Math.floor(this.now() / 1000) + acc.copilotTtlSec;
    const token =
      `tid=${randomHex(16)};exp=${expiresAt};sku=monthly_subscriber_quota;proxy-ep=proxy.individual.githubcopilot.com;` +
      `st=dotcom;chat=1;cit=1;malfil=1;ccr=1;8kp=1:${randomHex(32)}`;
    this.access.set(token, { accountId: acc.id, kind: 'copilot', expiresAt: expiresAt * 1000, scopes: [] });
    return { token, expiresAt };
  }

  /** Looks a presented token up; `kinds` lists which token types this endpoint accepts. */
  authenticate(token: string | undefined, kinds: AccessRecord['kind'][]): AuthResult {
    if (!token) return { ok: false, reason: 'missing' };
    const record = this.access.get(token);
    const account = record && this.byId.get(record.accountId);
    if (!record || !account || !kinds.includes(record.kind)) return { ok: false, reason: 'unknown' };
    if (record.kind === 'github' && account.revoked) return { ok: false, reason: 'revoked' };
    if (record.expiresAt !== undefined && this.now() >= record.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, account, record };
  }

  /** Which account a token belongs to, valid or not (for the request log). */
  ownerOf(token: string | undefined): string | undefined {
    return token ? (this.access.get(token)?.accountId ?? this.refresh.get(token)?.accountId) : undefined;
  }

  /**
   * Refresh grant with rotation: the presented refresh token dies, a new pair is issued. A
   * token bound to a client (Anthropic) refreshes only with that `client_id`.
   */
  rotate(refreshToken: unknown, scope?: unknown, clientId?: unknown): RotateResult {
    const rec = typeof refreshToken === 'string' ? this.refresh.get(refreshToken) : undefined;
    const account = rec && this.byId.get(rec.accountId);
    if (!rec || !account) return { ok: false, reason: 'unknown' };
    if (rec.used) return { ok: false, reason: 'reused', account };
    if (account.revoked) return { ok: false, reason: 'revoked', account };
    if (rec.clientId !== undefined && clientId !== rec.clientId) return { ok: false, reason: 'client-mismatch', account };
    rec.used = true;
    // Claude Code may widen scopes on refresh; honour what is asked, else keep the old grant.
    const scopes = typeof scope === 'string' && scope.trim() ? scope.trim().split(/\s+/) : rec.scopes;
    const credentials = this.issue(account, scopes);
    return { ok: true, account, credentials, scopes };
  }

  expireAccess(acc: SimAccountImpl): void {
    const past = this.now() - 1;
    if (acc.provider === 'github-copilot') {
      for (const rec of this.access.values()) {
        if (rec.accountId === acc.id && rec.kind === 'copilot') rec.expiresAt = past;
      }
      return;
    }
    const rec = this.access.get(acc.current.access);
    if (rec) rec.expiresAt = past;
    acc.current = { ...acc.current, expires: past };
  }
}
