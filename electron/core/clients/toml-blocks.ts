/**
 * Marked blocks in a TOML file, edited as text so every comment and key of the user's stays
 * as it was. TOML wants top-level keys before the first table, so a setup has two blocks:
 * one just before the first table header, one at the end. A user's top-level key that a
 * block must replace is kept, commented out with a marker, and put back on removal.
 */
export const BLOCK_START = '# >>> rotary setup (undo: rotary setup --undo';
export const BLOCK_END = '# <<< rotary setup';
export const REPLACED_PREFIX = '# rotary setup replaced: ';

export interface TomlBlocks {
  /** Top-level `key = value` lines. */
  top: string[];
  /** Tables, appended at the end. */
  tables: string[];
  /** Top-level keys the top block sets (a user's own line for one of these is commented out). */
  keys: string[];
}

/** `text` with both blocks, after taking out any earlier ones (so applying twice changes nothing). */
export function insertBlocks(text: string | undefined, blocks: TomlBlocks, toolID: string): string {
  const clean = text === undefined ? '' : removeBlocks(text);
  const eol = clean.includes('\r\n') ? '\r\n' : '\n';
  const lines = clean === '' ? [] : splitLines(clean);
  const start = `${BLOCK_START} ${toolID})`;
  const firstTable = firstTableLine(lines);
  const topEnd = firstTable ?? (lines.at(-1) === '' ? lines.length - 1 : lines.length);
  for (let i = 0; i < topEnd; i++) {
    const key = topLevelKey(lines[i]!);
    if (key && blocks.keys.includes(key)) lines[i] = `${REPLACED_PREFIX}${lines[i]}`;
  }
  const top = [start, ...blocks.top, BLOCK_END];
  lines.splice(topEnd, 0, ...top);
  // A file that did not end with a line break gets one before the appended tables.
  if (lines.length > 0 && lines[lines.length - 1] !== '') lines.push('');
  lines.splice(lines.length - 1, 0, start, ...blocks.tables, BLOCK_END);
  return lines.join(eol);
}

/** `text` without Rotary's blocks, with the lines they replaced restored. */
export function removeBlocks(text: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const out: string[] = [];
  let inside = false;
  for (const line of splitLines(text)) {
    if (!inside && line.startsWith(BLOCK_START)) {
      inside = true;
      continue;
    }
    if (inside) {
      if (line.startsWith(BLOCK_END)) inside = false;
      continue;
    }
    out.push(line.startsWith(REPLACED_PREFIX) ? line.slice(REPLACED_PREFIX.length) : line);
  }
  return out.join(eol);
}

export function hasBlocks(text: string): boolean {
  return splitLines(text).some((l) => l.startsWith(BLOCK_START));
}

/** Lines without their line endings; a trailing newline gives a last empty element (so join restores it). */
function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** Index of the first `[table]` / `[[array]]` header outside a multi-line string. */
function firstTableLine(lines: string[]): number | undefined {
  let open: '"""' | "'''" | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!open && /^\s*\[/.test(line)) return i;
    for (const quote of ['"""', "'''"] as const) {
      const count = line.split(quote).length - 1;
      if (count % 2 === 1 && (!open || open === quote)) open = open ? undefined : quote;
    }
  }
  return undefined;
}

function topLevelKey(line: string): string | undefined {
  return /^\s*([A-Za-z0-9_-]+)\s*=/.exec(line)?.[1];
}
