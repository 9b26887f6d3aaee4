/**
 * What every provider adapter offers (one per folder: `providers/<name>/provider.ts`), and the
 * shapes the rest of the core sees through the registry (`providers/registry.ts`). Provider
 * knowledge — URLs, headers, token formats, login kinds — stays behind this interface; no
 * other layer switches on a provider id.
 */
import type { AccountRecord, ProviderID, UsageSnapshot } from '../../../shared/domain.js';
import type { LoginKind } from '../../../shared/ipc.js';
import type { AccountPool } from '../pool/account-pool.js';
import type { AccountSecret } from '../pool/account-secret.js';
import type { RequestCredential } from '../rotation/contract.js';
import type { ProviderHttpContext } from './http.js';
import type { ProviderIdentity } from './identity-types.js';
import type { LoginProgress } from './login-types.js';
import type { ProviderRequestRules } from './request-rules.js';
import type { UsageContext } from './usage-fetch.js';

/** What a started login asks of the user: paste a code back, wait for the browser, or enter a device code. */
export type LoginFlow =
  | { kind: 'paste-code'; url: string; submit(pasted: string): Promise<AccountRecord>; cancel(): void }
  | { kind: 'await-callback'; url: string; callbackUrl: string; result: Promise<AccountRecord>; cancel(): void }
  | { kind: 'device-code'; userCode: string; verificationUri: string; expiresAt: number; result: Promise<AccountRecord>; cancel(): void };

export interface LoginOptions {
  pool: AccountPool;
  env: NodeJS.ProcessEnv;
  /** Label for the new account (default: what the provider says, e.g. the e-mail). */
  label?: string;
  onProgress?: (progress: LoginProgress) => void;
  /** Loopback ports for logins that need a callback server (tests pass `[0]`). */
  callbackPorts?: number[];
}

/** How the usage endpoint is authorised: with a request credential, or with the long-lived account token (GitHub's). */
export type UsageSource =
  | { auth: 'credential'; fetch(credential: RequestCredential, ctx: UsageContext): Promise<UsageSnapshot> }
  | { auth: 'account-token'; fetch(accountToken: string, ctx: UsageContext): Promise<UsageSnapshot> };

export interface ProviderAdapter {
  readonly id: ProviderID;
  /** Display name ("Anthropic", "OpenAI (ChatGPT / Codex)", "GitHub Copilot"). */
  readonly name: string;
  /** Gateway route prefix (PRODUCT §5): `/anthropic`, `/openai`, `/copilot`. */
  readonly route: string;
  /** Words the "Add provider" search matches. */
  readonly keywords: readonly string[];
  /** Other names the CLI accepts for the provider (`rotary auth login claude`). */
  readonly aliases: readonly string[];
  readonly loginKind: LoginKind;
  beginLogin(options: LoginOptions): Promise<LoginFlow>;
  /** The request path: classification, usage headers, affinity, error formats (PRODUCT §3). */
  readonly rules: ProviderRequestRules;
  /** Does this secret need a refresh before it is used? */
  needsRefresh(secret: AccountSecret, now: number): boolean;
  /** One refresh against the provider (no locking: the token manager serialises refreshes). */
  refresh(secret: AccountSecret, ctx: ProviderHttpContext & { now: number }): Promise<AccountSecret>;
  /** The headers a request goes out with. `record` carries the provider-side account id kept on the record. */
  toCredential(secret: AccountSecret, record: Pick<AccountRecord, 'accountId'> | undefined): RequestCredential;
  /** Fingerprint of the token `toCredential` would use (a 401 refresh compares it); undefined when there is none. */
  requestTokenFingerprint(secret: AccountSecret): string | undefined;
  readonly usage: UsageSource;
  /** Who a token belongs to (labels, de-duplication). Throws when the provider cannot be asked. */
  identify(secret: AccountSecret, ctx: ProviderHttpContext): Promise<ProviderIdentity>;
  /** What the token itself says about its owner, without asking the provider (JWT claims); `{}` when it says nothing. */
  localIdentity(secret: AccountSecret): ProviderIdentity;
  /** Throws RotaryError('auth-failed') when the provider refuses a credential that did not come from our own login. */
  verifyCredential(secret: AccountSecret, ctx: ProviderHttpContext): Promise<void>;
  /** Turn a raw credential (`rotary auth add`, an import) and what `identify` said into what the pool stores. */
  prepareCredential(secret: AccountSecret, identity: ProviderIdentity): { secret: AccountSecret; identity: ProviderIdentity };
  /** Default label of a new account from its identity; undefined lets the pool pick "Account N". */
  labelFor(identity: ProviderIdentity): string | undefined;
}
