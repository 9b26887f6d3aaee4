/**
 * Cross-process mutual exclusion for read-modify-write of shared files (the store,
 * the file vault, per-account refresh). The app and any number of CLI processes may
 * run at once; each critical section runs under this lock.
 */
import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { RotaryError } from '../errors.js';

export interface LockOptions {
  /** Give up after roughly this long (ms). */
  timeoutMs?: number;
}

/**
 * Run `critical` while holding `<target>.lock`. A lock left behind by a killed process
 * is taken over once it is stale (not refreshed for `STALE_MS`).
 */
export async function withFileLock<T>(target: string, critical: () => Promise<T> | T, options: LockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let release: (() => Promise<void>) | undefined;
  for (;;) {
    try {
      release = await lockfile.lock(target, { realpath: false, stale: STALE_MS, update: STALE_MS / 2 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      if (Date.now() > deadline) {
        throw new RotaryError('store-locked', `Another Rotary process has held ${path.basename(target)} for over ${Math.round(timeoutMs / 1000)} s. If none is running, delete ${target}.lock and try again.`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    }
  }
  try {
    return await critical();
  } finally {
    await release().catch(() => undefined);
  }
}

const STALE_MS = 5_000;

/**
 * Replace `target` atomically: write a temporary file beside it, flush it to disk,
 * then rename over the target. A reader sees the old or the new file, never half of one.
 * When any step fails (a full disk) the temporary file is removed and the target is untouched.
 */
export function writeFileAtomic(target: string, data: string, mode = 0o600): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const fd = fs.openSync(temp, 'w', mode);
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    rethrowDiskFull(error, target);
  }
}

/** A full disk (or quota) as an error that says what to do; anything else is rethrown as is. */
export function rethrowDiskFull(error: unknown, target: string): never {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    throw new RotaryError('disk-full', `No space left on the disk to write ${target}. Free some space and try again; nothing was changed.`, { cause: error });
  }
  throw error;
}
