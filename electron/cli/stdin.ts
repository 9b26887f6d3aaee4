/**
 * Reading a credential from standard input. Credentials never come from argv (other users
 * can read a process's arguments), so this is the only way a token enters the CLI besides
 * the login flows.
 */
import type { Readable } from 'node:stream';
import { CliFailure } from './io.js';

const MAX_BYTES = 256 * 1024;

/** All of stdin as text (bounded), or '' when nothing was piped. */
export async function readAllStdin(stdin: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_BYTES) throw new CliFailure(`standard input is larger than ${MAX_BYTES / 1024} KB; expected one credential JSON`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Replace anything in `message` that appears in `source` and could be a secret (long runs of token characters). */
export function scrubSecrets(message: string, source: string): string {
  let clean = message;
  for (const piece of new Set(source.match(/[A-Za-z0-9_\-.~+/=]{8,}/g) ?? [])) {
    clean = clean.split(piece).join('[hidden]');
  }
  return clean;
}
