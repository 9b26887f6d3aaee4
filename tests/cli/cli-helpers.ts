/**
 * Running the real `rotary` CLI in tests: as a subprocess (`node --import tsx main.ts`, the
 * same code path as the installed binary) with an explicit environment, and in-process
 * through `run(argv, io)` with in-memory streams.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { run } from '../../electron/cli/main.js';
import { openCore, type Core } from '../../electron/core/runtime.js';
import { hasSecretService } from '../helpers/keychain.js';
import { childEnv, makeTempHome } from '../helpers/temp-home.js';

export const ROOT = path.resolve(__dirname, '../..');
export const CLI_ENTRY = path.join(ROOT, 'electron/cli/main.ts');

/** A port nothing listens on: provider calls fail fast instead of reaching the internet. */
export const DEAD_UPSTREAM = 'http://127.0.0.1:9';

export interface CliHome {
  home: string;
  env: NodeJS.ProcessEnv;
  /** Opens the same pool the CLI uses (same home, same vault). */
  open(options?: { watch?: boolean }): Promise<Core>;
  cleanup(): Promise<void>;
}

/**
 * A temp ROTARY_HOME with the env a CLI child needs: the private keychain when the test runs
 * under scripts/with-keyring.sh, else the file backend. No browser, no real provider.
 */
export function makeCliHome(extra: Record<string, string> = {}): CliHome {
  const { home, cleanup } = makeTempHome('rotary-cli-');
  const env = childEnv({
    ROTARY_HOME: home,
    ROTARY_UPSTREAM: DEAD_UPSTREAM,
    ROTARY_NO_BROWSER: '1',
    ...(hasSecretService ? {} : { ROTARY_SECRET_BACKEND: 'file' }),
    ...extra,
  });
  const cores: Core[] = [];
  return {
    home,
    env,
    async open(options = {}) {
      const core = await openCore({ env, home, reconcile: false, watch: options.watch ?? false, warn: () => undefined });
      cores.push(core);
      return core;
    },
    async cleanup() {
      const core = cores[0] ?? (await openCore({ env, home, reconcile: false, warn: () => undefined }));
      for (const key of await core.vault.list().catch(() => [] as string[])) await core.vault.delete(key).catch(() => false);
      for (const c of new Set([core, ...cores])) await c.close().catch(() => undefined);
      cleanup();
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run `rotary <args>` as a child process. `input` is piped to stdin (else stdin is ignored,
 * i.e. no terminal and nothing to read). A child still running after `timeoutMs` is killed
 * and the promise rejects: a CLI that waits for input that cannot come fails the test.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv, options: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  // Generous: a 2-core machine running Chromium tests beside these may take many seconds per start.
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], {
      cwd: ROOT,
      env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rotary ${args.join(' ')} did not finish within ${timeoutMs} ms (waiting for input?)\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

/** Start `rotary <args>` and hand back the child for tests that talk to it while it runs. */
/** `wrapper`: a command the CLI runs under, e.g. `['prlimit', '--nofile=1024:1024', '--']` (limits in place from its start). */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, options: { wrapper?: string[] } = {}) {
  const argv = [process.execPath, '--import', 'tsx', CLI_ENTRY, ...args];
  const [command, ...rest] = [...(options.wrapper ?? []), ...argv];
  const child = spawn(command!, rest, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  /** Resolves with the first match of `pattern` in stdout (rejects if the child exits first). */
  const waitFor = (pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = out.stdout.match(pattern);
        if (m) {
          cleanup();
          resolve(m);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${pattern}\nstdout: ${out.stdout}\nstderr: ${out.stderr}`));
      }, timeoutMs);
      const onExit = () => {
        check();
        cleanup();
        reject(new Error(`exited before ${pattern}\nstdout: ${out.stdout}\nstderr: ${out.stderr}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.stdout.off('data', check);
        child.off('close', onExit);
      };
      child.stdout.on('data', check);
      child.on('close', onExit);
      check();
    });
  return { child, out, exited, waitFor };
}

/** Run the CLI in this process with in-memory streams. */
export async function runInProcess(argv: string[], env: NodeJS.ProcessEnv, options: { input?: string; isTTY?: boolean } = {}): Promise<CliResult> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  stdin.end(options.input ?? '');
  const code = await run(argv, { env, stdin, stdout, stderr, isTTY: options.isTTY ?? false });
  return { code, stdout: out, stderr: err };
}

/** Every token-looking string a result might leak. */
export function expectNoSecrets(texts: string[], secrets: string[]): void {
  for (const text of texts) {
    for (const secret of secrets) {
      if (secret && text.includes(secret)) throw new Error(`output contains a secret (${secret.slice(0, 6)}…): ${text}`);
    }
    if (/sk-ant-o[ar]t01-[A-Za-z0-9_-]{6,}/.test(text)) throw new Error(`output contains an Anthropic token: ${text}`);
  }
}
