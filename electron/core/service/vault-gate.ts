/**
 * The app before its vault is open. The desktop app cannot open the core until it has a
 * vault, and the encrypted file vault needs a person to type the passphrase (or, on a first
 * run without a Secret Service, to choose one). The gate serves the UI meanwhile:
 * `vault:status`, `vault:unlock`, `vault:create` and `app:info` answer, every other channel
 * says to unlock first. Once a vault opens, `open(vault)` builds the full application service
 * (core, gateway, poller) and every call goes there; `vault:unlock` resolves only after that,
 * so the UI can show the main window straight away.
 *
 * Electron-free on purpose: Electron main and the tests (real Chromium over the web
 * transport) run exactly this.
 */
import { CHANNEL_NAMES, EVENT_NAMES, type Result, type VaultStatus } from '../../../shared/ipc.js';
import { appInfo, type AppService } from './app-service.js';
import { errorMessage, RotaryError } from '../errors.js';
import type { Vault } from '../pool/vault.js';
import { openProbedVault, probeVault, type VaultProbe } from '../pool/vault-setup.js';
import { dispatch } from './dispatch.js';
import { toResult } from './errors.js';
import { createEventHub } from './event-hub.js';
import type { ServiceHandlers, VaultPort } from './types.js';

/** The vault port of a process whose vault is already open (CLI gateway, tests, the app after unlock). */
export function openVaultPort(vault: Vault): VaultPort {
  const status = async () => readyStatus(vault);
  return { status, unlock: status, create: status };
}

export interface VaultGateOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  /** The plain file backend's warning. */
  warn: (message: string) => void;
  shell: 'electron' | 'web';
  version: string;
  /** Build the full service over the opened vault. Called once; if it fails the UI shows why and may try again. */
  open(vault: Vault): Promise<AppService>;
}

export interface VaultGate {
  /** Hand this to the transport (Electron IPC, web transport) instead of the full service. */
  service: AppService;
  /** Resolves with the full service once the vault is open. */
  ready: Promise<AppService>;
  /** Open the vault now if no person is needed (keychain, passphrase in the environment); else say what is needed. */
  status(): Promise<VaultStatus>;
}

export function createVaultGate(options: VaultGateOptions): VaultGate {
  const { home, env } = options;
  let full: AppService | undefined;
  let opening: Promise<AppService> | undefined;
  let resolveReady!: (service: AppService) => void;
  const ready = new Promise<AppService>((resolve) => (resolveReady = resolve));
  // The transport subscribes once, before the full service exists; its events are relayed from then on.
  const hub = createEventHub();
  const relays: Array<() => void> = [];

  async function openWith(vault: Vault): Promise<VaultStatus> {
    opening ??= options.open(vault).then(
      (service) => {
        full = service;
        for (const name of EVENT_NAMES) relays.push(service.events.on(name, (payload) => hub.emit(name, payload as never)));
        resolveReady(service);
        return service;
      },
      (error: unknown) => {
        opening = undefined;
        throw error;
      },
    );
    await opening;
    return readyStatus(vault);
  }

  const probe = () => probeVault({ home, env, warn: options.warn });

  async function status(): Promise<VaultStatus> {
    let p: VaultProbe;
    try {
      p = await probe();
    } catch (error) {
      // A bad ROTARY_SECRET_BACKEND or vault.json, a wrong passphrase in the environment, a damaged vault.
      return { state: 'unavailable', encrypted: false, message: errorMessage(error) };
    }
    return p.state === 'ready' ? openWith(p.vault) : probeStatus(p);
  }

  async function unlockOrCreate(passphrase: string, wanted: 'locked' | 'missing'): Promise<VaultStatus> {
    const p = await probe();
    if (p.state === 'ready') return openWith(p.vault);
    if (p.state !== wanted) {
      const message =
        p.state === 'locked'
          ? `An encrypted vault already exists at ${p.file}; unlock it with its passphrase.`
          : p.state === 'missing'
            ? `There is no encrypted vault at ${p.file} yet; create one with a new passphrase.`
            : p.error.message;
      throw new RotaryError('vault-error', message);
    }
    return openWith(await openProbedVault(home, env, p, passphrase));
  }

  const port: VaultPort = {
    status,
    unlock: (passphrase) => unlockOrCreate(passphrase, 'locked'),
    create: (passphrase) => unlockOrCreate(passphrase, 'missing'),
  };
  const locked = lockedHandlers(port, options);

  const service: AppService = {
    handlers: locked,
    events: { on: (name, listener) => hub.on(name, listener) },
    call: (channel, input) => (full ? full.call(channel, input) : dispatch(locked, channel, input)),
    notify: (notice) => (full ? full.notify(notice) : hub.emit('events:notice', { ...notice, at: Date.now() })),
    command: (command) => (full ? full.command(command) : hub.emit('events:command', command)),
    close() {
      for (const off of relays.splice(0)) off();
      full?.close();
    },
  };
  return { service, ready, status };
}

const LOCKED: Result<never> = { ok: false, error: { code: 'unavailable', message: 'Rotary is locked: unlock the vault first.' } };

function lockedHandlers(port: VaultPort, options: Pick<VaultGateOptions, 'shell' | 'version'>): ServiceHandlers {
  const handlers = Object.fromEntries(CHANNEL_NAMES.map((channel) => [channel, async () => LOCKED])) as unknown as ServiceHandlers;
  handlers['vault:status'] = () => toResult(() => port.status());
  handlers['vault:unlock'] = ({ passphrase }) => toResult(() => port.unlock(passphrase));
  handlers['vault:create'] = ({ passphrase }) => toResult(() => port.create(passphrase));
  handlers['app:info'] = async () => ({ ok: true, value: appInfo(options.shell, options.version) });
  return handlers;
}

function readyStatus(vault: Vault): VaultStatus {
  return { state: 'ready', backend: vault.kind, encrypted: vault.kind !== 'file', location: vault.location };
}

function probeStatus(p: Exclude<VaultProbe, { state: 'ready' }>): VaultStatus {
  if (p.state === 'unavailable') {
    return { state: 'unavailable', backend: p.choice.backend, encrypted: p.choice.backend !== 'file', message: p.error.message };
  }
  return { state: p.state, backend: 'encrypted-file', encrypted: true, location: p.file, ...(p.reason ? { message: p.reason } : {}) };
}
