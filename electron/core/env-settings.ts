/**
 * Numeric settings from environment variables (timeouts, limits). Unset or blank means the
 * default; anything else must be a whole number in range, or starting fails with a message that
 * names the variable and what it expects — a typo never silently becomes "no limit".
 */
import { RotaryError } from './errors.js';

export interface IntegerSetting {
  /** What one unit is, for the message: "milliseconds", "bytes", "connections". */
  unit: string;
  min?: number;
  max?: number;
}

export function envInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, setting: IntegerSetting): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const min = setting.min ?? 1;
  const max = setting.max ?? Number.MAX_SAFE_INTEGER;
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `${min}–${max}`;
    throw new RotaryError('bad-input', `${name} must be a whole number of ${setting.unit} (${range}), not "${raw.slice(0, 40)}". Unset it to use the default (${fallback}).`);
  }
  return n;
}

/** "0.3 s", "45 s", "10 min", "1.5 h": for messages that say which limit was hit. */
export function formatLimit(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 6_000) / 10} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}

/** "64 MiB", "512 KiB", "900 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
  return `${bytes} bytes`;
}
