/**
 * Opens the Electron-free core for one process: store, vault and account pool under
 * `ROTARY_HOME`. The CLI, the headless gateway and the tests call `openCore()`; the
 * desktop app calls it with an electron-store backend on the same file.
 */
import { AccountPool } from './pool/account-pool.js';
import { createConfBackend, PoolStore, type StoreBackend } from './pool/store.js';
import { createVault, type Vault } from './pool/vault.js';
import { rotaryHome } from './paths.js';

export interface Core {
  home: string;
  env: NodeJS.ProcessEnv;
  pool: AccountPool;
  vault: Vault;
  store: PoolStore;
  close(): Promise<void>;
}

export interface OpenCoreOptions {
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** The app passes its electron-store; plain Node uses conf on the same file. */
  backend?: StoreBackend;
  vault?: Vault;
  warn?: (message: string) => void;
  /** Delete orphan secrets / flag records without secrets (default true). */
  reconcile?: boolean;
  /** Follow changes other processes make to the store file (default false). */
  watch?: boolean;
}

export async function openCore(options: OpenCoreOptions = {}): Promise<Core> {
  const env = options.env ?? process.env;
  const home = options.home ?? rotaryHome(env);
  const vault = options.vault ?? (await createVault({ home, env, ...(options.warn ? { warn: options.warn } : {}) }));
  const store = new PoolStore(options.backend ?? createConfBackend(home));
  const pool = await AccountPool.open({ store, vault });
  if (options.reconcile !== false) await pool.reconcile();
  if (options.watch) pool.watch();
  return { home, env, pool, vault, store, close: () => pool.close() };
}
