/**
 * The one path every call takes, whichever transport carried it (Electron IPC or HTTP):
 * parse the input with the channel's schema, run the handler, parse the output with the
 * channel's schema. Output parsing is deliberate: zod objects drop unknown keys, so a field
 * a core object grows later (or a secret attached by mistake) never crosses the boundary.
 * Never throws.
 */
import type { z } from 'zod';
import { CHANNELS, isChannelName, type ChannelName, type Result } from '../../../shared/ipc.js';
import { toIpcError } from './errors.js';
import type { ServiceHandlers } from './types.js';

/** A readable one-liner from a zod error: `providerID: Invalid option…; recordID: Required`. */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : 'input';
    return `${where}: ${issue.message}`;
  });
  return `Invalid request — ${parts.join('; ')}`;
}

export async function dispatch(handlers: ServiceHandlers, channel: string, rawInput: unknown): Promise<Result<unknown>> {
  if (!isChannelName(channel)) return { ok: false, error: { code: 'not-found', message: `Unknown channel "${channel}".` } };
  const spec = CHANNELS[channel];
  const input = spec.input.safeParse(rawInput);
  if (!input.success) return { ok: false, error: { code: 'bad-input', message: describeIssues(input.error) } };
  let result: Result<unknown>;
  try {
    const handler = handlers[channel] as (input: unknown) => Promise<Result<unknown>>;
    result = await handler(input.data);
  } catch (error) {
    return { ok: false, error: toIpcError(error) };
  }
  if (!result.ok) return { ok: false, error: { code: result.error.code, message: result.error.message } };
  const output = spec.output.safeParse(result.value);
  if (!output.success) {
    return { ok: false, error: { code: 'internal', message: `The ${channel} result did not match the contract (${describeIssues(output.error)}).` } };
  }
  return { ok: true, value: output.data };
}

export type { ChannelName };
