-- 0001: the project itself (one row) and a key/value store for settings such as audio devices.
-- Forward-only: never edit this file once it has landed; add a new NNNN-what.sql instead.
-- The runner wraps this script in a transaction and stamps PRAGMA user_version = 1.

CREATE TABLE project (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  title        TEXT    NOT NULL CHECK (length(trim(title)) BETWEEN 1 AND 200),
  frame_rate   TEXT    NOT NULL CHECK (frame_rate IN (
                 '23.976', '24', '25', '29.97df', '29.97ndf', '30',
                 '47.952', '48', '50', '59.94df', '59.94ndf', '60')),
  sample_rate  INTEGER NOT NULL CHECK (sample_rate IN (44100, 48000, 88200, 96000, 192000)),
  -- Timeline samples since midnight at sample_rate. The exact bound (the last frame of the
  -- timecode day) is checked by the engine; this only keeps the value inside a 1000/1001 day.
  start_sample INTEGER NOT NULL CHECK (start_sample >= 0 AND start_sample < sample_rate * 86487),
  -- ISO 8601 UTC, as Date.prototype.toISOString writes it.
  created_at   TEXT    NOT NULL CHECK (
                 created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')
) STRICT;

CREATE TABLE settings (
  key   TEXT NOT NULL PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 200),
  value TEXT NOT NULL CHECK (json_valid(value))
) STRICT, WITHOUT ROWID;
