/**
 * `rotary setup` with the real tools (Claude Code, Codex CLI and opencode from npm): on a
 * temporary HOME holding a config full of the user's own keys and comments, the real `rotary`
 * CLI (a subprocess) sets the tool up; the tool, run with that HOME, makes a request through
 * the gateway to the provider simulator — getting the key from `rotary key` or the environment,
 * never from its file; `rotary setup --undo` then leaves the config byte-identical. The gateway
 * key here lives in the (file) vault, as for a real user, so `rotary key` has to read it there.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SetupToolID } from '../../shared/ipc.js';
import { ANTHROPIC_TERMS_NOTE } from '../../electron/core/clients/claude-code.js';
import { runCli, runInProcess, ROOT } from '../cli/cli-helpers.js';
import { startHarness, type Harness } from '../gateway/harness.js';
import { BROKEN_CONFIGS, makeToolHome, USER_CONFIGS, type ToolHome } from './fixtures.js';

let h: Harness;
beforeAll(async () => {
  // ROTARY_GATEWAY_KEY empty: the gateway makes its key and keeps it in the vault.
  h = await startHarness({ accounts: { anthropic: 1, openai: 1, 'github-copilot': 1 }, env: { ROTARY_GATEWAY_KEY: '' } });
});
afterAll(async () => h?.close());

const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);

/** The environment the user's shell would give the tool: its own HOME and XDG folders, the Rotary home. */
function toolEnv(t: ToolHome, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: t.home,
    XDG_CONFIG_HOME: path.join(t.home, '.config'),
    XDG_DATA_HOME: path.join(t.home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(t.home, '.cache'),
    XDG_STATE_HOME: path.join(t.home, '.local', 'state'),
    ROTARY_HOME: h.home,
    ROTARY_SECRET_BACKEND: 'file',
    ...extra,
  };
}

function runTool(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 90_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(command)} did not finish within ${timeoutMs} ms\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const port = () => String(h.gw.port);
// The first setup runs the installed entry point as a subprocess; the rest run the same CLI in-process (faster).
const setupCli = (args: string[], env: NodeJS.ProcessEnv, subprocess = false) =>
  subprocess ? runCli(['setup', ...args, '--port', port()], env, { timeoutMs: 60_000 }) : runInProcess(['setup', ...args, '--port', port()], env);
const undoCli = (tool: SetupToolID, env: NodeJS.ProcessEnv) => runInProcess(['setup', '--undo', tool], env);

/** Set up on the user's config, check it is idempotent and holds no key, run the tool, undo, compare bytes. */
async function roundTrip(tool: SetupToolID, run: (t: ToolHome, env: NodeJS.ProcessEnv) => Promise<void>, extraEnv: Record<string, string> = {}): Promise<void> {
  const t = makeToolHome();
  try {
    const original = USER_CONFIGS[tool].text;
    const file = t.write(tool, original);
    const env = toolEnv(t, extraEnv);
    const first = await setupCli([tool], env, true);
    expect(first, first.stderr).toMatchObject({ code: 0 });
    expect(first.stdout).toContain(`Set up`);
    expect(first.stdout).toContain('The key is not written to the file');
    // Why Anthropic accounts go only to Claude Code, said in one line of the output.
    expect(first.stdout.split('\n')).toContainEqual(expect.stringContaining(ANTHROPIC_TERMS_NOTE));
    const written = fs.readFileSync(file, 'utf8');
    expect(written).not.toContain(h.gw.key);
    const again = await setupCli([tool], env);
    expect(again.stdout).toContain('already set up');
    expect(fs.readFileSync(file, 'utf8')).toBe(written);
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.includes('rotary-backup'))).toHaveLength(1);

    await run(t, env);

    const undo = await undoCli(tool, env);
    expect(undo, undo.stderr).toMatchObject({ code: 0 });
    expect(undo.stdout).toContain('exactly as it was');
    expect(fs.readFileSync(file, 'utf8')).toBe(original);
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.includes('rotary-backup'))).toEqual([]);
  } finally {
    t.cleanup();
  }
}

describe('the real tools through the gateway after rotary setup', () => {
  it('Claude Code (claude -p): ANTHROPIC_BASE_URL from settings.json, the key from apiKeyHelper = rotary key', async () => {
    const reply = 'Rotary setup works for Claude Code';
    h.accounts.anthropic[0]!.sim.replyText = reply;
    try {
      await roundTrip('claude-code', async (t, env) => {
        const before = h.sim.requests.filter((r) => r.path === '/v1/messages').length;
        const out = await runTool(bin('claude'), ['-p', 'Say hello'], { ...env, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' }, t.home);
        expect(out, out.stderr.slice(0, 500)).toMatchObject({ code: 0 });
        expect(out.stdout).toContain(reply);
        expect(h.sim.requests.filter((r) => r.path === '/v1/messages').length).toBeGreaterThan(before);
        expect(h.gw.activity.latest('anthropic')?.status).toBe(200);
      });
    } finally {
      delete h.accounts.anthropic[0]!.sim.replyText;
    }
  }, 240_000);

  it('Codex CLI (codex exec): model_provider rotary from config.toml, the key from [model_providers.rotary.auth] = rotary key', async () => {
    await roundTrip('codex', async (t, env) => {
      const before = h.sim.requests.filter((r) => r.path === '/backend-api/codex/responses').length;
      const out = await runTool(bin('codex'), ['exec', '--skip-git-repo-check', 'Say hello'], env, t.home);
      expect(out, out.stderr.slice(-1500)).toMatchObject({ code: 0 });
      expect(out.stdout).toContain(`Hello from ${h.accounts.openai[0]!.sim.email}`);
      expect(h.sim.requests.filter((r) => r.path === '/backend-api/codex/responses').length).toBeGreaterThan(before);
    });
  }, 240_000);

  it('opencode (opencode run): the OpenAI provider from opencode.jsonc, the key from {env:ROTARY_GATEWAY_KEY} set by rotary env', async () => {
    const t0 = makeToolHome();
    // `rotary env opencode` gives the variable; only it is taken, so the settings must come from the file.
    const exports = await runInProcess(['env', 'opencode', '--port', port()], toolEnv(t0));
    t0.cleanup();
    expect(exports.code, exports.stderr).toBe(0);
    const key = /^export ROTARY_GATEWAY_KEY='([^']+)'$/m.exec(exports.stdout)?.[1];
    expect(key).toBe(h.gw.key);
    await roundTrip(
      'opencode',
      async (t, env) => {
        const before = h.sim.requests.filter((r) => r.path === '/backend-api/codex/responses').length;
        const out = await runTool(bin('opencode'), ['run', '-m', 'openai/gpt-5.3-codex', 'Say hello'], env, t.home);
        expect(out, out.stderr.slice(-1500)).toMatchObject({ code: 0 });
        expect(out.stdout).toContain(`Hello from ${h.accounts.openai[0]!.sim.email}`);
        expect(h.sim.requests.filter((r) => r.path === '/backend-api/codex/responses').length).toBeGreaterThan(before);
      },
      // No network: no models.dev fetch, no default plugin installs, no update check, no LSP downloads.
      { ROTARY_GATEWAY_KEY: key!, OPENCODE_DISABLE_MODELS_FETCH: '1', OPENCODE_DISABLE_DEFAULT_PLUGINS: '1', OPENCODE_DISABLE_AUTOUPDATE: '1', OPENCODE_DISABLE_LSP_DOWNLOAD: '1', OPENCODE_DISABLE_SHARE: '1' },
    );
  }, 240_000);

  it('rotary env claude-code alone points Claude Code at the gateway (eval "$(rotary env claude-code)")', async () => {
    const t = makeToolHome();
    try {
      const reply = 'Rotary env works for Claude Code';
      h.accounts.anthropic[0]!.sim.replyText = reply;
      const script = `eval "$(${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(ROOT, 'bin', 'rotary.mjs'))} env claude-code --port ${port()})" && exec ${JSON.stringify(bin('claude'))} -p "Say hello"`;
      const out = await runTool('bash', ['-c', script], toolEnv(t, { CLAUDE_CODE_MAX_RETRIES: '0', DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' }), t.home);
      expect(out, out.stderr.slice(0, 500)).toMatchObject({ code: 0 });
      expect(out.stdout).toContain(reply);
      expect(fs.existsSync(t.file('claude-code'))).toBe(false);
    } finally {
      delete h.accounts.anthropic[0]!.sim.replyText;
      t.cleanup();
    }
  }, 120_000);
});

describe('rotary setup: bad input', () => {
  it('a config the tool cannot parse is not touched: exit 1, the message names the file and the problem', async () => {
    const t = makeToolHome();
    try {
      for (const tool of ['claude-code', 'codex', 'opencode'] as const) {
        const file = t.write(tool, BROKEN_CONFIGS[tool]);
        const res = await runInProcess(['setup', tool, '--port', port()], toolEnv(t));
        expect(res.code).toBe(1);
        expect(res.stderr).toContain(file);
        expect(res.stderr).toMatch(/line \d+, column \d+/);
        expect(fs.readFileSync(file, 'utf8')).toBe(BROKEN_CONFIGS[tool]);
        expect(fs.readdirSync(path.dirname(file)).filter((f) => f.includes('rotary-backup'))).toEqual([]);
        const list = await runInProcess(['setup', '--list', '--port', port()], toolEnv(t));
        expect(list.stdout).toMatch(new RegExp(`${tool}\\s+unreadable`));
      }
    } finally {
      t.cleanup();
    }
  });

  it('rotary key prints the key the gateway checks (from the vault here), and nothing else', async () => {
    const t = makeToolHome();
    try {
      const res = await runInProcess(['key'], toolEnv(t));
      expect(res).toMatchObject({ code: 0, stdout: `${h.gw.key}\n` });
      expect((await runInProcess(['key'], toolEnv(t, { ROTARY_GATEWAY_KEY: 'from-env' }))).stdout).toBe('from-env\n');
    } finally {
      t.cleanup();
    }
  });

  it('a bad or missing tool name is a usage error (exit 2) that lists the tools', async () => {
    const t = makeToolHome();
    try {
      for (const argv of [['setup', 'vim'], ['setup'], ['setup', '--undo', 'emacs'], ['env', 'nano']]) {
        const res = await runInProcess(argv, toolEnv(t));
        expect(res.code, argv.join(' ')).toBe(2);
        expect(res.stderr).toContain('claude-code, codex, opencode');
      }
      expect((await runInProcess(['setup', 'codex', '--print', '--undo'], toolEnv(t))).code).toBe(2);
    } finally {
      t.cleanup();
    }
  });

  it('--print shows the change and writes nothing; --list shows the states', async () => {
    const t = makeToolHome();
    try {
      const file = t.write('codex', USER_CONFIGS.codex.text);
      const res = await runInProcess(['setup', 'codex', '--print', '--port', port()], toolEnv(t));
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`--- ${file}`);
      expect(res.stdout).toContain('+model_provider = "rotary"');
      expect(res.stdout).toContain('-model_provider = "openai"');
      expect(res.stdout).toContain('Nothing was changed');
      expect(res.stdout.split('\n')).toContainEqual(expect.stringContaining(ANTHROPIC_TERMS_NOTE));
      expect(fs.readFileSync(file, 'utf8')).toBe(USER_CONFIGS.codex.text);
      const list = await runInProcess(['setup', '--list', '--port', port()], toolEnv(t));
      expect(list.stdout).toMatch(/codex\s+not connected/);
      await runInProcess(['setup', 'codex', '--port', port()], toolEnv(t));
      expect((await runInProcess(['setup', '--list', '--port', port()], toolEnv(t))).stdout).toMatch(/codex\s+connected/);
      // Another port than the one set up: the settings are Rotary's but out of date.
      expect((await runInProcess(['setup', '--list', '--port', '9999'], toolEnv(t))).stdout).toMatch(/codex\s+changed by hand/);
    } finally {
      t.cleanup();
    }
  });
});
