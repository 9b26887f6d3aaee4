/**
 * Codex CLI: ignores OPENAI_BASE_URL and reaches a local gateway only through a custom model
 * provider in `$CODEX_HOME/config.toml` (default `~/.codex`): `model_provider = "rotary"` and
 * `[model_providers.rotary]` with the OpenAI route and `wire_api = "responses"`. The key comes
 * from `[model_providers.rotary.auth]`, a command Codex runs for a bearer token (newer than
 * `env_key`; read off @openai/codex 0.171: `command`, `args`, `timeout_ms`,
 * `refresh_interval_ms`), so the file never holds it.
 */
import path from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { provider } from '../providers/registry.js';
import { toolConfigDir } from './homes.js';
import { hasBlocks, insertBlocks, removeBlocks, type TomlBlocks } from './toml-blocks.js';
import { ANTHROPIC_TERMS_NOTE } from './claude-code.js';
import { ConfigUnreadableError, NO_MARKS, SetupConflictError, type GatewayTarget, type SetupTool } from './types.js';

export const CODEX_PROVIDER_ID = 'rotary';
/** `rotary key` starts Node and opens the vault; Codex's default (5 s) is tight on a busy machine. */
const KEY_COMMAND_TIMEOUT_MS = 15_000;

export function openaiBaseUrl(url: string): string {
  return `${url.replace(/\/+$/, '')}${provider('openai').route}`;
}

const toml = (value: string): string => JSON.stringify(value);

function blocks(target: GatewayTarget): TomlBlocks {
  const [command, ...args] = target.keyCommand;
  return {
    keys: ['model_provider'],
    top: [`model_provider = ${toml(CODEX_PROVIDER_ID)}`],
    tables: [
      `[model_providers.${CODEX_PROVIDER_ID}]`,
      'name = "Rotary"',
      `base_url = ${toml(openaiBaseUrl(target.url))}`,
      'wire_api = "responses"',
      '',
      `[model_providers.${CODEX_PROVIDER_ID}.auth]`,
      `command = ${toml(command ?? 'rotary')}`,
      `args = [${args.map(toml).join(', ')}]`,
      `timeout_ms = ${KEY_COMMAND_TIMEOUT_MS}`,
    ],
  };
}

function parsed(file: string, text: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (error) {
    const where = error instanceof TomlError ? `line ${error.line}, column ${error.column}` : 'somewhere';
    const what = error instanceof Error ? error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '') : String(error);
    throw new ConfigUnreadableError(file, `${what} at ${where}`);
  }
}

type ProviderTable = { base_url?: unknown; wire_api?: unknown; auth?: { command?: unknown; args?: unknown } };

function ourProvider(config: Record<string, unknown>): ProviderTable | undefined {
  const providers = config.model_providers as Record<string, ProviderTable> | undefined;
  return providers?.[CODEX_PROVIDER_ID];
}

export const codex: SetupTool = {
  id: 'codex',
  title: 'Codex CLI',
  fileHint: '~/.codex/config.toml ($CODEX_HOME/config.toml when set)',
  limitedNote: 'Codex ends the turn at once with its own usage-limit message and the reset time ("You’ve hit your usage limit. Try again at 12:09 PM.").',
  configFile: (env) => path.join(toolConfigDir(env, 'CODEX_HOME', '.codex'), 'config.toml'),
  check(file, text) {
    parsed(file, text);
  },
  apply(text, target, _prior, file) {
    if (text !== undefined && !hasBlocks(text) && ourProvider(parsed(file, text))) {
      throw new SetupConflictError(file, `it already has a [model_providers.${CODEX_PROVIDER_ID}] table that Rotary did not write (rename that provider first)`);
    }
    const out = insertBlocks(text, blocks(target), 'codex');
    // Check the result the way Codex will read it before anyone writes it.
    const config = parsed(file, out);
    const table = ourProvider(config);
    if (config.model_provider !== CODEX_PROVIDER_ID || table?.base_url !== openaiBaseUrl(target.url)) {
      throw new SetupConflictError(file, 'Rotary could not add its provider without changing what the rest of the file means');
    }
    return { text: out, marks: NO_MARKS };
  },
  remove: (text) => removeBlocks(text),
  inspect(text, target) {
    let config: Record<string, unknown>;
    try {
      config = parse(text) as Record<string, unknown>;
    } catch {
      return hasBlocks(text) ? 'stale' : 'absent';
    }
    const table = ourProvider(config);
    const [command, ...args] = target.keyCommand;
    const current =
      config.model_provider === CODEX_PROVIDER_ID &&
      table?.base_url === openaiBaseUrl(target.url) &&
      table.wire_api === 'responses' &&
      table.auth?.command === command &&
      JSON.stringify(table.auth?.args ?? []) === JSON.stringify(args);
    if (current) return 'current';
    return hasBlocks(text) || table ? 'stale' : 'absent';
  },
  describe: (target) => [
    `model_provider = "${CODEX_PROVIDER_ID}" (before the first table)`,
    `[model_providers.${CODEX_PROVIDER_ID}] base_url = ${openaiBaseUrl(target.url)}, wire_api = "responses"`,
    `[model_providers.${CODEX_PROVIDER_ID}.auth] command = ${target.keyCommand.join(' ')}`,
  ],
  keyNote: 'The key is not written to the file: Codex runs `rotary key` ([model_providers.rotary.auth]) to get it.',
  routesNote: `The OpenAI (ChatGPT / Codex) route (/openai); Codex speaks only the Responses API, which Copilot's route does not serve. ${ANTHROPIC_TERMS_NOTE}`,
  warnings(text) {
    const config = parse(text) as { profile?: unknown; profiles?: Record<string, { model_provider?: unknown }> };
    const profile = typeof config.profile === 'string' ? config.profiles?.[config.profile] : undefined;
    return profile?.model_provider !== undefined
      ? [`The active profile "${String(config.profile)}" sets its own model_provider, which wins over Rotary's; use \`codex -c model_provider=rotary\` or change the profile.`]
      : [];
  },
  envLines: () => ['# Codex CLI takes no gateway settings from the environment (it ignores OPENAI_BASE_URL): run `rotary setup codex`.'],
};
