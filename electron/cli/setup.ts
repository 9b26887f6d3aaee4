/**
 * `rotary setup <tool> [--print]`, `rotary setup --undo <tool>`, `rotary setup --list`: point
 * Claude Code, Codex CLI or opencode at the gateway by writing the tool's own config file
 * (electron/core/clients/setup.ts does the work), and take it out again.
 */
import { SETUP_TOOL_IDS, type SetupToolID } from '../../shared/ipc.js';
import { findSetupTool, SETUP_TOOLS } from '../core/clients/registry.js';
import { applySetup, planSetup, setupStatus, undoSetup, type SetupContext, type SetupPlan } from '../core/clients/setup.js';
import { ConfigUnreadableError, SetupConflictError } from '../core/clients/types.js';
import { DEFAULT_GATEWAY_PORT, GATEWAY_HOST, gatewayPortFromEnv } from '../core/gateway/gateway.js';
import { rotaryHome } from '../core/paths.js';
import { describeArg, HELP_OPTION, parseCommand, parseIntOption } from './args.js';
import type { Command } from './command.js';
import { CliFailure, EXIT_OK, printHelp, println, UsageError, type CliIO } from './io.js';
import { rotaryKeyCommand } from './key-command.js';

const TOOL_LIST = SETUP_TOOLS.map((t) => `  ${t.id.padEnd(12)} ${t.title}: ${t.fileHint}`).join('\n');

export const setup: Command = {
  name: 'setup',
  summary: 'point Claude Code, Codex CLI or opencode at the gateway (and undo it)',
  help: `Usage: rotary setup <tool> [--print] [--port N]
       rotary setup --undo <tool>
       rotary setup --list

Writes the gateway's address into a tool's own config file. Everything of yours in the file
stays (keys, comments, formatting); the original is kept beside it as <file>.rotary-backup;
Rotary's settings are marked. Running it again changes nothing. The gateway key is not
written anywhere: the tools ask \`rotary key\` for it, or read it from the environment.

Tools:
${TOOL_LIST}

Options:
  --print       show exactly what would change (a diff, or the whole new file) and change nothing
  --undo        put the file back as it was before the setup (byte for byte when it was not
                changed since; otherwise only Rotary's settings are taken out)
  --list        each tool, its config file and whether it is set up
  -p, --port N  gateway port to point at (default: ROTARY_GATEWAY_PORT, else ${DEFAULT_GATEWAY_PORT})
  -h, --help    show this help

Examples:
  rotary setup claude-code --print
  rotary setup codex
  rotary setup --undo opencode`,
  async run(argv, io) {
    const { values, positionals } = parseCommand(
      'setup',
      {
        args: argv,
        options: { ...HELP_OPTION, print: { type: 'boolean' }, undo: { type: 'boolean' }, list: { type: 'boolean' }, port: { type: 'string', short: 'p' } },
        strict: true,
        allowPositionals: true,
      },
      1,
    );
    if (values.help) return printHelp(io, this.help);
    const ctx = setupContext(io, parseIntOption('port', values.port, 1, 65535));
    if (values.list) {
      if (positionals.length || values.undo || values.print) throw new UsageError('--list takes no tool and no other option', 'see `rotary setup --help`');
      return list(io, ctx);
    }
    if (values.undo && values.print) throw new UsageError('--print and --undo do not go together', 'see `rotary setup --help`');
    const toolID = parseTool(positionals[0], 'setup');
    return explained(() => (values.undo ? undo(io, toolID, ctx) : values.print ? print(io, planSetup(toolID, ctx)) : apply(io, toolID, ctx)));
  },
};

/** The gateway address the tools get and where the setup records live. */
export function setupContext(io: CliIO, port?: number): SetupContext {
  const p = port ?? (gatewayPortFromEnv(io.env) || DEFAULT_GATEWAY_PORT);
  return { env: io.env, home: rotaryHome(io.env), target: { url: `http://${GATEWAY_HOST}:${p}`, keyCommand: rotaryKeyCommand() } };
}

/** A tool named on the command line; a missing or unknown one is a usage error listing them. */
export function parseTool(word: string | undefined, command: string): SetupToolID {
  if (word === undefined) throw new UsageError(`\`rotary ${command}\` needs a tool: ${SETUP_TOOL_IDS.join(', ')}`, `see \`rotary ${command} --help\``);
  const tool = findSetupTool(word);
  if (!tool) throw new UsageError(`unknown tool ${describeArg(word)}`, `use one of: ${SETUP_TOOL_IDS.join(', ')}`);
  return tool.id;
}

function apply(io: CliIO, toolID: SetupToolID, ctx: SetupContext): number {
  const result = applySetup(toolID, ctx);
  const { plan } = result;
  if (!result.wrote) {
    println(io.stdout, `${plan.title} is already set up in ${plan.file}; nothing changed.`);
  } else {
    println(io.stdout, `Set up ${plan.title}: ${plan.exists ? 'updated' : 'created'} ${plan.file}`);
    for (const line of plan.adds) println(io.stdout, `  + ${line}`);
    if (result.backup) println(io.stdout, `  Original kept in ${result.backup}.`);
  }
  notes(io, plan);
  println(io.stdout, `Undo with: rotary setup --undo ${toolID}`);
  return EXIT_OK;
}

function print(io: CliIO, plan: SetupPlan): number {
  if (!plan.changed) println(io.stdout, `${plan.file} already has these settings; setup would change nothing.`);
  else if (!plan.exists) {
    println(io.stdout, `Would create ${plan.file}:`);
    io.stdout.write(plan.after);
  } else {
    println(io.stdout, `Would change ${plan.file} (a copy of it would be kept as ${plan.file}.rotary-backup):`);
    io.stdout.write(plan.diff);
  }
  notes(io, plan);
  println(io.stdout, 'Nothing was changed (--print).');
  return EXIT_OK;
}

function notes(io: CliIO, plan: SetupPlan): void {
  for (const line of [...plan.notes, ...plan.warnings.map((w) => `Warning: ${w}`)]) println(io.stdout, line);
}

function undo(io: CliIO, toolID: SetupToolID, ctx: SetupContext): number {
  const result = undoSetup(toolID, ctx);
  println(io.stdout, result.message);
  return EXIT_OK;
}

function list(io: CliIO, ctx: SetupContext): number {
  for (const tool of SETUP_TOOLS) {
    const status = setupStatus(tool.id, ctx);
    const state = status.state.replace(/-/g, ' ');
    println(io.stdout, `${tool.id.padEnd(12)} ${state.padEnd(16)} ${status.file}`);
    if (status.state === 'changed-by-hand' || status.state === 'unreadable') println(io.stdout, `${''.padEnd(30)}${status.message}`);
  }
  return EXIT_OK;
}

/** A file the tool cannot read, or a clash with the user's own settings: one clear line, exit 1, file untouched. */
function explained(work: () => number): number {
  try {
    return work();
  } catch (error) {
    if (error instanceof ConfigUnreadableError || error instanceof SetupConflictError) throw new CliFailure(error.message);
    throw error;
  }
}
