/**
 * `rotary env [tool]`: the shell exports that point a tool at the gateway, for people who keep
 * such things in their shell profile: `eval "$(rotary env claude-code)"`. Without a tool, every
 * tool's lines. They hold the real gateway key (that is their point), so they go to stdout only.
 */
import { SETUP_TOOL_IDS } from '../../shared/ipc.js';
import { SETUP_TOOLS, setupTool } from '../core/clients/registry.js';
import { resolveGatewayKey } from '../core/gateway/gateway-key.js';
import { rotaryHome } from '../core/paths.js';
import { HELP_OPTION, parseCommand, parseIntOption } from './args.js';
import type { Command } from './command.js';
import { EXIT_OK, printHelp, println } from './io.js';
import { parseTool, setupContext } from './setup.js';
import { openCliVault } from './vault-open.js';

export const env: Command = {
  name: 'env',
  summary: 'print shell exports that point a tool at the gateway',
  help: `Usage: rotary env [tool] [--port N]

Prints the shell lines that point a tool at the gateway, with the gateway key, for your shell
profile or one shell:

  eval "$(rotary env claude-code)"

Tools: ${SETUP_TOOL_IDS.join(', ')} (without one: all of them). Codex CLI takes no gateway
settings from the environment; use \`rotary setup codex\` for it.

Options:
  -p, --port N  gateway port (default: ROTARY_GATEWAY_PORT, else 8787)
  -h, --help    show this help`,
  async run(argv, io) {
    const { values, positionals } = parseCommand('env', { args: argv, options: { ...HELP_OPTION, port: { type: 'string', short: 'p' } }, strict: true, allowPositionals: true }, 1);
    if (values.help) return printHelp(io, this.help);
    const tools = positionals[0] === undefined ? SETUP_TOOLS : [setupTool(parseTool(positionals[0], 'env'))];
    const { target } = setupContext(io, parseIntOption('port', values.port, 1, 65535));
    const fromEnv = io.env.ROTARY_GATEWAY_KEY?.trim();
    const key = fromEnv || (await resolveGatewayKey({ env: io.env, vault: await openCliVault(io, rotaryHome(io.env)) }));
    for (const tool of tools) {
      if (tools.length > 1) println(io.stdout, `# ${tool.title}`);
      for (const line of tool.envLines(target.url, key)) println(io.stdout, line);
    }
    return EXIT_OK;
  },
};
