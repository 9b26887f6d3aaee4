/**
 * Issue 16, point 5: the V8 heap settings chosen by measurement (electron/core/gateway/node-flags.ts)
 * reach the `rotary` process: bin/rotary.mjs carries them in its shebang, node accepts them, and
 * they really set the heap (the young generation stays at the chosen size under allocation).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GATEWAY_NODE_FLAGS } from '../../electron/core/gateway/node-flags.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe('gateway V8 flags', () => {
  it('bin/rotary.mjs runs node with exactly the measured flags', () => {
    const shebang = fs.readFileSync(path.join(ROOT, 'bin', 'rotary.mjs'), 'utf8').split('\n')[0]!;
    expect(shebang).toBe(`#!/usr/bin/env -S node ${GATEWAY_NODE_FLAGS.join(' ')}`);
  });

  it('node takes them, and they bound the young generation', () => {
    const script = `
      const v8 = require('node:v8');
      let keep = [];
      for (let i = 0; i < 2e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 20000) keep = []; }
      const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      process.stdout.write(String(young.space_size));`;
    const run = (flags: readonly string[]) => spawnSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' });
    const chosen = run(GATEWAY_NODE_FLAGS);
    expect(chosen.status, chosen.stderr).toBe(0);
    const semiMB = Number(/--max-semi-space-size=(\d+)/.exec(GATEWAY_NODE_FLAGS.join(' '))![1]);
    // new_space reports one semi-space's worth of capacity at most twice the setting (V8 counts both halves on some versions).
    expect(Number(chosen.stdout)).toBeLessThanOrEqual(2 * semiMB * 1024 * 1024);
    const byDefault = run([]);
    console.log(`young generation under allocation: ${(Number(chosen.stdout) / 1048576).toFixed(0)} MB with ${GATEWAY_NODE_FLAGS.join(' ')}, ${(Number(byDefault.stdout) / 1048576).toFixed(0)} MB by default`);
  });
});
