/**
 * Encrypted file vault benchmark: the scrypt key derivation at the default parameters
 * (N=2^17, r=8, p=1; paid once per process when the vault is unlocked), and the cost of a
 * read and a write of a vault holding 50 account secrets (every write re-encrypts the whole
 * map under the cross-process lock and replaces the file atomically). The README quotes the
 * derivation time. Prints a table and writes bench/results/vault-latest.json.
 *
 * Run: npx tsx bench/vault.bench.ts
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encryptedVaultPath, openEncryptedFileVault } from '../electron/core/pool/vault-encrypted.js';
import { DEFAULT_KDF, deriveVaultKey, newSalt } from '../electron/core/pool/vault-envelope.js';

const KDF_RUNS = 7;
const OPS = 100;
const SECRETS = 50;

const stats = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { runs: sorted.length, medianMs: Number(pick(0.5).toFixed(1)), p95Ms: Number(pick(0.95).toFixed(1)), minMs: Number(sorted[0]!.toFixed(1)) };
};
async function time(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

const kdf: number[] = [];
for (let i = 0; i < KDF_RUNS; i++) kdf.push(await time(() => deriveVaultKey('correct horse battery staple', newSalt(), DEFAULT_KDF)));

const home = mkdtempSync(path.join(os.tmpdir(), 'rotary-vault-bench-'));
const reads: number[] = [];
const writes: number[] = [];
try {
  const vault = await openEncryptedFileVault({ file: encryptedVaultPath(home), passphrase: 'correct horse battery staple', kdf: DEFAULT_KDF });
  const secret = JSON.stringify({ access: `sk-ant-oat01-${'a'.repeat(90)}`, refresh: `sk-ant-ort01-${'r'.repeat(90)}`, expires: Date.now() });
  for (let i = 0; i < SECRETS; i++) await vault.set(`account:anthropic:record-${i}`, secret);
  for (let i = 0; i < OPS; i++) {
    reads.push(await time(() => vault.get(`account:anthropic:record-${i % SECRETS}`)));
    writes.push(await time(() => vault.set(`account:anthropic:record-${i % SECRETS}`, secret)));
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}

const result = {
  at: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version },
  kdf: { ...DEFAULT_KDF, memoryMiB: (128 * DEFAULT_KDF.N * DEFAULT_KDF.r) / 2 ** 20, ...stats(kdf) },
  [`read (${SECRETS} secrets)`]: stats(reads),
  [`write (${SECRETS} secrets)`]: stats(writes),
};
const rows: Array<[string, string]> = [
  [`scrypt N=2^17 r=8 p=1 (${result.kdf.memoryMiB} MiB), median`, `${result.kdf.medianMs} ms`],
  ['scrypt, p95', `${result.kdf.p95Ms} ms`],
  [`vault read, ${SECRETS} secrets, median`, `${stats(reads).medianMs} ms`],
  [`vault write, ${SECRETS} secrets, median`, `${stats(writes).medianMs} ms`],
  [`vault write, ${SECRETS} secrets, p95`, `${stats(writes).p95Ms} ms`],
];
const w0 = Math.max(...rows.map((r) => r[0].length));
for (const [a, v] of rows) process.stdout.write(`${a.padEnd(w0)}  ${v}\n`);
const dir = path.resolve('bench', 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'vault-latest.json'), `${JSON.stringify(result, null, 2)}\n`);
