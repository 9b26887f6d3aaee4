/**
 * Opening the vault for a CLI command: the home's backend, the encrypted vault's passphrase
 * from the environment or a masked prompt, and — on a first run without a Secret Service —
 * the offer to keep tokens in an encrypted file vault instead of failing. Without a terminal
 * nothing waits: the error names the variables or options to set.
 */
import { isRotaryError, type RotaryError } from '../core/errors.js';
import type { BackendChoice, Vault } from '../core/pool/vault.js';
import { PASSPHRASE_ENV, PASSPHRASE_FILE_ENV, checkPassphrase, passphraseNeededMessage, type PassphrasePurpose } from '../core/pool/vault-passphrase.js';
import { vaultSettingsPath } from '../core/pool/vault-settings.js';
import { openProbedVault, probeEncryptedVault, probeVault, type VaultProbe } from '../core/pool/vault-setup.js';
import { CancelledError, CliFailure, println, UsageError, type CliIO } from './io.js';
import { askPassword, confirm, log } from './prompts.js';

/** Wrong passphrases accepted at the prompt before the command gives up. */
const UNLOCK_ATTEMPTS = 3;

export interface CliVaultOptions {
  /** Offer the encrypted vault when no Secret Service is reachable on a first run (default true). */
  offer?: boolean;
}

export async function openCliVault(io: CliIO, home: string, options: CliVaultOptions = {}): Promise<Vault> {
  const probe = await probeVault({ home, env: io.env, warn: (m) => println(io.stderr, m) });
  if (probe.state === 'ready') return probe.vault;
  if (probe.state === 'unavailable') throw probe.error;
  if (probe.offered) {
    if (options.offer === false) throw new CliFailure(probe.reason ?? 'The keychain cannot be reached.');
    await offerEncryptedVault(io, probe);
  }
  return askPassphrase(io, home, probe);
}

/**
 * The encrypted vault of `home` whatever the home's backend is (the target of a migration):
 * unlocked or created with the passphrase from the environment, else from a prompt.
 */
export async function openCliEncryptedVault(io: CliIO, home: string, choice: BackendChoice): Promise<Vault> {
  const probe = await probeEncryptedVault(home, io.env, choice);
  return probe.state === 'ready' ? probe.vault : askPassphrase(io, home, probe);
}

/** A new passphrase (twice) or the vault's passphrase, from a person; without a terminal the error names the variables (exit 2). */
function askPassphrase(io: CliIO, home: string, probe: Extract<VaultProbe, { state: 'locked' | 'missing' }>): Promise<Vault> {
  if (!io.isTTY) throw new UsageError(passphraseNeededMessage(probe.file));
  return probe.state === 'missing' ? createWithPrompt(io, home, probe) : unlockWithPrompt(io, home, probe);
}

/** No Secret Service on a first run: say so, and ask before switching this home to the encrypted vault. */
async function offerEncryptedVault(io: CliIO, probe: Extract<VaultProbe, { state: 'locked' | 'missing' }>): Promise<void> {
  const why = probe.reason ?? 'The keychain cannot be reached.';
  if (!io.isTTY) {
    throw new CliFailure(
      `${why} Without a terminal Rotary cannot ask what to do instead. Either start a Secret Service, or keep tokens in an encrypted file vault: ROTARY_SECRET_BACKEND=encrypted-file with ${PASSPHRASE_ENV} or ${PASSPHRASE_FILE_ENV} (for throwaway test machines only: ROTARY_SECRET_BACKEND=file, unencrypted).`,
    );
  }
  log.warn(io, why);
  const what = probe.state === 'missing' ? `Create an encrypted file vault at ${probe.file} for your tokens instead?` : `Use the encrypted file vault at ${probe.file} instead?`;
  if (!(await confirm(io, what, true))) {
    throw new CancelledError('Nothing was changed. Start a Secret Service, or set ROTARY_SECRET_BACKEND=encrypted-file to use an encrypted file vault.');
  }
}

async function createWithPrompt(io: CliIO, home: string, probe: Extract<VaultProbe, { state: 'missing' }>): Promise<Vault> {
  log.info(io, `Choose a passphrase for the new encrypted vault. Rotary asks for it whenever it starts (or reads ${PASSPHRASE_ENV} / ${PASSPHRASE_FILE_ENV}); it cannot be recovered if you forget it.`);
  for (;;) {
    const first = await askPassword(io, 'New vault passphrase', validator('create'));
    const second = await askPassword(io, 'Type it again');
    if (first === second) {
      const vault = await openProbedVault(home, io.env, probe, first);
      announceChoice(io, home, probe);
      return vault;
    }
    log.warn(io, 'The two passphrases differ; try again.');
  }
}

async function unlockWithPrompt(io: CliIO, home: string, probe: Extract<VaultProbe, { state: 'locked' }>): Promise<Vault> {
  for (let attempt = 1; ; attempt++) {
    const passphrase = await askPassword(io, `Passphrase for ${probe.file}`, validator('unlock'));
    try {
      const vault = await openProbedVault(home, io.env, probe, passphrase);
      announceChoice(io, home, probe);
      return vault;
    } catch (error) {
      if (!isRotaryError(error, 'vault-wrong-passphrase') || attempt >= UNLOCK_ATTEMPTS) throw error;
      log.warn(io, `Wrong passphrase; try again (${UNLOCK_ATTEMPTS - attempt} left).`);
    }
  }
}

function announceChoice(io: CliIO, home: string, probe: Extract<VaultProbe, { state: 'locked' | 'missing' }>): void {
  if (!probe.offered) return;
  log.success(
    io,
    `This Rotary home now keeps tokens in ${probe.file} (saved in ${vaultSettingsPath(home)}; the app and every \`rotary\` command use it). Setting ROTARY_SECRET_BACKEND=encrypted-file does the same and wins over that file.`,
  );
}

function validator(purpose: PassphrasePurpose): (value: string) => string | undefined {
  return (value) => {
    try {
      checkPassphrase(value, purpose);
      return undefined;
    } catch (error) {
      return (error as RotaryError).message;
    }
  };
}
