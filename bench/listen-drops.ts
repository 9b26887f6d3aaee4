/**
 * The kernel's count of connections dropped because a listen queue was full
 * (`TcpExt: ListenOverflows` / `ListenDrops` in /proc/net/netstat). Machine-wide, so the bench
 * reads it before and after each long-stream round: a burst of new connections that overflows
 * the proxy's accept queue shows here as dropped SYNs (the client retries them a second later).
 */
import fs from 'node:fs';

export interface ListenCounters {
  overflows: number;
  drops: number;
}

/** Undefined where /proc/net/netstat is not there (not Linux). */
export function readListenCounters(): ListenCounters | undefined {
  try {
    const lines = fs.readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const i = lines.findIndex((l) => l.startsWith('TcpExt:'));
    const names = lines[i]!.split(/\s+/);
    const values = lines[i + 1]!.split(/\s+/);
    const get = (name: string): number => Number(values[names.indexOf(name)] ?? NaN);
    return { overflows: get('ListenOverflows'), drops: get('ListenDrops') };
  } catch {
    return undefined;
  }
}

export function listenDropsSince(before: ListenCounters | undefined): number | null {
  const now = readListenCounters();
  return before && now ? now.drops - before.drops : null;
}
