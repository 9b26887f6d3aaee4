/**
 * Issue 11, finding 5: account labels with control characters. Every input refuses them with a
 * clear error (the pool itself, the IPC/web-RPC schema, login labels, `--label` of the CLI, an
 * imported login whose e-mail carries them); every output that reaches a terminal or a log
 * escapes what an existing store may already hold, so `\r\n` cannot forge a log line and
 * `ESC[2J ESC]0;…` cannot clear or retitle the terminal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHeadlessGateway } from '../electron/cli/headless-gateway.js';
import { accountBlock, accountName, quotedName } from '../electron/cli/render.js';
import { isRotaryError } from '../electron/core/errors.js';
import { STORE_SCHEMA_VERSION } from '../electron/core/pool/store-schema.js';
import { openCore, startRuntime, type Runtime } from '../electron/core/runtime.js';
import { WEB_RPC_PREFIX } from '../shared/ipc.js';
import { runInProcess } from './cli/cli-helpers.js';
import { makeTempHome } from './helpers/temp-home.js';
import { startSimulator, type Simulator } from './sim/server.js';

/** Each one is a way to attack a terminal or a log. */
const HOSTILE: Record<string, string> = {
  'CRLF forging a log line': 'work\r\n[2026-01-01T00:00:00.000Z] gateway listening on http://evil.example',
  'clear screen and set title': '\u001b[2J\u001b]0;pwned\u0007work',
  'bare LF': 'two\nlines',
  tab: 'a\tb',
  DEL: 'a\u007fb',
  'C1 CSI': 'c1\u009b2J',
  'bidi override': 'invoice\u202eexe.pdf',
  'bidi isolate': 'x\u2066y\u2069',
};

/** Raw control characters and bidi controls that must never reach a terminal or a log (newline between lines is the only one allowed). */
const RAW_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function expectClean(text: string): void {
  const match = RAW_UNSAFE.exec(text);
  if (match) throw new Error(`raw U+${match[0].codePointAt(0)!.toString(16).padStart(4, '0')} in output: ${JSON.stringify(text.slice(Math.max(0, match.index - 40), match.index + 40))}`);
  expect(text).not.toMatch(/^\[2026-01-01T00:00:00\.000Z\] gateway listening on http:\/\/evil/m);
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => sim?.close());

function tempEnv(extra: Record<string, string> = {}) {
  const { home, cleanup } = makeTempHome('rotary-labels-');
  const env: NodeJS.ProcessEnv = { ROTARY_HOME: home, ROTARY_SECRET_BACKEND: 'file', ROTARY_UPSTREAM: sim.url, ROTARY_GATEWAY_KEY: 'rotary-labels-key-0123456789', ROTARY_NO_BROWSER: '1', ...extra };
  return { home, env, cleanup };
}

describe('inputs refuse control characters', () => {
  let core: Runtime;
  let temp: ReturnType<typeof tempEnv>;
  let recordID: string;
  beforeAll(async () => {
    temp = tempEnv();
    core = await startRuntime({ env: temp.env, home: temp.home, warn: () => undefined, service: { shell: 'web', version: 'test' }, gateway: { port: 0 }, web: { staticDir: temp.home } });
    recordID = (await core.pool.add({ providerID: 'anthropic', label: 'plain', secret: { access: 'sk-ant-oat01-labels' } })).id;
  });
  afterAll(async () => {
    await core?.close();
    temp?.cleanup();
  });

  it.each(Object.entries(HOSTILE))('pool.add and pool.relabel: %s', async (_name, label) => {
    const added = await core.pool.add({ providerID: 'anthropic', label, secret: { access: 'sk-ant-oat01-x' } }).catch((e: unknown) => e);
    expect(isRotaryError(added, 'bad-input')).toBe(true);
    expect((added as Error).message).toMatch(/control character/);
    expectClean((added as Error).message);
    const relabelled = await core.pool.relabel('anthropic', recordID, label).catch((e: unknown) => e);
    expect(isRotaryError(relabelled, 'bad-input')).toBe(true);
    expect(core.pool.getRecord('anthropic', recordID)!.label).toBe('plain');
  });

  it('pool.add: an e-mail from a provider with control characters is refused too', async () => {
    const error = await core.pool.add({ providerID: 'anthropic', email: 'a@b.c\r\nX', secret: { access: 'sk-ant-oat01-y' } }).catch((e: unknown) => e);
    expect(isRotaryError(error, 'bad-input')).toBe(true);
  });

  it.each(Object.entries(HOSTILE))('IPC accounts:relabel and login:start (schema in shared/ipc.ts): %s', async (_name, label) => {
    const relabel = await core.service!.call('accounts:relabel', { providerID: 'anthropic', recordID, label });
    expect(relabel).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(/control character/) } });
    const login = await core.service!.call('login:start', { providerID: 'anthropic', label });
    expect(login).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(/control character/) } });
  });

  it('web RPC over HTTP (the same service on the gateway): 400 bad-input', async () => {
    const res = await fetch(`${core.gateway!.url}${WEB_RPC_PREFIX}accounts:relabel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${core.gateway!.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ providerID: 'anthropic', recordID, label: HOSTILE['clear screen and set title'] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringMatching(/control character/) } });
    expect(core.pool.getRecord('anthropic', recordID)!.label).toBe('plain');
  });

  it.each(Object.entries(HOSTILE))('CLI --label of auth add and auth login: %s', async (_name, label) => {
    const add = await runInProcess(['auth', 'add', 'anthropic', '--label', label], temp.env, { input: '{"access":"sk-ant-oat01-cli"}' });
    expect(add.code).toBe(2);
    expect(add.stderr).toMatch(/--label .*control character/);
    expectClean(add.stderr + add.stdout);
    const login = await runInProcess(['auth', 'login', 'anthropic', '--label', label], temp.env);
    expect(login.code).toBe(2);
    expect(login.stderr).toMatch(/--label .*control character/);
    expectClean(login.stderr + login.stdout);
  });

  it('import: a login whose e-mail carries control characters is refused with a clear error, nothing added', async () => {
    const userHome = fs.mkdtempSync(path.join(os.tmpdir(), 'rotary-labels-user-'));
    try {
      // A login ChatGPT accepts (the import checks the token first) whose e-mail claim is hostile.
      const c = sim.addAccount('openai', { email: 'victim@example.com\r\n\u001b[2J' }).credentials();
      fs.mkdirSync(path.join(userHome, '.codex'));
      fs.writeFileSync(path.join(userHome, '.codex', 'auth.json'), JSON.stringify({ tokens: { id_token: c.idToken, access_token: c.access, refresh_token: c.refresh, account_id: c.accountId } }));
      const before = core.pool.getAccounts('openai').length;
      const result = await runInProcess(['auth', 'import', '--all'], { ...temp.env, HOME: userHome });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/control character/);
      expectClean(result.stdout + result.stderr);
      await core.pool.reload();
      expect(core.pool.getAccounts('openai').length).toBe(before);
    } finally {
      fs.rmSync(userHome, { recursive: true, force: true });
    }
  });
});

describe('outputs escape what an existing store already holds', () => {
  let temp: ReturnType<typeof tempEnv>;
  beforeAll(async () => {
    temp = tempEnv({ ROTARY_GATEWAY_PORT: '0' });
    // A store written before labels were checked: hostile labels and e-mails straight in the file.
    const core = await openCore({ env: temp.env, home: temp.home, warn: () => undefined });
    const labels = Object.values(HOSTILE);
    for (const label of labels) {
      const c = sim.addAccount('anthropic').credentials();
      await core.pool.add({ providerID: 'anthropic', label: `ok-${labels.indexOf(label)}`, accountId: c.accountId, secret: { access: c.access, refresh: c.refresh!, expires: c.expires! } });
    }
    await core.close();
    const file = path.join(temp.home, 'rotary.json');
    const data = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(data.schemaVersion).toBe(STORE_SCHEMA_VERSION);
    data.providers.anthropic.records.forEach((r: { label: string; email?: string }, i: number) => {
      r.label = labels[i]!;
      r.email = `${labels[i]}@example.com`;
    });
    fs.writeFileSync(file, JSON.stringify(data));
  });
  afterAll(() => temp?.cleanup());

  it('render helpers escape labels and e-mails', () => {
    for (const label of Object.values(HOSTILE)) {
      const view = { label, email: `${label}@x`, isActive: true, status: { kind: 'ok' as const }, health: { successCount: 0, failureCount: 0 } };
      expectClean(accountName(view));
      expectClean(quotedName(view));
      expectClean(accountBlock(view as never, Date.now()).join('\n'));
    }
    expect(accountName({ label: HOSTILE['CRLF forging a log line']! })).toContain('work\\r\\n[2026');
  });

  it.each([
    ['auth', 'list'],
    ['auth', 'list', '--json'],
    ['auth', 'usage'],
    ['auth', 'usage', '--json'],
    ['auth', 'switch', 'anthropic', HOSTILE.tab!],
    ['auth', 'switch', 'anthropic', 'no-such-account'],
    ['auth', 'reset', 'anthropic', '--all'],
    ['auth', 'disable', 'anthropic', HOSTILE.DEL!],
    ['auth', 'enable', 'anthropic', HOSTILE.DEL!],
  ])('rotary %s %s %s %s', async (...argv) => {
    const result = await runInProcess(argv.filter((a): a is string => typeof a === 'string'), temp.env);
    expectClean(result.stdout);
    expectClean(result.stderr);
    if (argv.includes('--json')) JSON.parse(result.stdout);
  });

  it('the gateway log (rotation messages carry labels) and the headless gateway stderr', async () => {
    let stderr = '';
    const run = await runHeadlessGateway({ env: temp.env, stdout: { write: () => true }, stderr: { write: (s: string) => ((stderr += s), true) }, handleSignals: false });
    try {
      // Every account limited but the last: each request rotates through hostile labels.
      const accounts = sim.accounts().filter((a) => a.provider === 'anthropic').slice(-Object.keys(HOSTILE).length);
      for (const a of accounts.slice(0, -1)) a.fiveHour.utilization = 1;
      const res = await fetch(`${run.gateway.url}/anthropic/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': run.gateway.key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(200);
      await res.text();
    } finally {
      await run.stop();
    }
    expect(stderr).toMatch(/rotation: 429 on /);
    expectClean(stderr);
    // One log entry per line: every line starts with the timestamp of the gateway's own logger.
    for (const line of stderr.trimEnd().split('\n')) expect(line).toMatch(/^(\[\d{4}-\d\d-\d\dT[^\]]+\] |WARNING: ROTARY_SECRET_BACKEND=file)/);
  });
});
