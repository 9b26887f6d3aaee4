/**
 * Opening the core for one CLI command, and turning the user's words for providers and
 * accounts into IDs. Same store and keychain as the app (`openCore`).
 */
import { PROVIDER_IDS, type AccountRecord, type ProviderID } from '../../shared/domain.js';
import { rotaryHome } from '../core/paths.js';
import { allProviders } from '../core/providers/registry.js';
import { startRuntime, type Runtime } from '../core/runtime.js';
import { describeArg } from './args.js';
import { CliFailure, println, UsageError, type CliIO } from './io.js';
import { providerName } from './render.js';
import { openCliVault } from './vault-open.js';

/**
 * Run `body` with a started runtime (core and token manager; a usage poller when asked),
 * closing it (and flushing batched writes) afterwards. Store notices (a corrupt file moved
 * aside) go to stderr. No start-up reconcile: it would race with an app that is adding an
 * account at this moment (secret written, record not yet) and delete the new secret; the app
 * reconciles when it starts. The vault is opened first (`openCliVault`: passphrase prompt,
 * first-run offer of the encrypted vault).
 */
export async function withCore<T>(io: CliIO, body: (core: Runtime) => Promise<T>, options: { watch?: boolean; usage?: boolean } = {}): Promise<T> {
  const home = rotaryHome(io.env);
  const core = await startRuntime({
    env: io.env,
    home,
    vault: await openCliVault(io, home),
    reconcile: false,
    watch: options.watch ?? false,
    warn: (message) => println(io.stderr, message),
    ...(options.usage ? { poller: { start: false, jitterMs: 0 } } : {}),
  });
  const notify = (message: string) => println(io.stderr, `rotary: ${message}`);
  for (const notice of core.store.pendingNotices()) notify(notice.message);
  const off = core.store.onNotice((notice) => notify(notice.message));
  try {
    return await body(core);
  } finally {
    off();
    await core.close();
  }
}

/** A provider by its id or one of its aliases: `anthropic` / `claude`, `openai` / `chatgpt` / `codex`, `github-copilot` / `copilot`. */
export function parseProvider(word: string): ProviderID {
  const w = word.trim().toLowerCase();
  const id = allProviders().find((p) => p.id === w || p.aliases.includes(w))?.id;
  if (!id) {
    throw new UsageError(`unknown provider ${describeArg(word)}`, `use one of: ${PROVIDER_IDS.join(', ')}`);
  }
  return id;
}

/** The account `query` names (id, label or e-mail), or a failure that lists the choices. */
export function resolveAccount(core: Pick<Runtime, 'pool'>, providerID: ProviderID, query: string): AccountRecord {
  const found = core.pool.findAccount(providerID, query);
  if (found) return found;
  const accounts = core.pool.getAccounts(providerID);
  if (accounts.length === 0) throw new CliFailure(`${providerName(providerID)} has no accounts. Add one with \`rotary auth login ${providerID}\`.`);
  const names = accounts.map((a) => `"${a.label}"`).join(', ');
  throw new CliFailure(`No ${providerName(providerID)} account matches ${describeArg(query)}. Accounts: ${names}.`);
}
