/**
 * Text that people choose (account labels) or providers hand us (e-mails, logins) ends up in
 * terminals and log files. Control characters there forge log lines (`\r\n`), clear or retitle
 * the terminal (`ESC[2J`, `ESC]0;…`), and bidi controls reorder what is shown. So: every input
 * refuses them (`labelProblem`, `LabelSchema`), and everything printed or logged goes through
 * `escapeControls`, which also covers labels stored before this check existed.
 */
import { z } from 'zod';

/** C0 controls, DEL, C1 controls, and the bidi marks, embeddings, overrides and isolates. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');
/** Everything above except the newline, for multi-line output (each line is escaped already). */
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export const MAX_LABEL_LENGTH = 120;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The text with every control and bidi character shown as an escape (`\r`, `\n`, `\e`, `\x9b`, `\u202e`). */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE_ALL, escapeOne);
}

/** Like `escapeControls`, but keeps line breaks: for a block whose lines the caller built itself. */
export function escapeControlsKeepLines(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, escapeOne);
}

/** The first control or bidi character in `text`, as `U+001B`; undefined when there is none. */
export function firstUnsafeChar(text: string): string | undefined {
  const match = UNSAFE.exec(text);
  return match ? `U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

/** Why `label` cannot be an account label, or undefined when it can. `what` names it in the message. */
export function labelProblem(label: string, what = 'A label'): string | undefined {
  const unsafe = firstUnsafeChar(label);
  if (unsafe) return `${what} cannot contain control characters (found ${unsafe} in "${escapeControls(label).slice(0, 80)}"); use plain text.`;
  if (!label.trim()) return `${what} cannot be empty.`;
  if (label.trim().length > MAX_LABEL_LENGTH) return `${what} can have at most ${MAX_LABEL_LENGTH} characters.`;
  return undefined;
}

const plainString = z
  .string()
  .refine((label) => !firstUnsafeChar(label), { error: (issue) => labelProblem(String(issue.input)) ?? 'A label cannot contain control characters.' })
  .transform((label) => label.trim());

/** A label at an IPC/RPC boundary: trimmed, 1–120 characters, no control or bidi characters. */
export const LabelSchema = plainString.pipe(z.string().min(1).max(MAX_LABEL_LENGTH));

/** The same, where an empty string means "no label" (a login's optional name). */
export const OptionalLabelSchema = plainString.pipe(z.string().max(MAX_LABEL_LENGTH));

/** What JSON.stringify leaves raw inside strings (it escapes C0 controls itself). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** JSON for a terminal: JSON.stringify escapes C0 controls; this also escapes DEL, C1 and bidi characters (still valid JSON). */
export function terminalJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(UNSAFE_IN_JSON, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}
