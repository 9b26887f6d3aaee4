/**
 * `rotary gateway` as a process: it serves, answers with the gateway key, prints the web UI
 * address with --ui, and stops cleanly on SIGINT. Also the npm `bin` entry (bin/rotary.mjs).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCliHome, ROOT, spawnCli, type CliHome } from './cli-helpers.js';

let h: CliHome;
const children: Array<ReturnType<typeof spawnCli>> = [];
beforeEach(() => {
  h = makeCliHome({ ROTARY_GATEWAY_KEY: 'cli-test-key-0123456789' });
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  await h.cleanup();
});

describe('rotary gateway', () => {
  it('serves on the given port with the gateway key and stops on Ctrl+C (exit 0)', async () => {
    const cli = spawnCli(['gateway', '--port', '0'], h.env);
    children.push(cli);
    const [, url] = await cli.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const unauthorized = await fetch(`${url}/anthropic/v1/messages`, { method: 'POST', body: '{}' });
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.text()).toContain('gateway key');
    const noAccounts = await fetch(`${url}/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'cli-test-key-0123456789', 'content-type': 'application/json' },
      body: '{"model":"m","max_tokens":1,"messages":[]}',
    });
    // The key was accepted: the answer is about the (empty) pool, not the key.
    expect(await noAccounts.text()).toContain('No Anthropic account is set up');
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(cli.out.stdout).toContain('Gateway stopped.');
  });

  it.runIf(fs.existsSync(path.join(ROOT, 'renderer/dist/index.html')))('--ui prints the web UI address with the key in the fragment, and serves it', async () => {
    const cli = spawnCli(['gateway', '--port', '0', '--ui'], h.env);
    children.push(cli);
    const [uiURL] = await cli.waitFor(/http:\/\/127\.0\.0\.1:\d+\/ui\/#key=\S+/);
    expect(uiURL).toMatch(/#key=cli-test-key-0123456789$/);
    const page = await fetch(uiURL!.split('#')[0]!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('a bad --port is a usage error (exit 2)', async () => {
    const cli = spawnCli(['gateway', '--port', '99999'], h.env);
    children.push(cli);
    expect(await cli.exited).toBe(2);
    expect(cli.out.stderr).toBe('rotary: --port must be between 0 and 65535\n');
  });
});

describe('bin/rotary.mjs (npm bin)', () => {
  it('runs the CLI (built bundle when present, else the TypeScript entry through tsx)', async () => {
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bin/rotary.mjs'), 'auth', 'list'], { cwd: h.home, env: h.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No accounts yet');
  });
});
