/**
 * `rotary vault status` and `rotary vault migrate --to keychain|encrypted-file`: where the
 * tokens are kept, and moving them between backends. The migration itself (copy, verify,
 * then delete; safe to interrupt and rerun) is `migrateSecrets`; this module opens the two
 * vaults, reports progress and, last of all, saves the new choice in vault.json.
 */
import { rotaryHome } from '../core/paths.js';
import { chooseSecretBackend, describeChoiceSource, describeVault, keychainService, type SecretBackend, type Vault } from '../core/pool/vault.js';
import { createKeytarVault } from '../core/pool/vault-keytar.js';
import { migrateSecrets } from '../core/pool/vault-migrate.js';
import { vaultSettingsPath, writeVaultSettings } from '../core/pool/vault-settings.js';
import { reachKeychain } from '../core/pool/vault-setup.js';
import { describeArg, HELP_OPTION, parseCommand } from './args.js';
import type { Command } from './command.js';
import { EXIT_OK, printHelp, println, UsageError, type CliIO } from './io.js';
import { openCliEncryptedVault, openCliVault } from './vault-open.js';

const TARGETS = ['keychain', 'encrypted-file'] as const satisfies readonly SecretBackend[];
type Target = (typeof TARGETS)[number];

const STATUS_HELP = `Usage: rotary vault status [--json]

Shows where Rotary keeps tokens: the backend in use, whether it is encrypted, the keychain
service or file, and how many secrets it holds (never their values). The encrypted file vault
asks for its passphrase (or reads ROTARY_VAULT_PASSPHRASE / ROTARY_VAULT_PASSPHRASE_FILE).

Options:
  --json      print one JSON object
  -h, --help  show this help`;

const MIGRATE_HELP = `Usage: rotary vault migrate --to keychain|encrypted-file

Moves every secret from the backend in use to another one: each secret is written to the
target, read back and compared, and only then deleted from the source. Interrupted at any
point it loses nothing; run it again to finish. The new backend is saved in vault.json in the
Rotary folder, so the app and every command use it next time (ROTARY_SECRET_BACKEND, if set,
still wins). Quit the Rotary app and stop \`rotary gateway\` first.

Options:
  --to B      keychain (the OS keychain) or encrypted-file (passphrase-encrypted file)
  -h, --help  show this help

Examples:
  rotary vault migrate --to encrypted-file
  ROTARY_SECRET_BACKEND=file rotary vault migrate --to keychain`;

export const vault: Command = {
  name: 'vault',
  summary: 'show where tokens are kept, or move them to another backend',
  help: `Usage: rotary vault <command> [options]

Commands:
  status    backend in use, encrypted or not, location, number of secrets
  migrate   move every secret to the keychain or the encrypted file vault

Backends (ROTARY_SECRET_BACKEND, else vault.json in the Rotary folder, else keychain):
  keychain        the OS keychain (macOS Keychain, Windows Credential Manager, Secret Service)
  encrypted-file  secrets.enc: AES-256-GCM, key from your passphrase (scrypt); the passphrase
                  comes from a prompt, ROTARY_VAULT_PASSPHRASE or ROTARY_VAULT_PASSPHRASE_FILE
  file            secrets.json in plain text (tests and CI only)

Run \`rotary vault <command> --help\` for its options.`,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '-h' || sub === '--help') return printHelp(io, this.help);
    if (sub === 'status') return status(rest, io);
    if (sub === 'migrate') return migrate(rest, io);
    throw new UsageError(
      sub.startsWith('-') ? `unknown option ${sub.split('=')[0]} for \`rotary vault\`` : `unknown command \`rotary vault ${describeArg(sub).replace(/"/g, '')}\``,
      'see `rotary vault --help`',
    );
  },
};

async function status(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommand('vault status', { args: argv, options: { ...HELP_OPTION, json: { type: 'boolean' } }, strict: true, allowPositionals: true }, 0);
  if (values.help) return printHelp(io, STATUS_HELP);
  const home = rotaryHome(io.env);
  const choice = chooseSecretBackend(home, io.env);
  const opened = await openCliVault(io, home, { offer: false });
  const d = await describeVault(opened);
  const chosenBy = describeChoiceSource(choice, home);
  if (values.json) {
    println(io.stdout, JSON.stringify({ ...d, chosenBy }));
    return EXIT_OK;
  }
  println(io.stdout, `Backend:    ${d.backend}`);
  println(io.stdout, `Encrypted:  ${d.encrypted ? 'yes' : 'NO'} (${d.protection})`);
  println(io.stdout, `Location:   ${d.backend === 'keychain' ? `keychain service "${d.location}"` : d.location}`);
  println(io.stdout, `Secrets:    ${d.count}`);
  println(io.stdout, `Chosen by:  ${chosenBy}`);
  return EXIT_OK;
}

async function migrate(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommand('vault migrate', { args: argv, options: { ...HELP_OPTION, to: { type: 'string' } }, strict: true, allowPositionals: true }, 0);
  if (values.help) return printHelp(io, MIGRATE_HELP);
  if (values.to === undefined) throw new UsageError('`rotary vault migrate` needs --to keychain or --to encrypted-file', 'see `rotary vault migrate --help`');
  const to = values.to.trim().toLowerCase();
  if (!isTarget(to)) {
    throw new UsageError(
      to === 'file' ? 'Rotary does not move tokens into the unencrypted file backend' : `--to must be keychain or encrypted-file, not ${describeArg(values.to)}`,
      'use --to keychain or --to encrypted-file',
    );
  }
  const home = rotaryHome(io.env);
  const choice = chooseSecretBackend(home, io.env);
  if (choice.backend === to) {
    println(io.stdout, `Rotary already keeps tokens in ${to} (chosen by ${describeChoiceSource(choice, home)}); nothing to move.`);
    return EXIT_OK;
  }

  const source = await openCliVault(io, home, { offer: false });
  const target = await openTarget(io, home, to, choice);
  println(io.stdout, `Moving secrets from ${source.kind} (${source.location}) to ${target.kind} (${target.location})…`);
  const result = await migrateSecrets(source, target, {
    onStep: (step) => println(io.stdout, `  ${step.index}/${step.total} ${step.key}: ${step.action === 'copied' ? 'moved' : 'already there, removed from the source'}`),
  });
  // Last: only a complete migration changes which backend the next run uses.
  writeVaultSettings(home, to);

  const again = result.present > 0 ? ` (${result.present} already there from an earlier run)` : '';
  println(io.stdout, `Moved ${result.total} secret${result.total === 1 ? '' : 's'} to ${to}${again}. Rotary now uses ${to}: saved in ${vaultSettingsPath(home)}.`);
  if (choice.source === 'env') {
    println(
      io.stderr,
      `rotary: ROTARY_SECRET_BACKEND=${choice.backend} is set in this environment and wins over ${vaultSettingsPath(home)}; unset it or set it to ${to}, or Rotary keeps using the now empty ${choice.backend} backend.`,
    );
  }
  return EXIT_OK;
}

function isTarget(value: string): value is Target {
  return (TARGETS as readonly string[]).includes(value);
}

async function openTarget(io: CliIO, home: string, to: Target, choice: ReturnType<typeof chooseSecretBackend>): Promise<Vault> {
  if (to === 'encrypted-file') return openCliEncryptedVault(io, home, choice);
  const keychain = createKeytarVault(keychainService(home, io.env));
  await reachKeychain(keychain); // unreachable → the keychain's own message, before anything moves
  return keychain;
}
