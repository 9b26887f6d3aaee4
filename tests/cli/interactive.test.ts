/**
 * The interactive commands in a real terminal (tmux): pick with the arrow keys, confirm,
 * read what the screen says, and check the store afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../sim/server.js';
import { makeCliHome, type CliHome } from './cli-helpers.js';
import { hasTmux, startInTmux, type TmuxCli } from './tmux.js';

let h: CliHome;
let term: TmuxCli | undefined;
beforeEach(() => {
  h = makeCliHome();
});
afterEach(async () => {
  term?.close();
  term = undefined;
  await h.cleanup();
});

async function seed() {
  const core = await h.open();
  const work = await core.pool.add({ providerID: 'anthropic', label: 'work', secret: { access: 'sk-ant-oat01-workWORKwork00001' } });
  const play = await core.pool.add({ providerID: 'anthropic', label: 'play', secret: { access: 'sk-ant-oat01-playPLAYplay00002' } });
  const gh = await core.pool.add({ providerID: 'github-copilot', label: 'octocat', secret: { access: 'gho_abcdefabcdefabcdef' } });
  return { core, work, play, gh };
}

describe.runIf(hasTmux)('interactive CLI in a terminal (tmux)', () => {
  it('auth switch: select provider, then account; the new active account is stored and shown', async () => {
    const { core, play } = await seed();
    term = startInTmux(['auth', 'switch'], h.env, h.home);
    const first = await term.waitFor(/Select provider/);
    expect(first).toMatch(/Anthropic[\s\S]*GitHub Copilot/); // alphabetical
    term.keys('Enter');
    const accounts = await term.waitFor(/Switch to which account\?/);
    expect(accounts).toMatch(/work[\s\S]*play/);
    term.keys('Down');
    term.keys('Enter');
    const done = await term.waitFor(/Active Anthropic account: play/);
    expect(done).toContain('play');
    expect(await term.exitCode()).toBe(0);
    await core.pool.reload();
    expect(core.pool.snapshot('anthropic').activeID).toBe(play.id);
  });

  it('auth logout: provider, one account, confirm → "Account removed. 1 account remaining."', async () => {
    const { core, work, play } = await seed();
    term = startInTmux(['auth', 'logout'], h.env, h.home);
    await term.waitFor(/Remove credential[\s\S]*Select provider/);
    term.keys('Enter');
    const menu = await term.waitFor(/Remove which account\?/);
    expect(menu).toMatch(/Remove all accounts \(2 accounts\)[\s\S]*work[\s\S]*play/);
    term.keys('Down');
    term.keys('Down');
    term.keys('Enter');
    await term.waitFor(/Remove "play"\?/);
    term.keys('y');
    const done = await term.waitFor(/Done/);
    expect(done).toContain('Account removed. 1 account remaining.');
    expect(await term.exitCode()).toBe(0);
    await core.pool.reload();
    expect(core.pool.getAccounts('anthropic').map((a) => a.id)).toEqual([work.id]);
    expect(await core.pool.getSecret('anthropic', play.id)).toBeUndefined();
  });

  it('auth logout: "Remove all accounts (N)" removes every account of the provider only', async () => {
    const { core, gh } = await seed();
    term = startInTmux(['auth', 'logout'], h.env, h.home);
    await term.waitFor(/Select provider/);
    term.keys('Enter');
    await term.waitFor(/Remove all accounts \(2 accounts\)/);
    term.keys('Enter');
    await term.waitFor(/Remove all 2 accounts of Anthropic\?/);
    term.keys('y');
    const done = await term.waitFor(/Done/);
    expect(done).toContain('2 accounts removed. 0 accounts remaining.');
    expect(await term.exitCode()).toBe(0);
    await core.pool.reload();
    expect(core.pool.getAccounts('anthropic')).toEqual([]);
    expect(core.pool.getAccounts('github-copilot').map((a) => a.id)).toEqual([gh.id]);
  });

  it('auth logout: answering "no" or pressing Ctrl+C removes nothing (exit 1)', async () => {
    const { core } = await seed();
    term = startInTmux(['auth', 'logout', 'anthropic'], h.env, h.home);
    await term.waitFor(/Remove which account\?/);
    term.keys('Down');
    term.keys('Enter');
    await term.waitFor(/Remove "work"\?/);
    term.keys('n');
    const screen = await term.waitFor(/Cancelled; nothing was changed/);
    expect(screen).not.toContain('Account removed');
    expect(await term.exitCode()).toBe(1);
    term.close();

    term = startInTmux(['auth', 'switch'], h.env, h.home);
    await term.waitFor(/Select provider/);
    term.keys('C-c');
    await term.waitFor(/Cancelled; nothing was changed/);
    expect(await term.exitCode()).toBe(1);
    await core.pool.reload();
    expect(core.pool.getAccounts('anthropic')).toHaveLength(2);
  });

  it('auth login anthropic: the URL is shown, a garbage paste is refused and retried, the real code adds the account', async () => {
    const sim = await startSimulator();
    try {
      const account = sim.addAccount('anthropic', { email: 'tty@example.com' });
      term = startInTmux(['auth', 'login', 'anthropic', '--no-browser'], { ...h.env, ROTARY_UPSTREAM: sim.url }, h.home);
      const screen = await term.waitFor(/Paste the code/);
      const url = /http:\/\/127\.0\.0\.1:\d+\/claude\.ai\/oauth\/authorize\?\S+/.exec(screen)?.[0];
      expect(url, screen).toBeDefined();
      term.type('garbage that is not a code');
      term.keys('Enter');
      await term.waitFor(/does not look like a login code/);
      await term.waitFor(/Paste the code[\s\S]*Paste the code/);
      const { code, state } = sim.anthropicAuthorize(new URL(url!).searchParams, account.id);
      term.type(`${code}#${state}`);
      term.keys('Enter');
      await term.waitFor(/Added Anthropic account "tty@example.com"/);
      expect(await term.exitCode()).toBe(0);
      const core = await h.open();
      expect(core.pool.getAccounts('anthropic').map((a) => a.email)).toEqual(['tty@example.com']);
      expect(term.screen()).not.toContain(account.credentials().access);
    } finally {
      await sim.close();
    }
  });
});
