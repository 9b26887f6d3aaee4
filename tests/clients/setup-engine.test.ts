/**
 * The setup engine on real files in a temporary home, for each tool: merge into a config full
 * of the user's keys and comments, idempotence, byte-identical undo, undo after later edits,
 * files the tool cannot parse, and where each tool's file is. (The real tools reading these
 * files through the gateway: real-tools.test.ts.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseJsonc } from 'jsonc-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SETUP_TOOL_IDS, type SetupToolID } from '../../shared/ipc.js';
import { ANTHROPIC_TERMS_NOTE } from '../../electron/core/clients/claude-code.js';
import { setupTool } from '../../electron/core/clients/registry.js';
import { applySetup, planSetup, setupStatus, undoSetup, type SetupContext } from '../../electron/core/clients/setup.js';
import { ConfigUnreadableError, SetupConflictError } from '../../electron/core/clients/types.js';
import { BROKEN_CONFIGS, makeToolHome, USER_CONFIGS, type ToolHome } from './fixtures.js';

const KEY_COMMAND = ['/usr/bin/node', '/opt/rotary/bin/rotary.mjs', 'key'];
let t: ToolHome;
let ctx: SetupContext;
beforeEach(() => {
  t = makeToolHome();
  ctx = { env: t.env, home: t.rotaryHome, target: { url: 'http://127.0.0.1:8787', keyCommand: KEY_COMMAND, platform: 'linux' } };
});
afterEach(() => t.cleanup());

/** The file as the tool would read it. */
function settingsOf(tool: SetupToolID, text: string): Record<string, unknown> {
  return (tool === 'codex' ? parseToml(text) : parseJsonc(text)) as Record<string, unknown>;
}

/** `# …` and `// …` comments (outside strings, as far as these fixtures go). */
function commentsOf(text: string): string[] {
  return text.split('\n').flatMap((l) => /(?:^|\s)((?:#|\/\/) .*)$/.exec(l)?.[1] ?? []);
}

/** Every leaf of a parsed config as `a.b.c` → value. */
function leaves(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)) {
    for (const [k, v] of Object.entries(value)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, value);
  return out;
}

const backups = (tool: SetupToolID) => fs.readdirSync(path.dirname(t.file(tool))).filter((f) => f.includes('.rotary-backup'));

describe.each(SETUP_TOOL_IDS)('%s', (tool) => {
  const original = USER_CONFIGS[tool].text;

  it('merges into the user\'s config without losing a key or a comment; undo restores it byte for byte', () => {
    const file = t.write(tool, original);
    fs.chmodSync(file, 0o640);
    const result = applySetup(tool, ctx);
    expect(result.wrote).toBe(true);
    const after = t.read(tool);
    // Every comment of the user's is still there, and every value (but the one Rotary replaces, kept as a comment).
    for (const comment of commentsOf(original)) expect(after).toContain(comment);
    const now = leaves(settingsOf(tool, after));
    for (const [key, value] of leaves(settingsOf(tool, original))) {
      if (tool === 'codex' && key === 'model_provider') expect(after).toContain('# rotary setup replaced: model_provider = "openai"');
      else expect(now.get(key), key).toEqual(value);
    }
    expect(setupStatus(tool, ctx).state).toBe('connected');
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect(fs.readFileSync(result.backup!, 'utf8')).toBe(original);
    expect(after).not.toContain('rotary-test-key'); // no key anywhere: the tools ask `rotary key` or the environment

    const undo = undoSetup(tool, ctx);
    expect(undo.outcome).toBe('restored');
    expect(t.read(tool)).toBe(original);
    expect(backups(tool)).toEqual([]);
    expect(setupStatus(tool, ctx).state).toBe('not-connected');
  });

  it('setting up twice changes nothing the second time and keeps the first backup', () => {
    t.write(tool, original);
    const first = applySetup(tool, ctx);
    const text = t.read(tool);
    const second = applySetup(tool, ctx);
    expect(second.wrote).toBe(false);
    expect(second.plan.changed).toBe(false);
    expect(second.plan.diff).toBe('');
    expect(t.read(tool)).toBe(text);
    expect(backups(tool)).toEqual([path.basename(first.backup!)]);
    // Another port: the settings follow, the backup is still the user's original.
    applySetup(tool, { ...ctx, target: { ...ctx.target, url: 'http://127.0.0.1:9999' } });
    expect(t.read(tool)).toContain('127.0.0.1:9999');
    expect(t.read(tool)).not.toContain('127.0.0.1:8787');
    expect(fs.readFileSync(first.backup!, 'utf8')).toBe(original);
    expect(undoSetup(tool, ctx).outcome).toBe('restored');
    expect(t.read(tool)).toBe(original);
  });

  it('undo after the user edited the file takes out only Rotary\'s settings and keeps the edit', () => {
    t.write(tool, original);
    applySetup(tool, ctx);
    const edit = tool === 'codex' ? '\n# added later by me\n[profiles.late]\nmodel = "o4"\n' : '';
    const edited = tool === 'codex' ? t.read(tool) + edit : t.read(tool).replace('"model": "opus"', '"model": "sonnet"').replace('"theme": "tokyonight"', '"theme": "nord"');
    t.write(tool, edited);
    expect(setupStatus(tool, ctx).message).toContain('changed since the setup');
    const undo = undoSetup(tool, ctx);
    expect(undo.outcome).toBe('removed');
    expect(undo.message).toContain('.rotary-backup');
    const expected = tool === 'codex' ? original + edit : original.replace('"model": "opus"', '"model": "sonnet"').replace('"theme": "tokyonight"', '"theme": "nord"');
    if (tool === 'codex') expect(t.read(tool)).toBe(expected); // text blocks come out exactly
    // JSON: the user's values, edit and comments, and none of Rotary's (the editor may re-wrap an object it touched).
    expect(settingsOf(tool, t.read(tool))).toEqual(settingsOf(tool, expected));
    for (const comment of commentsOf(expected)) expect(t.read(tool)).toContain(comment);
  });

  it('a file the tool cannot parse is not touched: a clear error names the file and the problem', () => {
    const file = t.write(tool, BROKEN_CONFIGS[tool]);
    const error = (() => {
      try {
        applySetup(tool, ctx);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigUnreadableError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(/line \d+, column \d+/);
    expect(t.read(tool)).toBe(BROKEN_CONFIGS[tool]);
    expect(backups(tool)).toEqual([]);
    expect(setupStatus(tool, ctx).state).toBe('unreadable');
  });

  it('no file yet: setup creates it, undo removes it again', () => {
    const plan = planSetup(tool, ctx);
    expect(plan.exists).toBe(false);
    expect(plan.diff).toContain('--- /dev/null');
    applySetup(tool, ctx);
    expect(fs.readFileSync(plan.file, 'utf8')).toBe(plan.after);
    expect(undoSetup(tool, ctx).outcome).toBe('restored');
    expect(fs.existsSync(plan.file)).toBe(false);
  });

  it('the preview is exactly what is written', () => {
    t.write(tool, original);
    const plan = planSetup(tool, ctx);
    expect(t.read(tool)).toBe(original);
    applySetup(tool, ctx);
    expect(t.read(tool)).toBe(plan.after);
    expect(plan.keyInFile).toBe(false);
  });
});

describe('each tool\'s own settings', () => {
  it('Claude Code: env block and apiKeyHelper; the user\'s env keys stay; CLAUDE_CONFIG_DIR is respected', () => {
    const dir = path.join(t.home, 'elsewhere');
    applySetup('claude-code', { ...ctx, env: { ...t.env, CLAUDE_CONFIG_DIR: dir } });
    const settings = JSON.parse(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8'));
    expect(settings).toEqual({ env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:8787/anthropic' }, apiKeyHelper: KEY_COMMAND.join(' ') });
    t.write('claude-code', USER_CONFIGS['claude-code'].text);
    applySetup('claude-code', ctx);
    expect(JSON.parse(t.read('claude-code')).env).toEqual({ MY_PROJECT_FLAG: '1', CLAUDE_CODE_MAX_RETRIES: '0', DISABLE_AUTOUPDATER: '1', ANTHROPIC_BASE_URL: 'http://127.0.0.1:8787/anthropic' });
  });

  it('Claude Code: a base URL of the user\'s is replaced, and put back by undo after later edits', () => {
    t.write('claude-code', '{\n  "env": { "ANTHROPIC_BASE_URL": "https://my-proxy.invalid" },\n  "model": "opus"\n}\n');
    applySetup('claude-code', ctx);
    t.write('claude-code', t.read('claude-code').replace('"opus"', '"haiku"'));
    undoSetup('claude-code', ctx);
    expect(JSON.parse(t.read('claude-code'))).toEqual({ env: { ANTHROPIC_BASE_URL: 'https://my-proxy.invalid' }, model: 'haiku' });
  });

  it('JSON edits leave the user\'s lines as they were: an inline object stays inline, a line\'s comment stays on it', () => {
    t.write('claude-code', USER_CONFIGS['claude-code'].text);
    t.write('opencode', USER_CONFIGS.opencode.text);
    applySetup('claude-code', ctx);
    applySetup('opencode', ctx);
    expect(t.read('claude-code')).toContain('\n    "statusLine": { "type": "command", "command": "echo mine" },\n    "apiKeyHelper": ');
    expect(t.read('claude-code')).toContain('\n        "DISABLE_AUTOUPDATER": "1",\n        "ANTHROPIC_BASE_URL": "http://127.0.0.1:8787/anthropic"\n    },');
    const opencode = t.read('opencode');
    expect(opencode).toContain('"options": { "timeout": 600000, "baseURL": "http://127.0.0.1:8787/openai", "apiKey": "{env:ROTARY_GATEWAY_KEY}" }, // my own option');
    expect(opencode).toContain('  "autoupdate": false, // no surprises\n');
    expect(opencode).toContain('  // My opencode config: comments and trailing commas are fine in JSONC.\n');
  });

  it('Codex: top-level keys before the first table, the user\'s model_provider kept as a comment and put back', () => {
    t.write('codex', USER_CONFIGS.codex.text);
    applySetup('codex', ctx);
    const text = t.read('codex');
    const config = parseToml(text) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(config.model_provider).toBe('rotary');
    expect(config.model_providers.rotary).toEqual({ name: 'Rotary', base_url: 'http://127.0.0.1:8787/openai', wire_api: 'responses', auth: { command: KEY_COMMAND[0], args: KEY_COMMAND.slice(1), timeout_ms: 15000 } });
    expect(config.model_providers.work.env_key).toBe('WORK_KEY');
    expect(config.developer_instructions).toContain('[fake.table]');
    expect(text.indexOf('model_provider = "rotary"')).toBeLessThan(text.indexOf('[projects.'));
    expect(text).toContain('# rotary setup replaced: model_provider = "openai"');
  });

  it('Codex: a [model_providers.rotary] of the user\'s own is a conflict; nothing is written', () => {
    const own = 'model = "o3"\n\n[model_providers.rotary]\nname = "mine"\nbase_url = "https://x.invalid"\n';
    t.write('codex', own);
    expect(() => applySetup('codex', ctx)).toThrow(SetupConflictError);
    expect(t.read('codex')).toBe(own);
  });

  it('Codex: CODEX_HOME is respected', () => {
    const codexHome = path.join(t.home, 'codex-home');
    expect(setupTool('codex').configFile({ ...t.env, CODEX_HOME: codexHome })).toBe(path.join(codexHome, 'config.toml'));
  });

  it('Codex and opencode get no Anthropic route, and the plan\'s notes say why in one line', () => {
    for (const tool of ['codex', 'opencode'] as const) {
      const plan = planSetup(tool, ctx);
      expect(plan.after).not.toContain('/anthropic');
      expect(plan.notes.filter((n) => n.includes(ANTHROPIC_TERMS_NOTE) && !n.includes('\n')), tool).toHaveLength(1);
    }
  });

  it('opencode: picks the file opencode uses (jsonc before json before config.json), else creates opencode.json under XDG_CONFIG_HOME', () => {
    const dir = path.join(t.env.XDG_CONFIG_HOME!, 'opencode');
    expect(setupTool('opencode').configFile(t.env)).toBe(path.join(dir, 'opencode.json'));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'config.json'), '{}');
    expect(setupTool('opencode').configFile(t.env)).toBe(path.join(dir, 'config.json'));
    fs.writeFileSync(path.join(dir, 'opencode.jsonc'), '{}');
    expect(setupTool('opencode').configFile(t.env)).toBe(path.join(dir, 'opencode.jsonc'));
  });

  it('opencode: the user\'s own provider options stay beside Rotary\'s; the key is an {env:} reference', () => {
    t.write('opencode', USER_CONFIGS.opencode.text);
    applySetup('opencode', ctx);
    const config = parseJsonc(t.read('opencode'));
    expect(config.provider.openai.options).toEqual({ timeout: 600000, baseURL: 'http://127.0.0.1:8787/openai', apiKey: '{env:ROTARY_GATEWAY_KEY}' });
    expect(config.provider['github-copilot'].options).toEqual({ baseURL: 'http://127.0.0.1:8787/copilot', apiKey: '{env:ROTARY_GATEWAY_KEY}' });
    expect(config.provider.anthropic).toBeUndefined();
  });

  it('undo without a record (ROTARY_HOME wiped) still takes out exactly what setup writes, and keeps the rest', () => {
    for (const tool of SETUP_TOOL_IDS) {
      t.write(tool, USER_CONFIGS[tool].text);
      applySetup(tool, ctx);
    }
    fs.rmSync(path.join(t.rotaryHome, 'client-setup.json'));
    for (const tool of SETUP_TOOL_IDS) {
      expect(undoSetup(tool, ctx).outcome, tool).toBe('removed');
      expect(settingsOf(tool, t.read(tool)), tool).toEqual(settingsOf(tool, USER_CONFIGS[tool].text));
    }
  });

  it('a config kept as a symlink is edited where it points; the link stays a link', () => {
    const real = path.join(t.home, 'dotfiles', 'settings.json');
    fs.mkdirSync(path.dirname(real), { recursive: true });
    fs.writeFileSync(real, USER_CONFIGS['claude-code'].text);
    fs.mkdirSync(path.join(t.home, '.claude'));
    fs.symlinkSync(real, t.file('claude-code'));
    applySetup('claude-code', ctx);
    expect(fs.lstatSync(t.file('claude-code')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8')).toContain('apiKeyHelper');
    undoSetup('claude-code', ctx);
    expect(fs.readFileSync(real, 'utf8')).toBe(USER_CONFIGS['claude-code'].text);
    expect(fs.lstatSync(t.file('claude-code')).isSymbolicLink()).toBe(true);
  });
});
