/**
 * `rotary auth login|import` and `auth usage --refresh` end to end: the real CLI process
 * against the provider simulator over HTTP. The test plays the user's browser (consent pages,
 * the loopback redirect, device approval) and the terminal (stdin).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../sim/server.js';
import { expectNoSecrets, makeCliHome, runCli, spawnCli, type CliHome } from './cli-helpers.js';

let h: CliHome;
let sim: Simulator;
const children: Array<ReturnType<typeof spawnCli>> = [];
beforeEach(async () => {
  sim = await startSimulator({ github: { deviceInterval: 0.05 } });
  h = makeCliHome({ ROTARY_UPSTREAM: sim.url, ROTARY_OPENAI_CALLBACK_PORT: '0' });
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  await h.cleanup();
  await sim.close();
});

function start(args: string[], env = h.env) {
  const c = spawnCli(args, env);
  children.push(c);
  return c;
}

describe('rotary auth login (subprocess, simulator)', () => {
  it('anthropic: prints the URL, reads code#state from stdin (no terminal), adds the account with its e-mail', async () => {
    const account = sim.addAccount('anthropic', { email: 'paste@example.com' });
    const cli = start(['auth', 'login', 'anthropic']);
    const [url] = await cli.waitFor(/http:\/\/127\.0\.0\.1:\d+\/claude\.ai\/oauth\/authorize\?\S+/);
    const { code, state } = sim.anthropicAuthorize(new URL(url).searchParams, account.id);
    cli.child.stdin.end(`${code}#${state}\n`);
    expect(await cli.exited, cli.out.stderr).toBe(0);
    expect(cli.out.stdout).toContain('Added Anthropic account "paste@example.com" (1 account).');
    const core = await h.open();
    const [record] = core.pool.getAccounts('anthropic');
    expect(record).toMatchObject({ email: 'paste@example.com', accountId: account.accountId });
    expect((await core.pool.getSecret('anthropic', record!.id))?.access).toBe(account.credentials().access);
    expectNoSecrets([cli.out.stdout, cli.out.stderr], [account.credentials().access, account.credentials().refresh ?? '']);
  });

  it('anthropic: a garbage or foreign code fails with a clear line and adds nothing; no stdin → exit 2', async () => {
    const account = sim.addAccount('anthropic');
    const garbage = start(['auth', 'login', 'anthropic']);
    await garbage.waitFor(/oauth\/authorize\?/);
    garbage.child.stdin.end('this is not a code\n');
    expect(await garbage.exited).toBe(1);
    expect(garbage.out.stderr).toMatch(/^rotary: That does not look like a login code\./m);

    const foreign = start(['auth', 'login', 'anthropic']);
    const [url] = await foreign.waitFor(/http:\/\/\S+\/claude\.ai\/oauth\/authorize\?\S+/);
    const { code } = sim.anthropicAuthorize(new URL(url).searchParams, account.id);
    foreign.child.stdin.end(`${code}#someoneElsesStateValue\n`);
    expect(await foreign.exited).toBe(1);
    expect(foreign.out.stderr).toContain('state mismatch');

    const none = await runCli(['auth', 'login', 'anthropic'], h.env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no code on stdin/);
    const core = await h.open();
    expect(core.pool.getAccounts('anthropic')).toEqual([]);
  });

  it('openai: the browser comes back to the loopback server; the account is added', async () => {
    const account = sim.addAccount('openai', { email: 'codex@example.com' });
    const cli = start(['auth', 'login', 'openai', '--label', 'codex-main']);
    const [url] = await cli.waitFor(/http:\/\/127\.0\.0\.1:\d+\/auth\.openai\.com\/oauth\/authorize\?\S+/);
    await cli.waitFor(/Waiting for the browser/);
    const { location } = sim.openaiAuthorize(new URL(url).searchParams, account.id);
    const callback = await fetch(location);
    await callback.text();
    expect(await cli.exited, cli.out.stderr).toBe(0);
    expect(cli.out.stdout).toContain('Added OpenAI (ChatGPT / Codex) account "codex-main" <codex@example.com> (1 account).');
    const core = await h.open();
    expect(core.pool.getAccounts('openai')[0]).toMatchObject({ label: 'codex-main', email: 'codex@example.com' });
  });

  it('openai: Ctrl+C while waiting cancels cleanly and adds nothing', async () => {
    sim.addAccount('openai');
    const cli = start(['auth', 'login', 'openai']);
    await cli.waitFor(/Waiting for the browser/);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(1);
    expect(cli.out.stderr).toContain('rotary: Login cancelled; no account was added.');
    const core = await h.open();
    expect(core.pool.getAccounts('openai')).toEqual([]);
  });

  it('github-copilot: shows the user code, polls until approved, labels the account with the GitHub login', async () => {
    const account = sim.addAccount('github-copilot', { login: 'octo-dev' });
    const cli = start(['auth', 'login', 'copilot']);
    const [, userCode] = await cli.waitFor(/Enter the code (\S+) at \S+/);
    await cli.waitFor(/Waiting for GitHub Copilot approval/);
    sim.approveDevice(userCode!, account.id);
    expect(await cli.exited, cli.out.stderr).toBe(0);
    expect(cli.out.stdout).toContain('Added GitHub Copilot account "octo-dev" <github-copilot-1@sim.rotary.test> (1 account).');
  });
});

describe('rotary auth import (subprocess, temp HOME)', () => {
  it('lists found logins without tokens, imports with --all, warns, and never changes the files', async () => {
    const account = sim.addAccount('anthropic', { email: 'cc@example.com' });
    const creds = account.credentials();
    const userHome = path.join(h.home, 'user');
    const file = path.join(userHome, '.claude', '.credentials.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const original = JSON.stringify({ claudeAiOauth: { accessToken: creds.access, refreshToken: creds.refresh, expiresAt: creds.expires, scopes: ['user:inference'] } });
    fs.writeFileSync(file, original);
    const env = { ...h.env, HOME: userHome };

    const list = await runCli(['auth', 'import', '--list'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/1\s+Claude Code\s+Anthropic\s+/);
    const noChoice = await runCli(['auth', 'import'], env);
    expect(noChoice.code).toBe(2);
    expect(noChoice.stderr).toMatch(/pass --all, or --pick/);
    const badPick = await runCli(['auth', 'import', '--pick', '7'], env);
    expect(badPick.code).toBe(2);

    const res = await runCli(['auth', 'import', '--all'], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('Imported Claude Code login as Anthropic account "cc@example.com".');
    expect(res.stderr).toMatch(/may sign the original tool out/);
    expectNoSecrets([list.stdout, list.stderr, res.stdout, res.stderr], [creds.access, creds.refresh ?? '']);
    expect(fs.readFileSync(file, 'utf8')).toBe(original);
    const core = await h.open();
    expect(core.pool.getAccounts('anthropic').map((a) => a.email)).toEqual(['cc@example.com']);

    const nothing = await runCli(['auth', 'import', '--all'], { ...h.env, HOME: path.join(h.home, 'empty') });
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toContain('No existing logins found');
  });
});

describe('rotary auth usage --refresh (subprocess, simulator)', () => {
  it('polls the usage endpoint and shows the fresh numbers', async () => {
    const account = sim.addAccount('anthropic', { email: 'u@example.com' });
    account.fiveHour.utilization = 0.42;
    const core = await h.open();
    const c = account.credentials();
    await core.pool.add({ providerID: 'anthropic', email: 'u@example.com', secret: { access: c.access, ...(c.refresh ? { refresh: c.refresh } : {}), ...(c.expires ? { expires: c.expires } : {}) } });
    const res = await runCli(['auth', 'usage', '--refresh'], h.env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/████░░░░░░  42%  resets in/);
    expect(res.stdout).toContain('as of just now');
    expect(sim.counters.usageCalls).toBeGreaterThanOrEqual(1);
  });
});
