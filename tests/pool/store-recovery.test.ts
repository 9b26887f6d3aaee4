/**
 * Issue 11, findings 1 and 2: a damaged `rotary.json` must never cost an account or a secret.
 * Three accounts are added; the file is then truncated, garbled, emptied, replaced by a JSON
 * array or given a wrong schema version; then the headless gateway (`rotary gateway`'s
 * runHeadlessGateway) starts twice — after `rotary auth list` saw the damage first, or as the
 * first to see it. After every start: the vault still holds the three secrets (file vault and
 * the real gnome-keyring), the three accounts are back and usable (a request through the
 * gateway succeeds), and the user was told (stderr of the gateway, stderr of the CLI, the
 * app's `events:notice`). A store written by a newer Rotary is refused and left untouched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHeadlessGateway } from '../../electron/cli/headless-gateway.js';
import { createVault, parseAccountSecretKey, type Vault } from '../../electron/core/pool/vault.js';
import { STORE_SCHEMA_VERSION } from '../../electron/core/pool/store-schema.js';
import { openCore, startRuntime } from '../../electron/core/runtime.js';
import type { Notice } from '../../shared/ipc.js';
import { runInProcess } from '../cli/cli-helpers.js';
import { hasSecretService } from '../helpers/keychain.js';
import { makeTempHome } from '../helpers/temp-home.js';
import { startSimulator, type Simulator } from '../sim/server.js';

const KEY = 'rotary-recovery-key-0123456789';
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => sim?.close());

type Backend = 'file' | 'keychain';

interface Home {
  home: string;
  env: NodeJS.ProcessEnv;
  storePath: string;
  vault: Vault;
  cleanup(): Promise<void>;
}

async function homeWithThreeAccounts(backend: Backend): Promise<Home> {
  const { home, cleanup } = makeTempHome('rotary-recover-');
  const env: NodeJS.ProcessEnv = {
    ...(backend === 'keychain' ? { DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS } : {}),
    ROTARY_HOME: home,
    ROTARY_UPSTREAM: sim.url,
    ROTARY_SECRET_BACKEND: backend,
    ROTARY_GATEWAY_KEY: KEY,
    ROTARY_GATEWAY_PORT: '0',
  };
  const core = await openCore({ env, home, warn: () => undefined });
  for (let i = 0; i < 3; i++) {
    const c = sim.addAccount('anthropic').credentials();
    await core.pool.add({ providerID: 'anthropic', label: `Account ${i + 1}`, accountId: c.accountId, secret: { access: c.access, refresh: c.refresh!, expires: c.expires! } });
  }
  await core.close();
  // A non-default home gets its own keychain service, so this vault sees only this test's secrets.
  const vault = await createVault({ home, env, warn: () => undefined });
  return {
    home,
    env,
    storePath: path.join(home, 'rotary.json'),
    vault,
    async cleanup() {
      for (const key of await vault.list().catch(() => [] as string[])) await vault.delete(key).catch(() => false);
      cleanup();
    },
  };
}

async function accountSecrets(vault: Vault): Promise<number> {
  return (await vault.list()).filter((k) => parseAccountSecretKey(k)).length;
}

const DAMAGE: Record<string, (file: string) => void> = {
  truncated: (file) => fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 200)),
  garbage: (file) => fs.writeFileSync(file, '\u0000\u0001 not json at all \u00ff'),
  empty: (file) => fs.writeFileSync(file, ''),
  'JSON array': (file) => fs.writeFileSync(file, JSON.stringify([JSON.parse(fs.readFileSync(file, 'utf8'))])),
  'wrong version': (file) => fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), schemaVersion: -1 })),
};

function sink(): { write(s: string): boolean; text: () => string } {
  let buf = '';
  return { write: (s: string) => ((buf += s), true), text: () => buf };
}

async function requestThrough(url: string): Promise<number> {
  const res = await fetch(`${url}/anthropic/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': KEY, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await res.text();
  return res.status;
}

const figures: string[] = [];
afterAll(() => {
  if (figures.length) console.log(`secrets before → after each gateway start:\n  ${figures.join('\n  ')}`);
});

const BACKENDS: Backend[] = hasSecretService ? ['file', 'keychain'] : ['file'];

describe.each(BACKENDS)('%s vault', (backend) => {
  for (const [name, damage] of Object.entries(DAMAGE)) {
    for (const firstSeenBy of ['gateway', 'cli'] as const) {
      it(`${name} store, first seen by the ${firstSeenBy}: restored, nothing lost, user told`, async () => {
        const h = await homeWithThreeAccounts(backend);
        try {
          const before = await accountSecrets(h.vault);
          expect(before).toBe(3);
          damage(h.storePath);

          const cli = firstSeenBy === 'cli' ? await runInProcess(['auth', 'list'], h.env) : undefined;
          // Both starts run before anything is asserted, so the figures show what happened to the secrets.
          const starts: Array<{ secrets: number; accounts: number; ok: number; status: number; told: boolean }> = [];
          for (let start = 1; start <= 2; start++) {
            const stderr = sink();
            const run = await runHeadlessGateway({ env: h.env, stdout: sink(), stderr, handleSignals: false });
            try {
              const accounts = run.core.pool.getAccounts('anthropic');
              starts.push({
                secrets: await accountSecrets(h.vault),
                accounts: accounts.length,
                ok: accounts.filter((a) => a.status.kind === 'ok').length,
                status: await requestThrough(run.gateway.url),
                told: /restored .*last good copy/i.test(stderr.text()),
              });
            } finally {
              await run.stop();
            }
          }
          figures.push(`${backend} vault, ${name}, seen first by the ${firstSeenBy}: ${before} → ${starts.map((s) => s.secrets).join(' → ')}`);
          expect(starts.map((s) => s.secrets)).toEqual([3, 3]);
          expect(starts.map((s) => [s.accounts, s.ok, s.status])).toEqual([
            [3, 3, 200],
            [3, 3, 200],
          ]);
          if (firstSeenBy === 'gateway') expect(starts[0]!.told).toBe(true);
          if (cli) {
            expect(cli.code).toBe(0);
            expect(cli.stderr).toMatch(/restored .*last good copy/i);
            expect(cli.stdout).toMatch(/Anthropic\s+3 accounts/);
          }
          // The damaged file was kept beside the store.
          expect(fs.readdirSync(h.home).some((f) => f.startsWith('rotary.json.corrupt-'))).toBe(true);
        } finally {
          await h.cleanup();
        }
      });
    }
  }

  it('a store written by a newer Rotary is refused with the fix named, and nothing is changed or deleted', async () => {
    const h = await homeWithThreeAccounts(backend);
    try {
      const newer = JSON.stringify({ ...JSON.parse(fs.readFileSync(h.storePath, 'utf8')), schemaVersion: STORE_SCHEMA_VERSION + 1 });
      fs.writeFileSync(h.storePath, newer);
      const backups = fs.readdirSync(h.home).filter((f) => f.startsWith('rotary.json.')).sort();
      for (let start = 1; start <= 2; start++) {
        const error = await runHeadlessGateway({ env: h.env, stdout: sink(), stderr: sink(), handleSignals: false }).catch((e: unknown) => e);
        expect((error as Error).message).toMatch(/newer Rotary/);
        expect((error as Error).message).toMatch(/Update Rotary/);
        expect(await accountSecrets(h.vault)).toBe(3);
      }
      const cli = await runInProcess(['auth', 'list'], h.env);
      expect(cli.code).toBe(1);
      expect(cli.stderr).toMatch(/newer Rotary/);
      expect(fs.readFileSync(h.storePath, 'utf8')).toBe(newer);
      expect(fs.readdirSync(h.home).filter((f) => f.startsWith('rotary.json.')).sort()).toEqual(backups);
      figures.push(`${backend} vault, newer schema: 3 → ${await accountSecrets(h.vault)} (refused, file untouched)`);
    } finally {
      await h.cleanup();
    }
  });
});

it('the app is told through events:notice (desktop runtime with the same store; the Electron binary cannot run here)', async () => {
  const h = await homeWithThreeAccounts('file');
  try {
    DAMAGE.truncated!(h.storePath);
    const runtime = await startRuntime({ env: h.env, home: h.home, warn: () => undefined, service: { shell: 'electron', version: 'test' } });
    try {
      const notices: Notice[] = [];
      runtime.service!.events.on('events:notice', (n) => notices.push(n as Notice));
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatchObject({ level: 'warning', code: 'restored-from-backup', message: expect.stringMatching(/restored .*last good copy.*3 accounts/i) });
      expect(runtime.pool.getAccounts('anthropic')).toHaveLength(3);
    } finally {
      await runtime.close();
    }
  } finally {
    await h.cleanup();
  }
});

it('damage while the gateway runs: restored on the fly and printed on stderr when it happens', async () => {
  const h = await homeWithThreeAccounts('file');
  try {
    const stderr = sink();
    const run = await runHeadlessGateway({ env: h.env, stdout: sink(), stderr, handleSignals: false });
    try {
      DAMAGE.truncated!(h.storePath);
      while (!/restored/i.test(stderr.text())) await new Promise((r) => setTimeout(r, 25));
      expect(stderr.text()).toMatch(/restored .*last good copy/i);
      expect(run.core.pool.getAccounts('anthropic')).toHaveLength(3);
      expect(await requestThrough(run.gateway.url)).toBe(200);
      expect(await accountSecrets(h.vault)).toBe(3);
    } finally {
      await run.stop();
    }
  } finally {
    await h.cleanup();
  }
});
