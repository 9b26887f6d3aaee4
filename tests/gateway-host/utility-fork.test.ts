/**
 * The desktop app's `ForkGateway` (desktop/utility-fork.ts) over Electron's utilityProcess.
 * The Electron binary cannot run here, so `utilityProcess` is the one thing faked: an object
 * with Electron's `fork` signature whose child is an EventEmitter. Everything behind the
 * mapping — supervisor, child entry, restarts — runs for real in gateway-process.test.ts.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { utilityProcessFork, type UtilityProcessLike, type UtilityProcessModuleLike } from '../../electron/desktop/utility-fork.js';
import { createGatewaySupervisor } from '../../electron/core/gateway-host/supervisor.js';
import { GATEWAY_NODE_FLAGS } from '../../electron/core/gateway/node-flags.js';

class FakeUtilityProcess extends EventEmitter implements UtilityProcessLike {
  pid = 4242;
  stdout = new PassThrough();
  stderr = new PassThrough();
  posted: unknown[] = [];
  killed = 0;
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  kill(): boolean {
    this.killed += 1;
    return true;
  }
}

function fakeElectron(): UtilityProcessModuleLike & { forks: Array<{ modulePath: string; options: unknown; child: FakeUtilityProcess }> } {
  const forks: Array<{ modulePath: string; options: unknown; child: FakeUtilityProcess }> = [];
  return {
    forks,
    fork(modulePath, _args, options) {
      const child = new FakeUtilityProcess();
      forks.push({ modulePath, options, child });
      return child;
    },
  };
}

it('maps the supervisor onto utilityProcess: fork with the env, postMessage, message and exit events, kill, output lines', async () => {
  const electron = fakeElectron();
  const lines: string[] = [];
  const fork = utilityProcessFork(electron, '/app/dist/electron/gateway-process.cjs', (line) => lines.push(line));
  const child = fork({ ROTARY_HOME: '/home/x' });
  const [{ modulePath, options, child: fake }] = electron.forks as [(typeof electron.forks)[number]];
  expect(modulePath).toBe('/app/dist/electron/gateway-process.cjs');
  expect(options).toEqual({ env: { ROTARY_HOME: '/home/x' }, serviceName: 'Rotary gateway', stdio: 'pipe', execArgv: [...GATEWAY_NODE_FLAGS] });
  expect(child.pid).toBe(4242);

  child.send({ type: 'stop' });
  expect(fake.posted).toEqual([{ type: 'stop' }]);
  const received: unknown[] = [];
  child.onMessage((m) => received.push(m));
  fake.emit('message', { type: 'log', line: 'hello' });
  expect(received).toEqual([{ type: 'log', line: 'hello' }]);
  const exits: unknown[] = [];
  child.onExit((e) => exits.push(e));
  fake.emit('exit', 9);
  expect(exits).toEqual([{ code: 9, signal: null }]);
  child.kill();
  expect(fake.killed).toBe(1);
  fake.stderr.write('a crash trace\n');
  await new Promise((r) => setImmediate(r));
  expect(lines).toEqual(['a crash trace']);
});

it('drives the supervisor through a utility process: start message, listening, a crash (exit code only) restarts it', async () => {
  const electron = fakeElectron();
  const supervisor = createGatewaySupervisor({
    fork: utilityProcessFork(electron, '/app/gateway-process.cjs'),
    env: { ROTARY_HOME: '/home/x', ROTARY_VAULT_PASSPHRASE: 'never passed on' },
    vault: { backend: 'keychain', service: 'Rotary' },
    restart: { baseDelayMs: 1 },
  });
  const first = electron.forks[0]!;
  expect(first.options).toMatchObject({ env: { ROTARY_HOME: '/home/x' } });
  expect((first.options as { env: Record<string, string> }).env.ROTARY_VAULT_PASSPHRASE).toBeUndefined();
  expect(first.child.posted).toEqual([{ type: 'start', vault: { backend: 'keychain', service: 'Rotary' }, version: 'unknown' }]);
  first.child.emit('message', { type: 'listening', url: 'http://127.0.0.1:8787', port: 8787 });
  await supervisor.started;
  expect(supervisor.state()).toEqual({ state: 'running', url: 'http://127.0.0.1:8787', port: 8787 });

  first.child.emit('exit', 1);
  expect(supervisor.state()).toMatchObject({ state: 'restarting', error: 'The gateway process exited (code 1); restarting it (attempt 1 of 5).' });
  await new Promise((r) => setTimeout(r, 20));
  const second = electron.forks[1]!;
  // The restart asks for the port the first one listened on.
  expect(second.child.posted).toEqual([{ type: 'start', vault: { backend: 'keychain', service: 'Rotary' }, version: 'unknown', port: 8787 }]);
  const stopped = supervisor.stop();
  expect(second.child.posted.at(-1)).toEqual({ type: 'stop' });
  second.child.emit('exit', 0);
  await stopped;
  expect(supervisor.state()).toEqual({ state: 'stopped' });
});
