/**
 * Reads a V8 `.cpuprofile` and says where the busy time went: self time per function
 * (samples attributed to the innermost frame, merged across call paths), mapped back to the
 * TypeScript source through the bundle's source map (node:module SourceMap), as a share of the
 * busy time (all samples but `(idle)` and the profiler's own `node:inspector` frames). Also a split by origin: Rotary's own code, Node
 * internals, dependencies, GC and native `(program)` time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface HotFunction {
  function: string;
  /** `electron/core/gateway/proxy.ts:123`, `node:internal/…:45`, `undici/lib/…:67`. */
  location: string;
  selfMs: number;
  /** Share of the busy time, %. */
  pctOfBusy: number;
}

export interface ProfileSummary {
  /** Profiled wall time and the part of it the thread was busy (not idle), ms. */
  wallMs: number;
  busyMs: number;
  busyPctOfWall: number;
  /** Share of busy time by origin, %. */
  byOrigin: Record<'rotary' | 'node' | 'dependencies' | 'gc' | 'native' | 'other', number>;
  top: HotFunction[];
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Source maps of bundles, by the bundle's file URL. */
function mapperFor(url: string, cache: Map<string, SourceMap | null>): SourceMap | null {
  if (!cache.has(url)) {
    let map: SourceMap | null = null;
    try {
      const file = fileURLToPath(url);
      if (fs.existsSync(`${file}.map`)) map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]);
    } catch {
      map = null;
    }
    cache.set(url, map);
  }
  return cache.get(url)!;
}

function locate(frame: CallFrame, maps: Map<string, SourceMap | null>): { location: string; origin: keyof ProfileSummary['byOrigin']; name: string } {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) {
    if (name === '(garbage collector)') return { location: '', origin: 'gc', name };
    if (name === '(program)') return { location: '', origin: 'native', name };
    return { location: '', origin: 'other', name };
  }
  if (frame.url.startsWith('node:')) return { location: `${frame.url}:${frame.lineNumber + 1}`, origin: 'node', name };
  // The bench's own bundles live under node_modules/.cache: map them before taking node_modules for a dependency.
  const map = frame.url.startsWith('file:') ? mapperFor(frame.url, maps) : null;
  const nm = frame.url.lastIndexOf('/node_modules/');
  if (!map && nm >= 0) return { location: `${frame.url.slice(nm + '/node_modules/'.length)}:${frame.lineNumber + 1}`, origin: 'dependencies', name };
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber);
  if (entry && 'originalSource' in entry && entry.originalSource) {
    const source = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(fileURLToPath(frame.url)), entry.originalSource);
    const rel = path.relative(repoRoot, source);
    const inDeps = rel.includes('node_modules');
    return { location: `${rel}:${entry.originalLine + 1}`, origin: inDeps ? 'dependencies' : 'rotary', name };
  }
  const rel = frame.url.startsWith('file:') ? path.relative(repoRoot, fileURLToPath(frame.url)) : frame.url;
  return { location: `${rel}:${frame.lineNumber + 1}`, origin: 'other', name };
}

export function summarizeProfile(file: string, topN = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time since the previous sample: it belongs to sample i.
  for (let i = 0; i < profile.samples.length; i++) selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const maps = new Map<string, SourceMap | null>();
  const merged = new Map<string, HotFunction & { origin: keyof ProfileSummary['byOrigin'] }>();
  let idleUs = 0;
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    totalUs += us;
    // Idle time, and the profiler's own stop (node:inspector builds the profile on this thread), are not the gateway's work.
    if (node.callFrame.functionName === '(idle)' || node.callFrame.url === 'node:inspector') {
      idleUs += us;
      continue;
    }
    const where = locate(node.callFrame, maps);
    const key = `${where.name}@${where.location}`;
    const hit = merged.get(key) ?? { function: where.name, location: where.location, selfMs: 0, pctOfBusy: 0, origin: where.origin };
    hit.selfMs += us / 1000;
    merged.set(key, hit);
  }
  const busyUs = Math.max(1, totalUs - idleUs);
  const byOrigin: ProfileSummary['byOrigin'] = { rotary: 0, node: 0, dependencies: 0, gc: 0, native: 0, other: 0 };
  for (const h of merged.values()) byOrigin[h.origin] += (h.selfMs * 1000 * 100) / busyUs;
  for (const k of Object.keys(byOrigin) as Array<keyof typeof byOrigin>) byOrigin[k] = Math.round(byOrigin[k] * 10) / 10;
  const top = [...merged.values()]
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, topN)
    .map(({ origin: _o, ...h }) => ({ ...h, selfMs: Math.round(h.selfMs * 10) / 10, pctOfBusy: Math.round(((h.selfMs * 1000 * 100) / busyUs) * 10) / 10 }));
  const wallMs = (profile.endTime - profile.startTime) / 1000;
  return { wallMs: Math.round(wallMs), busyMs: Math.round(busyUs / 1000), busyPctOfWall: Math.round((busyUs / 1000 / Math.max(1, wallMs)) * 100), byOrigin, top };
}
