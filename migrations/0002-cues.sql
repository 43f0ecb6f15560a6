-- 0002: the cue database. ADR lines and Foley events share one table with a `kind`, because both
-- are timed events spotted against picture; kind-specific columns sit beside the common ones
-- (DESIGN §4). Times are timeline samples since midnight at the project's sample rate; `out_sample`
-- is the first sample after the event. Every change is journaled for undo/redo.

CREATE TABLE characters (
  id      INTEGER PRIMARY KEY,
  name    TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(name)) BETWEEN 1 AND 200),
  actor   TEXT NOT NULL DEFAULT '',
  -- Prefix for cue numbers, e.g. "R" for Robin: R101, R102…
  prefix  TEXT NOT NULL DEFAULT '' CHECK (length(prefix) <= 16),
  colour  TEXT NOT NULL DEFAULT '',
  sort    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE reels (
  id              INTEGER PRIMARY KEY,
  name            TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(name)) BETWEEN 1 AND 100),
  number          INTEGER,
  picture_version TEXT NOT NULL DEFAULT '',
  -- Where the reel starts on the session timeline (timeline sample).
  offset_sample   INTEGER NOT NULL DEFAULT 0 CHECK (offset_sample >= 0)
) STRICT;

CREATE TABLE scenes (
  id          INTEGER PRIMARY KEY,
  number      TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(number)) BETWEEN 1 AND 100),
  description TEXT NOT NULL DEFAULT '',
  reel_id     INTEGER REFERENCES reels (id) ON DELETE SET NULL,
  in_sample   INTEGER NOT NULL CHECK (in_sample >= 0),
  out_sample  INTEGER NOT NULL CHECK (out_sample >= in_sample)
) STRICT;

-- The per-project, editable list of ADR reason codes. Cues refer to the code (readable in the
-- file), which a rename carries into them; the id is what the journal records.
CREATE TABLE reason_codes (
  id    INTEGER PRIMARY KEY,
  code  TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(code)) BETWEEN 1 AND 50),
  label TEXT NOT NULL CHECK (length(trim(label)) BETWEEN 1 AND 100),
  sort  INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO reason_codes (code, label, sort) VALUES
  ('noise', 'Noise', 1), ('performance', 'Performance', 2), ('added', 'Added line', 3),
  ('script', 'Script change', 4), ('technical', 'Technical', 5), ('off-mic', 'Off mic', 6),
  ('intelligibility', 'Intelligibility', 7), ('pronunciation', 'Mis-pronounced', 8),
  ('distortion', 'Distortion', 9), ('overlap', 'Overlap', 10), ('sync', 'Sync', 11);

CREATE TABLE cues (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('adr', 'foley')),
  number        TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(number)) BETWEEN 1 AND 50),
  reel_id       INTEGER REFERENCES reels (id) ON DELETE SET NULL,
  scene_id      INTEGER REFERENCES scenes (id) ON DELETE SET NULL,
  character_id  INTEGER REFERENCES characters (id) ON DELETE SET NULL,
  in_sample     INTEGER NOT NULL CHECK (in_sample >= 0),
  out_sample    INTEGER NOT NULL CHECK (out_sample >= in_sample),
  notes         TEXT NOT NULL DEFAULT '',
  eng_notes     TEXT NOT NULL DEFAULT '',
  status        TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'done', 'omitted')),
  -- ISO 8601 date-time the cue was marked done.
  done_at       TEXT,
  colour        TEXT NOT NULL DEFAULT '',
  -- ADR
  line_text     TEXT NOT NULL DEFAULT '',
  alt_text      TEXT NOT NULL DEFAULT '',
  reason_code   TEXT REFERENCES reason_codes (code) ON UPDATE CASCADE ON DELETE SET NULL,
  priority      INTEGER,
  on_screen     INTEGER CHECK (on_screen IN (0, 1)),
  flag_tv       INTEGER NOT NULL DEFAULT 0 CHECK (flag_tv IN (0, 1)),
  flag_tbw      INTEGER NOT NULL DEFAULT 0 CHECK (flag_tbw IN (0, 1)),
  flag_adlib    INTEGER NOT NULL DEFAULT 0 CHECK (flag_adlib IN (0, 1)),
  flag_optional INTEGER NOT NULL DEFAULT 0 CHECK (flag_optional IN (0, 1)),
  -- Foley
  foley_pass    TEXT CHECK (foley_pass IN ('feet', 'props', 'cloth', 'moves', 'specifics')),
  surface       TEXT NOT NULL DEFAULT '',
  footwear      TEXT NOT NULL DEFAULT '',
  prop          TEXT NOT NULL DEFAULT '',
  description   TEXT NOT NULL DEFAULT '',
  track         TEXT NOT NULL DEFAULT '',
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
) STRICT;

-- The engine holds the open project's cues in memory and filters there, so the only indexes are the
-- ones SQLite needs: the unique number, and the foreign keys a delete of a character or scene checks.
CREATE INDEX cues_by_character ON cues (character_id);
CREATE INDEX cues_by_scene ON cues (scene_id);

-- The journal: one row per change, grouped by action, so any edit can be undone and redone, and
-- nothing typed is lost. `before`/`after` are the row's JSON (NULL for a create/delete side).
CREATE TABLE journal (
  id         INTEGER PRIMARY KEY,
  action_id  INTEGER NOT NULL,
  at         TEXT NOT NULL,
  label      TEXT NOT NULL,
  entity     TEXT NOT NULL CHECK (entity IN ('cue', 'character', 'reel', 'scene', 'reason_code')),
  entity_id  INTEGER NOT NULL,
  before     TEXT CHECK (before IS NULL OR json_valid(before)),
  after      TEXT CHECK (after IS NULL OR json_valid(after)),
  -- 1 while the action is undone (redo re-applies it); a new action discards undone ones.
  undone     INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1))
) STRICT;

CREATE INDEX journal_by_action ON journal (action_id);
-- Undo, redo and "drop what can no longer be redone" look for the newest or oldest (un)done action.
CREATE INDEX journal_by_undone ON journal (undone, action_id);
