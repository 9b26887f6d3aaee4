/**
 * The CPU-profile series: the gateway child's V8 profiler (through the inspector, so the profile
 * covers the load window only) during a c=64 non-streaming wrk round and during a long-stream
 * round (256 streams, drip mode), each summarised as the top self-time functions
 * (cpu-profile.ts). The raw `.cpuprofile` files stay under node_modules/.cache/rotary-bench/
 * for Chrome DevTools or speedscope.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ask, BUNDLE_DIR } from './children.js';
import { summarizeProfile, type ProfileSummary } from './cpu-profile.js';
import { requestBody, warm } from './requests-series.js';
import type { Rig } from './rig.js';
import type { BenchSettings } from './settings.js';
import { measureStreams, startStreamWorkers, warmStreams } from './streams-series.js';
import { runWrk } from './wrk.js';

export interface ProfileResult {
  requests: ProfileSummary & { concurrency: number; file: string };
  streams: ProfileSummary & { streams: number; file: string };
}

const PROFILE_STREAMS = 256;
const PROFILE_CONCURRENCY = 64;

async function profiled(rig: Rig, name: string, load: () => Promise<unknown>): Promise<{ summary: ProfileSummary; file: string }> {
  const dir = path.join(BUNDLE_DIR, 'profiles');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `gateway-${name}.cpuprofile`);
  await ask(rig.proxies.gateway, { type: 'profile-start' });
  await load();
  await ask(rig.proxies.gateway, { type: 'profile-stop', file });
  return { summary: summarizeProfile(file), file: path.relative(process.cwd(), file) };
}

export async function runProfileSeries(rig: Rig, s: BenchSettings, log: (line: string) => void): Promise<ProfileResult> {
  rig.applyLayout('shared');
  const body = requestBody(false);
  await warm(rig.targets.gateway, body, PROFILE_CONCURRENCY, 300);
  const req = await profiled(rig, 'requests-c64', () =>
    runWrk(rig.targets.gateway, body, { connections: PROFILE_CONCURRENCY, threads: rig.loadCores.count, durationS: Math.max(1, Math.round(s.profileMs / 1000)) }),
  );
  log(`profile c=${PROFILE_CONCURRENCY}: ${req.summary.busyPctOfWall} % busy; Rotary code ${req.summary.byOrigin.rotary} % of busy time; written to ${req.file}`);
  const workers = await startStreamWorkers(s.streamWorkers);
  await ask(rig.sim, { type: 'drip', drip: s.drip });
  try {
    await warmStreams(rig, workers, s);
    const str = await profiled(rig, `streams-${PROFILE_STREAMS}`, () => measureStreams(rig, workers, 'gateway', PROFILE_STREAMS, { ...s, streamMs: s.profileMs }));
    log(`profile ${PROFILE_STREAMS} streams: ${str.summary.busyPctOfWall} % busy; Rotary code ${str.summary.byOrigin.rotary} % of busy time; written to ${str.file}`);
    return {
      requests: { ...req.summary, concurrency: PROFILE_CONCURRENCY, file: req.file },
      streams: { ...str.summary, streams: PROFILE_STREAMS, file: str.file },
    };
  } finally {
    await ask(rig.sim, { type: 'drip', drip: null });
    for (const w of workers) w.child.send({ type: 'stop' });
  }
}
