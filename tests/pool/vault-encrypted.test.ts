/**
 * The encrypted file vault on real files: round trip, nothing readable on disk, wrong
 * passphrases and tampered files refused without a byte changed, bad passphrase input, two
 * writer processes at once and a writer killed with SIGKILL. A low scrypt cost
 * (ROTARY_VAULT_KDF_COST, test-only) keeps it fast; one test runs the default parameters.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createVault, describeVault } from '../../electron/core/pool/vault.js';
import { encryptedVaultPath, openEncryptedFileVault } from '../../electron/core/pool/vault-encrypted.js';
import { createFileVault } from '../../electron/core/pool/vault-file.js';
import { DEFAULT_KDF, kdfParamsFor, type KdfParams } from '../../electron/core/pool/vault-envelope.js';
import { checkPassphrase, passphraseFromEnv, withoutPassphrase } from '../../electron/core/pool/vault-passphrase.js';
import { childEnv, makeTempHome } from '../helpers/temp-home.js';

const root = path.resolve(__dirname, '../..');
const writer = path.join(__dirname, 'fixtures/vault-writer.ts');
const FAST: KdfParams = { ...DEFAULT_KDF, N: 2 ** 10 };
const PASS = 'correct horse battery staple';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function tempVaultFile() {
  const { home, cleanup } = makeTempHome('rotary-enc-');
  cleanups.push(cleanup);
  return { home, file: encryptedVaultPath(home) };
}

const open = (file: string, passphrase: unknown = PASS, kdf = FAST) => openEncryptedFileVault({ file, passphrase, kdf });

async function rejection(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { code: (error as { code?: string }).code, message: (error as Error).message };
  }
  throw new Error('expected a rejection');
}

/** Where any token (or a 16-byte piece of one, raw, base64, base64url or hex) appears in `raw`, and any key name. */
function traces(raw: Buffer, tokens: string[]): string[] {
  const text = raw.toString('latin1');
  const found: string[] = [];
  for (const token of tokens) {
    for (const piece of [token, token.slice(0, 16), token.slice(-16)]) {
      const b = Buffer.from(piece);
      if (raw.includes(b)) found.push(`raw ${piece.slice(0, 8)}`);
      for (const encoded of [b.toString('base64'), b.toString('base64url'), b.toString('hex'), b.toString('base64').slice(4, 20)]) {
        if (text.includes(encoded)) found.push(`encoded ${piece.slice(0, 8)}`);
      }
    }
  }
  if (text.includes('account:') || text.includes('record-')) found.push('key names');
  return [...new Set(found)];
}

const TOKENS = [
  'sk-ant-oat01-AAAAbbbbCCCCddddEEEEffffGGGGhhhh0001',
  'sk-ant-ort01-ZZZZyyyyXXXXwwwwVVVVuuuuTTTTssss0002',
  'gho_16C7e42F292c6912E7710c838347Ae178B4a',
  'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyJ9.c2lnbmF0dXJlLXBhcnQ',
];

describe('encrypted file vault', () => {
  it('round-trips, lists and deletes; a second instance with the passphrase reads the same; the file is 0600', async () => {
    const { file } = tempVaultFile();
    const vault = await open(file);
    expect(vault.kind).toBe('encrypted-file');
    await vault.set('account:anthropic:a1', '{"access":"sk-ant-oat01-x"}');
    await vault.set('account:openai:b2', '{"access":"y"}');
    await vault.set('gateway:key', 'rk-123');
    expect(await vault.get('account:anthropic:a1')).toBe('{"access":"sk-ant-oat01-x"}');
    expect((await vault.list()).sort()).toEqual(['account:anthropic:a1', 'account:openai:b2', 'gateway:key']);
    expect(await vault.delete('gateway:key')).toBe(true);
    expect(await vault.delete('gateway:key')).toBe(false);
    expect(await vault.get('gateway:key')).toBeUndefined();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const again = await open(file);
    expect((await again.list()).sort()).toEqual(['account:anthropic:a1', 'account:openai:b2']);
    expect(await again.get('account:openai:b2')).toBe('{"access":"y"}');
    expect(await describeVault(again)).toMatchObject({ backend: 'encrypted-file', encrypted: true, location: file, count: 2 });
  });

  it('keeps no token bytes in the file: not raw, not base64, not hex, and no key names', async () => {
    const { home, file } = tempVaultFile();
    const vault = await open(file);
    const plain = createFileVault(home, () => undefined);
    for (const [i, token] of TOKENS.entries()) {
      const value = JSON.stringify({ access: token, refresh: `${token}-refresh` });
      await vault.set(`account:anthropic:record-${i}`, value);
      await plain.set(`account:anthropic:record-${i}`, value);
    }
    expect(traces(fs.readFileSync(file), TOKENS)).toEqual([]);
    // The same search finds every token in the plain file backend's file, so it can fail.
    expect(traces(fs.readFileSync(path.join(home, 'secrets.json')), TOKENS)).toEqual(expect.arrayContaining(TOKENS.map((t) => `raw ${t.slice(0, 8)}`)));
    expect(await vault.get('account:anthropic:record-0')).toContain(TOKENS[0]);
  });

  it('a wrong passphrase is a clear error and leaves the file byte for byte as it was', async () => {
    const { file } = tempVaultFile();
    const vault = await open(file);
    await vault.set('account:anthropic:a1', 'secret-1');
    const before = fs.readFileSync(file);
    const error = await rejection(open(file, 'not the passphrase'));
    expect(error.code).toBe('vault-wrong-passphrase');
    expect(error.message).toContain(`Wrong passphrase for ${file}`);
    expect(error.message).toMatch(/nothing was changed/);
    expect(error.message).not.toContain('not the passphrase');
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['secrets.enc']);
  });

  it('a flipped byte of the ciphertext is reported as tampering, never as other data; the file is not rewritten', async () => {
    const { file } = tempVaultFile();
    const vault = await open(file);
    await vault.set('account:anthropic:a1', 'secret-1');
    const good = fs.readFileSync(file);
    const body = JSON.parse(good.toString('utf8').split('\n')[1]!) as { ciphertext: string };
    const cipher = Buffer.from(body.ciphertext, 'base64');
    cipher[3]! ^= 0x01;
    const tampered = Buffer.from(good.toString('utf8').replace(body.ciphertext, cipher.toString('base64')));
    fs.writeFileSync(file, tampered);

    const error = await rejection(open(file));
    expect(error.code).toBe('vault-corrupt');
    expect(error.message).toMatch(/failed its integrity check: it was altered or corrupted/);
    // An already unlocked vault refuses it too, for reads and for writes.
    fs.writeFileSync(file, good);
    const unlocked = await open(file);
    fs.writeFileSync(file, tampered);
    expect((await rejection(unlocked.get('account:anthropic:a1'))).code).toBe('vault-corrupt');
    expect((await rejection(unlocked.set('account:anthropic:b', 'x'))).code).toBe('vault-corrupt');
    expect(fs.readFileSync(file).equals(tampered)).toBe(true);
  });

  it('a flipped byte of the header (the AAD) is detected; so is every single-byte flip of it', async () => {
    const { file } = tempVaultFile();
    const vault = await open(file);
    await vault.set('account:anthropic:a1', 'secret-1');
    const good = fs.readFileSync(file);
    const header = good.toString('utf8').split('\n')[0]!;
    const { nonce } = JSON.parse(header) as { nonce: string };

    // The nonce: the key still checks out, so GCM must catch it.
    const n = Buffer.from(nonce, 'base64');
    n[0]! ^= 0x80;
    fs.writeFileSync(file, good.toString('utf8').replace(nonce, n.toString('base64')));
    const error = await rejection(open(file));
    expect(error.code).toBe('vault-corrupt');

    // Every byte of the header, one at a time: always refused, never opened, file untouched.
    const headerLength = Buffer.byteLength(header);
    for (let i = 0; i < headerLength; i++) {
      const bytes = Buffer.from(good);
      bytes[i]! ^= 0x01;
      fs.writeFileSync(file, bytes);
      const e = await rejection(open(file));
      expect(['vault-corrupt', 'vault-wrong-passphrase'], `byte ${i}: ${e.message}`).toContain(e.code);
      expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    }
    fs.writeFileSync(file, good);
    expect(await (await open(file)).get('account:anthropic:a1')).toBe('secret-1');
  });

  it('a truncated or empty file is reported as damaged, naming the file', async () => {
    const { file } = tempVaultFile();
    await (await open(file)).set('k', 'v');
    const good = fs.readFileSync(file);
    for (const bytes of [good.subarray(0, 60), good.subarray(0, good.indexOf(0x0a) + 5), Buffer.alloc(0)]) {
      fs.writeFileSync(file, bytes);
      const e = await rejection(open(file));
      expect(e.code).toBe('vault-corrupt');
      expect(e.message).toContain(file);
    }
  });

  it('uses the default scrypt parameters (N=2^17, r=8, p=1) unless the test-only cost is set', async () => {
    const { file } = tempVaultFile();
    expect(kdfParamsFor({})).toEqual({ N: 131072, r: 8, p: 1 });
    expect(kdfParamsFor({ ROTARY_VAULT_KDF_COST: '12' })).toEqual({ N: 4096, r: 8, p: 1 });
    for (const bad of ['3', '21', 'abc', '12.5']) expect(() => kdfParamsFor({ ROTARY_VAULT_KDF_COST: bad })).toThrow(/ROTARY_VAULT_KDF_COST \(tests only\)/);
    const vault = await open(file, PASS, DEFAULT_KDF);
    await vault.set('k', 'v');
    const header = JSON.parse(fs.readFileSync(file, 'utf8').split('\n')[0]!) as { kdf: Record<string, unknown>; version: number; cipher: string };
    expect(header).toMatchObject({ version: 1, cipher: 'aes-256-gcm', kdf: { name: 'scrypt', N: 131072, r: 8, p: 1 } });
    expect(Buffer.from(header.kdf.salt as string, 'base64')).toHaveLength(16);
    expect(await (await open(file)).get('k')).toBe('v');
    expect((await rejection(open(file, 'wrong passphrase!'))).code).toBe('vault-wrong-passphrase');
  });

  it('a new nonce for every write, one salt for the life of the file', async () => {
    const { file } = tempVaultFile();
    const vault = await open(file);
    const headers: Array<{ nonce: string; kdf: { salt: string } }> = [];
    for (let i = 0; i < 5; i++) {
      await vault.set('k', `v${i}`);
      headers.push(JSON.parse(fs.readFileSync(file, 'utf8').split('\n')[0]!));
    }
    expect(new Set(headers.map((h) => h.nonce)).size).toBe(5);
    expect(new Set(headers.map((h) => h.kdf.salt)).size).toBe(1);
    const { file: other } = tempVaultFile();
    await open(other);
    expect(JSON.parse(fs.readFileSync(other, 'utf8').split('\n')[0]!).kdf.salt).not.toBe(headers[0]!.kdf.salt);
  });
});

describe('passphrase input', () => {
  it.each([
    ['empty', '', /is empty/],
    ['spaces only', '    ', /only spaces/],
    ['1025 characters', 'x'.repeat(1025), /longer than 1024/],
    ['with a NUL', 'pass\0word!', /NUL/],
  ])('refuses a passphrase %s with a clear message and writes nothing', async (_name, passphrase, message) => {
    const { file } = tempVaultFile();
    const error = await rejection(open(file, passphrase));
    expect(error.code).toBe('vault-passphrase');
    expect(error.message).toMatch(message);
    expect(fs.existsSync(file)).toBe(false);
  });

  it.each([[undefined], [null], [12345678], [{ passphrase: 'x' }], [['a']]])('refuses a passphrase that is not text (%j)', async (passphrase) => {
    const { file } = tempVaultFile();
    const error = await rejection(openEncryptedFileVault({ file, passphrase, kdf: FAST }));
    expect(error.code).toBe('vault-passphrase');
    expect(error.message).toMatch(/must be text, not (undefined|null|number|object)/);
  });

  it('a new vault needs at least 8 characters; an existing one opens with what was chosen', async () => {
    const { file } = tempVaultFile();
    expect((await rejection(open(file, 'short'))).message).toMatch(/too short: use at least 8 characters/);
    expect(() => checkPassphrase('short', 'unlock')).not.toThrow();
    expect(checkPassphrase('cafe\u0301 au lait', 'create')).toBe('caf\u00e9 au lait'); // NFC
  });

  it('reads ROTARY_VAULT_PASSPHRASE, else the file in ROTARY_VAULT_PASSPHRASE_FILE (one trailing newline dropped)', () => {
    const { home } = tempVaultFile();
    const passFile = path.join(home, 'pass.txt');
    fs.writeFileSync(passFile, `${PASS}\n`, { mode: 0o600 });
    expect(passphraseFromEnv({}, 'unlock')).toBeUndefined();
    expect(passphraseFromEnv({ ROTARY_VAULT_PASSPHRASE_FILE: passFile }, 'unlock')).toBe(PASS);
    expect(passphraseFromEnv({ ROTARY_VAULT_PASSPHRASE: 'from the env', ROTARY_VAULT_PASSPHRASE_FILE: passFile }, 'unlock')).toBe('from the env');
    expect(() => passphraseFromEnv({ ROTARY_VAULT_PASSPHRASE: '' }, 'unlock')).toThrow(/ROTARY_VAULT_PASSPHRASE is empty/);
    fs.writeFileSync(passFile, '\n');
    expect(() => passphraseFromEnv({ ROTARY_VAULT_PASSPHRASE_FILE: passFile }, 'unlock')).toThrow(new RegExp(`passphrase file ${passFile} is empty`));
  });

  it('an unreadable passphrase file is a clear error naming the file and the variable', () => {
    const { home } = tempVaultFile();
    const missing = path.join(home, 'nope.txt');
    expect(() => passphraseFromEnv({ ROTARY_VAULT_PASSPHRASE_FILE: missing }, 'unlock')).toThrow(
      `Cannot read the passphrase file ${missing} (ROTARY_VAULT_PASSPHRASE_FILE): it does not exist. Fix the path or its permissions.`,
    );
    expect(() => passphraseFromEnv({ ROTARY_VAULT_PASSPHRASE_FILE: home }, 'unlock')).toThrow(/it is a folder/);
    expect(() => passphraseFromEnv({ ROTARY_VAULT_PASSPHRASE_FILE: ' ' }, 'unlock')).toThrow(/set but empty/);
  });

  it('createVault without any passphrase source names both variables', async () => {
    const { home } = tempVaultFile();
    const error = await rejection(createVault({ home, env: { ROTARY_SECRET_BACKEND: 'encrypted-file' } }));
    expect(error.code).toBe('vault-passphrase');
    expect(error.message).toMatch(/ROTARY_VAULT_PASSPHRASE\b.*ROTARY_VAULT_PASSPHRASE_FILE/);
  });
});

function startWriter(home: string, count: number, prefix: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, String(count), prefix], {
    cwd: root,
    env: childEnv({ ROTARY_HOME: home, ROTARY_VAULT_PASSPHRASE: PASS, ROTARY_VAULT_KDF_COST: '10' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe('encrypted file vault across processes', () => {
  it('two processes writing 40 secrets each at once: all 80 are there with their values', async () => {
    const { home, file } = tempVaultFile();
    await open(file); // created once, so both writers share its salt
    const a = startWriter(home, 40, 'a');
    const b = startWriter(home, 40, 'b');
    const [codeA, codeB] = await Promise.all([a.exited, b.exited]);
    expect(codeA, a.stderr()).toBe(0);
    expect(codeB, b.stderr()).toBe(0);
    const vault = await open(file);
    const keys = await vault.list();
    expect(keys).toHaveLength(80);
    for (const prefix of ['a', 'b']) {
      for (let i = 0; i < 40; i++) expect(await vault.get(`account:anthropic:${prefix}-${i}`)).toBe(`sk-ant-oat01-${prefix}-${i}-${'x'.repeat(40)}`);
    }
  }, 120_000);

  it('two processes creating the vault at the same moment agree on one salt and lose nothing', async () => {
    const { home, file } = tempVaultFile();
    const a = startWriter(home, 10, 'a');
    const b = startWriter(home, 10, 'b');
    const [codeA, codeB] = await Promise.all([a.exited, b.exited]);
    expect(codeA, a.stderr()).toBe(0);
    expect(codeB, b.stderr()).toBe(0);
    expect(await (await open(file)).list()).toHaveLength(20);
  }, 60_000);

  it('a writer killed with SIGKILL mid-writes leaves a file that opens with every acknowledged secret, and takes writes again', async () => {
    const { home, file } = tempVaultFile();
    const w = startWriter(home, 0, 'k');
    let acknowledged = 0;
    await new Promise<void>((resolve) => {
      w.child.stdout.on('data', (d: Buffer) => {
        acknowledged += d.toString().split('\n').filter(Boolean).length;
        if (acknowledged >= 15) resolve();
      });
    });
    w.child.kill('SIGKILL');
    await w.exited;

    const vault = await open(file);
    const keys = await vault.list();
    expect(keys.length).toBeGreaterThanOrEqual(acknowledged);
    for (const key of keys) expect(await vault.get(key)).toMatch(/^sk-ant-oat01-k-\d+-x{40}$/);
    // A lock the killed writer held is taken over once stale.
    await vault.set('after-kill', 'ok');
    expect(await vault.get('after-kill')).toBe('ok');
  }, 60_000);
});

describe('passphrase hygiene', () => {
  it('programs Rotary starts (the login browser) do not inherit the passphrase variables', () => {
    const env = { PATH: '/bin', ROTARY_VAULT_PASSPHRASE: PASS, ROTARY_VAULT_PASSPHRASE_FILE: '/run/secrets/p', DISPLAY: ':0' };
    expect(withoutPassphrase(env)).toEqual({ PATH: '/bin', DISPLAY: ':0' });
    expect(env.ROTARY_VAULT_PASSPHRASE).toBe(PASS); // the caller's env is left alone
  });
});
