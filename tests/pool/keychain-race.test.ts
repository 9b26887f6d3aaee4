/**
 * Two Rotary processes on one keychain service: one adds and removes accounts' secrets while
 * the other lists them (start-up reconcile, `rotary doctor`, a vault migration). Without
 * serialising list and delete, libsecret either reports a vanished item or crashes the lister
 * with SIGSEGV (`secret_value_get_text: assertion 'value' failed`). Real gnome-keyring on the
 * private bus of scripts/with-keyring.sh.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasSecretService, testKeychainVault } from '../helpers/keychain.js';
import { childEnv } from '../helpers/temp-home.js';

const FIXTURE = path.join(__dirname, 'fixtures', 'keychain-churn.ts');

function run(role: 'churn' | 'list', service: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, role], {
      env: childEnv({ ROTARY_RACE_SERVICE: service, ROTARY_RACE_MS: '3000' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}

describe.skipIf(!hasSecretService)('keychain shared by two processes', () => {
  it('listing while another process adds and deletes secrets neither crashes nor fails', async () => {
    const { service } = testKeychainVault('race');
    const [churn, list] = await Promise.all([run('churn', service), run('list', service)]);
    expect(churn.code, churn.err).toBe(0);
    expect({ code: list.code, signal: list.signal }, list.err).toEqual({ code: 0, signal: null });
    const listed = JSON.parse(list.out) as { operations: number; errors: string[] };
    const churned = JSON.parse(churn.out) as { operations: number; errors: string[] };
    expect(listed.errors).toEqual([]);
    expect(churned.errors).toEqual([]);
    expect(listed.operations).toBeGreaterThan(5);
    expect(churned.operations).toBeGreaterThan(20);
  }, 30_000);
});
