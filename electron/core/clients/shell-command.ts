/**
 * A helper command (`rotary key`) as one string for tools that run it through a shell
 * (Claude Code's `apiKeyHelper`): POSIX single quotes, or cmd.exe double quotes on Windows.
 */
export function shellCommand(argv: readonly string[], platform: NodeJS.Platform = process.platform): string {
  return argv.map((arg) => (platform === 'win32' ? quoteCmd(arg) : quotePosix(arg))).join(' ');
}

function quotePosix(arg: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

function quoteCmd(arg: string): string {
  if (/^[A-Za-z0-9_./:=@\\-]+$/.test(arg)) return arg;
  return `"${arg.replace(/"/g, '""')}"`;
}

/** A value for a POSIX `export NAME=value` line (`rotary env`): quoted only when it has to be. */
export function shellQuote(value: string): string {
  return quotePosix(value);
}

/** Always single-quoted: a key, so the copy-ready text is the same whether the key or its placeholder is put in. */
export function shellQuoteAlways(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
