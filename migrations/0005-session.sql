-- 0005: the session. Foley passes (a take recorded free-running across a scene, a reel or a
-- selection of Foley events, filed against the pass and linked to every event it covers), the
-- marks an editor needs beyond 0003's (alternate, false start), and the session log.
-- Forward-only: never edit this file once it has landed; add a new NNNN-what.sql instead.
-- The runner wraps this script in a transaction and stamps PRAGMA user_version = 5; it checks
-- foreign keys (rather than enforcing them) while migrating, so `takes` can be rebuilt here.

-- A Foley pass: one kind of Foley (feet, props, cloth, moves, specifics), for one character when
-- it is feet, over a range of the timeline. The pass's events are listed in foley_pass_events when
-- it is created, so a pass recorded again tomorrow covers the same events.
CREATE TABLE foley_passes (
  id           INTEGER PRIMARY KEY,
  -- What the user calls it ("Feet ROBIN sc 12"); unique so a take's file and the log can name it.
  name         TEXT    NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(name)) BETWEEN 1 AND 200),
  pass         TEXT    NOT NULL CHECK (pass IN ('feet', 'props', 'cloth', 'moves', 'specifics')),
  character_id INTEGER REFERENCES characters (id) ON DELETE SET NULL,
  -- What the range was made from: a scene, a reel or a selection of events.
  scope        TEXT    NOT NULL CHECK (scope IN ('scene', 'reel', 'selection')),
  scene_id     INTEGER REFERENCES scenes (id) ON DELETE SET NULL,
  reel_id      INTEGER REFERENCES reels (id) ON DELETE SET NULL,
  -- Timeline samples: the first sample of the pass and the first sample after it.
  in_sample    INTEGER NOT NULL CHECK (in_sample >= 0),
  out_sample   INTEGER NOT NULL CHECK (out_sample > in_sample),
  status       TEXT    NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'done')),
  created_at   TEXT    NOT NULL CHECK (
                 created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')
) STRICT;

CREATE TABLE foley_pass_events (
  pass_id INTEGER NOT NULL REFERENCES foley_passes (id) ON DELETE CASCADE,
  cue_id  INTEGER NOT NULL REFERENCES cues (id) ON DELETE CASCADE,
  PRIMARY KEY (pass_id, cue_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX foley_pass_events_by_cue ON foley_pass_events (cue_id);

-- Takes, rebuilt (SQLite cannot relax NOT NULL in place): a take now belongs to a cue (ADR, or a
-- single Foley event) or to a Foley pass, and carries the alternate and false-start marks.
-- Everything else is as 0003 made it.
CREATE TABLE takes_0005 (
  id              INTEGER PRIMARY KEY,
  cue_id          INTEGER REFERENCES cues (id) ON DELETE RESTRICT,
  pass_id         INTEGER REFERENCES foley_passes (id) ON DELETE RESTRICT,
  -- Take number within its cue or pass, from 1; a number once used stays taken.
  number          INTEGER NOT NULL CHECK (number >= 1),
  path            TEXT    NOT NULL COLLATE NOCASE UNIQUE CHECK (
                    length(path) BETWEEN 1 AND 1000
                    AND path NOT GLOB '/*' AND path NOT GLOB '[A-Za-z]:*' AND path NOT GLOB '*\*'
                    AND '/' || path || '/' NOT GLOB '*/../*' AND '/' || path || '/' NOT GLOB '*/./*'
                    AND '/' || path || '/' NOT GLOB '*//*'),
  channels        INTEGER NOT NULL CHECK (channels BETWEEN 1 AND 256),
  channel_names   TEXT    NOT NULL CHECK (
                    json_valid(channel_names) AND json_type(channel_names) = 'array'
                    AND json_array_length(channel_names) = channels),
  input_channels  TEXT    NOT NULL CHECK (
                    json_valid(input_channels) AND json_type(input_channels) = 'array'
                    AND json_array_length(input_channels) = channels),
  sample_rate     INTEGER NOT NULL CHECK (sample_rate BETWEEN 8000 AND 768000),
  bits_per_sample INTEGER NOT NULL CHECK (bits_per_sample IN (16, 24, 32)),
  float           INTEGER NOT NULL CHECK (float IN (0, 1) AND (float = 0 OR bits_per_sample = 32)),
  start_sample    INTEGER NOT NULL CHECK (start_sample >= 0),
  length          INTEGER NOT NULL DEFAULT 0 CHECK (length >= 0),
  latency         INTEGER NOT NULL,
  latency_source  TEXT    NOT NULL CHECK (latency_source IN ('measured', 'stored', 'none')),
  dropouts        INTEGER NOT NULL DEFAULT 0 CHECK (dropouts >= 0),
  input_device    TEXT    NOT NULL,
  output_device   TEXT    NOT NULL,
  status          TEXT    NOT NULL DEFAULT 'recording'
                    CHECK (status IN ('recording', 'complete', 'recovered', 'aborted')),
  problem         TEXT    CHECK (problem IS NULL OR status <> 'recording'),
  -- The take chosen for the edit: at most one per cue or pass (the engine uncircles the others).
  circled         INTEGER NOT NULL DEFAULT 0 CHECK (circled IN (0, 1)),
  -- A second choice the editor should also see; never together with circled.
  alternate       INTEGER NOT NULL DEFAULT 0 CHECK (alternate IN (0, 1) AND NOT (alternate = 1 AND circled = 1)),
  no_good         INTEGER NOT NULL DEFAULT 0 CHECK (no_good IN (0, 1)),
  -- The actor stopped early and went again: iXML FALSE_START.
  false_start     INTEGER NOT NULL DEFAULT 0 CHECK (false_start IN (0, 1)),
  rating          INTEGER CHECK (rating IS NULL OR rating BETWEEN 0 AND 5),
  note            TEXT    NOT NULL DEFAULT '',
  created_at      TEXT    NOT NULL CHECK (
                    created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'),
  completed_at    TEXT    CHECK (
                    completed_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'),
  CHECK ((status = 'recording') = (completed_at IS NULL)),
  CHECK ((cue_id IS NULL) <> (pass_id IS NULL)),
  UNIQUE (cue_id, number),
  UNIQUE (pass_id, number)
) STRICT;

INSERT INTO takes_0005 (id, cue_id, pass_id, number, path, channels, channel_names, input_channels, sample_rate,
  bits_per_sample, float, start_sample, length, latency, latency_source, dropouts, input_device, output_device, status,
  problem, circled, alternate, no_good, false_start, rating, note, created_at, completed_at)
SELECT id, cue_id, NULL, number, path, channels, channel_names, input_channels, sample_rate,
  bits_per_sample, float, start_sample, length, latency, latency_source, dropouts, input_device, output_device, status,
  problem, circled, 0, no_good, 0, rating, note, created_at, completed_at
FROM takes;

DROP TABLE takes;
ALTER TABLE takes_0005 RENAME TO takes;
CREATE INDEX takes_recording ON takes (id) WHERE status = 'recording';

-- The Foley events a pass take covers (wholly inside what it recorded), written when the take is
-- filed: an event with a covering take that is not aborted shows as covered.
CREATE TABLE take_events (
  take_id INTEGER NOT NULL REFERENCES takes (id) ON DELETE CASCADE,
  cue_id  INTEGER NOT NULL REFERENCES cues (id) ON DELETE RESTRICT,
  PRIMARY KEY (take_id, cue_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX take_events_by_cue ON take_events (cue_id);

-- The session log: every action with its time, the stage and who did it. Rows are only added.
-- It names the cue, pass and take as they were called then (the numbers may change later), and
-- keeps their ids without foreign keys, so the log outlives whatever it mentions.
CREATE TABLE session_log (
  id       INTEGER PRIMARY KEY,
  -- ISO 8601 UTC with milliseconds.
  at       TEXT    NOT NULL CHECK (
             at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'),
  stage    TEXT    NOT NULL DEFAULT '' CHECK (length(stage) <= 100),
  who      TEXT    NOT NULL DEFAULT '' CHECK (length(who) <= 100),
  -- A stable name for what happened: take.recorded, take.marked, cue.done, …
  action   TEXT    NOT NULL CHECK (length(action) BETWEEN 1 AND 50),
  cue_id   INTEGER,
  pass_id  INTEGER,
  take_id  INTEGER,
  -- What a person reads: "R101 T03 circled, 4 stars".
  text     TEXT    NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
  -- What a script reads (JSON object).
  data     TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(data) AND json_type(data) = 'object')
) STRICT;
