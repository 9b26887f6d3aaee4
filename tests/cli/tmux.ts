/**
 * Driving the CLI in a real terminal: a private tmux server per test (its own socket), the
 * command started through a small script with an explicit environment, keys sent with
 * `send-keys`, the screen read with `capture-pane`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLI_ENTRY, ROOT } from './cli-helpers.js';

export const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export interface TmuxCli {
  /** The visible screen (wrapped lines joined). */
  screen(): string;
  /** Wait until the screen matches; throws with the screen when it does not in time. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  keys(...keys: string[]): void;
  /** Type text literally (no key-name interpretation). */
  type(text: string): void;
  /** Resolves with the command's exit code once it has finished. */
  exitCode(timeoutMs?: number): Promise<number>;
  close(): void;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function startInTmux(args: string[], env: NodeJS.ProcessEnv, workDir: string): TmuxCli {
  const socket = `rotary-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const exitFile = path.join(workDir, `exit-${socket}`);
  const script = path.join(workDir, `run-${socket}.sh`);
  const exports = Object.entries(env)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `export ${k}=${shellQuote(v!)}`)
    .join('\n');
  fs.writeFileSync(
    script,
    `#!/usr/bin/env bash\n${exports}\nexport TERM=xterm-256color\ncd ${shellQuote(ROOT)}\n` +
      `${shellQuote(process.execPath)} --import tsx ${shellQuote(CLI_ENTRY)} ${args.map(shellQuote).join(' ')}\n` +
      `echo $? > ${shellQuote(exitFile)}\nsleep 600\n`,
  );
  const tmux = (...a: string[]) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...a], { encoding: 'utf8' });
  tmux('new-session', '-d', '-x', '120', '-y', '40', 'bash', script);

  const screen = () => tmux('capture-pane', '-p', '-J');
  return {
    screen,
    async waitFor(pattern, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < until) {
        last = screen();
        if (pattern.test(last)) return last;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`screen never matched ${pattern}:\n${last}`);
    },
    keys: (...keys) => void tmux('send-keys', ...keys),
    // `--`: a pasted code that starts with "-" is text, not a tmux flag.
    type: (text) => void tmux('send-keys', '-l', '--', text),
    async exitCode(timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        if (fs.existsSync(exitFile)) {
          const text = fs.readFileSync(exitFile, 'utf8').trim();
          if (text) return Number(text);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the command did not finish:\n${screen()}`);
    },
    close() {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    },
  };
}
