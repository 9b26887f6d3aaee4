/**
 * The `setup:*` channels of the application service over a real runtime (store, file vault,
 * gateway on a free port) and a temporary HOME: inputs checked by the contract's schemas, the
 * gateway's own address written, no result carrying the gateway key, clear errors.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../electron/core/runtime.js';
import { BROKEN_CONFIGS, makeToolHome, USER_CONFIGS, type ToolHome } from '../clients/fixtures.js';

const KEY = 'rotary-setup-channel-key-0123456789';
let t: ToolHome;
let rt: Runtime | undefined;
beforeEach(() => {
  t = makeToolHome();
});
afterEach(async () => {
  await rt?.close();
  rt = undefined;
  t.cleanup();
});

async function start(withGateway = true): Promise<Runtime> {
  rt = await startRuntime({
    env: { ...t.env, ROTARY_SECRET_BACKEND: 'file', ROTARY_GATEWAY_KEY: KEY },
    home: t.rotaryHome,
    warn: () => undefined,
    service: { shell: 'web', version: '0.0.0-test', keyCommand: ['/usr/bin/node', '/opt/rotary/bin/rotary.mjs', 'key'] },
    ...(withGateway ? { gateway: { port: 0, log: () => undefined } } : {}),
  });
  return rt;
}

it('list, preview, apply, apply again, undo: the gateway address goes in, the key never comes out', async () => {
  const { service, gateway } = await start();
  const answers: unknown[] = [];
  const call = async (channel: string, input?: unknown) => {
    const res = await service!.call(channel, input);
    answers.push(res);
    return res as { ok: boolean; value?: any; error?: { code: string; message: string } }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const list = await call('setup:list');
  expect(list.value.tools.map((s: { toolID: string; state: string }) => `${s.toolID} ${s.state}`)).toEqual(['claude-code not-connected', 'codex not-connected', 'opencode not-connected']);
  expect(typeof list.value.host).toBe('string');

  const file = t.write('codex', USER_CONFIGS.codex.text);
  const preview = await call('setup:preview', { toolID: 'codex' });
  expect(preview.value).toMatchObject({ file, exists: true, changed: true, keyInFile: false });
  expect(preview.value.after).toContain(`base_url = "${gateway!.url}/openai"`);
  expect(fs.readFileSync(file, 'utf8')).toBe(USER_CONFIGS.codex.text);

  const applied = await call('setup:apply', { toolID: 'codex' });
  expect(applied.value).toMatchObject({ wrote: true, status: { state: 'connected' } });
  expect(fs.readFileSync(file, 'utf8')).toBe(preview.value.after);
  expect((await call('setup:apply', { toolID: 'codex' })).value).toMatchObject({ wrote: false, message: expect.stringContaining('already set up') });

  const undone = await call('setup:undo', { toolID: 'codex' });
  expect(undone.value).toMatchObject({ outcome: 'restored', status: { state: 'not-connected' } });
  expect(fs.readFileSync(file, 'utf8')).toBe(USER_CONFIGS.codex.text);
  for (const answer of answers) expect(JSON.stringify(answer)).not.toContain(KEY);
});

it('an unreadable config is a bad-input answer naming the file; an unknown tool is refused by the schema', async () => {
  const { service } = await start();
  const file = t.write('claude-code', BROKEN_CONFIGS['claude-code']);
  const res = await service!.call('setup:apply', { toolID: 'claude-code' });
  expect(res).toMatchObject({ ok: false, error: { code: 'bad-input', message: expect.stringContaining(file) } });
  expect(fs.readFileSync(file, 'utf8')).toBe(BROKEN_CONFIGS['claude-code']);
  expect(await service!.call('setup:preview', { toolID: 'vim' })).toMatchObject({ ok: false, error: { code: 'bad-input' } });
});

it('without a running gateway there is no address to write: a clear answer, nothing written', async () => {
  const { service } = await start(false);
  const res = await service!.call('setup:apply', { toolID: 'opencode' });
  expect(res).toMatchObject({ ok: false, error: { message: expect.stringContaining('gateway is not running') } });
  expect(fs.existsSync(t.file('opencode'))).toBe(false);
});
