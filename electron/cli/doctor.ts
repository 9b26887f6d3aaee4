/**
 * `rotary doctor [--json] [--fix [--yes]]`: checks what Rotary's data depends on and says what is
 * wrong and which command fixes it — the store file and its last-good copy, the vault and their
 * agreement (records without a secret, secrets without a record), locks and temp files left
 * behind, the gateway port, the Secret Service. Read-only unless `--fix`, which restores a damaged
 * store, writes a missing last-good copy, re-attaches orphaned secrets whose record survives in a
 * copy of the store, removes stale locks and temp files, and — after a confirmation, or `--yes` —
 * removes orphaned secrets nobody can claim. Exit 0 when healthy, 1 when something needs attention.
 * Never prints a secret: only vault keys, labels and paths.
 */
import path from 'node:path';
import { escapeControls, terminalJson } from '../../shared/plain-text.js';
import { errorMessage } from '../core/errors.js';
import { GATEWAY_KEY_VAULT_KEY } from '../core/gateway/gateway-key.js';
import { gatewayPortFromEnv } from '../core/gateway/gateway.js';
import { probeGatewayPort, type PortState } from '../core/gateway/port-probe.js';
import { STORE_NAME, rotaryHome } from '../core/paths.js';
import { inspectPool, orphanRecord, removeLeftovers, type PoolHealth } from '../core/pool/pool-health.js';
import { inspectStoreFile } from '../core/pool/store.js';
import { chooseSecretBackend, describeVault, keychainService, type Vault } from '../core/pool/vault.js';
import { createKeytarVault } from '../core/pool/vault-keytar.js';
import { reachKeychain } from '../core/pool/vault-setup.js';
import { HELP_OPTION, parseCommand } from './args.js';
import type { Command } from './command.js';
import type { Runtime } from '../core/runtime.js';
import { withCore } from './context.js';
import { openCliVault } from './vault-open.js';
import { CliFailure, EXIT_FAILURE, EXIT_OK, printHelp, println, type CliIO } from './io.js';
import { confirm } from './prompts.js';

type Status = 'ok' | 'info' | 'warn' | 'problem';

export interface DoctorCheck {
  id: 'store' | 'last-good' | 'vault' | 'records' | 'orphans' | 'leftovers' | 'gateway-port' | 'secret-service';
  status: Status;
  message: string;
  /** Lines under the message (one per item). */
  details?: string[];
  /** The command (or step) that fixes it. */
  fix?: string;
}

export interface DoctorReport {
  home: string;
  healthy: boolean;
  checks: DoctorCheck[];
  health: PoolHealth;
}

const FIX = 'rotary doctor --fix';

export const doctor: Command = {
  name: 'doctor',
  summary: 'check the store, keychain, locks and gateway port; fix what is safe',
  help: `Usage: rotary doctor [--json] [--fix [--yes]]

Checks the account store (readable, schema, last-good copy), the keychain and whether the two
agree (accounts without a secret, secrets without an account), locks and temp files left
behind, whether the gateway port is free or used by a Rotary gateway, and whether a Secret
Service answers. Prints what is wrong and the command that fixes it. Changes nothing without --fix.

Options:
  --json      machine-readable report (no secrets)
  --fix       restore a damaged store from its last good copy, write a missing copy, re-attach
              orphaned secrets whose account survives in a copy of the store, remove stale locks
              and temp files; asks before removing secrets that belong to no account
  --yes       with --fix: remove those secrets without asking (for scripts)
  -h, --help  show this help

Exit codes: 0 healthy, 1 something needs attention.`,
  async run(argv, io) {
    const { values } = parseCommand(
      'doctor',
      { args: argv, options: { ...HELP_OPTION, json: { type: 'boolean' }, fix: { type: 'boolean' }, yes: { type: 'boolean' } }, strict: true, allowPositionals: true },
      0,
    );
    if (values.help) return printHelp(io, this.help);
    const vault = await openVault(io, rotaryHome(io.env));
    if (values.fix) await fix(io, vault, { yes: Boolean(values.yes), quiet: Boolean(values.json) });
    const report = await diagnose(io, vault);
    if (values.json) println(io.stdout, terminalJson({ home: report.home, healthy: report.healthy, checks: report.checks, orphans: report.health.orphans, recordsWithoutSecret: report.health.recordsWithoutSecret }, 2));
    else printReport(io, report);
    return report.healthy ? EXIT_OK : EXIT_FAILURE;
  },
};

// ------------------------------------------------------------------ diagnosis

/** The home's vault as every command opens it (the encrypted vault's passphrase from the environment or a prompt); never the first-run offer. */
async function openVault(io: CliIO, home: string): Promise<Vault | Error> {
  try {
    return await openCliVault(io, home, { offer: false });
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

export async function diagnose(io: CliIO, opened: Vault | Error): Promise<DoctorReport> {
  const home = rotaryHome(io.env);
  const storePath = path.join(home, `${STORE_NAME}.json`);
  const health = await inspectPool({ home, storePath, vault: opened });
  const checks: DoctorCheck[] = [storeCheck(health), lastGoodCheck(health), await vaultCheck(health, opened, home, io.env), recordsCheck(health), orphansCheck(health), leftoversCheck(health)];
  checks.push(await portCheck(io.env, opened));
  checks.push(await secretServiceCheck(home, io.env));
  return { home, healthy: checks.every((c) => c.status === 'ok' || c.status === 'info'), checks, health };
}

const base = (p: string) => path.basename(p);
const when = (ms: number) => `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function storeCheck(h: PoolHealth): DoctorCheck {
  switch (h.store.state) {
    case 'missing':
      return { id: 'store', status: 'info', message: `no store file yet at ${h.storePath} (no account was added)` };
    case 'ok': {
      const n = Object.values(h.store.data.providers).reduce((sum, e) => sum + e.records.length, 0);
      return { id: 'store', status: 'ok', message: `${h.storePath} is readable (schema ${h.store.data.schemaVersion}, ${plural(n, 'account')})` };
    }
    case 'too-new':
      return { id: 'store', status: 'problem', message: `${h.storePath} cannot be used: ${h.store.reason}`, fix: 'update Rotary to the version that wrote it (Rotary changes nothing in it meanwhile)' };
    case 'unreadable':
      return { id: 'store', status: 'problem', message: `${h.storePath}: ${h.store.reason}`, fix: `give this user read and write access to it (chmod 600 ${h.storePath}); Rotary never replaces it meanwhile` };
    case 'damaged': {
      const good = h.lastGood.find((c) => c.state === 'ok');
      return {
        id: 'store',
        status: 'problem',
        message: `${h.storePath} is damaged (${h.store.reason})`,
        fix: good ? `${FIX} (or any rotary command) restores it from ${base(good.path)}, saved ${when(good.savedAt)}` : `${FIX} moves it aside and starts an empty list; then re-attach what it can`,
      };
    }
  }
}

function lastGoodCheck(h: PoolHealth): DoctorCheck {
  const good = h.lastGood.filter((c) => c.state === 'ok');
  const details = h.damaged.length ? [`damaged files kept for reference: ${h.damaged.map(base).join(', ')}`] : undefined;
  const hasAccounts = h.store.state === 'ok' && Object.values(h.store.data.providers).some((e) => e.records.length > 0);
  if (good.length > 0) {
    const newest = good[0]!;
    return { id: 'last-good', status: 'ok', message: `last good copy: ${base(newest.path)} (${plural(newest.accounts ?? 0, 'account')}, saved ${when(newest.savedAt)})`, ...(details ? { details } : {}) };
  }
  if (!hasAccounts) return { id: 'last-good', status: 'info', message: 'no last good copy yet (written with the first change)', ...(details ? { details } : {}) };
  return { id: 'last-good', status: 'warn', message: 'no last good copy of the store: a damaged store could not be restored', fix: `${FIX} writes one (every change writes it too)`, ...(details ? { details } : {}) };
}

async function vaultCheck(h: PoolHealth, vault: Vault | Error, home: string, env: NodeJS.ProcessEnv): Promise<DoctorCheck> {
  if (!h.vault.ok || vault instanceof Error) {
    let backend = h.vault.kind;
    try {
      backend = chooseSecretBackend(home, env).backend;
    } catch {
      // the error below says what is wrong with the setting
    }
    return { id: 'vault', status: 'problem', message: `the ${backend} vault cannot be opened: ${h.vault.ok ? '' : h.vault.error}` };
  }
  const d = await describeVault(vault);
  return {
    id: 'vault',
    status: d.encrypted ? 'ok' : 'info',
    message: `${d.backend} at ${d.location} (protection: ${d.protection}): ${plural(h.vault.accountSecrets, 'account secret')}`,
  };
}

function recordsCheck(h: PoolHealth): DoctorCheck {
  if (!h.vault.ok) return { id: 'records', status: 'info', message: 'accounts without a secret: not checked (the secret store cannot be read)' };
  if (h.recordsWithoutSecret.length === 0) return { id: 'records', status: 'ok', message: 'every account has its secret' };
  const providers = [...new Set(h.recordsWithoutSecret.map((r) => r.providerID))];
  return {
    id: 'records',
    status: 'problem',
    message: `${plural(h.recordsWithoutSecret.length, 'account')} without a secret (they need a new login)`,
    details: h.recordsWithoutSecret.map((r) => `"${escapeControls(r.label)}" (${r.providerID}, ${r.id})`),
    fix: `${providers.map((p) => `rotary auth login ${p}`).join(', ')}; then remove the old entry with rotary auth logout <provider> <account> --yes`,
  };
}

function orphansCheck(h: PoolHealth): DoctorCheck {
  if (!h.vault.ok) return { id: 'orphans', status: 'info', message: 'secrets without an account: not checked (the secret store cannot be read)' };
  if (h.orphans.length === 0) return { id: 'orphans', status: 'ok', message: 'every secret belongs to an account' };
  const claimable = h.orphans.filter((o) => o.recordIn).length;
  const n = h.orphans.length;
  return {
    id: 'orphans',
    status: 'problem',
    message: `${plural(n, 'secret')} in the ${h.vault.kind} vault belong${n === 1 ? 's' : ''} to no account`,
    details: h.orphans.map((o) =>
      o.recordIn ? `${o.key}: its account "${escapeControls(o.recordIn.label)}" is in ${base(o.recordIn.path)}, can be re-attached` : `${o.key}: no copy of its account is left`,
    ),
    fix:
      claimable === n
        ? `${FIX} re-attaches ${claimable === 1 ? 'it' : 'them'}`
        : claimable === 0
          ? `${FIX} removes ${n === 1 ? 'it' : 'them'} after asking (add --yes in scripts)`
          : `${FIX} re-attaches ${claimable} and asks before removing the rest (add --yes in scripts)`,
  };
}

function leftoversCheck(h: PoolHealth): DoctorCheck {
  const items = [...h.staleLocks.map((l) => `stale lock ${l}`), ...h.tempFiles.map((t) => `temp file ${t}`)];
  if (items.length === 0) return { id: 'leftovers', status: 'ok', message: 'no stale locks or temp files' };
  return { id: 'leftovers', status: 'warn', message: `${plural(items.length, 'file')} left behind by a process that ended`, details: items, fix: `${FIX} removes them (Rotary also takes stale locks over by itself)` };
}

async function portCheck(env: NodeJS.ProcessEnv, vault: Vault | Error): Promise<DoctorCheck> {
  let port: number;
  try {
    port = gatewayPortFromEnv(env);
  } catch (error) {
    return { id: 'gateway-port', status: 'problem', message: errorMessage(error) };
  }
  if (port === 0) return { id: 'gateway-port', status: 'info', message: 'ROTARY_GATEWAY_PORT=0: the gateway picks a free port when it starts' };
  // The key is only read (never generated here), to recognise this home's gateway.
  const key = env.ROTARY_GATEWAY_KEY?.trim() || (vault instanceof Error ? undefined : await vault.get(GATEWAY_KEY_VAULT_KEY).catch(() => undefined));
  const state: PortState = await probeGatewayPort(port, key);
  switch (state.state) {
    case 'free':
      return { id: 'gateway-port', status: 'ok', message: `port ${port} is free for the gateway` };
    case 'rotary':
      return state.sameKey
        ? { id: 'gateway-port', status: 'ok', message: `port ${port}: a Rotary gateway for this home is running` }
        : { id: 'gateway-port', status: 'warn', message: `port ${port} is used by a Rotary gateway with another key (another ROTARY_HOME or ROTARY_GATEWAY_KEY)`, fix: 'stop that gateway, or set ROTARY_GATEWAY_PORT to another port' };
    case 'other':
      return { id: 'gateway-port', status: 'problem', message: `port ${port} is used by another program (${state.detail})`, fix: 'stop that program, or set ROTARY_GATEWAY_PORT to a free port' };
  }
}

async function secretServiceCheck(home: string, env: NodeJS.ProcessEnv): Promise<DoctorCheck> {
  let backend: string;
  try {
    backend = chooseSecretBackend(home, env).backend;
  } catch (error) {
    return { id: 'secret-service', status: 'problem', message: errorMessage(error) };
  }
  const probe = await answersWithin(reachKeychain(createKeytarVault(keychainService(home, env))), SECRET_SERVICE_TIMEOUT_MS);
  if (backend !== 'keychain') {
    return { id: 'secret-service', status: 'info', message: `not used (secrets are in the ${backend} vault); the OS keychain ${probe === true ? 'answers' : 'does not answer'}` };
  }
  return probe === true ? { id: 'secret-service', status: 'ok', message: 'the OS keychain answers' } : { id: 'secret-service', status: 'problem', message: `the OS keychain does not answer: ${probe}` };
}

/** A keyring waiting for a password prompt nobody sees would hang the check: give up after this. */
const SECRET_SERVICE_TIMEOUT_MS = 5000;

/** True when `check` succeeds in time, else why not. */
async function answersWithin(check: Promise<unknown>, ms: number): Promise<true | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${ms / 1000} s (is the keyring locked and waiting for a password?)`), ms);
    timer.unref();
  });
  try {
    return await Promise.race([check.then(() => true as const), timeout]);
  } catch (error) {
    return errorMessage(error);
  } finally {
    clearTimeout(timer);
  }
}

// ------------------------------------------------------------------ output

const MARK: Record<Status, string> = { ok: 'ok     ', info: 'info   ', warn: 'warning', problem: 'PROBLEM' };

function printReport(io: CliIO, report: DoctorReport): void {
  println(io.stdout, `Rotary doctor — ROTARY_HOME ${escapeControls(report.home)}`);
  for (const check of report.checks) {
    println(io.stdout, `  ${MARK[check.status]}  ${escapeControls(check.message)}`);
    for (const line of check.details ?? []) println(io.stdout, `             ${escapeControls(line)}`);
    if (check.fix && check.status !== 'ok' && check.status !== 'info') println(io.stdout, `             fix: ${escapeControls(check.fix)}`);
  }
  const attention = report.checks.filter((c) => c.status === 'warn' || c.status === 'problem').length;
  println(io.stdout, attention === 0 ? 'Everything looks healthy.' : `${plural(attention, 'check')} need${attention === 1 ? 's' : ''} attention.`);
}

// ------------------------------------------------------------------ --fix

async function fix(io: CliIO, vault: Vault | Error, options: { yes: boolean; quiet: boolean }): Promise<void> {
  if (vault instanceof Error) throw new CliFailure(`nothing can be fixed while the secret store cannot be opened: ${vault.message}`);
  const say = (line: string) => (options.quiet ? println(io.stderr, `rotary: ${escapeControls(line)}`) : println(io.stdout, escapeControls(line)));
  const storePath = path.join(rotaryHome(io.env), `${STORE_NAME}.json`);
  const state = inspectStoreFile(storePath);
  if (state.state === 'too-new') throw new CliFailure(`${storePath} was written by a newer Rotary; nothing was changed. Update Rotary.`);
  if (state.state === 'unreadable') throw new CliFailure(`${storePath}: ${state.reason}; nothing was changed.`);
  // Opening the store restores a damaged one (the notice goes to stderr).
  const body = async (core: Runtime): Promise<void> => {
    const health = await inspectPool({ home: core.home, storePath, vault: core.vault });
    if (health.store.state === 'ok' && !health.lastGood.some((c) => c.state === 'ok')) {
      await core.store.update(() => undefined);
      say(`Wrote a last good copy of the store (${base(storePath)}.bak).`);
    }
    const unclaimed = [];
    for (const orphan of health.orphans) {
      const record = orphan.recordIn && orphanRecord(storePath, orphan);
      if (!record) {
        unclaimed.push(orphan);
        continue;
      }
      try {
        await core.pool.reattachRecord(record);
        say(`Re-attached ${orphan.providerID} account "${record.label}" (${record.id}) from ${base(orphan.recordIn!.path)}.`);
      } catch (error) {
        say(`Could not re-attach ${orphan.key}: ${errorMessage(error)}`);
        unclaimed.push(orphan);
      }
    }
    if (unclaimed.length > 0) {
      const what = `${plural(unclaimed.length, 'secret')} that belong${unclaimed.length === 1 ? 's' : ''} to no account and cannot be re-attached`;
      let remove = options.yes;
      if (!remove && io.isTTY) {
        remove = await confirm(io, `Remove ${what}? (${unclaimed.map((o) => o.key).join(', ')}) Without an account record they cannot be used.`, false);
      } else if (!remove) {
        say(`Kept ${what}: pass --yes to remove them (rotary doctor --fix --yes).`);
      }
      if (remove) {
        for (const orphan of unclaimed) await core.vault.delete(orphan.key);
        say(`Removed ${what}.`);
      } else if (io.isTTY) say(`Kept ${what}.`);
    }
    for (const removed of removeLeftovers(health)) say(`Removed ${removed}.`);
  };
  await withCore(io, body, { vault });
}
