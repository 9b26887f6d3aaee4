/**
 * The CLI side of issue 15, through the real `rotary` process: `auth usage` with its forecast
 * column, the pool line and `--json`, `--history` with the weekly waste, and `rotary config`.
 * The history is seeded through the history module on the same home (what a gateway would
 * have written), then the CLI reads it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Each test runs the real CLI several times (a process each): generous limits for a busy machine.
const SLOW = 120_000;
import { openHistory } from '../../electron/core/history/history.js';
import type { Core } from '../../electron/core/runtime.js';
import { formatClock } from '../../shared/usage-format.js';
import { makeCliHome, runCli, type CliHome } from './cli-helpers.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

let h: CliHome;
let core: Core;
let recordID: string;
let seededAt: number;

beforeAll(async () => {
  h = makeCliHome();
  core = await h.open();
  const record = await core.pool.add({ providerID: 'anthropic', label: 'work', email: 'work@example.com', secret: { access: 'sk-ant-oat01-cli-history-test-token' } });
  recordID = record.id;
  seededAt = Date.now();
  const fiveReset = seededAt + 3 * HOUR;
  const weekReset = seededAt + 4 * DAY;
  const history = openHistory({ home: h.home, env: {} })!;
  // The last hour: 0.5 points a minute on the 5-hour window (20 → 50 %): 30 %/h.
  for (let i = 0; i <= 60; i++) {
    const at = seededAt - (60 - i) * MIN;
    history.recordUsage('anthropic', recordID, {
      asOf: at,
      source: 'headers',
      windows: [
        { key: 'five_hour', label: '5-hour', percentUsed: 20 + 0.5 * i, resetsAt: fiveReset },
        { key: 'seven_day', label: '7-day (all)', percentUsed: 40, resetsAt: weekReset },
      ],
    });
  }
  // Two earlier weeks of the weekly window: ended at 62 % and at 91 %.
  const weeks: Array<[number, number, number]> = [
    [weekReset - 14 * DAY - 2 * HOUR, 62, weekReset - 14 * DAY],
    [weekReset - 7 * DAY - 3 * HOUR, 91, weekReset - 7 * DAY],
  ];
  for (const [at, percent, resetsAt] of weeks) {
    history.recordUsage('anthropic', recordID, { asOf: at, source: 'endpoint', windows: [{ key: 'seven_day', label: '7-day (all)', percentUsed: percent, resetsAt }] });
  }
  await history.close();
  core.pool.setUsage('anthropic', recordID, {
    asOf: seededAt,
    source: 'headers',
    windows: [
      { key: 'five_hour', label: '5-hour', percentUsed: 50, resetsAt: fiveReset },
      { key: 'seven_day', label: '7-day (all)', percentUsed: 40, resetsAt: weekReset },
    ],
  });
  await core.pool.flush();
});

afterAll(async () => {
  await h?.cleanup();
});

describe('rotary auth usage with forecasts', () => {
  it('a forecast column per window and the pool line; --json carries them', async () => {
    const res = await runCli(['auth', 'usage'], h.env, { timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/5-hour\s+█████░░░░░  50%  resets in (2 h 5\d min|3 h)\s+at this pace: limit reached at \d\d:\d\d/);
    expect(res.stdout).toMatch(/7-day \(all\)\s+████░░░░░░  40%  resets in (3 d 23 h|4 d)\s+at this pace: no use lately; resets at/);
    // One account: the pool lasts as long as it does; its 5-hour window resets 3 h after the seeding.
    expect(res.stdout).toMatch(/At this pace the pool covers you until \d\d:\d\d \(the first account frees up at \d\d:\d\d\)\. Pace: (29|30|31)(\.\d)? %\/h of the 5-hour window\./);

    const json = JSON.parse((await runCli(['auth', 'usage', '--json'], h.env, { timeoutMs: 60_000 })).stdout);
    const provider = json.providers[0];
    expect(provider.forecast).toMatchObject({ policy: 'active-first', leadMinutes: 30, pool: { kind: 'until' } });
    const five = provider.accounts[0].forecast.windows.find((w: { key: string }) => w.key === 'five_hour');
    expect(five).toMatchObject({ outcome: 'limit', percentUsed: 50 });
    // 50 % left at about 30 %/h: about 100 minutes after the last reading.
    expect(Math.abs(five.limitAt - (seededAt + 100 * MIN))).toBeLessThan(8 * MIN);
    expect(res.stdout).toContain(`limit reached at ${formatClock(five.limitAt, Date.now())}`.slice(0, 20));
  }, SLOW);

  it('--history: the completed weeks and the share that expired unused', async () => {
    const res = await runCli(['auth', 'usage', '--history'], h.env, { timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/week ending .+ +91 % used +9 % expired unused/);
    expect(res.stdout).toMatch(/week ending .+ +62 % used +38 % expired unused/);
    const json = JSON.parse((await runCli(['auth', 'usage', '--history', '--json'], h.env, { timeoutMs: 60_000 })).stdout);
    expect(json.providers[0].accounts[0].wastedWeeks.map((w: { wastedPercent: number }) => w.wastedPercent)).toEqual([9, 38]);
  }, SLOW);
});

describe('rotary config', () => {
  it('get, set and the environment override', async () => {
    const all = await runCli(['config', 'get'], h.env, { timeoutMs: 60_000 });
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout.trim().split('\n')).toEqual(['rotation.policy = active-first', 'forecast.leadMinutes = 30', 'rotation.proactiveThreshold = 0.95']);

    const set = await runCli(['config', 'set', 'rotation.policy', 'drain-soonest'], h.env, { timeoutMs: 60_000 });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout.trim()).toBe('rotation.policy = drain-soonest');
    await core.pool.reload();
    expect(core.pool.settings().rotationPolicy).toBe('drain-soonest');
    expect((await runCli(['config', 'set', 'forecast.leadMinutes', '45'], h.env, { timeoutMs: 60_000 })).stdout.trim()).toBe('forecast.leadMinutes = 45');
    expect((await runCli(['config', 'set', 'rotation.proactiveThreshold', '90%'], h.env, { timeoutMs: 60_000 })).stdout.trim()).toBe('rotation.proactiveThreshold = 0.9');

    const overridden = await runCli(['config', 'get', 'rotation.policy'], { ...h.env, ROTARY_ROTATION_POLICY: 'active-first' }, { timeoutMs: 60_000 });
    expect(overridden.stdout.trim()).toBe('rotation.policy = active-first  (set by ROTARY_ROTATION_POLICY; stored: drain-soonest)');
    const json = JSON.parse((await runCli(['config', 'get', 'forecast.leadMinutes', '--json'], h.env, { timeoutMs: 60_000 })).stdout);
    expect(json).toEqual({ key: 'forecast.leadMinutes', value: 45, stored: 45 });
    const setWhileEnv = await runCli(['config', 'set', 'rotation.policy', 'active-first'], { ...h.env, ROTARY_ROTATION_POLICY: 'drain-soonest' }, { timeoutMs: 60_000 });
    expect(setWhileEnv.stderr).toContain('ROTARY_ROTATION_POLICY is set here and wins');
  }, SLOW);

  it('bad keys and values are usage errors that say what is allowed', async () => {
    const key = await runCli(['config', 'set', 'rotation.polcy', 'x'], h.env, { timeoutMs: 60_000 });
    expect(key.code).toBe(2);
    expect(key.stderr).toMatch(/unknown setting "rotation.polcy"; known: rotation.policy, forecast.leadMinutes, rotation.proactiveThreshold/);
    const value = await runCli(['config', 'set', 'rotation.policy', 'fastest'], h.env, { timeoutMs: 60_000 });
    expect(value.code).toBe(2);
    expect(value.stderr).toContain('rotation.policy must be active-first or drain-soonest, not "fastest"');
    const lead = await runCli(['config', 'set', 'forecast.leadMinutes', '0'], h.env, { timeoutMs: 60_000 });
    expect(lead.code).toBe(2);
    expect((await runCli(['config'], h.env, { timeoutMs: 60_000 })).code).toBe(2);
    const env = await runCli(['config', 'get'], { ...h.env, ROTARY_FORECAST_LEAD_MINUTES: 'soon' }, { timeoutMs: 60_000 });
    expect(env.code).toBe(1);
    expect(env.stderr).toContain('ROTARY_FORECAST_LEAD_MINUTES must be a whole number of minutes from 1 to 1440, not "soon"');
  }, SLOW);
});
