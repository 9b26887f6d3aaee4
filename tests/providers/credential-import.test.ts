import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addFromCredential,
  findExistingLogins,
  IMPORT_REFRESH_WARNING,
  importLogin,
  parseCredentialJSON,
} from '../../electron/core/providers/credential-import.js';
import { poolState, startHarness, type Harness } from './harness.js';

describe('parseCredentialJSON (rotary auth add, stdin)', () => {
  it('accepts access with optional refresh and expires', () => {
    expect(parseCredentialJSON('{"access":"sk-ant-oat01-x","refresh":"sk-ant-ort01-y","expires":1767225600000}')).toEqual({
      access: 'sk-ant-oat01-x',
      refresh: 'sk-ant-ort01-y',
      expires: 1767225600000,
    });
    expect(parseCredentialJSON('  {"access": "long-lived-token"}\n')).toEqual({ access: 'long-lived-token' });
    expect(parseCredentialJSON('{"access":"a","refresh":null,"expires":null}')).toEqual({ access: 'a' });
    // Epoch seconds are taken for what they are.
    expect(parseCredentialJSON('{"access":"a","expires":1767225600}').expires).toBe(1767225600000);
  });

  it('gives a clear error for each kind of bad input, never echoing the input', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /No credential was given on standard input/],
      ['   \n', /No credential was given/],
      ['{"access": "sk-ant-secret-value", ', /not valid JSON/],
      ['sk-ant-oat01-just-a-token', /not valid JSON/],
      ['["a"]', /must be a JSON object/],
      ['{"refresh":"r"}', /has no "access" token/],
      ['{"access":42}', /"access" must be a non-empty string/],
      ['{"access":"  "}', /"access" must be a non-empty string/],
      ['{"access":"a","refresh":7}', /"refresh" must be a non-empty string/],
      ['{"access":"a","expires":"tomorrow"}', /"expires" must be a number/],
    ];
    for (const [input, message] of cases) {
      let error: unknown;
      try {
        parseCredentialJSON(input);
      } catch (e) {
        error = e;
      }
      expect(error, input).toMatchObject({ code: 'bad-input' });
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('secret-value');
      expect((error as Error).message).not.toContain('just-a-token');
    }
  });
});

describe('adding and importing credentials', () => {
  let h: Harness;
  let userHome: string;
  beforeEach(async () => {
    h = await startHarness('import');
    userHome = fs.mkdtempSync(path.join(os.tmpdir(), 'rotary-userhome-'));
  });
  afterEach(async () => {
    await h.close();
    fs.rmSync(userHome, { recursive: true, force: true });
  });

  it('addFromCredential labels each provider\'s account from its identity', async () => {
    const a = h.sim.addAccount('anthropic', { email: 'ann@example.com' });
    const o = h.sim.addAccount('openai', { email: 'olly@example.com' });
    const g = h.sim.addAccount('github-copilot', { login: 'gh-gina' });
    const ra = await addFromCredential(h.core.pool, 'anthropic', parseCredentialJSON(JSON.stringify(a.credentials())), { env: h.env });
    expect(ra).toMatchObject({ label: 'ann@example.com', email: 'ann@example.com', accountId: a.accountId });
    const ro = await addFromCredential(h.core.pool, 'openai', { access: o.credentials().access, refresh: o.credentials().refresh! }, { env: h.env });
    expect(ro).toMatchObject({ label: 'olly@example.com', accountId: o.accountId });
    expect((await h.core.pool.getSecret('openai', ro.id))?.extras?.accountId).toBe(o.accountId);
    const rg = await addFromCredential(h.core.pool, 'github-copilot', { access: g.credentials().access }, { env: h.env, label: 'work' });
    expect(rg).toMatchObject({ label: 'work', accountId: g.accountId });
  });

  it('addFromCredential still adds the account with a default label when the provider cannot be reached', async () => {
    const record = await addFromCredential(h.core.pool, 'anthropic', { access: 'sk-ant-oat01-unknown-to-the-provider' }, { env: { ...h.env, ROTARY_UPSTREAM: 'http://127.0.0.1:9' } });
    expect(record.label).toBe('Account 1');
    expect(record.accountId).toBeUndefined();
    expect((await h.core.pool.getSecret('anthropic', record.id))?.access).toBe('sk-ant-oat01-unknown-to-the-provider');
  });

  function writeSamples() {
    const a = h.sim.addAccount('anthropic', { email: 'cc@example.com' });
    const o = h.sim.addAccount('openai', { email: 'codex@example.com' });
    const a2 = h.sim.addAccount('anthropic', { email: 'oc-claude@example.com' });
    const o2 = h.sim.addAccount('openai', { email: 'oc-gpt@example.com' });
    const g = h.sim.addAccount('github-copilot', { login: 'oc-octo' });
    const files = {
      claude: path.join(userHome, '.claude', '.credentials.json'),
      codex: path.join(userHome, '.codex', 'auth.json'),
      opencode: path.join(userHome, '.local', 'share', 'opencode', 'auth.json'),
    };
    const ac = a.credentials();
    const oc = o.credentials();
    const write = (file: string, data: unknown) => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(data, null, 2), { mode: 0o600 });
    };
    write(files.claude, {
      claudeAiOauth: { accessToken: ac.access, refreshToken: ac.refresh, expiresAt: ac.expires, scopes: ['user:inference', 'user:profile'], subscriptionType: 'max' },
    });
    write(files.codex, {
      auth_mode: 'chatgpt',
      OPENAI_API_KEY: null,
      tokens: { id_token: oc.idToken, access_token: oc.access, refresh_token: oc.refresh, account_id: o.accountId },
      last_refresh: new Date().toISOString(),
    });
    write(files.opencode, {
      anthropic: { type: 'oauth', refresh: a2.credentials().refresh, access: a2.credentials().access, expires: a2.credentials().expires },
      openai: { type: 'oauth', refresh: o2.credentials().refresh, access: o2.credentials().access, expires: o2.credentials().expires, accountId: o2.accountId },
      'github-copilot': { type: 'oauth', refresh: g.credentials().access, access: g.credentials().access, expires: 0 },
      somethingElse: { type: 'api', key: 'sk-whatever' },
    });
    const tokens = [ac.access, ac.refresh!, oc.access, oc.refresh!, oc.idToken!, a2.credentials().access, o2.credentials().access, g.credentials().access];
    return { files, tokens, accounts: { a, o, a2, o2, g } };
  }

  const fileState = (file: string) => ({ bytes: fs.readFileSync(file).toString('base64'), mtime: fs.statSync(file).mtimeMs });

  it('finds Claude Code, Codex and opencode logins without exposing tokens, imports them, and never modifies the files', async () => {
    const { files, tokens, accounts } = writeSamples();
    const before = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, fileState(f)]));

    const found = findExistingLogins({ homeDir: userHome, env: {} });
    expect(found.map((f) => [f.source, f.providerID])).toEqual([
      ['claude-code', 'anthropic'],
      ['codex', 'openai'],
      ['opencode', 'anthropic'],
      ['opencode', 'openai'],
      ['opencode', 'github-copilot'],
    ]);
    const shown = JSON.stringify(found);
    for (const token of tokens) expect(shown).not.toContain(token);
    expect(found[1]!.hint).toBe('codex@example.com');
    expect(found[0]!.hint).toMatch(/^token ….{4}$/);
    expect(found[0]!.path).toBe(files.claude);
    expect(found[0]!.refreshable).toBe(true);

    const records = [];
    for (const f of found) records.push(await importLogin(h.core.pool, f, { env: h.env }));
    expect(records.map((r) => r.label)).toEqual(['cc@example.com', 'codex@example.com', 'oc-claude@example.com', 'oc-gpt@example.com', 'oc-octo']);
    expect(records[1]!.accountId).toBe(accounts.o.accountId);
    expect((await h.core.pool.getSecret('openai', records[1]!.id))?.extras).toEqual({ accountId: accounts.o.accountId });
    expect((await h.core.pool.getSecret('github-copilot', records[4]!.id))?.access).toBe(accounts.g.credentials().access);

    const after = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, fileState(f)]));
    expect(after).toEqual(before);
    expect(IMPORT_REFRESH_WARNING).toBe('Refreshing an imported token may sign the original tool out (the refresh token rotates).');
  });

  it('looks in CODEX_HOME and XDG_DATA_HOME too, and skips unreadable or foreign files', () => {
    const codexHome = path.join(userHome, 'custom-codex');
    const xdg = path.join(userHome, 'xdg');
    fs.mkdirSync(codexHome, { recursive: true });
    fs.mkdirSync(path.join(xdg, 'opencode'), { recursive: true });
    fs.writeFileSync(path.join(codexHome, 'auth.json'), JSON.stringify({ tokens: { access_token: 'eyJ.x.y', refresh_token: 'rt_1' } }));
    fs.writeFileSync(path.join(xdg, 'opencode', 'auth.json'), '{ this is not json');
    fs.mkdirSync(path.join(userHome, '.claude'), { recursive: true });
    fs.writeFileSync(path.join(userHome, '.claude', '.credentials.json'), JSON.stringify({ somethingElse: true }));
    const found = findExistingLogins({ homeDir: userHome, env: { CODEX_HOME: codexHome, XDG_DATA_HOME: xdg } });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ source: 'codex', providerID: 'openai', path: path.join(codexHome, 'auth.json') });
  });

  it('refuses a GitHub token that cannot be exchanged for Copilot (opencode\'s own app) and adds nothing', async () => {
    const g = h.sim.addAccount('github-copilot', { clientId: 'Ov23li8tweQw6odWQebz' });
    const file = path.join(userHome, '.local', 'share', 'opencode', 'auth.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ 'github-copilot': { type: 'oauth', refresh: g.credentials().access, access: g.credentials().access, expires: 0 } }));
    const before = await poolState(h);
    const [found] = findExistingLogins({ homeDir: userHome, env: {} });
    const error = await importLogin(h.core.pool, found!, { env: h.env }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'auth-failed' });
    expect((error as Error).message).toMatch(/cannot use Copilot/);
    expect(await poolState(h)).toEqual(before);
  });

  it('importLogin reports a file that disappeared since it was found', async () => {
    const { files } = writeSamples();
    const found = findExistingLogins({ homeDir: userHome, env: {} });
    fs.rmSync(files.claude);
    await expect(importLogin(h.core.pool, found[0]!, { env: h.env })).rejects.toMatchObject({ code: 'not-found' });
  });
});
