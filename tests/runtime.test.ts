/**
 * The tests run on the Node the code needs. package.json's `engines.node` is the contract; this
 * file fails when the Node running vitest's workers, or the `node` that child processes find on
 * PATH (npm scripts, npx, `#!/usr/bin/env node` scripts), falls short of it, or lacks the Node 24
 * features the code relies on: `node:sqlite` without a flag and zstd in `node:zlib`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { engines?: { node?: string } };

/**
 * Whether `version` (e.g. "24.22.3") satisfies `range`. Only the form package.json uses,
 * `>=MAJOR[.MINOR[.PATCH]]`, is understood: anything else throws, so a new range style makes this
 * test fail loudly instead of passing without checking (semver is not a direct dependency).
 */
function satisfiesMinimum(version: string, range: string): boolean {
  const match = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!match) throw new Error(`engines.node "${range}" is not of the form >=MAJOR[.MINOR[.PATCH]]`);
  const wanted = match.slice(1).map((part) => Number(part ?? 0));
  const actual = version.replace(/^v/, '').split(/[.-]/).slice(0, 3).map(Number);
  for (let i = 0; i < 3; i++) {
    if (actual[i]! !== wanted[i]!) return actual[i]! > wanted[i]!;
  }
  return true;
}

describe('the version comparison', () => {
  it('compares major, minor and patch as numbers', () => {
    expect(satisfiesMinimum('24.0.0', '>=24')).toBe(true);
    expect(satisfiesMinimum('v24.22.3', '>=24.0.0')).toBe(true);
    expect(satisfiesMinimum('26.1.0', '>=24.15')).toBe(true);
    expect(satisfiesMinimum('20.20.2', '>=24')).toBe(false);
    expect(satisfiesMinimum('24.9.0', '>=24.10')).toBe(false);
    expect(satisfiesMinimum('24.10.1', '>=24.10.2')).toBe(false);
  });

  it('refuses a range it does not understand', () => {
    expect(() => satisfiesMinimum('24.0.0', '^24')).toThrow(/not of the form/);
  });
});

describe('the runtime', () => {
  const engines = pkg.engines?.node;

  it('package.json declares engines.node', () => {
    expect(engines).toMatch(/^>=\s*\d+/);
  });

  it('the Node running the tests satisfies engines.node', () => {
    expect(satisfiesMinimum(process.versions.node, engines!), `Node ${process.versions.node} (${process.execPath}) does not satisfy engines.node "${engines}"`).toBe(true);
  });

  it('the `node` first on PATH is the one running the tests', () => {
    // Child processes started by name (npm scripts, npx, `#!/usr/bin/env node` scripts) get the
    // PATH's node; it must be the same runtime, not the machine's older one.
    const onPath = execFileSync('node', ['-p', 'process.versions.node + " " + process.execPath'], { encoding: 'utf8' }).trim();
    expect(onPath.split(' ')[0], `node on PATH is ${onPath}; the tests run on ${process.versions.node} ${process.execPath}`).toBe(process.versions.node);
  });

  it('node:sqlite loads without a flag and runs a query', async () => {
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(':memory:');
    try {
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
      db.prepare('INSERT INTO t (name) VALUES (?)').run('rotary');
      expect({ ...db.prepare('SELECT id, name FROM t').get() }).toEqual({ id: 1, name: 'rotary' });
    } finally {
      db.close();
    }
  });

  it('node:zlib round-trips zstd', () => {
    const input = Buffer.from('rotary '.repeat(1_000));
    expect(typeof zlib.zstdCompressSync, 'node:zlib has no zstd').toBe('function');
    const packed = zlib.zstdCompressSync(input);
    expect(packed.length).toBeLessThan(input.length);
    expect(zlib.zstdDecompressSync(packed).equals(input)).toBe(true);
  });
});
