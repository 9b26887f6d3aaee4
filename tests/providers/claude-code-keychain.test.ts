/**
 * Claude Code's login on macOS lives in the login Keychain (PROTOCOLS §1.3, §4.6). macOS
 * cannot run here, so two things stand in for it, and only these: `process.platform` is
 * passed as the import's `platform` option, and `security` is a stand-in script put first on
 * the PATH of the env given to the import. The stand-in answers `security find-generic-password
 * -a <account> -w -s <service>` like the real one (the password on stdout, exit 44 when there
 * is no such item) from files under a temporary folder, and logs every call.
 * Everything else is real: the import code, the pool with its keychain vault, the token
 * manager's refresh against the simulator's token endpoint.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findExistingLogins, importLogin } from '../../electron/core/providers/credential-import.js';
import { createTokenManager } from '../../electron/core/providers/token-manager.js';
import { ANTHROPIC_CLIENT_ID } from '../sim/server.js';
import { startHarness, type Harness } from './harness.js';

const STAND_IN = `#!/bin/sh
# Stand-in for macOS /usr/bin/security (test double): generic passwords from $FAKE_KEYCHAIN/<account>/<service>.
printf '%s\\n' "$*" >> "$FAKE_KEYCHAIN/calls.log"
[ "$1" = find-generic-password ] || { echo "security: unknown command $1" >&2; exit 2; }
shift
account=; service=; print=
while [ $# -gt 0 ]; do
  case "$1" in
    -a) account=$2; shift 2 ;;
    -s) service=$2; shift 2 ;;
    -w) print=1; shift ;;
    *) shift ;;
  esac
done
item="$FAKE_KEYCHAIN/$account/$service"
if [ -f "$item" ]; then
  [ -n "$print" ] && cat "$item" && echo
  exit 0
fi
echo "security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain." >&2
exit 44
`;

let h: Harness;
let dir: string;
let home: string;
let keychain: string;
let binDir: string;

beforeEach(async () => {
  h = await startHarness('keychain');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rotary-keychain-'));
  home = path.join(dir, 'home');
  keychain = path.join(dir, 'keychain');
  binDir = path.join(dir, 'bin');
  for (const d of [home, keychain, binDir]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(binDir, 'security'), STAND_IN, { mode: 0o755 });
});
afterEach(async () => {
  await h.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The env the import runs with: the stand-in first on PATH, a user name for `-a`. */
const envWith = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ PATH: `${binDir}:${process.env.PATH ?? ''}`, USER: 'tester', FAKE_KEYCHAIN: keychain, ...extra });

function storeItem(service: string, text: string, account = 'tester'): void {
  fs.mkdirSync(path.join(keychain, account), { recursive: true });
  fs.writeFileSync(path.join(keychain, account, service), text);
}

const calls = (): string[] => (fs.existsSync(path.join(keychain, 'calls.log')) ? fs.readFileSync(path.join(keychain, 'calls.log'), 'utf8').trim().split('\n') : []);

function claudeJson(access: string, refresh: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ claudeAiOauth: { accessToken: access, refreshToken: refresh, expiresAt: Date.now() + 3600_000, scopes: ['user:inference', 'user:profile'], subscriptionType: 'max', ...extra } });
}

describe('Claude Code import on macOS (security stand-in on PATH, platform option)', () => {
  it('reads the login Keychain first, exactly as `security find-generic-password -a "$USER" -w -s "Claude Code-credentials"`; the file is only the fallback', () => {
    const acc = h.sim.addAccount('anthropic', { email: 'mac@example.com' });
    const c = acc.credentials();
    storeItem('Claude Code-credentials', claudeJson(c.access, c.refresh!));
    // The same login also sits in the file: it is listed once, from the Keychain.
    fs.mkdirSync(path.join(home, '.claude'));
    fs.writeFileSync(path.join(home, '.claude', '.credentials.json'), claudeJson(c.access, c.refresh!));

    const found = findExistingLogins({ homeDir: home, env: envWith(), platform: 'darwin' });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      source: 'claude-code',
      providerID: 'anthropic',
      path: 'macOS login Keychain: "Claude Code-credentials"',
      keychain: { service: 'Claude Code-credentials', account: 'tester' },
      refreshable: true,
    });
    expect(JSON.stringify(found)).not.toContain(c.access);
    expect(calls()).toEqual(['find-generic-password -a tester -w -s Claude Code-credentials']);
  });

  it('falls back to the file when the Keychain has no item, and never calls security off macOS', () => {
    const acc = h.sim.addAccount('anthropic');
    const c = acc.credentials();
    const file = path.join(home, '.claude', '.credentials.json');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, claudeJson(c.access, c.refresh!));
    expect(findExistingLogins({ homeDir: home, env: envWith(), platform: 'darwin' }).map((f) => f.path)).toEqual([file]);
    expect(calls()).toHaveLength(1);
    fs.rmSync(path.join(keychain, 'calls.log'));
    expect(findExistingLogins({ homeDir: home, env: envWith(), platform: 'linux' }).map((f) => f.path)).toEqual([file]);
    expect(calls()).toEqual([]);
  });

  it('CLAUDE_CONFIG_DIR adds -<8 hex of sha256(dir)>; CLAUDE_SECURESTORAGE_CONFIG_DIR overrides it (set but empty: no suffix)', () => {
    const acc = h.sim.addAccount('anthropic');
    const c = acc.credentials();
    // Vector shared with other tools that read Claude Code's item: sha256("/Users/test/.claude-work")[:8] = 03abf0ee.
    storeItem('Claude Code-credentials-03abf0ee', claudeJson(c.access, c.refresh!));
    const withDir = findExistingLogins({ homeDir: home, env: envWith({ CLAUDE_CONFIG_DIR: '/Users/test/.claude-work' }), platform: 'darwin' });
    expect(withDir.map((f) => f.keychain?.service)).toEqual(['Claude Code-credentials-03abf0ee']);
    expect(calls()[0]).toBe('find-generic-password -a tester -w -s Claude Code-credentials-03abf0ee');

    fs.rmSync(path.join(keychain, 'calls.log'));
    expect(findExistingLogins({ homeDir: home, env: envWith({ CLAUDE_CONFIG_DIR: '/Users/test/.claude-work', CLAUDE_SECURESTORAGE_CONFIG_DIR: '' }), platform: 'darwin' })).toEqual([]);
    expect(calls()).toEqual(['find-generic-password -a tester -w -s Claude Code-credentials']);

    fs.rmSync(path.join(keychain, 'calls.log'));
    const secure = findExistingLogins({ homeDir: home, env: envWith({ CLAUDE_CONFIG_DIR: '/elsewhere', CLAUDE_SECURESTORAGE_CONFIG_DIR: '/Users/test/.claude-work' }), platform: 'darwin' });
    expect(secure.map((f) => f.keychain?.service)).toEqual(['Claude Code-credentials-03abf0ee']);
  });

  it('a password `security` prints as hex is read back as text', () => {
    const acc = h.sim.addAccount('anthropic');
    const c = acc.credentials();
    storeItem('Claude Code-credentials', Buffer.from(claudeJson(c.access, c.refresh!)).toString('hex'));
    expect(findExistingLogins({ homeDir: home, env: envWith(), platform: 'darwin' })).toHaveLength(1);
  });
});

describe('an imported login keeps its own clientId and scopes, and refreshes with them', () => {
  it('refresh sends the login\'s clientId and the stored scopes (the simulator records what it received)', async () => {
    // The simulator's refresh token only works with the client it was issued to, like Anthropic's.
    const acc = h.sim.addAccount('anthropic', { email: 'own-client@example.com', clientId: 'cc-own-client-5b1e' });
    const c = acc.credentials();
    // From the file (Claude Code's store on Linux), so this holds apart from the Keychain path.
    const file = path.join(home, '.claude', '.credentials.json');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, claudeJson(c.access, c.refresh!, { clientId: 'cc-own-client-5b1e', scopes: ['user:inference', 'user:profile', 'user:sessions:claude_code'] }));
    const [found] = findExistingLogins({ homeDir: home, env: {}, platform: 'linux' });
    const record = await importLogin(h.core.pool, found!, { env: h.env });
    expect(record.label).toBe('own-client@example.com');
    const stored = await h.core.pool.getSecret('anthropic', record.id);
    expect(stored?.extras).toEqual({ clientId: 'cc-own-client-5b1e', scopes: ['user:inference', 'user:profile', 'user:sessions:claude_code'] });

    const tokens = createTokenManager({ pool: h.core.pool, env: h.env });
    h.sim.clearRequests();
    const fresh = await tokens.refreshAfter401('anthropic', record.id, await tokens.credential('anthropic', record.id));
    expect(h.sim.refreshRequests).toEqual([
      expect.objectContaining({ provider: 'anthropic', accountId: acc.id, clientId: 'cc-own-client-5b1e', scope: 'user:inference user:profile user:sessions:claude_code', bodyFormat: 'json', status: 200 }),
    ]);
    expect(fresh.headers.authorization).toBe(`Bearer ${acc.credentials().access}`);
    expect((await h.core.pool.getSecret('anthropic', record.id))?.extras?.clientId).toBe('cc-own-client-5b1e');
  });

  it('a login without its own clientId refreshes with Claude Code\'s default and the default scopes', async () => {
    const acc = h.sim.addAccount('anthropic');
    const c = acc.credentials();
    const record = await h.core.pool.add({ providerID: 'anthropic', accountId: c.accountId, secret: { access: c.access, refresh: c.refresh!, expires: c.expires! } });
    const tokens = createTokenManager({ pool: h.core.pool, env: h.env });
    h.sim.clearRequests();
    await tokens.refreshAfter401('anthropic', record.id, await tokens.credential('anthropic', record.id));
    expect(h.sim.refreshRequests[0]).toMatchObject({ clientId: ANTHROPIC_CLIENT_ID, status: 200 });
    expect(h.sim.refreshRequests[0]!.scope).toContain('user:inference');
  });
});
