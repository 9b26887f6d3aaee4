/**
 * Moving every secret from one vault to another (`rotary vault migrate`). One secret at a
 * time: write it to the target, read it back and compare, and only then delete it from the
 * source. Killed at any point, no secret is lost — at worst one exists in both vaults, and
 * running the migration again finishes the job (a secret already in the target with the
 * same value is only deleted from the source). The source is the vault in use, so when the
 * two disagree its value wins.
 */
import { RotaryError } from '../errors.js';
import type { Vault } from './vault.js';

export interface MigrationStep {
  key: string;
  /** 1-based position among the secrets found in the source. */
  index: number;
  total: number;
  /** `copied`: written to the target; `present`: the target already held the same value. */
  action: 'copied' | 'present';
}

export interface MigrationResult {
  /** Secrets the source held when the migration started (and any added while it ran). */
  total: number;
  copied: number;
  /** Already in the target from an interrupted earlier run. */
  present: number;
}

/** A running app may add or refresh a secret in the source meanwhile; go round a few times before giving up. */
const MAX_ROUNDS = 5;

export async function migrateSecrets(source: Vault, target: Vault, options: { onStep?: (step: MigrationStep) => void } = {}): Promise<MigrationResult> {
  if (source.kind === target.kind && source.location === target.location) {
    throw new RotaryError('bad-input', `The source and the target are the same vault (${target.location}).`);
  }
  const result: MigrationResult = { total: 0, copied: 0, present: 0 };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const keys = (await source.list()).sort();
    if (keys.length === 0) return result;
    result.total += keys.length;
    for (const [i, key] of keys.entries()) {
      const action = await moveOne(source, target, key);
      if (!action) continue;
      result[action]++;
      options.onStep?.({ key, index: i + 1, total: keys.length, action });
    }
  }
  throw new RotaryError(
    'vault-error',
    `Secrets kept appearing in ${source.location} while they were being moved. Quit the Rotary app and stop \`rotary gateway\`, then run the migration again; nothing was lost.`,
  );
}

async function moveOne(source: Vault, target: Vault, key: string): Promise<MigrationStep['action'] | undefined> {
  for (;;) {
    const value = await source.get(key);
    if (value === undefined) return undefined; // removed meanwhile
    const before = await target.get(key);
    const action = before === value ? 'present' : 'copied';
    if (action === 'copied') {
      await target.set(key, value);
      if ((await target.get(key)) !== value) {
        throw new RotaryError(
          'vault-error',
          `${target.location} did not return the secret "${key}" as it was written, so it stays in ${source.location} (nothing was deleted). Check the target vault and run the migration again.`,
        );
      }
    }
    // Delete only the value that was copied: if a running app refreshed it meanwhile, copy the new one.
    if ((await source.get(key)) !== value) continue;
    await source.delete(key);
    return action;
  }
}
