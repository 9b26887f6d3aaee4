/**
 * `rotary setup <tool>` and the app's "Set up" buttons: write Rotary's settings into a tool's
 * own config file, and take them out again.
 *
 *  - Nothing is written unless the tool could read the file as it is (ConfigUnreadableError).
 *  - The first setup copies the original beside it (`<file>.rotary-backup`, never overwritten
 *    by a later setup) and records in ROTARY_HOME (`client-setup.json`) the hash of what it
 *    wrote and which values it set or replaced.
 *  - Undo puts the original back byte for byte when the file is still exactly what setup wrote;
 *    otherwise it takes out only Rotary's settings and leaves the user's later edits.
 *  - Setting up twice changes nothing the second time (same text, no second backup).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SetupToolID, SetupToolStatus } from '../../../shared/ipc.js';
import { writeFileAtomic } from '../pool/file-lock.js';
import { setupTool } from './registry.js';
import { unifiedDiff } from './text-diff.js';
import { NO_MARKS, type GatewayTarget, type JsonMarks } from './types.js';

export interface SetupContext {
  /** The environment the tools run in: HOME, CLAUDE_CONFIG_DIR, CODEX_HOME, XDG_CONFIG_HOME. */
  env: NodeJS.ProcessEnv;
  /** ROTARY_HOME, where the setup records are kept. */
  home: string;
  target: GatewayTarget;
  now?: () => number;
}

export interface SetupPlan {
  toolID: SetupToolID;
  title: string;
  file: string;
  exists: boolean;
  /** The file's text now ('' when it does not exist yet) and after the setup. */
  before: string;
  after: string;
  changed: boolean;
  /** Unified diff from `before` to `after` ('' when nothing changes). */
  diff: string;
  /** What setup adds, one line each. */
  adds: string[];
  /** How the tool gets the key, which routes it gets and why. */
  notes: string[];
  /** Things in the user's file that get in the way. */
  warnings: string[];
  /** Never true today: every tool gets the key from a helper command or the environment. */
  keyInFile: boolean;
}

export type SetupStatus = SetupToolStatus;
type SetupState = SetupToolStatus['state'];

export interface ApplyResult {
  plan: SetupPlan;
  /** False when the file already had exactly these settings. */
  wrote: boolean;
  backup?: string;
}

export interface UndoResult {
  toolID: SetupToolID;
  file: string;
  /** `restored`: the original is back byte for byte; `removed`: only Rotary's settings were taken out; `nothing`: there was nothing of Rotary's. */
  outcome: 'restored' | 'removed' | 'nothing';
  /** The original from before the first setup, kept when the file was changed since. */
  backup?: string;
  message: string;
}

interface SetupRecord {
  file: string;
  existed: boolean;
  backup?: string;
  sha256Before?: string;
  sha256After: string;
  /** The config folder setup created (removed again on undo when empty). */
  createdDir?: string;
  marks: JsonMarks;
  at: number;
}

interface SetupRecords {
  version: 1;
  tools: Partial<Record<SetupToolID, SetupRecord>>;
}

const RECORDS_FILE = 'client-setup.json';
const BACKUP_SUFFIX = '.rotary-backup';

export function planSetup(toolID: SetupToolID, ctx: SetupContext): SetupPlan {
  const tool = setupTool(toolID);
  const file = tool.configFile(ctx.env);
  const before = readText(file);
  if (before !== undefined) tool.check(file, before);
  const record = readRecords(ctx.home).tools[toolID];
  const prior = record && record.file === file ? record.marks : NO_MARKS;
  const { text: after } = tool.apply(before, ctx.target, prior, file);
  return {
    toolID,
    title: tool.title,
    file,
    exists: before !== undefined,
    before: before ?? '',
    after,
    changed: after !== before,
    diff: unifiedDiff(before ?? '', after, before === undefined ? '/dev/null' : file, file),
    adds: tool.describe(ctx.target),
    notes: [tool.keyNote, tool.routesNote],
    warnings: before === undefined ? [] : tool.warnings(before),
    keyInFile: false,
  };
}

export function applySetup(toolID: SetupToolID, ctx: SetupContext): ApplyResult {
  const tool = setupTool(toolID);
  const plan = planSetup(toolID, ctx);
  const records = readRecords(ctx.home);
  const earlier = records.tools[toolID];
  const record = earlier && earlier.file === plan.file ? earlier : undefined;
  if (!plan.changed) return { plan, wrote: false, ...(record?.backup ? { backup: record.backup } : {}) };

  const target = realTarget(plan.file);
  const before = plan.exists ? fs.readFileSync(target) : undefined;
  const { marks } = tool.apply(plan.exists ? plan.before : undefined, ctx.target, record?.marks ?? NO_MARKS, plan.file);
  const next: SetupRecord = record ?? {
    file: plan.file,
    existed: plan.exists,
    sha256After: '',
    marks,
    at: 0,
    ...(before ? { sha256Before: sha256(before), backup: backUp(target) } : {}),
    ...(fs.existsSync(path.dirname(target)) ? {} : { createdDir: path.dirname(target) }),
  };
  writeFileAtomic(target, plan.after, plan.exists ? fs.statSync(target).mode & 0o777 : 0o644);
  records.tools[toolID] = { ...next, sha256After: sha256(Buffer.from(plan.after)), marks, at: (ctx.now ?? Date.now)() };
  writeRecords(ctx.home, records);
  return { plan, wrote: true, ...(next.backup ? { backup: next.backup } : {}) };
}

export function undoSetup(toolID: SetupToolID, ctx: SetupContext): UndoResult {
  const tool = setupTool(toolID);
  const records = readRecords(ctx.home);
  const record = records.tools[toolID];
  const file = record?.file ?? tool.configFile(ctx.env);
  const target = realTarget(file);
  const current = fs.existsSync(target) ? fs.readFileSync(target) : undefined;
  const forget = () => {
    delete records.tools[toolID];
    writeRecords(ctx.home, records);
  };
  const done = (outcome: UndoResult['outcome'], message: string, backup?: string): UndoResult => ({ toolID, file, outcome, message, ...(backup ? { backup } : {}) });

  if (current === undefined) {
    if (record) forget();
    return done('nothing', `${file} does not exist; there is nothing to undo.`);
  }
  // Untouched since the setup: put back exactly what was there.
  if (record && sha256(current) === record.sha256After) {
    if (!record.existed) {
      fs.rmSync(target);
      if (record.createdDir) removeEmptyDir(record.createdDir);
      forget();
      return done('restored', `Removed ${file} (setup had created it).`);
    }
    const backup = record.backup ? readBuffer(record.backup) : undefined;
    if (backup && sha256(backup) === record.sha256Before) {
      writeFileAtomic(target, backup.toString('utf8'), fs.statSync(target).mode & 0o777);
      fs.rmSync(record.backup!);
      forget();
      return done('restored', `Restored ${file} exactly as it was before the setup.`);
    }
  }
  const text = current.toString('utf8');
  tool.check(file, text);
  const marks = record?.marks ?? guessMarks(toolID, text, ctx, file);
  const stripped = tool.remove(text, marks);
  const backup = record?.backup && fs.existsSync(record.backup) ? record.backup : undefined;
  if (stripped === text) {
    if (record) forget();
    return done('nothing', `${file} has no settings of Rotary's; nothing was changed.`, backup);
  }
  writeFileAtomic(target, stripped, fs.statSync(target).mode & 0o777);
  forget();
  return done('removed', `Took Rotary's settings out of ${file}; it had been changed since the setup, so everything else stays as it is now.${backup ? ` The original from before the setup is still in ${backup}.` : ''}`, backup);
}

export function setupStatus(toolID: SetupToolID, ctx: SetupContext): SetupStatus {
  const tool = setupTool(toolID);
  const file = tool.configFile(ctx.env);
  const recorded = readRecords(ctx.home).tools[toolID];
  const record = recorded?.file === file ? recorded : undefined;
  const status = (state: SetupState, message: string): SetupStatus => ({ toolID, title: tool.title, file, state, message });
  const text = readText(file);
  if (text === undefined) return record ? status('changed-by-hand', `${file} was removed after the setup.`) : status('not-connected', `Not set up (${file} does not exist yet).`);
  try {
    tool.check(file, text);
  } catch (error) {
    return status('unreadable', error instanceof Error ? error.message : String(error));
  }
  const presence = tool.inspect(text, ctx.target);
  if (presence === 'current') {
    const edited = record && sha256(Buffer.from(text)) !== record.sha256After;
    return status('connected', edited ? `Connected; ${file} was changed since the setup (undo takes out only Rotary's settings).` : `Connected through ${file}.`);
  }
  if (presence === 'stale') return status('changed-by-hand', `Rotary's settings in ${file} differ from what setup writes now (edited, or another port); set up again to fix them.`);
  return record ? status('changed-by-hand', `Rotary's settings were taken out of ${file} by hand.`) : status('not-connected', `Not set up (${file} has no settings of Rotary's).`);
}

/**
 * Without a record (ROTARY_HOME was wiped, or the settings were pasted by hand) Rotary's values
 * are recognised by being exactly what setup writes now; a file setup could not merge into has none.
 * (Values setup replaced cannot be put back then: the backup beside the file still has them.)
 */
function guessMarks(toolID: SetupToolID, text: string, ctx: SetupContext, file: string): JsonMarks {
  try {
    const { wrote, replaced } = setupTool(toolID).apply(text, ctx.target, NO_MARKS, file).marks;
    // Which objects setup created is not known any more: those on Rotary's paths go if left empty.
    const created = [...new Map(wrote.flatMap((w) => w.path.slice(1).map((_, i) => w.path.slice(0, i + 1))).map((p) => [JSON.stringify(p), p])).values()];
    return { wrote, replaced, created };
  } catch {
    return NO_MARKS;
  }
}

// ------------------------------------------------------------------ files

function readText(file: string): string | undefined {
  return readBuffer(file)?.toString('utf8');
}

function readBuffer(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A config file kept as a symlink (dotfile managers) is edited where it points, so the link survives. */
function realTarget(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

/** Copy the original beside it: `<file>.rotary-backup`, or the next free `-N` name (an older backup is never overwritten). */
function backUp(file: string): string {
  for (let n = 0; ; n++) {
    const backup = `${file}${BACKUP_SUFFIX}${n ? `-${n}` : ''}`;
    if (fs.existsSync(backup)) continue;
    fs.copyFileSync(file, backup, fs.constants.COPYFILE_EXCL);
    return backup;
  }
}

function removeEmptyDir(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // not empty (the tool keeps more there) or already gone: leave it
  }
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function readRecords(home: string): SetupRecords {
  const text = readText(path.join(home, RECORDS_FILE));
  if (!text) return { version: 1, tools: {} };
  try {
    const parsed = JSON.parse(text) as SetupRecords;
    return parsed?.version === 1 && typeof parsed.tools === 'object' ? parsed : { version: 1, tools: {} };
  } catch {
    // A damaged record only costs the byte-exact undo: undo then takes out Rotary's settings by value.
    return { version: 1, tools: {} };
  }
}

function writeRecords(home: string, records: SetupRecords): void {
  writeFileAtomic(path.join(home, RECORDS_FILE), `${JSON.stringify(records, null, 2)}\n`);
}
