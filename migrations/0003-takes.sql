-- 0003: takes, guide tracks and per-cue pre/post-roll. A take row is committed before its first
-- sample is recorded (status 'recording') and completed at stop; one still 'recording' when a
-- project opens was cut short by a crash. Take rows are never deleted (DESIGN §4: a take's audio is
-- never rewritten, and what was recorded is never lost), so a cue with takes cannot be deleted.
-- Paths are relative to the project folder, with forward slashes. Times are timeline samples.
-- Forward-only: never edit this file once it has landed; add a new NNNN-what.sql instead.
-- The runner wraps this script in a transaction and stamps PRAGMA user_version = 3.

CREATE TABLE takes (
  id              INTEGER PRIMARY KEY,
  cue_id          INTEGER NOT NULL REFERENCES cues (id) ON DELETE RESTRICT,
  -- Take number within the cue, from 1. Rows are never deleted, so a number once used (even by an
  -- aborted take) stays taken and is never handed out again.
  number          INTEGER NOT NULL CHECK (number >= 1),
  -- Case-insensitive, because a project folder copied to macOS or Windows must not hold two takes
  -- whose files differ only in case.
  path            TEXT    NOT NULL COLLATE NOCASE UNIQUE CHECK (
                    length(path) BETWEEN 1 AND 1000
                    AND path NOT GLOB '/*' AND path NOT GLOB '[A-Za-z]:*' AND path NOT GLOB '*\*'
                    AND '/' || path || '/' NOT GLOB '*/../*' AND '/' || path || '/' NOT GLOB '*/./*'
                    AND '/' || path || '/' NOT GLOB '*//*'),
  channels        INTEGER NOT NULL CHECK (channels BETWEEN 1 AND 256),
  -- JSON array of strings: a name per file channel, in file channel order.
  channel_names   TEXT    NOT NULL CHECK (
                    json_valid(channel_names) AND json_type(channel_names) = 'array'
                    AND json_array_length(channel_names) = channels),
  -- JSON array of integers: the 0-based input-device channel each file channel was recorded from.
  input_channels  TEXT    NOT NULL CHECK (
                    json_valid(input_channels) AND json_type(input_channels) = 'array'
                    AND json_array_length(input_channels) = channels),
  sample_rate     INTEGER NOT NULL CHECK (sample_rate BETWEEN 8000 AND 768000),
  bits_per_sample INTEGER NOT NULL CHECK (bits_per_sample IN (16, 24, 32)),
  float           INTEGER NOT NULL CHECK (float IN (0, 1) AND (float = 0 OR bits_per_sample = 32)),
  -- Timeline sample of the take's first sample, after latency compensation (= bext TimeReference).
  start_sample    INTEGER NOT NULL CHECK (start_sample >= 0),
  -- Frames in the file; 0 while recording.
  length          INTEGER NOT NULL DEFAULT 0 CHECK (length >= 0),
  -- Samples subtracted from the stream position to place the take: the round trip plus any manual
  -- offset, so it may be negative when the offset exceeds the round trip.
  latency         INTEGER NOT NULL,
  latency_source  TEXT    NOT NULL CHECK (latency_source IN ('measured', 'stored', 'none')),
  -- Output underflows and input overflows reported while the take was recorded: each one may have
  -- slipped the input against the output, so sync after it is not guaranteed.
  dropouts        INTEGER NOT NULL DEFAULT 0 CHECK (dropouts >= 0),
  input_device    TEXT    NOT NULL,
  output_device   TEXT    NOT NULL,
  status          TEXT    NOT NULL DEFAULT 'recording'
                    CHECK (status IN ('recording', 'complete', 'recovered', 'aborted')),
  -- What went wrong or what was found: a take cut short (still complete), recovered or aborted.
  problem         TEXT    CHECK (problem IS NULL OR status <> 'recording'),
  circled         INTEGER NOT NULL DEFAULT 0 CHECK (circled IN (0, 1)),
  no_good         INTEGER NOT NULL DEFAULT 0 CHECK (no_good IN (0, 1)),
  -- Stars 0 to 5; NULL when nobody rated the take.
  rating          INTEGER CHECK (rating IS NULL OR rating BETWEEN 0 AND 5),
  note            TEXT    NOT NULL DEFAULT '',
  -- ISO 8601 UTC, as Date.prototype.toISOString writes it.
  created_at      TEXT    NOT NULL CHECK (
                    created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'),
  -- Set when the take stops (or is recovered or aborted), and only then.
  completed_at    TEXT    CHECK (
                    completed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'),
  CHECK ((status = 'recording') = (completed_at IS NULL)),
  -- Also the index by (cue_id, number): a cue's takes in order, the next number, and the check a
  -- cue delete makes for takes that still refer to it.
  UNIQUE (cue_id, number)
) STRICT;

-- Takes a crash left 'recording', which recovery looks for on every open: a handful at most.
CREATE INDEX takes_recording ON takes (id) WHERE status = 'recording';

-- Guide tracks: WAV/BWF files copied into the project and placed on the timeline.
CREATE TABLE guides (
  id           INTEGER PRIMARY KEY,
  path         TEXT    NOT NULL COLLATE NOCASE UNIQUE CHECK (
                 length(path) BETWEEN 1 AND 1000
                 AND path NOT GLOB '/*' AND path NOT GLOB '[A-Za-z]:*' AND path NOT GLOB '*\*'
                 AND '/' || path || '/' NOT GLOB '*/../*' AND '/' || path || '/' NOT GLOB '*/./*'
                 AND '/' || path || '/' NOT GLOB '*//*'),
  -- What the user calls it (the original file name by default).
  name         TEXT    NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 500),
  -- Timeline sample of the file's first sample.
  start_sample INTEGER NOT NULL CHECK (start_sample >= 0),
  length       INTEGER NOT NULL CHECK (length >= 0),
  channels     INTEGER NOT NULL CHECK (channels BETWEEN 1 AND 256),
  sample_rate  INTEGER NOT NULL CHECK (sample_rate BETWEEN 8000 AND 768000),
  -- A muted guide stays in the project.
  enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  added_at     TEXT    NOT NULL CHECK (
                 added_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')
) STRICT;

-- Per-cue pre- and post-roll in milliseconds, overriding the project's defaults; NULL means the
-- default. A cue without a row uses both defaults, so a row always overrides at least one.
CREATE TABLE cue_rolls (
  cue_id       INTEGER PRIMARY KEY REFERENCES cues (id) ON DELETE CASCADE,
  pre_roll_ms  INTEGER CHECK (pre_roll_ms IS NULL OR pre_roll_ms BETWEEN 0 AND 60000),
  post_roll_ms INTEGER CHECK (post_roll_ms IS NULL OR post_roll_ms BETWEEN 0 AND 60000),
  CHECK (pre_roll_ms IS NOT NULL OR post_roll_ms IS NOT NULL)
) STRICT;
