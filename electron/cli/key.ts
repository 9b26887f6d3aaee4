/**
 * `rotary key`: print the gateway key, for the tools that ask a command for it (Claude Code's
 * `apiKeyHelper`, Codex's `[model_providers.rotary.auth]`, both written by `rotary setup`).
 * The same key the gateway uses: ROTARY_GATEWAY_KEY when set, else the one in the vault
 * (made once if there is none yet).
 */
import { resolveGatewayKey } from '../core/gateway/gateway-key.js';
import { rotaryHome } from '../core/paths.js';
import { HELP_OPTION, parseCommand } from './args.js';
import type { Command } from './command.js';
import { EXIT_OK, printHelp, println } from './io.js';
import { openCliVault } from './vault-open.js';

export const key: Command = {
  name: 'key',
  summary: 'print the gateway key (for a tool\'s key helper)',
  help: `Usage: rotary key

Prints the gateway key on standard output and nothing else. \`rotary setup\` makes Claude Code
(apiKeyHelper) and Codex CLI ([model_providers.rotary.auth]) run this command, so the key is
never written into their config files. It is the key the gateway checks: ROTARY_GATEWAY_KEY
when set, otherwise the one kept in the vault.

Options:
  -h, --help  show this help`,
  async run(argv, io) {
    const { values } = parseCommand('key', { args: argv, options: { ...HELP_OPTION }, strict: true, allowPositionals: true }, 0);
    if (values.help) return printHelp(io, this.help);
    // The environment's key needs no vault (so no passphrase prompt that a helper could not answer).
    const fromEnv = io.env.ROTARY_GATEWAY_KEY?.trim();
    const gatewayKey = fromEnv || (await resolveGatewayKey({ env: io.env, vault: await openCliVault(io, rotaryHome(io.env), { offer: false }) }));
    println(io.stdout, gatewayKey);
    return EXIT_OK;
  },
};
