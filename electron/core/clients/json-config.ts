/**
 * Surgical edits of JSON / JSONC config files with jsonc-parser (the library opencode itself
 * edits its config with): only the keys Rotary sets change; comments, key order, formatting
 * and every other key stay byte for byte. What was set is returned as marks so undo takes out
 * exactly that and puts back any value it replaced.
 */
import { applyEdits, findNodeAtLocation, getNodeValue, modify, parseTree, printParseErrorCode, type Edit, type FormattingOptions, type Node, type ParseError } from 'jsonc-parser';
import { ConfigUnreadableError, type JsonMarks, type SettingsPresence } from './types.js';

export interface JsonSetting {
  path: string[];
  value: unknown;
}

export interface JsonDialect {
  /** JSONC (opencode) allows comments and trailing commas; plain JSON (Claude Code's settings) does not. */
  comments: boolean;
}

/** Throws ConfigUnreadableError unless `text` is an object (or empty) in this dialect. */
export function checkJson(file: string, text: string, dialect: JsonDialect): void {
  if (text.trim() === '') return;
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: !dialect.comments, allowTrailingComma: dialect.comments, allowEmptyContent: false });
  const first = errors[0];
  if (first) throw new ConfigUnreadableError(file, `${printParseErrorCode(first.error)} at ${lineCol(text, first.offset)}`);
  if (root?.type !== 'object') throw new ConfigUnreadableError(file, 'the top level is not an object');
}

/** `text` with each setting written (undefined text = a new file). Marks merge with `prior` so the first setup's replaced values are kept. */
export function mergeJson(text: string | undefined, settings: JsonSetting[], prior: JsonMarks): { text: string; marks: JsonMarks } {
  const isNew = text === undefined || text.trim() === '';
  let out = isNew ? '{}\n' : text;
  const format = formattingOf(out);
  const marks: JsonMarks = { wrote: [], replaced: [...prior.replaced], created: [...prior.created] };
  for (const { path, value } of settings) {
    const before = valueAt(out, path);
    const wroteBefore = prior.wrote.find((w) => samePath(w.path, path));
    const ours = wroteBefore !== undefined && deepEqual(before, wroteBefore.value);
    if (before !== undefined && !ours && !deepEqual(before, value) && !marks.replaced.some((r) => samePath(r.path, path))) {
      marks.replaced.push({ path, value: before });
    }
    const missing = shallowestMissing(out, path);
    if (missing && !marks.created.some((c) => samePath(c, missing))) marks.created.push(missing);
    out = setValue(out, path, value, format);
    marks.wrote.push({ path, value });
  }
  return { text: out, marks };
}

/** `text` without what `marks` says Rotary wrote: a value the user changed since is left alone. */
export function unmergeJson(text: string, marks: JsonMarks): string {
  let out = text;
  const format = formattingOf(out);
  for (const { path, value } of marks.wrote) {
    if (!deepEqual(valueAt(out, path), value)) continue;
    const replaced = marks.replaced.find((r) => samePath(r.path, path));
    out = setValue(out, path, replaced?.value, format);
  }
  // Deepest first, so a created parent is judged after its created children are gone.
  for (const path of [...marks.created].sort((a, b) => b.length - a.length)) {
    const value = valueAt(out, path);
    if (value !== undefined && isEmptyTree(value)) out = setValue(out, path, undefined, format);
  }
  return out;
}

/** Are these settings in `text` as given (current), some there with other values (stale), or none (absent)? */
export function jsonPresence(text: string, settings: JsonSetting[], isOurs: (path: string[], value: unknown) => boolean): SettingsPresence {
  const values = settings.map((s) => valueAt(text, s.path));
  if (settings.every((s, i) => deepEqual(values[i], s.value))) return 'current';
  if (settings.some((s, i) => values[i] !== undefined && isOurs(s.path, values[i]))) return 'stale';
  return 'absent';
}

export function valueAt(text: string, path: string[]): unknown {
  const root = parseTree(text, [], { allowTrailingComma: true });
  if (!root) return undefined;
  const node = findNodeAtLocation(root, path);
  return node ? getNodeValue(node) : undefined;
}

/**
 * Set (or, with undefined, remove) one value. A value that exists is replaced in place and a
 * removal takes out only that property (jsonc-parser's edit, without its formatter, which would
 * re-wrap the user's neighbouring lines); a new property is added after the last one of its
 * object, indented like its siblings, after any comment that ends that line.
 */
function setValue(text: string, path: string[], value: unknown, format: FormattingOptions): string {
  const root = parseTree(text, [], { allowTrailingComma: true })!;
  if (value === undefined || findNodeAtLocation(root, path)) return applyEdits(text, modify(text, path, value, {}));
  let depth = path.length - 1;
  while (depth > 0 && !findNodeAtLocation(root, path.slice(0, depth))) depth--;
  const parent = depth === 0 ? root : findNodeAtLocation(root, path.slice(0, depth))!;
  if (parent.type !== 'object') return applyEdits(text, modify(text, path, value, { formattingOptions: format }));
  const nested = path.slice(depth + 1).reduceRight<unknown>((v, k) => ({ [k]: v }), value);
  return applyEdits(text, insertProperty(text, parent, path[depth]!, nested, format));
}

function insertProperty(text: string, parent: Node, key: string, value: unknown, format: FormattingOptions): Edit[] {
  const eol = format.eol ?? '\n';
  const unit = format.insertSpaces === false ? '\t' : ' '.repeat(format.tabSize ?? 2);
  const last = parent.children?.at(-1);
  if (!last) {
    const outer = indentOfLine(text, parent.offset);
    return [{ offset: parent.offset + 1, length: 0, content: `${eol}${outer}${unit}${property(key, value, outer + unit, unit, eol)}${eol}${outer}` }];
  }
  const end = last.offset + last.length;
  if (lineStart(text, parent.offset) === lineStart(text, last.offset)) {
    // An object written on one line stays on one line.
    const comma = /^\s*,/.exec(text.slice(end));
    return [{ offset: comma ? end + comma[0].length : end, length: 0, content: `${comma ? '' : ','} ${JSON.stringify(key)}: ${JSON.stringify(value)}` }];
  }
  const indent = indentOfLine(text, last.offset);
  const rest = /^[ \t]*(,?)[ \t]*(\/\/|\/\*)?/.exec(text.slice(end))!;
  const hasComma = rest[1] === ',';
  const line = `${eol}${indent}${property(key, value, indent, unit, eol)}`;
  // A comment at the end of the last line stays with the property it was written for.
  if (rest[2]) {
    const lineEnd = text.indexOf('\n', end) < 0 ? text.length : text.indexOf('\n', end) - (text[text.indexOf('\n', end) - 1] === '\r' ? 1 : 0);
    return [...(hasComma ? [] : [{ offset: end, length: 0, content: ',' }]), { offset: lineEnd, length: 0, content: line }];
  }
  return [{ offset: hasComma ? end + rest[0].indexOf(',') + 1 : end, length: 0, content: `${hasComma ? '' : ','}${line}` }];
}

function property(key: string, value: unknown, indent: string, unit: string, eol: string): string {
  return `${JSON.stringify(key)}: ${JSON.stringify(value, null, unit).split('\n').join(`${eol}${indent}`)}`;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function indentOfLine(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, offset)))![0];
}

function shallowestMissing(text: string, path: string[]): string[] | undefined {
  for (let i = 1; i < path.length; i++) {
    const prefix = path.slice(0, i);
    if (valueAt(text, prefix) === undefined) return prefix;
  }
  return undefined;
}

/** The file's own indentation and line ending, so inserted keys look like the user's. */
function formattingOf(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = /\n([ \t]+)\S/.exec(text)?.[1];
  if (indent?.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol };
  return { insertSpaces: true, tabSize: indent ? indent.length : 2, eol };
}

function isEmptyTree(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every(isEmptyTree);
}

function samePath(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}
