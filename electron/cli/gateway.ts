/**
 * `rotary gateway [--port N] [--ui]`: run the gateway without Electron, for terminals and
 * servers (`runHeadlessGateway` does the work and prints the client settings). `--ui` also
 * polls usage and serves the web UI on the same server. Runs until Ctrl+C / SIGTERM, then
 * closes cleanly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { rotaryHome } from '../core/paths.js';
import { runHeadlessGateway } from './headless-gateway.js';
import { HELP_OPTION, parseCommand, parseIntOption } from './args.js';
import type { Command } from './command.js';
import { CliFailure, EXIT_OK, printHelp, println } from './io.js';
import { packageInfo } from './package-root.js';
import { openCliVault } from './vault-open.js';

export const gateway: Command = {
  name: 'gateway',
  summary: 'run the local gateway headless (no app window)',
  help: `Usage: rotary gateway [--port N] [--ui]

Runs the local gateway on 127.0.0.1 without the desktop app and prints the settings for
Claude Code, opencode, Codex CLI and the SDKs. Stops on Ctrl+C.

Options:
  -p, --port N  port to listen on (default: ROTARY_GATEWAY_PORT, else 8787)
  --ui          also serve the web UI and print its address
  -h, --help    show this help

Environment: ROTARY_GATEWAY_KEY, ROTARY_GATEWAY_PORT, ROTARY_HOME, ROTARY_UPSTREAM.`,
  async run(argv, io) {
    const { values } = parseCommand(
      'gateway',
      { args: argv, options: { ...HELP_OPTION, port: { type: 'string', short: 'p' }, ui: { type: 'boolean' } }, strict: true, allowPositionals: true },
      0,
    );
    if (values.help) return printHelp(io, this.help);
    const port = parseIntOption('port', values.port, 0, 65535);
    const ui = values.ui ? { staticDir: webUIFolder(), version: packageInfo()?.version ?? 'unknown' } : undefined;

    // Signals arrive through io.signal (main() owns them), so the gateway installs none itself.
    const vault = await openCliVault(io, rotaryHome(io.env));
    const headless = await runHeadlessGateway({
      env: io.env,
      stdout: io.stdout,
      stderr: io.stderr,
      handleSignals: false,
      vault,
      ...(port !== undefined ? { port } : {}),
      ...(ui ? { ui } : {}),
    });
    try {
      await new Promise<void>((resolve) => {
        if (io.signal?.aborted) return resolve();
        io.signal?.addEventListener('abort', () => resolve(), { once: true });
        void headless.done.then(resolve);
      });
    } finally {
      await headless.stop();
    }
    println(io.stdout, 'Gateway stopped.');
    return EXIT_OK;
  },
};

/** The built renderer (`renderer/dist`); `--ui` needs it. */
function webUIFolder(): string {
  const root = packageInfo()?.root;
  const dir = root ? path.join(root, 'renderer', 'dist') : undefined;
  if (!dir || !fs.existsSync(path.join(dir, 'index.html'))) {
    throw new CliFailure('the web UI is not built (renderer/dist is missing); run `npm run build:web` first');
  }
  return dir;
}
