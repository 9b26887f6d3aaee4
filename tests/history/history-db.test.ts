/**
 * The history database on real files (node:sqlite, WAL) with an injected clock: down-sampling,
 * retention on a generated year of readings and requests, the size cap, and what happens to a
 * corrupt, newer or locked file. No wall-clock waiting: every time is injected.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestEntry } from '../../shared/activity.js';
import type { UsageSnapshot } from '../../shared/domain.js';
import { openHistory, type History, type HistoryNotice } from '../../electron/core/history/history.js';
import { makeTempHome } from '../helpers/temp-home.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const START = Date.UTC(2025, 0, 1);

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function open(options: { home?: string; env?: NodeJS.ProcessEnv; clock?: { t: number } } = {}) {
  const home = options.home ?? makeTempHome('rotary-history-').home;
  if (!options.home) cleanups.push(() => fs.rmSync(home, { recursive: true, force: true }));
  const clock = options.clock ?? { t: START };
  const lines: string[] = [];
  const history = openHistory({ home, env: options.env ?? {}, now: () => clock.t, flushMs: 60_000, busyTimeoutMs: 20, log: (l) => lines.push(l) })!;
  // Those raised while opening, then the later ones.
  const notices: HistoryNotice[] = history.notices.pendingNotices();
  history.notices.onNotice((n) => notices.push(n));
  cleanups.push(() => history.close());
  return { history, home, clock, notices, lines };
}

function snapshot(at: number, fiveHour: number, weekly: number, resets: { five: number; week: number }): UsageSnapshot {
  return {
    asOf: at,
    source: 'headers',
    windows: [
      { key: 'five_hour', label: '5-hour', percentUsed: fiveHour, resetsAt: resets.five },
      { key: 'seven_day', label: '7-day (all)', percentUsed: weekly, resetsAt: resets.week },
    ],
  };
}

function entry(i: number, at: number, conversation = `anthropic:conv-${i % 7}`): RequestEntry {
  return { id: `req-${i}`, conversationID: conversation, providerID: 'anthropic', at, method: 'POST', path: '/v1/messages', stream: false, status: 200, latencyMs: 12, rotations: [], model: 'claude-sonnet-4-6', recordID: 'r1', accountLabel: 'Account 1', inputTokens: 100, outputTokens: 20 };
}

function count(history: History, sql: string): number {
  const db = new DatabaseSync(history.file, { readOnly: true });
  try {
    return Number((db.prepare(sql).get() as { n: number }).n);
  } finally {
    db.close();
  }
}

describe('down-sampling', () => {
  it('keeps at most one reading per window per minute (the newest), and a flat stretch as its ends plus a heartbeat', async () => {
    const { history } = open();
    const resets = { five: START + 5 * HOUR, week: START + 7 * DAY };
    // Six readings within one minute, rising: one row per window, the last value.
    for (let s = 0; s < 6; s++) history.recordUsage('anthropic', 'r1', snapshot(START + s * 10_000, 10 + s, 1, resets));
    await history.flush();
    // Then 30 minutes unchanged at 15 %, a reading every 10 s, then a change.
    for (let s = 0; s < 180; s++) history.recordUsage('anthropic', 'r1', snapshot(START + MIN + s * 10_000, 15, 1, resets));
    history.recordUsage('anthropic', 'r1', snapshot(START + 31 * MIN, 16, 1, resets));
    await history.flush();
    const five = history.readings({ providerID: 'anthropic', key: 'five_hour', since: 0 })!;
    // 10:00 (15, newest of that minute), the heartbeats at +10 and +20 min, the last unchanged (10:30:50), the change.
    expect(five.map((r) => [(r.at - START) / 1000, r.percent])).toEqual([
      [50, 15],
      [650, 15],
      [1250, 15],
      [1850, 15],
      [1860, 16],
    ]);
    const minutes = five.map((r) => Math.floor(r.at / MIN));
    expect(new Set(minutes).size).toBe(minutes.length);
  });

  it('ignores failed polls (old numbers with an error) and snapshots without windows', async () => {
    const { history } = open();
    history.recordUsage('anthropic', 'r1', { windows: [], asOf: START, source: 'endpoint' });
    history.recordUsage('anthropic', 'r1', { ...snapshot(START, 50, 5, { five: START + HOUR, week: START + DAY }), error: 'HTTP 500' });
    await history.flush();
    expect(history.readings({ since: 0 })).toEqual([]);
  });
});

describe('retention on a generated year', () => {
  it('a year of readings every minute: ≤ 1 per window per minute, nothing older than 35 days', async () => {
    const { history, clock } = open();
    let t = START;
    const end = START + 365 * DAY;
    let hours = 0;
    let five = 0;
    let week = 0;
    let fiveReset = START + 5 * HOUR;
    let weekReset = START + 7 * DAY;
    while (t < end) {
      // Work from 9:00 to 17:00 (both windows rise), nights and weekends idle; windows reset on time.
      if (t >= fiveReset) [five, fiveReset] = [0, fiveReset + 5 * HOUR];
      if (t >= weekReset) [week, weekReset] = [0, weekReset + 7 * DAY];
      const hour = new Date(t).getUTCHours();
      const working = hour >= 9 && hour < 17 && new Date(t).getUTCDay() % 6 !== 0;
      if (working) [five, week] = [Math.min(100, five + 0.5), Math.min(100, week + 0.01)];
      history.recordUsage('anthropic', 'r1', snapshot(t, Math.round(five * 100) / 100, Math.round(week * 1000) / 1000, { five: fiveReset, week: weekReset }));
      t += 60_000;
      if (t >= START + (hours + 1) * HOUR) {
        hours++;
        clock.t = t;
        history.recorder.flush();
      }
    }
    clock.t = end;
    await history.flush();
    const perMinute = count(history, 'SELECT max(c) AS n FROM (SELECT count(*) AS c FROM readings GROUP BY series_id, minute)');
    expect(perMinute).toBe(1);
    const oldest = count(history, 'SELECT min(at) AS n FROM readings');
    expect(oldest).toBeGreaterThanOrEqual(end - 35 * DAY);
    expect(oldest).toBeLessThan(end - 35 * DAY + HOUR);
    const rows = count(history, 'SELECT count(*) AS n FROM readings');
    // Two windows, at most a row a minute each, for 35 days; idle stretches only every 10 minutes.
    expect(rows).toBeLessThanOrEqual(2 * (35 * 24 * 60 + 2));
    expect(rows).toBeLessThan(35 * 24 * 60);
    // What was read back is still the whole story: the weekly window's last week peaked where it was driven.
    const weekly = history.readings({ key: 'seven_day', since: end - 8 * DAY })!;
    expect(Math.max(...weekly.map((r) => r.percent))).toBeGreaterThan(4);
  }, 120_000);

  it('a year of requests: 30 days kept, and never more than 200,000 rows (the smaller bound wins)', async () => {
    const { history, clock } = open();
    // 11 months at one request every 10 minutes, then the last month at 5 a minute (216,000 requests).
    let i = 0;
    for (let t = START; t < START + 335 * DAY; t += 10 * MIN) {
      history.activity.addRequest(entry(i++, t), 'title');
      if (i % 5000 === 0) {
        clock.t = t;
        history.recorder.flush();
      }
    }
    clock.t = START + 335 * DAY;
    history.recorder.flush();
    expect(count(history, 'SELECT min(at) AS n FROM requests')).toBeGreaterThanOrEqual(clock.t - 30 * DAY);
    expect(count(history, 'SELECT count(*) AS n FROM requests')).toBe(30 * 24 * 6);
    for (let t = START + 335 * DAY; t < START + 365 * DAY; t += 12_000) {
      history.activity.addRequest(entry(i++, t), 'title');
      if (i % 5000 === 0) {
        clock.t = t;
        history.recorder.flush();
      }
    }
    clock.t = START + 366 * DAY;
    await history.flush();
    expect(count(history, 'SELECT count(*) AS n FROM requests')).toBeLessThanOrEqual(200_000);
    expect(count(history, 'SELECT count(*) AS n FROM requests')).toBeGreaterThan(199_000);
    // The newest stayed: the list reads newest first.
    expect(history.activity.requests(undefined, 1)![0]!.id).toBe(`req-${i - 1}`);
    // Conversations older than 30 days are gone with their requests.
    expect(count(history, 'SELECT min(last_at) AS n FROM conversations')).toBeGreaterThanOrEqual(clock.t - 30 * DAY);
  }, 120_000);

  it('the size cap drops the oldest tenth and says so', async () => {
    const { history, clock, notices, lines } = open({ env: { ROTARY_HISTORY_MAX_MB: '1' } });
    for (let i = 0; i < 12_000; i++) history.activity.addRequest({ ...entry(i, START + i * 1000), path: `/v1/messages/${'x'.repeat(150)}` }, 'title');
    clock.t = START + DAY;
    await history.flush();
    const cap = notices.find((n) => n.code === 'history-size-cap');
    expect(cap?.message).toMatch(/size cap of 1 MB \(ROTARY_HISTORY_MAX_MB\); the oldest [\d,]+ requests/);
    expect(lines.some((l) => l.includes('size cap'))).toBe(true);
    expect(history.db.usedBytes()!).toBeLessThanOrEqual(1024 * 1024);
    expect(history.activity.requests(undefined, 1)![0]!.id).toBe('req-11999');
  });
});

describe('restart and other processes', () => {
  it('a new process on the same home reads the conversations and requests back', async () => {
    const first = open();
    first.history.activity.addRequest(entry(1, START), 'Claude Code · abc');
    first.history.activity.addRequest(entry(8, START + 1000), 'ignored: the first title stays');
    await first.history.close();
    const second = open({ home: first.home });
    const [conversation] = second.history.activity.conversations(10)!;
    expect(conversation).toMatchObject({ id: 'anthropic:conv-1', title: 'Claude Code · abc', requestCount: 2, lastAt: START + 1000, accountLabel: 'Account 1' });
    expect(second.history.activity.requests('anthropic:conv-1', 10)!.map((r) => r.id)).toEqual(['req-8', 'req-1']);
  });
});

describe('a damaged, newer or locked file', () => {
  it('corrupt: moved aside, a fresh database started, and a notice with the backup path', async () => {
    const { home } = makeTempHome('rotary-history-');
    cleanups.push(() => fs.rmSync(home, { recursive: true, force: true }));
    const file = path.join(home, 'history.db');
    fs.writeFileSync(file, 'this is not a database '.repeat(500));
    const { history, notices } = open({ home });
    await history.db.settled();
    expect(history.db.state).toBe('open');
    const notice = notices.find((n) => n.code === 'history-rebuilt');
    expect(notice?.message).toMatch(/could not be read .*moved to .*history\.db\.corrupt-/);
    const backup = fs.readdirSync(home).find((f) => f.startsWith('history.db.corrupt-'));
    expect(fs.readFileSync(path.join(home, backup!), 'utf8')).toContain('this is not a database');
    history.activity.addRequest(entry(1, START), 't');
    expect(history.activity.conversations(5)).toHaveLength(1);
  });

  it('from a newer Rotary: left as it is, history kept in memory only', async () => {
    const { home } = makeTempHome('rotary-history-');
    cleanups.push(() => fs.rmSync(home, { recursive: true, force: true }));
    const file = path.join(home, 'history.db');
    const db = new DatabaseSync(file);
    db.exec('CREATE TABLE future (x); PRAGMA user_version = 99');
    db.close();
    const before = fs.readFileSync(file);
    const { history, notices } = open({ home });
    expect(history.db.state).toBe('off');
    expect(notices[0]?.message).toMatch(/newer Rotary \(history schema 99/);
    history.activity.addRequest(entry(1, START), 't');
    expect(history.activity.conversations(5)).toBeUndefined();
    await history.close();
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('locked by another process: the batch waits in memory, a notice after a while, then it is written', async () => {
    const { history, notices } = open();
    const other = new DatabaseSync(history.file, { timeout: 0 });
    cleanups.push(() => other.close());
    // The file is in WAL mode (kept in the file, so another connection reads it too): that is what lets the reader below through.
    expect(other.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    other.exec('BEGIN IMMEDIATE');
    history.activity.addRequest(entry(1, START), 't');
    for (let i = 0; i < 3; i++) expect(history.recorder.flush()).toBe(false);
    expect(notices.map((n) => n.code)).toContain('history-locked');
    // A reader is never blocked by the writer in WAL mode.
    expect(history.db.conversations(5)).toEqual([]);
    other.exec('COMMIT');
    expect(history.recorder.flush()).toBe(true);
    expect(history.db.conversations(5)).toHaveLength(1);
  });
});
