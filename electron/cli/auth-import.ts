/**
 * `rotary auth import [--all | --pick id,id]`: find logins other tools already hold (Claude
 * Code, Codex, opencode), show them (source, provider, a hint — never the token) and import
 * the chosen ones. The other tools' files are only read, never changed.
 */
import os from 'node:os';
import { escapeControls } from '../../shared/plain-text.js';
import { errorMessage } from '../core/errors.js';
import { IMPORT_REFRESH_WARNING } from '../core/providers/credential-import.js';
import { HELP_OPTION, parseCommand } from './args.js';
import type { Command } from './command.js';
import { withCore } from './context.js';
import { CliFailure, EXIT_FAILURE, EXIT_OK, printHelp, println, UsageError } from './io.js';
import { loginImporter, type FoundLogin } from './links.js';
import { chooseMany, intro, log, outro } from './prompts.js';
import { providerName, quotedName } from './render.js';

export const SIGN_OUT_WARNING = `Note: ${IMPORT_REFRESH_WARNING} Log in there again if that happens.`;

export const authImport: Command = {
  name: 'auth import',
  summary: 'import logins from Claude Code, Codex and opencode',
  help: `Usage: rotary auth import [--all | --pick ID,ID]

Looks for existing logins of Claude Code (~/.claude/.credentials.json), Codex
(~/.codex/auth.json) and opencode (its auth.json), lists them and imports the ones you
choose. Those files are only read, never changed.

${SIGN_OUT_WARNING}

Options:
  --all          import everything found
  --pick IDS     import the listed ids (comma-separated, as shown by --list)
  --list         only list what was found
  -h, --help     show this help`,
  async run(argv, io) {
    const { values } = parseCommand(
      'auth import',
      { args: argv, options: { ...HELP_OPTION, all: { type: 'boolean' }, pick: { type: 'string' }, list: { type: 'boolean' } }, strict: true, allowPositionals: true },
      0,
    );
    if (values.help) return printHelp(io, this.help);
    if (values.all && values.pick !== undefined) throw new UsageError('pass either --all or --pick, not both', 'see `rotary auth import --help`');
    const picked = values.pick?.split(',').map((s) => s.trim()).filter(Boolean);
    if (picked && picked.length === 0) throw new UsageError('--pick needs ids, e.g. --pick 1,3');

    return withCore(io, async (core) => {
      const importer = loginImporter(core, io.env.HOME ?? os.homedir());
      const found = importer.find();
      if (found.length === 0) {
        println(io.stdout, 'No existing logins found (looked for Claude Code, Codex and opencode).');
        return EXIT_OK;
      }
      const interactive = io.isTTY && !values.all && !picked && !values.list;
      if (!interactive) {
        println(io.stdout, 'Found:');
        for (const line of table(found)) println(io.stdout, `  ${line}`);
      }
      if (values.list) return EXIT_OK;
      let chosen: FoundLogin[];
      if (values.all) chosen = found;
      else if (picked) {
        const unknown = picked.filter((id) => !found.some((f) => f.id === id));
        if (unknown.length > 0) throw new UsageError(`no found login with id ${unknown.join(', ')}`, `ids found: ${found.map((f) => f.id).join(', ')}`);
        chosen = found.filter((f) => picked.includes(f.id));
      } else if (!io.isTTY) {
        throw new UsageError('choose what to import', 'pass --all, or --pick with ids from the list above');
      } else {
        intro(io, 'Import existing logins');
        const ids = await chooseMany(
          io,
          'Import which logins? (space to select, enter to confirm)',
          found.map((f) => ({ value: f.id, label: `${f.source} — ${providerName(f.providerID)} (${escapeControls(f.hint)})`, hint: escapeControls(f.path) })),
        );
        chosen = found.filter((f) => ids.includes(f.id));
        if (chosen.length === 0) {
          outro(io, 'Nothing imported.');
          return EXIT_OK;
        }
      }

      let failures = 0;
      for (const login of chosen) {
        try {
          const record = await importer.importOne(login.id, {});
          const line = `Imported ${login.source} login as ${providerName(record.providerID)} account ${quotedName(record)}.`;
          if (interactive) log.success(io, line);
          else println(io.stdout, line);
        } catch (error) {
          failures++;
          println(io.stderr, `rotary: could not import ${login.source} (${providerName(login.providerID)}): ${escapeControls(errorMessage(error))}`);
        }
      }
      if (chosen.length > failures) {
        if (interactive) log.warn(io, SIGN_OUT_WARNING);
        else println(io.stderr, SIGN_OUT_WARNING);
      }
      if (interactive) outro(io, 'Done');
      if (failures > 0 && failures === chosen.length) throw new CliFailure('nothing was imported');
      return failures > 0 ? EXIT_FAILURE : EXIT_OK;
    });
  },
};

function table(found: FoundLogin[]): string[] {
  const w = (pick: (f: FoundLogin) => string) => Math.max(...found.map((f) => pick(f).length));
  const idW = w((f) => f.id);
  const srcW = w((f) => f.source);
  const provW = w((f) => providerName(f.providerID));
  // The hint comes from the token's claims and the path from the disk: both escaped.
  return found.map((f) => `${f.id.padEnd(idW)}  ${f.source.padEnd(srcW)}  ${providerName(f.providerID).padEnd(provW)}  ${escapeControls(f.hint)}  ${escapeControls(f.path)}`);
}
