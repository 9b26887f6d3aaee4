/**
 * The IPC contract: every call the UI can make and every event it can receive.
 * Preload (`electron/preload.ts`), main (`electron/ipc.ts`), the web transport
 * (`electron/core/web/`) and the renderer's transports all derive from the tables below —
 * no channel string is written anywhere else. Types are inferred from the schemas.
 * This module may import only zod (and the other `shared/` schema modules).
 *
 * ─── Results ───────────────────────────────────────────────────────────────────
 * Every call resolves (never rejects across the bridge) to
 *   `{ ok: true, value }` | `{ ok: false, error: { code, message } }`;
 * the UI switches on `error.code` (see `ERROR_CODES`) and shows `error.message`, which is
 * written for the user.
 *
 * ─── Secrets ───────────────────────────────────────────────────────────────────
 * No value in this contract carries a provider token or the gateway key. Views are built from
 * pool metadata only, and every result is parsed with its output schema on the way out
 * (zod objects strip unknown keys), so a secret added by mistake to a core object is dropped.
 * Client settings (`gateway:status`) show the key as the placeholder `GATEWAY_KEY_PLACEHOLDER`.
 * `gateway:copySettings` puts the real text on the clipboard:
 *   - Electron: main substitutes the key and writes the OS clipboard itself; the key never
 *     enters the renderer.
 *   - Web transport: the page already holds the key (the user opened the `#key=` link), so the
 *     browser transport implements `gateway.copySettings` locally: it calls `gateway:status`,
 *     replaces `GATEWAY_KEY_PLACEHOLDER` with the key it holds and uses
 *     `navigator.clipboard.writeText`. The server-side `gateway:copySettings` answers
 *     `{ok:false, error:{code:'unavailable'}}` over HTTP, on purpose.
 *
 * ─── Web transport (headless core: `rotary gateway --ui`, `npm run dev:web`) ──────────────
 * Same server and origin as the gateway (`http://127.0.0.1:<port>`).
 *  - UI:     `GET /ui/` serves the built renderer (`renderer/dist`).
 *  - Key hand-off: the CLI prints `http://127.0.0.1:<port>/ui/#key=<gateway key>`. The page
 *    reads `location.hash` once at start-up, stores the key in `sessionStorage` under
 *    `WEB_KEY_STORAGE` ("rotary.gatewayKey"), and removes the fragment with
 *    `history.replaceState(null, '', location.pathname + location.search)`. A fragment is never
 *    sent to the server, so the key does not reach any access log. Without a key the page shows
 *    "open the link printed by `rotary gateway --ui`".
 *  - Calls:  `POST /rpc/<channel>` (e.g. `/rpc/accounts:setActive`; the colon may be
 *    percent-encoded as %3A), headers `Authorization: Bearer <key>` and
 *    `Content-Type: application/json`, body = the channel's input as JSON (empty body or `{}`
 *    for channels without input). Response body is always a `Result` JSON:
 *      200 → the service's result (`ok` true or false, e.g. `not-found`)
 *      400 → `bad-input` (malformed JSON or schema rejection)
 *      401 → `unauthorized` (missing or wrong key)
 *      403 → `forbidden` (an `Origin` header that is not the gateway's own origin, or
 *            `Sec-Fetch-Site: cross-site`)
 *      404 → `not-found` (no such channel)
 *  - Events: an `EventSource` cannot send headers and a `?key=` would land in logs, so:
 *      1. `POST /rpc/events-ticket` (Bearer key, empty body) →
 *         `{ok:true, value:{ticket, expiresAt}}` — one-time, valid `EVENTS_TICKET_TTL_MS`.
 *      2. `new EventSource('/rpc/events?ticket=<ticket>')` → SSE; each message has
 *         `event: <event name>` (e.g. `events:pool`) and `data: <payload JSON>`. The stream
 *         starts with one `events:pool` carrying the current view.
 *      A spent/expired ticket gets 401, so on `error` the client must close the EventSource and
 *      start again from step 1 (EventSource's own reconnect would reuse the spent ticket).
 *  - Electron-only channels (`app:openExternal` opens the OS browser; `gateway:copySettings`)
 *    answer `unavailable` over HTTP; the page uses a plain link / the local copy described above.
 *
 * ─── Building the api in a transport ──────────────────────────────────────────
 * `buildRotaryApi({ invoke(channel, input), subscribe(event, listener) })` (bottom of this file)
 * walks the tables and returns a complete `RotaryApi`; the preload uses it over ipcRenderer and
 * the browser transport can use it over fetch/EventSource (then override `gateway.copySettings`
 * and, if wanted, `app.openExternal` on the returned object). `app:info` tells the page which
 * shell it runs in (`shell: 'electron' | 'web'`).
 */
import { z } from 'zod';
import { LabelSchema, OptionalLabelSchema } from './plain-text.js';
import {
  AccountRecordSchema,
  ProviderIDSchema,
  type ProviderID,
} from './domain.js';
import {
  ForecastViewSchema,
  LeadMinutesSchema,
  RotationSettingsViewSchema,
  UsageHistoryViewSchema,
} from './forecast.js';
import {
  AccountFreedSchema,
  RotationPolicySchema,
  ConversationSummarySchema,
  LimitForecastSchema,
  RequestEntrySchema,
  RotationEventSchema,
} from './activity.js';

// ───────────────────────────────────────────────────────────── results & errors

/** Codes the UI switches on. Core `RotaryError` codes map onto these (see app-service). */
export const ERROR_CODES = [
  'bad-input',
  'unauthorized',
  'forbidden',
  'not-found',
  'unavailable',
  'cancelled',
  'expired',
  'login-failed',
  'keychain',
  'store',
  'provider-error',
  'internal',
] as const;
export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const IpcErrorSchema = z.object({ code: ErrorCodeSchema, message: z.string() });
export type IpcError = z.infer<typeof IpcErrorSchema>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export function fail<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}

// ───────────────────────────────────────────────────────────── views

export const AccountStatusSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ok') }),
  z.object({ kind: z.literal('cooling'), until: z.number(), reason: z.string().optional() }),
  z.object({ kind: z.literal('needs-reauth') }),
  z.object({ kind: z.literal('disabled') }),
]);

/** One account as the UI sees it (pool metadata + active flag + status). No secrets. */
export const AccountViewSchema = AccountRecordSchema.extend({
  isActive: z.boolean(),
  status: AccountStatusSchema,
});
export type AccountViewDTO = z.infer<typeof AccountViewSchema>;

/** The accounts of one provider, in the user's order (also the rotation order; a switch does not change it). */
export const ProviderAccountsSchema = z.object({
  providerID: ProviderIDSchema,
  name: z.string(),
  activeID: z.string().optional(),
  accounts: z.array(AccountViewSchema),
});
export type ProviderAccounts = z.infer<typeof ProviderAccountsSchema>;

/** Every connected provider (alphabetical by id) with its accounts. Also the `events:pool` payload. */
export const PoolViewSchema = z.object({
  providers: z.array(ProviderAccountsSchema),
  /** Epoch ms this view was built. */
  at: z.number(),
});
export type PoolView = z.infer<typeof PoolViewSchema>;

/** How a provider's login works, so the UI can describe it before it starts. */
export const LoginKindSchema = z.enum(['paste-code', 'callback', 'device-code']);
export type LoginKind = z.infer<typeof LoginKindSchema>;

export const ProvidersViewSchema = z.object({
  /** Providers with at least one account, alphabetical by display name. */
  connected: z.array(
    z.object({
      providerID: ProviderIDSchema,
      name: z.string(),
      count: z.number().int().nonnegative(),
      activeLabel: z.string().optional(),
    }),
  ),
  /** Every provider Rotary supports (for "Add provider" search), alphabetical by name. */
  supported: z.array(
    z.object({
      providerID: ProviderIDSchema,
      name: z.string(),
      loginKind: LoginKindSchema,
      /** Words the search field also matches ("claude", "codex", "chatgpt", "github"…). */
      keywords: z.array(z.string()),
      connected: z.boolean(),
    }),
  ),
});
export type ProvidersView = z.infer<typeof ProvidersViewSchema>;

// ───────────────────────────────────────────────────────────── login

/** What the login dialog shows now. */
export const LoginStepSchema = z.discriminatedUnion('kind', [
  /** Anthropic: open `authorizeUrl`, then paste `code#state` (or the whole callback URL) via `login:submitCode`. */
  z.object({ kind: z.literal('paste-code'), authorizeUrl: z.string(), message: z.string() }),
  /** OpenAI: open `authorizeUrl`; Rotary listens on `callbackUrl` and continues by itself. */
  z.object({
    kind: z.literal('await-callback'),
    authorizeUrl: z.string(),
    callbackUrl: z.string().optional(),
    message: z.string(),
  }),
  /** GitHub Copilot device flow: show `userCode` (copy button), open `verificationUri`; Rotary polls. */
  z.object({
    kind: z.literal('device-code'),
    userCode: z.string(),
    verificationUri: z.string(),
    expiresAt: z.number().optional(),
    message: z.string(),
  }),
  /** Exchanging the code / fetching the profile. */
  z.object({ kind: z.literal('working'), message: z.string() }),
  z.object({ kind: z.literal('done'), account: AccountViewSchema, message: z.string() }),
  /** `retryable`: the same session accepts another `login:submitCode` (e.g. a mistyped code). */
  z.object({ kind: z.literal('failed'), error: IpcErrorSchema, retryable: z.boolean() }),
  z.object({ kind: z.literal('cancelled') }),
]);
export type LoginStep = z.infer<typeof LoginStepSchema>;

/** A login in progress. Also the `events:login` payload (sent on every step change). */
export const LoginSessionSchema = z.object({
  sessionID: z.string(),
  providerID: ProviderIDSchema,
  step: LoginStepSchema,
});
export type LoginSession = z.infer<typeof LoginSessionSchema>;

// ───────────────────────────────────────────────────────────── gateway

/** Shown in place of the gateway key in client settings; `gateway:copySettings` substitutes it. */
export const GATEWAY_KEY_PLACEHOLDER = '<rotary-gateway-key>';

export const CLIENT_IDS = ['claude-code', 'codex', 'opencode', 'anthropic-sdk', 'openai-sdk', 'copilot-sdk'] as const;
export const ClientIDSchema = z.enum(CLIENT_IDS);
export type ClientID = z.infer<typeof ClientIDSchema>;

export const ClientSettingSchema = z.object({
  clientID: ClientIDSchema,
  title: z.string(),
  /** Where the text goes ("opencode.json", "~/.codex/config.toml", …). */
  format: z.string(),
  /** Copy-ready text with `GATEWAY_KEY_PLACEHOLDER` where the key goes. */
  text: z.string(),
  note: z.string().optional(),
});
export type ClientSetting = z.infer<typeof ClientSettingSchema>;

export const GatewayStatusSchema = z.object({
  running: z.boolean(),
  url: z.string().optional(),
  port: z.number().int().optional(),
  /** Why it is not running (port in use…), for the header. */
  error: z.string().optional(),
  /** The gateway process stopped and Rotary gave up restarting it: `gateway:restart` starts it again. */
  restartable: z.boolean().optional(),
  clients: z.array(ClientSettingSchema),
});
export type GatewayStatus = z.infer<typeof GatewayStatusSchema>;

// ───────────────────────────────────────────────────────────── tool setup

/**
 * "Connect a tool": Rotary writes its settings into a tool's own config file and can take them
 * out again (`rotary setup`, electron/core/clients/setup.ts). The files are on the machine the
 * core runs on (over the web transport: the gateway's machine, `host`). No result carries the
 * gateway key: every tool gets it from `rotary key` or the environment, so previews show the
 * real text that will be written (`keyInFile` says when a file would have to hold it).
 */
export const SETUP_TOOL_IDS = ['claude-code', 'codex', 'opencode'] as const;
export const SetupToolIDSchema = z.enum(SETUP_TOOL_IDS);
export type SetupToolID = z.infer<typeof SetupToolIDSchema>;

export const SetupToolStatusSchema = z.object({
  toolID: SetupToolIDSchema,
  title: z.string(),
  file: z.string(),
  /** `changed-by-hand`: set up once, but Rotary's settings were edited or removed since; `unreadable`: the tool could not parse the file. */
  state: z.enum(['connected', 'not-connected', 'changed-by-hand', 'unreadable']),
  message: z.string(),
});
export type SetupToolStatus = z.infer<typeof SetupToolStatusSchema>;

export const SetupListSchema = z.object({
  /** Host name of the machine whose files the buttons change. */
  host: z.string(),
  tools: z.array(SetupToolStatusSchema),
});

export const SetupPreviewSchema = z.object({
  toolID: SetupToolIDSchema,
  title: z.string(),
  file: z.string(),
  exists: z.boolean(),
  /** The whole file as it will be written. */
  after: z.string(),
  /** Unified diff from the file now; empty when nothing would change. */
  diff: z.string(),
  changed: z.boolean(),
  adds: z.array(z.string()),
  notes: z.array(z.string()),
  warnings: z.array(z.string()),
  keyInFile: z.boolean(),
});
export type SetupPreview = z.infer<typeof SetupPreviewSchema>;

const SetupToolInput = z.object({ toolID: SetupToolIDSchema }).strict();

// ───────────────────────────────────────────────────────────── activity & app

export const ActivityEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('request'), entry: RequestEntrySchema }),
  z.object({ kind: z.literal('rotation'), event: RotationEventSchema }),
  z.object({
    kind: z.literal('all-limited'),
    providerID: ProviderIDSchema,
    message: z.string(),
    retryAfterSec: z.number(),
  }),
  z.object({
    kind: z.literal('needs-reauth'),
    providerID: ProviderIDSchema,
    recordID: z.string(),
    label: z.string(),
  }),
  z.object({ kind: z.literal('limit-forecast'), warning: LimitForecastSchema }),
  z.object({ kind: z.literal('account-freed'), freed: AccountFreedSchema }),
]);

export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  /** `electron` in the desktop app, `web` over the web transport (the renderer may adapt, e.g. links). */
  shell: z.enum(['electron', 'web']),
  links: z.array(z.object({ label: z.string(), url: z.string() })),
  shortcuts: z.array(z.object({ keys: z.string(), action: z.string() })),
  /** Where account tokens are kept (the OS keychain, or one of the explicit file backends): the UI names it. */
  secretStore: z.enum(['keychain', 'file', 'encrypted-file']).optional(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const NoticeSchema = z.object({
  level: z.enum(['info', 'warning', 'error']),
  /** e.g. `store-corrupt`, `vault-file-backend`, `gateway-port-in-use`. */
  code: z.string(),
  message: z.string(),
  at: z.number(),
});
export type Notice = z.infer<typeof NoticeSchema>;

/** What the shell can ask the UI to do. */
export const UiCommandSchema = z.object({ command: z.enum(['open-settings', 'open-provider']), providerID: ProviderIDSchema.optional() });
export type UiCommand = z.infer<typeof UiCommandSchema>;

// ───────────────────────────────────────────────────────────── vault

/**
 * Where the tokens are kept and whether the app can use it yet. The renderer shows an unlock
 * or create screen before the main window while the state is not `ready`.
 *  - `ready`: open (keychain reachable, encrypted vault unlocked, or the plain file backend);
 *  - `locked`: the encrypted file vault exists and needs its passphrase (`vault:unlock`);
 *  - `missing`: no encrypted vault yet; `vault:create` makes one with a new passphrase
 *    (offered on a first run without a Secret Service: `message` says what is missing);
 *  - `unavailable`: the keychain cannot be used and nothing else is offered (`message` says
 *    why and what to do; `vault:status` again after fixing it).
 * The passphrase goes only renderer → core (`vault:unlock`, `vault:create`) and no result or
 * event ever carries it back.
 */
export const VaultStatusSchema = z.object({
  state: z.enum(['ready', 'locked', 'missing', 'unavailable']),
  /** Absent when it could not be determined (a bad ROTARY_SECRET_BACKEND or vault.json: see `message`). */
  backend: z.enum(['keychain', 'encrypted-file', 'file']).optional(),
  /** False only for the plain `file` backend. */
  encrypted: z.boolean(),
  /** Keychain service name or file path, when known. */
  location: z.string().optional(),
  message: z.string().optional(),
});
export type VaultStatus = z.infer<typeof VaultStatusSchema>;

/** Empty or too short passphrases are refused by the core with a message saying why. */
const PassphraseInput = z.object({ passphrase: z.string().max(1024) }).strict();

// ───────────────────────────────────────────────────────────── the channel table

/** Most requests one `activity:requests` call returns (the activity log keeps as many). */
export const MAX_REQUESTS_PER_CALL = 10_000;

const NoInput = z.object({}).strict().optional();
const AccountRef = z.object({ providerID: ProviderIDSchema, recordID: z.string().min(1) }).strict();

/** Every call. Key = channel name (`domain:verb`). */
export const CHANNELS = {
  /** Accounts of every connected provider, or of one (`providerID`). */
  'accounts:list': {
    input: z.object({ providerID: ProviderIDSchema.optional() }).strict().optional(),
    output: PoolViewSchema,
  },
  /** Make an account the active one (manual switch: conversations follow it). Returns that provider's accounts. */
  'accounts:setActive': { input: AccountRef, output: ProviderAccountsSchema },
  /** Remove an account (metadata, then its keychain secret). `remaining` 0 → the UI navigates back to Providers. */
  'accounts:remove': {
    input: AccountRef,
    output: z.object({ remaining: z.number().int().nonnegative() }),
  },
  'accounts:relabel': {
    input: AccountRef.extend({ label: LabelSchema }).strict(),
    output: AccountViewSchema,
  },
  'accounts:clearCooldown': { input: AccountRef, output: AccountViewSchema },
  /** The user's order of one provider's accounts (every account of it, once): shown everywhere, walked by rotation. */
  'accounts:reorder': {
    input: z.object({ providerID: ProviderIDSchema, orderedIDs: z.array(z.string().min(1)).min(1).max(1000) }).strict(),
    output: ProviderAccountsSchema,
  },
  /** Take an account out of rotation (or back in) without removing it: a disabled account is skipped and not polled. */
  'accounts:setDisabled': { input: AccountRef.extend({ disabled: z.boolean() }).strict(), output: AccountViewSchema },
  'providers:list': { input: NoInput, output: ProvidersViewSchema },
  /** Poll the usage endpoints now (all accounts, one provider, or one account); returns the fresh view. */
  'usage:refresh': {
    input: z
      .object({ providerID: ProviderIDSchema.optional(), recordID: z.string().min(1).optional() })
      .strict()
      .optional(),
    output: PoolViewSchema,
  },
  /**
   * Forecasts (issue 15): per account and window the burn rate and "limit reached at" / "lasts
   * past the reset", per provider how long the pool lasts. From the history database, so any
   * process sees the gateway's readings.
   */
  'usage:forecast': {
    input: z.object({ providerID: ProviderIDSchema.optional() }).strict().optional(),
    output: ForecastViewSchema,
  },
  /** Provider Detail's charts and the weekly waste of one provider's accounts. */
  'usage:history': { input: z.object({ providerID: ProviderIDSchema }).strict(), output: UsageHistoryViewSchema },
  /** The rotation policy, the forecast lead time and the proactive threshold. */
  'settings:get': { input: NoInput, output: RotationSettingsViewSchema },
  /** Change any of them (stored in rotary.json; an environment variable still wins where set). */
  'settings:set': {
    input: z
      .object({ rotationPolicy: RotationPolicySchema.optional(), forecastLeadMinutes: LeadMinutesSchema.optional(), proactiveThreshold: z.number().min(0).max(1).optional() })
      .strict(),
    output: RotationSettingsViewSchema,
  },
  /** Start a login; progress also arrives as `events:login`. */
  'login:start': {
    input: z.object({ providerID: ProviderIDSchema, label: OptionalLabelSchema.optional() }).strict(),
    output: LoginSessionSchema,
  },
  /** Anthropic: the pasted `code#state` or callback URL. */
  'login:submitCode': {
    input: z.object({ sessionID: z.string().min(1), code: z.string().min(1).max(4096) }).strict(),
    output: LoginSessionSchema,
  },
  'login:cancel': {
    input: z.object({ sessionID: z.string().min(1) }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
  'gateway:status': { input: NoInput, output: GatewayStatusSchema },
  /** Start a gateway process that gave up (`restartable`) again; answers the status right after. */
  'gateway:restart': { input: NoInput, output: GatewayStatusSchema },
  /** Copy one client's settings WITH the real key to the clipboard (see the header comment). */
  'gateway:copySettings': {
    input: z.object({ clientID: ClientIDSchema }).strict(),
    output: z.object({ copied: z.boolean() }),
  },
  /** Each tool's setup state, for the "Connect a tool" panel. */
  'setup:list': { input: NoInput, output: SetupListSchema },
  /** What `setup:apply` would write (diff and whole file); changes nothing. */
  'setup:preview': { input: SetupToolInput, output: SetupPreviewSchema },
  /** Write Rotary's settings into the tool's config file (backup kept, idempotent). */
  'setup:apply': {
    input: SetupToolInput,
    output: z.object({ status: SetupToolStatusSchema, wrote: z.boolean(), backup: z.string().optional(), message: z.string() }),
  },
  /** Put the file back as it was (byte for byte when untouched since), else take out only Rotary's settings. */
  'setup:undo': {
    input: SetupToolInput,
    output: z.object({ status: SetupToolStatusSchema, outcome: z.enum(['restored', 'removed', 'nothing']), message: z.string() }),
  },
  /** Recent conversations through the gateway, newest first. */
  'activity:conversations': {
    input: z.object({ limit: z.number().int().min(1).max(500).optional() }).strict().optional(),
    output: z.array(ConversationSummarySchema),
  },
  /** The requests of one conversation, newest first (`limit`, default 200, at most `MAX_REQUESTS_PER_CALL`), with their rotation events. */
  'activity:requests': {
    input: z.object({ conversationID: z.string().min(1), limit: z.number().int().min(1).max(MAX_REQUESTS_PER_CALL).optional() }).strict(),
    output: z.array(RequestEntrySchema),
  },
  /** The vault's state (see `VaultStatusSchema`); the renderer asks before showing the main window. */
  'vault:status': { input: NoInput, output: VaultStatusSchema },
  /** Unlock the encrypted file vault; a wrong passphrase is `unauthorized` and changes nothing. */
  'vault:unlock': { input: PassphraseInput, output: VaultStatusSchema },
  /** Create the encrypted file vault with a new passphrase (state `missing` only). */
  'vault:create': { input: PassphraseInput, output: VaultStatusSchema },
  'app:info': { input: NoInput, output: AppInfoSchema },
  /** Open an https link (allow-listed: provider login pages, project links) in the OS browser. */
  'app:openExternal': {
    input: z.object({ url: z.url().max(4096) }).strict(),
    output: z.object({ opened: z.boolean() }),
  },
} as const satisfies Record<`${string}:${string}`, { input: z.ZodType; output: z.ZodType }>;

/** Every push event. Key = event name; `method` is the RotaryApi subscription name. */
export const EVENTS = {
  /** The pool changed (here or in another process): the full view. */
  'events:pool': { payload: PoolViewSchema, method: 'onPool' },
  /** Gateway traffic: a request finished, a rotation, all accounts limited, needs re-login. */
  'events:activity': { payload: ActivityEventSchema, method: 'onActivity' },
  /** A login session moved to another step. */
  'events:login': { payload: LoginSessionSchema, method: 'onLogin' },
  /** Store/vault/gateway notices to show as a toast (corrupt store backed up, file vault warning…). */
  'events:notice': { payload: NoticeSchema, method: 'onNotice' },
  /** The shell asks the UI to do something (tray "Settings…", app menu). Electron only. */
  'events:command': { payload: UiCommandSchema, method: 'onCommand' },
} as const satisfies Record<`events:${string}`, { payload: z.ZodType; method: `on${string}` }>;

export type Channels = typeof CHANNELS;
export type ChannelName = keyof Channels;
export type ChannelInput<K extends ChannelName> = z.infer<Channels[K]['input']>;
export type ChannelOutput<K extends ChannelName> = z.infer<Channels[K]['output']>;
export type Events = typeof EVENTS;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.infer<Events[E]['payload']>;

export const CHANNEL_NAMES = Object.keys(CHANNELS) as ChannelName[];
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

export function isChannelName(name: string): name is ChannelName {
  return Object.prototype.hasOwnProperty.call(CHANNELS, name);
}

/** `accounts:setActive` → `['accounts', 'setActive']`: the RotaryApi path of a channel. */
export function channelPath<K extends ChannelName>(name: K): [ChannelDomain<K>, string] {
  const i = name.indexOf(':');
  return [name.slice(0, i) as ChannelDomain<K>, name.slice(i + 1)];
}

// ───────────────────────────────────────────────────────────── the API the renderer uses

type ChannelDomain<K extends string> = K extends `${infer D}:${string}` ? D : never;
type Domains = ChannelDomain<ChannelName>;

/** A call: the input is optional when the channel takes none. */
export type ApiMethod<K extends ChannelName> = undefined extends ChannelInput<K>
  ? (input?: ChannelInput<K>) => Promise<Result<ChannelOutput<K>>>
  : (input: ChannelInput<K>) => Promise<Result<ChannelOutput<K>>>;

type DomainApi<D extends Domains> = {
  [K in ChannelName as K extends `${D}:${infer V}` ? V : never]: ApiMethod<K>;
};

type EventApi = {
  [E in EventName as Events[E]['method']]: (listener: (payload: EventPayload<E>) => void) => () => void;
};

/**
 * What the renderer talks to — and the only thing it depends on. One method per channel,
 * grouped by domain (`api.accounts.setActive({providerID, recordID})`), and one
 * `onX(listener) → unsubscribe` per event. Electron's preload exposes it as `window.rotary`;
 * the web transport implements it over HTTP. Calls never reject; they resolve to a `Result`.
 */
export type RotaryApi = { [D in Domains]: DomainApi<D> } & EventApi;

/** Name on `window` under which the preload exposes the api. */
export const API_GLOBAL = 'rotary';
/** sessionStorage key for the gateway key in the web transport. */
export const WEB_KEY_STORAGE = 'rotary.gatewayKey';
/** Lifetime of an SSE ticket from `POST /rpc/events-ticket`. */
export const EVENTS_TICKET_TTL_MS = 30_000;
/** Route prefix of the web transport and UI on the gateway server. */
export const WEB_RPC_PREFIX = '/rpc/';
export const WEB_UI_PREFIX = '/ui/';

export type { ProviderID };

// ───────────────────────────────────────────────────────────── building a RotaryApi

/** What a transport provides: carry one call, subscribe to one event. */
export interface RotaryTransport {
  /** Resolve to the call's `Result`; may throw or reject on transport failure (handled below). */
  invoke(channel: ChannelName, input: unknown): Promise<unknown>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

/**
 * Builds the whole `RotaryApi` from a transport, walking the channel and event tables — so
 * the preload and the browser transport write no channel name themselves. A transport
 * failure (no handler, network down, non-JSON answer) resolves to
 * `{ok:false, error:{code:'unavailable'}}` rather than rejecting.
 */
export function buildRotaryApi(transport: RotaryTransport): RotaryApi {
  const api: Record<string, unknown> = {};
  for (const channel of CHANNEL_NAMES) {
    const [domain, verb] = channelPath(channel);
    const group = (api[domain] ??= {}) as Record<string, unknown>;
    group[verb] = async (input?: unknown): Promise<Result<unknown>> => {
      try {
        const result = await transport.invoke(channel, input);
        if (isResultShape(result)) return result;
        return fail('internal', `The ${channel} answer was not a result.`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return fail('unavailable', `Rotary could not be reached (${message}).`);
      }
    };
  }
  for (const event of EVENT_NAMES) {
    api[EVENTS[event].method] = (listener: (payload: unknown) => void) => transport.subscribe(event, listener);
  }
  return api as unknown as RotaryApi;
}

function isResultShape(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  const v = value as { ok: unknown; error?: unknown };
  if (v.ok === true) return 'value' in v;
  return v.ok === false && typeof v.error === 'object' && v.error !== null;
}
