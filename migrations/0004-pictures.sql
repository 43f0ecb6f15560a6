-- 0004: pictures (reels, new picture versions), which picture each cue was spotted on, and the sync
-- log of every roll played against picture. Paths are relative to the project folder, with forward
-- slashes. Times are timeline samples at the project's sample rate.
-- Forward-only: never edit this file once it has landed; add a new NNNN-what.sql instead.
-- The runner wraps this script in a transaction and stamps PRAGMA user_version = 4.

CREATE TABLE pictures (
  id            INTEGER PRIMARY KEY,
  -- What the user calls it (the original file name by default).
  name          TEXT    NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 500),
  -- The file the player plays, inside the project: the proxy, or the original linked or copied in.
  path          TEXT    NOT NULL COLLATE NOCASE UNIQUE CHECK (
                  length(path) BETWEEN 1 AND 1000
                  AND path NOT GLOB '/*' AND path NOT GLOB '[A-Za-z]:*' AND path NOT GLOB '*\*'
                  AND '/' || path || '/' NOT GLOB '*/../*' AND '/' || path || '/' NOT GLOB '*/./*'
                  AND '/' || path || '/' NOT GLOB '*//*'),
  -- Where the original was when it was added (absolute, as the operator's machine named it).
  source_path   TEXT    NOT NULL CHECK (length(source_path) BETWEEN 1 AND 4000),
  -- Timeline sample of the picture's first frame.
  start_sample  INTEGER NOT NULL CHECK (start_sample >= 0),
  -- The first timeline sample after its last frame.
  end_sample    INTEGER NOT NULL CHECK (end_sample > start_sample),
  -- Where the start came from: the file's timecode track, its metadata, typed by the operator, or
  -- (no timecode in the file) the project's start.
  start_source  TEXT    NOT NULL CHECK (start_source IN ('timecode-track', 'metadata', 'typed', 'project-start')),
  -- The picture's rate; always the project's rate (a picture at another rate is refused).
  frame_rate    TEXT    NOT NULL,
  frames        INTEGER NOT NULL CHECK (frames >= 1),
  width         INTEGER NOT NULL CHECK (width >= 1),
  height        INTEGER NOT NULL CHECK (height >= 1),
  -- The codec of the file played (h264 for a proxy), and of the original.
  codec         TEXT    NOT NULL,
  source_codec  TEXT    NOT NULL,
  -- JSON array of why a proxy was made (empty when the original plays as it is).
  proxy_reasons TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(proxy_reasons) AND json_type(proxy_reasons) = 'array'),
  added_at      TEXT    NOT NULL CHECK (
                  added_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')
) STRICT;

-- The picture a cue was spotted on. Beside the cue (as cue_rolls is) rather than in it, so the cue
-- row and its undo journal stay as they were; a cue without a row has no picture yet.
CREATE TABLE cue_pictures (
  cue_id     INTEGER PRIMARY KEY REFERENCES cues (id) ON DELETE CASCADE,
  picture_id INTEGER NOT NULL REFERENCES pictures (id) ON DELETE CASCADE
) STRICT;

CREATE INDEX cue_pictures_by_picture ON cue_pictures (picture_id);

-- One row per roll played against picture: per displayed frame, the frame shown and the frame the
-- clock asked for, so sync can be checked after the fact (and exported).
CREATE TABLE sync_logs (
  id            INTEGER PRIMARY KEY,
  picture_id    INTEGER REFERENCES pictures (id) ON DELETE SET NULL,
  cue_id        INTEGER REFERENCES cues (id) ON DELETE SET NULL,
  -- ISO 8601 UTC of the roll's start.
  started_at    TEXT    NOT NULL CHECK (
                  started_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z'),
  -- Which screen logged it ('operator', 'talent', …).
  screen        TEXT    NOT NULL CHECK (length(screen) BETWEEN 1 AND 50),
  frame_rate    TEXT    NOT NULL,
  -- The display-latency offset applied, in milliseconds.
  display_offset_ms REAL NOT NULL,
  -- JSON array of [ms since the roll started, frame asked for, frame shown]; frames since midnight.
  frames        TEXT    NOT NULL CHECK (json_valid(frames) AND json_type(frames) = 'array')
) STRICT;
