/**
 * The history database's tables (ROTARY_HOME/history.db) and their version. Bump
 * `HISTORY_SCHEMA_VERSION` and add a step to `HISTORY_MIGRATIONS` when a table changes; the
 * version lives in SQLite's `user_version`, so a file from a newer Rotary is recognised and
 * left alone instead of being read wrongly.
 *
 * Usage readings: one row per window per minute at most (`readings`, keyed by series and minute;
 * a series is one account's window, `series`). Request summaries: one row per request
 * (`requests`, common fields as columns, the nested parts as JSON), plus one row per
 * conversation (`conversations`) kept up to date in the same transaction, so the conversation
 * list is one indexed read. Activity events other than requests (rotations, forecasts…): `events`.
 */

export const HISTORY_FILE = 'history.db';

export const HISTORY_SCHEMA_VERSION = 1;

const V1 = `
CREATE TABLE series (
  id INTEGER PRIMARY KEY,
  provider TEXT NOT NULL,
  record_id TEXT NOT NULL,
  window_key TEXT NOT NULL,
  label TEXT NOT NULL,
  UNIQUE (provider, record_id, window_key)
);
CREATE TABLE readings (
  series_id INTEGER NOT NULL REFERENCES series(id) ON DELETE CASCADE,
  minute INTEGER NOT NULL,
  at INTEGER NOT NULL,
  percent REAL NOT NULL,
  resets_at INTEGER,
  PRIMARY KEY (series_id, minute)
) WITHOUT ROWID;
CREATE TABLE requests (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  at INTEGER NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  model TEXT,
  stream INTEGER NOT NULL,
  record_id TEXT,
  account_label TEXT,
  status INTEGER NOT NULL,
  latency_ms REAL NOT NULL,
  input_tokens INTEGER,
  output_tokens INTEGER,
  breakdown TEXT,
  rotations TEXT,
  pick TEXT
);
CREATE INDEX requests_by_conversation ON requests (conversation_id, seq);
CREATE INDEX requests_by_time ON requests (at);
CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  title TEXT NOT NULL,
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  request_count INTEGER NOT NULL,
  record_id TEXT,
  account_label TEXT,
  last_model TEXT
);
CREATE INDEX conversations_by_last ON conversations (last_at);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  event TEXT NOT NULL
);
CREATE INDEX events_by_time ON events (at);
`;

/** `HISTORY_MIGRATIONS[n]` turns a version-n database into version n+1 (0 = empty file). */
export const HISTORY_MIGRATIONS: Record<number, string> = {
  0: V1,
};
