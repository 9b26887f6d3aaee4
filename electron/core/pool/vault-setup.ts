/**
 * Getting a home's vault open, shared by the CLI (prompts) and the app (the unlock screen):
 * `probeVault` opens what it can without a person and otherwise says what is needed —
 * the encrypted vault's passphrase, a new encrypted vault, or a keychain that cannot be
 * reached. On a first run without a Secret Service (keychain by default, no accounts yet)
 * it offers the encrypted file vault instead of failing; choosing it is saved in vault.json.
 * With accounts already in the store it does not offer it: their tokens are in the keychain,
 * and an empty vault in its place would make every account look logged out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isRotaryError, RotaryError } from '../errors.js';
import { STORE_NAME } from '../paths.js';
import { migrateStoreData } from './store-schema.js';
import { chooseSecretBackend, keychainService, type BackendChoice, type Vault } from './vault.js';
import { encryptedVaultExists, encryptedVaultPath, openEncryptedFileVault } from './vault-encrypted.js';
import { kdfParamsFor } from './vault-envelope.js';
import { createFileVault } from './vault-file.js';
import { createKeytarVault } from './vault-keytar.js';
import { passphraseFromEnv } from './vault-passphrase.js';
import { writeVaultSettings } from './vault-settings.js';

export type VaultProbe =
  | { state: 'ready'; choice: BackendChoice; vault: Vault }
  /** The encrypted vault exists and needs its passphrase. */
  | { state: 'locked'; choice: BackendChoice; file: string; offered: boolean; reason?: string }
  /** No encrypted vault yet: one can be created with a new passphrase. */
  | { state: 'missing'; choice: BackendChoice; file: string; offered: boolean; reason?: string }
  /** The keychain cannot be used and nothing else is offered; `error` says why and what to do. */
  | { state: 'unavailable'; choice: BackendChoice; error: RotaryError };

export interface ProbeOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  /** The plain file backend's warning. */
  warn: (message: string) => void;
}

export async function probeVault(options: ProbeOptions): Promise<VaultProbe> {
  const { home, env } = options;
  const choice = chooseSecretBackend(home, env);
  if (choice.backend === 'file') return { state: 'ready', choice, vault: createFileVault(home, options.warn) };
  if (choice.backend === 'encrypted-file') return probeEncryptedVault(home, env, choice);

  const keychain = createKeytarVault(keychainService(home, env));
  try {
    await reachKeychain(keychain);
    return { state: 'ready', choice, vault: keychain };
  } catch (error) {
    const rotary = error instanceof RotaryError ? error : new RotaryError('vault-error', String(error), { cause: error });
    const noSecretService = isRotaryError(error, 'vault-unavailable') || isRotaryError(error, 'vault-no-collection');
    if (!noSecretService || choice.source !== 'default') return { state: 'unavailable', choice, error: rotary };
    const accounts = storeAccountCount(home);
    if (accounts !== 0) {
      const held = accounts === undefined ? 'The account store could not be read, so Rotary cannot tell whether tokens are in the keychain' : `The tokens of your ${accounts === 1 ? 'account are' : `${accounts} accounts are`} in that keychain`;
      return {
        state: 'unavailable',
        choice,
        error: new RotaryError(
          rotary.code,
          `${rotary.message} ${held}, so Rotary will not switch to another vault here. Once the keychain is reachable, \`rotary vault migrate --to encrypted-file\` moves them to an encrypted file.`,
          { cause: error },
        ),
      };
    }
    return probeEncryptedVault(home, env, choice, { offered: true, reason: rotary.message });
  }
}

/**
 * The home's encrypted vault, whatever its chosen backend (also the target of a migration):
 * opened with the environment's passphrase, else `locked` or `missing` for a person to answer.
 */
export async function probeEncryptedVault(
  home: string,
  env: NodeJS.ProcessEnv,
  choice: BackendChoice,
  { offered = false, reason }: { offered?: boolean; reason?: string } = {},
): Promise<Exclude<VaultProbe, { state: 'unavailable' }>> {
  const file = encryptedVaultPath(home);
  const exists = encryptedVaultExists(home);
  // An offered vault is opened only when the person agrees; a chosen one straight from the environment.
  const passphrase = offered ? undefined : passphraseFromEnv(env, exists ? 'unlock' : 'create');
  if (passphrase !== undefined) return { state: 'ready', choice, vault: await openEncryptedFileVault({ file, passphrase, kdf: kdfParamsFor(env) }) };
  return { state: exists ? 'locked' : 'missing', choice, file, offered, ...(reason ? { reason } : {}) };
}

/** Unlock (state `locked`) or create (state `missing`) the encrypted vault; an offered one becomes this home's choice. */
export async function openProbedVault(home: string, env: NodeJS.ProcessEnv, probe: Extract<VaultProbe, { state: 'locked' | 'missing' }>, passphrase: unknown): Promise<Vault> {
  const creating = probe.state === 'missing';
  if (creating && encryptedVaultExists(home)) {
    throw new RotaryError('vault-error', `An encrypted vault appeared at ${probe.file} meanwhile (another Rotary created it). Unlock it with its passphrase instead.`);
  }
  if (!creating && !encryptedVaultExists(home)) {
    throw new RotaryError('vault-error', `The encrypted vault ${probe.file} is gone. Restore it from a backup, or create a new one.`);
  }
  const vault = await openEncryptedFileVault({ file: probe.file, passphrase, kdf: kdfParamsFor(env), create: creating });
  if (probe.offered) writeVaultSettings(home, 'encrypted-file');
  return vault;
}

/** Fails with the keychain's own error when it cannot be reached. Looks up a key Rotary never writes, so no secret is read. */
export async function reachKeychain(keychain: Vault): Promise<void> {
  await keychain.get('rotary:reachability-check');
}

/** Account records in the store file: 0 when there is none yet, undefined when it cannot be read. */
export function storeAccountCount(home: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(home, `${STORE_NAME}.json`), 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 0 : undefined;
  }
  try {
    const { data } = migrateStoreData(JSON.parse(text));
    return Object.values(data.providers).reduce((sum, entry) => sum + entry.records.length, 0);
  } catch {
    return undefined;
  }
}
