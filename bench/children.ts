/**
 * Bench plumbing: the measured processes (simulator, gateway, bare proxy, stream clients) run as
 * plain JS bundled with esbuild (dependencies external; a source map beside it, not linked from
 * the bundle so Node never loads it, read only by the CPU-profile summary), each in its own process so its CPU and RSS are its own. Under tsx a loader thread
 * would add its own memory to the gateway's RSS.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BUNDLE_DIR = path.join(here, '..', 'node_modules', '.cache', 'rotary-bench');

export async function bundle(script: string): Promise<string> {
  const outfile = path.join(BUNDLE_DIR, script.replace(/\.ts$/, '.mjs'));
  await build({ entryPoints: [path.join(here, script)], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', sourcemap: 'external', logLevel: 'error' });
  return outfile;
}

export interface Started {
  child: ChildProcess;
  info: Record<string, unknown>;
}

/**
 * Forks a bundled bench child and waits for the JSON line it prints once it listens. `execArgv`
 * replaces the bench's own (fork would otherwise pass on tsx's loader, whose thread and
 * memory the shipped processes do not have); gateways get the flags `rotary gateway` runs with.
 */
export async function startChild(script: string, env: NodeJS.ProcessEnv, execArgv: readonly string[] = []): Promise<Started> {
  const child = fork(await bundle(script), [], { env, execArgv: [...execArgv], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve({ child, info: JSON.parse(buf.slice(0, nl)) as Record<string, unknown> });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/** Sends one IPC message and resolves with the child's next message (the children answer in order). */
export function ask<T>(child: ChildProcess, message: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`child ${child.pid} exited (${code}) before answering ${JSON.stringify(message)}`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as T);
    });
    child.send(message as object);
  });
}

export function canPin(): boolean {
  if (os.cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Set the cores a process (all its threads) may run on. */
export function setCores(pid: number, cores: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { stdio: 'ignore' });
}

export const ALL_CORES = `0-${os.cpus().length - 1}`;
