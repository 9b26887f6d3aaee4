/**
 * What each tool module in `clients/` offers: its copy-ready settings, and — for the tools
 * `rotary setup` can configure — where its config file is, how to merge Rotary's settings
 * into that file without losing anything the user keeps there, how to take them out again,
 * and the shell exports `rotary env` prints.
 */
import type { SetupToolID } from '../../../shared/ipc.js';

/** Where the gateway is and how a tool asks for its key. */
export interface GatewayTarget {
  /** Gateway base URL, `http://127.0.0.1:8787`. */
  url: string;
  /** argv that prints the gateway key (`rotary key`), for tools that run a helper command. */
  keyCommand: readonly string[];
  /** Platform whose shell runs a helper command string (default: this process's). */
  platform?: NodeJS.Platform;
}

/** What a setup remembers about the values it wrote, so undo can take out exactly those (JSON tools). */
export interface JsonMarks {
  /** Each path Rotary set and the value it set there. */
  wrote: Array<{ path: string[]; value: unknown }>;
  /** Values Rotary replaced (the user's, from before the first setup). */
  replaced: Array<{ path: string[]; value: unknown }>;
  /** Objects that did not exist before Rotary added a key under them (removed again when left empty). */
  created: string[][];
}

export const NO_MARKS: JsonMarks = { wrote: [], replaced: [], created: [] };

/** Rotary's settings in a config file: as setup writes them now, present but different (another port, an edited value), or absent. */
export type SettingsPresence = 'current' | 'stale' | 'absent';

export interface SetupTool {
  readonly id: SetupToolID;
  readonly title: string;
  /** The config file as the docs name it (`~/.claude/settings.json`, with the variable that moves it). */
  readonly fileHint: string;
  /** What the tool does when the gateway answers that every account is limited (one line). */
  readonly limitedNote: string;
  /** The tool's config file for this environment (absolute path). */
  configFile(env: NodeJS.ProcessEnv): string;
  /** Throws ConfigUnreadableError when the tool itself could not read `text`. */
  check(file: string, text: string): void;
  /** `text` (undefined: no file yet) with Rotary's settings merged in; applying twice gives the same text. */
  apply(text: string | undefined, target: GatewayTarget, prior: JsonMarks, file: string): { text: string; marks: JsonMarks };
  /** `text` without Rotary's settings (values they replaced put back), everything else untouched. */
  remove(text: string, marks: JsonMarks): string;
  inspect(text: string, target: GatewayTarget): SettingsPresence;
  /** One line each: what setup adds, for the CLI and the preview. */
  describe(target: GatewayTarget): string[];
  /** How the tool gets the key (one line: the key is not written to the file). */
  readonly keyNote: string;
  /** Which gateway routes the tool gets, and why (one line). */
  readonly routesNote: string;
  /** Things in the user's file that would get in the way (one line each). */
  warnings(text: string): string[];
  /** Shell lines for `rotary env <tool>`, with the real key. */
  envLines(url: string, key: string): string[];
}

/** A config file the tool cannot parse: Rotary leaves it alone and names the file and the problem. */
export class ConfigUnreadableError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file} cannot be read as the tool reads it (${problem}); Rotary did not change it. Fix or move the file, then run the setup again.`);
    this.name = 'ConfigUnreadableError';
  }
}

/** The file holds something Rotary's settings would collide with; nothing was changed. */
export class SetupConflictError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}; Rotary did not change it.`);
    this.name = 'SetupConflictError';
  }
}
