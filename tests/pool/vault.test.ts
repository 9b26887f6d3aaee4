/**
 * The vault against a real Secret Service (gnome-keyring on the private D-Bus session that
 * scripts/with-keyring.sh starts), the file backend, and the error a user sees when no
 * Secret Service runs.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseSecretBackend, createVault, keychainService } from '../../electron/core/pool/vault.js';
import { writeVaultSettings } from '../../electron/core/pool/vault-settings.js';
import { translateKeychainError } from '../../electron/core/pool/vault-keytar.js';
import { testKeychainVault, hasSecretService } from '../helpers/keychain.js';
import { makeTempHome } from '../helpers/temp-home.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

describe.runIf(hasSecretService)('keychain vault (real Secret Service)', () => {
  it('round-trips, lists and deletes secrets', async () => {
    const vault = testKeychainVault('roundtrip');
    await vault.set('account:anthropic:a1', '{"access":"sk-ant-oat01-x"}');
    await vault.set('account:openai:b2', '{"access":"y"}');
    expect(await vault.get('account:anthropic:a1')).toBe('{"access":"sk-ant-oat01-x"}');
    expect((await vault.list()).sort()).toEqual(['account:anthropic:a1', 'account:openai:b2']);
    expect(await vault.delete('account:anthropic:a1')).toBe(true);
    expect(await vault.delete('account:anthropic:a1')).toBe(false);
    expect(await vault.get('account:anthropic:a1')).toBeUndefined();
    await vault.delete('account:openai:b2');
  });

  it('gives each non-default home its own keychain service', () => {
    const env = { HOME: '/home/u' } as NodeJS.ProcessEnv;
    expect(keychainService('/home/u/.config/Rotary', env)).toBe('Rotary');
    expect(keychainService('/tmp/a', env)).not.toBe(keychainService('/tmp/b', env));
  });
});

describe('keychain errors', () => {
  it('says how to fix a missing Secret Service (real failure, no bus)', () => {
    const script = `
      import { createKeytarVault } from './electron/core/pool/vault-keytar.ts';
      try { await createKeytarVault('Rotary-nobus').set('k', 'v'); console.log('UNEXPECTED-OK'); }
      catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: path.resolve(__dirname, '../..'),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/rotary-bus' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    const line = result.stdout.trim().split('\n').pop() ?? '';
    const parsed = JSON.parse(line) as { code: string; message: string };
    expect(parsed.code).toBe('vault-unavailable');
    expect(parsed.message).toMatch(/No Secret Service/);
    expect(parsed.message).toMatch(/ROTARY_SECRET_BACKEND=encrypted-file/);
  });

  it.each([
    ['Cannot create an item in a locked collection', 'vault-locked', /unlock/i],
    ['Object does not exist at path “/org/freedesktop/secrets/collection/login”', 'vault-no-collection', /"login"/],
    ['The name org.freedesktop.secrets was not provided by any .service files', 'vault-unavailable', /gnome-keyring/],
    // An item another process deleted mid-read is not a missing "login" keyring.
    ['No such secret item at path: /org/freedesktop/secrets/collection/login/17', 'vault-error', /No such secret item/],
  ])('maps libsecret text %j to %s with a fix', (text, code, fix) => {
    const error = translateKeychainError(new Error(text));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(fix);
  });
});

describe('file vault', () => {
  it('keeps secrets in a 0600 file and warns loudly', async () => {
    const { home, cleanup } = makeTempHome();
    cleanups.push(cleanup);
    const warnings: string[] = [];
    const vault = await createVault({ home, env: { ROTARY_SECRET_BACKEND: 'file' }, warn: (m) => warnings.push(m) });
    await vault.set('account:anthropic:x', 'secret-value');
    expect(await vault.get('account:anthropic:x')).toBe('secret-value');
    const file = path.join(home, 'secrets.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(warnings.join('\n')).toMatch(/UNENCRYPTED/);
    expect(await vault.list()).toEqual(['account:anthropic:x']);
  });

  it('rejects an unknown backend name', async () => {
    await expect(createVault({ home: '/tmp', env: { ROTARY_SECRET_BACKEND: 'floppy' } })).rejects.toThrow('ROTARY_SECRET_BACKEND must be "keychain", "encrypted-file" or "file", not "floppy".');
  });
});


describe('backend choice', () => {
  it('ROTARY_SECRET_BACKEND wins over vault.json, which wins over the keychain default', () => {
    const { home, cleanup } = makeTempHome();
    cleanups.push(cleanup);
    expect(chooseSecretBackend(home, {})).toEqual({ backend: 'keychain', source: 'default' });
    writeVaultSettings(home, 'encrypted-file');
    expect(JSON.parse(fs.readFileSync(path.join(home, 'vault.json'), 'utf8'))).toEqual({ backend: 'encrypted-file' });
    expect(fs.statSync(path.join(home, 'vault.json')).mode & 0o777).toBe(0o600);
    expect(chooseSecretBackend(home, {})).toEqual({ backend: 'encrypted-file', source: 'settings' });
    expect(chooseSecretBackend(home, { ROTARY_SECRET_BACKEND: 'file' })).toEqual({ backend: 'file', source: 'env' });
    expect(chooseSecretBackend(home, { ROTARY_SECRET_BACKEND: ' Encrypted-File ' })).toEqual({ backend: 'encrypted-file', source: 'env' });
  });

  it('a damaged vault.json is an error that says how to fix it, not a silent fallback to the keychain', () => {
    const { home, cleanup } = makeTempHome();
    cleanups.push(cleanup);
    for (const text of ['{"backend": "floppy"}', 'not json', '[]', 'null']) {
      fs.writeFileSync(path.join(home, 'vault.json'), text);
      expect(() => chooseSecretBackend(home, {}), text).toThrow(/vault\.json should say which secret backend to use.*Fix it .* or delete it/);
    }
  });
});
