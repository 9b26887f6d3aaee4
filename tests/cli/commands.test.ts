/**
 * Every command's argument forms through the real binary entry (subprocess, explicit env,
 * stdin ignored unless the test pipes something): exit codes, help, the no-terminal rule,
 * --json shapes and that no token ever reaches any output.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../electron/cli/main.js';
import { expectNoSecrets, makeCliHome, runCli, runInProcess, type CliHome } from './cli-helpers.js';

let h: CliHome;
beforeEach(() => {
  h = makeCliHome();
});
afterEach(async () => {
  await h.cleanup();
});

const A1 = { access: 'sk-ant-oat01-firstFIRSTfirst0001', refresh: 'sk-ant-ort01-firstREFRESH0001', expires: Date.now() + 3_600_000 };
const A2 = { access: 'sk-ant-oat01-secondSECONDsecond02', refresh: 'sk-ant-ort01-secondREFRESH002', expires: Date.now() + 3_600_000 };
const SECRETS = [A1.access, A1.refresh, A2.access, A2.refresh];

/** Two Anthropic accounts ("work" active, "play") and one Copilot account, added in this process. */
async function seed() {
  const core = await h.open();
  const work = await core.pool.add({ providerID: 'anthropic', label: 'work', email: 'work@example.com', secret: A1 });
  const play = await core.pool.add({ providerID: 'anthropic', label: 'play', secret: A2 });
  const gh = await core.pool.add({ providerID: 'github-copilot', label: 'octocat', secret: { access: 'gho_abcdefabcdefabcdef' } });
  core.pool.setUsage('anthropic', work.id, {
    windows: [
      { key: 'five_hour', label: '5-hour', percentUsed: 52, resetsAt: Date.now() + (2 * 60 + 14) * 60_000 + 30_000 },
      { key: 'seven_day', label: '7-day (all)', percentUsed: 18, resetsAt: Date.now() + 3 * 86_400_000 },
    ],
    asOf: Date.now() - 5 * 60_000,
    source: 'endpoint',
  });
  await core.pool.recordOutcome({ providerID: 'anthropic', recordID: play.id, ok: false, status: 429, cooldownUntil: Date.now() + 23 * 60_000, cooldownReason: '5-hour limit' });
  await core.pool.flush();
  return { core, work, play, gh };
}

describe('rotary (subprocess)', () => {
  it('--version, --help and help for every command exit 0', async () => {
    const version = await runCli(['--version'], h.env);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const top = await runCli(['--help'], h.env);
    expect(top.code).toBe(0);
    for (const c of COMMANDS) expect(top.stdout).toContain(c.name);
    for (const c of COMMANDS) {
      const res = await runInProcess([...c.name.split(' '), '--help'], h.env);
      expect(res.code, c.name).toBe(0);
      expect(res.stdout, c.name).toContain(`Usage: rotary ${c.name}`);
      const short = await runInProcess([...c.name.split(' '), '-h'], h.env);
      expect(short.stdout).toBe(res.stdout);
    }
    const sub = await runCli(['auth', 'switch', '--help'], h.env);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('Usage: rotary auth switch');
    expect((await runCli(['auth'], h.env)).stdout).toContain('logout');
  });

  it('unknown commands and options exit 2 with one line and a hint', async () => {
    for (const args of [['frobnicate'], ['auth', 'lst'], ['auth', 'list', '--frob'], ['--frob'], ['auth', 'usage', 'nosuchprovider'], ['gateway', '--port', 'abc'], ['auth', 'list', 'extra']]) {
      const res = await runInProcess(args, h.env);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stdout).toBe('');
      const lines = res.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(/^rotary: /);
      expect(lines[0]).toMatch(/--help|use one of|did you mean|must be/);
    }
    const real = await runCli(['auth', 'lst'], h.env);
    expect(real.code).toBe(2);
    expect(real.stderr).toBe('rotary: unknown command `rotary auth lst`; see `rotary auth --help`\n');
    const guess = await runCli(['list'], h.env);
    expect(guess.stderr).toContain('did you mean `rotary auth list`');
  });

  it('auth list: providers alphabetical with counts and the active account', async () => {
    const empty = await runCli(['auth', 'list'], h.env);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('No accounts yet');
    await seed();
    const res = await runCli(['auth', 'list'], h.env);
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Anthropic\s+2 accounts\s+active: work$/);
    expect(lines[1]).toMatch(/^GitHub Copilot\s+1 account\s+active: octocat$/);
    const json = JSON.parse((await runCli(['auth', 'list', '--json'], h.env)).stdout);
    expect(json.providers.map((p: { providerID: string }) => p.providerID)).toEqual(['anthropic', 'github-copilot']);
    expect(json.providers[0]).toMatchObject({ accounts: 2, active: { label: 'work', email: 'work@example.com' } });
  });

  it('auth usage: bars, reset countdown, age, active and cooling-down marks; --json without secrets', async () => {
    const { work, play } = await seed();
    const res = await runCli(['auth', 'usage'], h.env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Anthropic  (2 accounts)');
    expect(res.stdout).toMatch(/● work <work@example.com>\s+\(active\)/);
    expect(res.stdout).toMatch(/5-hour\s+█████░░░░░  52%  resets in 2 h 1[45] min/);
    expect(res.stdout).toMatch(/7-day \(all\)\s+██░░░░░░░░  18%  resets in (2 d 23 h|3 d)/);
    expect(res.stdout).toMatch(/as of [56] min ago/);
    expect(res.stdout).toMatch(/○ play\s+\(cooling down until \d\d:\d\d \(in 2[23] min\)\)/);
    expect(res.stdout).toContain('GitHub Copilot  (1 account)');

    const only = await runCli(['auth', 'usage', 'copilot'], h.env);
    expect(only.stdout).not.toContain('Anthropic');

    const json = await runCli(['auth', 'usage', '--json'], h.env);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    const anthropic = doc.providers.find((p: { providerID: string }) => p.providerID === 'anthropic');
    expect(anthropic.accounts.map((a: { id: string }) => a.id)).toEqual([work.id, play.id]);
    expect(anthropic.accounts[0]).toMatchObject({ label: 'work', email: 'work@example.com', isActive: true, status: { kind: 'ok' } });
    expect(anthropic.accounts[0].usage.windows[0]).toMatchObject({ key: 'five_hour', percentUsed: 52 });
    expect(anthropic.accounts[1]).toMatchObject({ isActive: false, status: { kind: 'cooling', reason: '5-hour limit' } });
    const keys = new Set<string>();
    JSON.stringify(doc, (k, v) => (keys.add(k), v));
    for (const forbidden of ['access', 'refresh', 'expires', 'secret', 'token']) expect(keys.has(forbidden)).toBe(false);
    expectNoSecrets([res.stdout, res.stderr, json.stdout, json.stderr], SECRETS);
  });

  it('auth switch <provider> <account> by label, e-mail or id; unknown account exits 1', async () => {
    const { core, work, play } = await seed();
    const byLabel = await runCli(['auth', 'switch', 'anthropic', 'play'], h.env);
    expect(byLabel.code, byLabel.stderr).toBe(0);
    expect(byLabel.stdout).toContain('Active Anthropic account: play');
    await core.pool.reload();
    expect(core.pool.snapshot('anthropic').activeID).toBe(play.id);

    const byEmail = await runCli(['auth', 'switch', 'claude', 'WORK@example.com'], h.env);
    expect(byEmail.code).toBe(0);
    expect(byEmail.stdout).toMatch(/5-hour\s+█████░░░░░/); // prints the new account's usage
    await core.pool.reload();
    expect(core.pool.snapshot('anthropic').activeID).toBe(work.id);

    const byID = await runInProcess(['auth', 'switch', 'anthropic', play.id], h.env);
    expect(byID.code).toBe(0);
    await core.pool.reload();
    expect(core.pool.snapshot('anthropic').activeID).toBe(play.id);

    const missing = await runCli(['auth', 'switch', 'anthropic', 'nobody'], h.env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^rotary: No Anthropic account matches "nobody"\. Accounts: "work", "play"\.$/m);
    const noAccounts = await runCli(['auth', 'switch', 'openai', 'x'], h.env);
    expect(noAccounts.code).toBe(1);
    expect(noAccounts.stderr).toContain('has no accounts');
  });

  it('auth reset clears a cooldown (one account or --all); bad forms are usage errors', async () => {
    const { core, play } = await seed();
    expect(core.pool.getAccounts('anthropic').find((a) => a.id === play.id)!.status.kind).toBe('cooling');
    const res = await runCli(['auth', 'reset', 'anthropic', 'play'], h.env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('Cleared the cooldown of play (Anthropic).');
    await core.pool.reload();
    expect(core.pool.getAccounts('anthropic').find((a) => a.id === play.id)!.status).toEqual({ kind: 'ok' });

    core.pool.recordOutcome({ providerID: 'anthropic', recordID: play.id, ok: false, status: 429, cooldownUntil: Date.now() + 60_000, scope: 'sonnet' });
    await core.pool.flush();
    expect((await runInProcess(['auth', 'reset', 'anthropic', '--all'], h.env)).code).toBe(0);
    await core.pool.reload();
    expect(core.pool.getRecord('anthropic', play.id)!.health.scopedCooldowns).toBeUndefined();

    for (const args of [['auth', 'reset'], ['auth', 'reset', 'anthropic'], ['auth', 'reset', 'anthropic', 'play', '--all']]) {
      const bad = await runInProcess(args, h.env);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(/^rotary: .*auth reset/);
    }
    expect((await runInProcess(['auth', 'reset', 'anthropic', 'nobody'], h.env)).code).toBe(1);
  });

  it('auth disable takes an account out of rotation (active moves on); auth enable puts it back', async () => {
    const { core, work, play } = await seed();
    await core.pool.setActive('anthropic', 'default', work.id);
    const off = await runCli(['auth', 'disable', 'anthropic', 'work'], h.env);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toContain('work <work@example.com> (Anthropic) is disabled');
    await core.pool.reload();
    const accounts = core.pool.getAccounts('anthropic');
    expect(accounts.find((a) => a.id === work.id)!.status).toEqual({ kind: 'disabled' });
    expect(accounts.find((a) => a.isActive)!.id).toBe(play.id);
    const on = await runInProcess(['auth', 'enable', 'anthropic', 'work@example.com'], h.env);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toContain('is back in rotation');
    await core.pool.reload();
    expect(core.pool.getAccounts('anthropic').find((a) => a.id === work.id)!.status).toEqual({ kind: 'ok' });
    for (const args of [['auth', 'disable'], ['auth', 'disable', 'anthropic'], ['auth', 'enable', 'anthropic', 'work', 'extra']]) {
      expect((await runInProcess(args, h.env)).code, args.join(' ')).toBe(2);
    }
    expect((await runInProcess(['auth', 'disable', 'anthropic', 'nobody'], h.env)).code).toBe(1);
  });

  it('without a terminal no prompt waits: each command says which argument to pass (exit 2)', async () => {
    await seed();
    const cases: Array<[string[], RegExp]> = [
      [['auth', 'switch'], /rotary auth switch <provider> <account>/],
      [['auth', 'switch', 'anthropic'], /rotary auth switch anthropic <account>/],
      [['auth', 'logout'], /rotary auth logout <provider> <account\|--all> --yes/],
      [['auth', 'logout', 'anthropic'], /<account> --yes/],
      [['auth', 'logout', 'anthropic', 'play'], /pass --yes/],
      [['auth', 'logout', 'anthropic', '--all'], /pass --yes/],
      [['auth', 'login'], /rotary auth login <anthropic\|github-copilot\|openai>/],
      [['auth', 'add', 'anthropic'], /pipe the credential JSON on stdin/],
    ];
    // The helper's default limit (60 s) before a run counts as waiting for input: eight CLIs start
    // at once here, and on a loaded 2-core machine one took longer than 20 s to answer.
    const results = await Promise.all(cases.map(([args]) => runCli(args, h.env)));
    results.forEach((res, i) => {
      const [args, hint] = cases[i]!;
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(2);
      expect(res.stderr.trim().split('\n').filter((l) => l.startsWith('rotary:'))).toHaveLength(1);
      expect(res.stderr, args.join(' ')).toMatch(hint);
    });
    const core = await h.open();
    expect(core.pool.getAccounts('anthropic')).toHaveLength(2); // nothing removed
  }, 90_000);

  it('auth logout <provider> <account> --yes and --all --yes print how many remain', async () => {
    const { core, play } = await seed();
    const one = await runCli(['auth', 'logout', 'anthropic', 'play', '--yes'], h.env);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toBe('Account removed. 1 account remaining.\n');
    await core.pool.reload();
    expect(core.pool.getRecord('anthropic', play.id)).toBeUndefined();
    expect(await core.pool.getSecret('anthropic', play.id)).toBeUndefined();

    const missing = await runCli(['auth', 'logout', 'anthropic', 'play', '-y'], h.env);
    expect(missing.code).toBe(1);

    const both = await runCli(['auth', 'logout', 'anthropic', 'work', '--all', '--yes'], h.env);
    expect(both.code).toBe(2);

    await core.pool.add({ providerID: 'anthropic', label: 'third', secret: { access: 'sk-ant-oat01-thirdTHIRDthird003' } });
    const all = await runCli(['auth', 'logout', 'anthropic', '--all', '--yes'], h.env);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toBe('2 accounts removed. 0 accounts remaining.\n');
    await core.pool.reload();
    expect(core.pool.providers().map((p) => p.providerID)).toEqual(['github-copilot']);
    const secrets = await core.vault.list();
    expect(secrets.filter((k) => k.startsWith('account:anthropic:'))).toEqual([]);
  });

  it('auth add reads the credential from stdin only; bad input adds nothing and echoes no token', async () => {
    const core = await h.open();
    const ok = await runCli(['auth', 'add', 'anthropic', '--label', 'ci'], h.env, { input: JSON.stringify(A1) });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe('Added Anthropic account "ci" (1 account).\n');
    await core.pool.reload();
    const [record] = core.pool.getAccounts('anthropic');
    expect(record).toMatchObject({ label: 'ci' });
    expect(await core.pool.getSecret('anthropic', record!.id)).toMatchObject({ access: A1.access, refresh: A1.refresh, expires: A1.expires });

    const longLived = await runCli(['auth', 'add', 'anthropic'], h.env, { input: `{"access": "${A2.access}"}\n` });
    expect(longLived.code, longLived.stderr).toBe(0);
    expect(longLived.stdout).toContain('"Account 2" (2 accounts)');

    const bad: Array<[string, RegExp]> = [
      [`{"access": "${A2.access}", `, /not valid JSON/],
      [`{"refresh": "${A2.refresh}"}`, /no "access" token/],
      [`["${A2.access}"]`, /JSON object/],
      [`{"access": "${A2.access}", "expires": "tomorrow"}`, /"expires" must be a number/],
      [`not json at all ${A2.access}`, /not valid JSON/],
    ];
    for (const [input, message] of bad) {
      const res = await runCli(['auth', 'add', 'anthropic'], h.env, { input });
      expect(res.code, input).toBe(1);
      expect(res.stderr).toMatch(message);
      expectNoSecrets([res.stdout, res.stderr], SECRETS);
    }
    const empty = await runCli(['auth', 'add', 'anthropic'], h.env, { input: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('pipe the credential JSON on stdin');

    for (const args of [
      ['auth', 'add', 'anthropic', '--token', A2.access],
      ['auth', 'add', 'anthropic', `--access=${A2.access}`],
      ['auth', 'add', 'anthropic', A2.access],
    ]) {
      const res = await runCli(args, h.env, { input: JSON.stringify(A2) });
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('not accepted as arguments');
      expect(res.stderr).toContain('pipe the credential JSON on stdin');
      expectNoSecrets([res.stdout, res.stderr], SECRETS);
    }
    await core.pool.reload();
    expect(core.pool.getAccounts('anthropic').map((a) => a.label)).toEqual(['ci', 'Account 2']);
    // About twenty CLI subprocesses in a row: give a busy machine room (it takes ~12 s on a quiet one).
  }, 90_000);

  it('a corrupt store file is moved aside, restored from its last good copy, and the user told on stderr', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    await seed();
    fs.writeFileSync(path.join(h.home, 'rotary.json'), '{ this is not json');
    const res = await runCli(['auth', 'list'], h.env);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/rotary: The account list .* was damaged .*restored it from the last good copy/);
    expect(res.stdout).toMatch(/Anthropic\s+2 accounts\s+active: work/);
    expect(fs.readdirSync(h.home).some((f) => f.startsWith('rotary.json.corrupt-'))).toBe(true);
  });
});
