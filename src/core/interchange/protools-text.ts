/**
 * Pro Tools "Session Info as Text" (File ▸ Export ▸ Session Info as Text) → cue drafts.
 *
 * Hand-written, line by line. It never throws: any input — a damaged or truncated export, or a file
 * that is not an export at all — ends in drafts and issues. It cannot hang: its patterns are
 * anchored and have no nested or adjacent unbounded repeats, and marker fields are found in one
 * time-ordered sweep, so the work grows with the size of the file (and of the notes it writes).
 *
 * ## The file
 * - Header lines `KEY:<tab>value` before the first section: SESSION NAME, SAMPLE RATE
 *   (`48000.000000`), BIT DEPTH, SESSION START TIMECODE (`01:00:00:00`, `01:00:00;00`, or with
 *   sub-frames `01:00:00;00.00`), TIMECODE FORMAT (`23.976 Frame`, `24 Frame`, `25 Frame`,
 *   `29.97 Frame`, `29.97 Drop Frame`, `30 Frame`, … `60 Frame`; 30/60 Drop Frame and 100/119.88/120
 *   are not Loopstage rates and are reported), # OF … counts (ignored).
 * - Sections under letter-spaced headings (`T R A C K  L I S T I N G`): FILES / ONLINE FILES /
 *   OFFLINE FILES / ONLINE CLIPS / OFFLINE CLIPS / REGIONS and PLUG-INS are skipped; TRACK LISTING
 *   and MARKERS LISTING (also headed MEMORY LOCATIONS) are read. Unknown sections are skipped with
 *   a warning.
 * - Tracks: `TRACK NAME:`, `COMMENTS:` (later lines up to `USER DELAY:` continue a multi-line
 *   comment), `USER DELAY:`, `STATE:` (Muted, Inactive, Solo… — not used), `PLUG-INS:`, then a column row (`CHANNEL  EVENT  CLIP NAME
 *   (or REGION NAME)  START TIME  END TIME  DURATION  [TIMESTAMP]  [STATE]`) read by name, then one
 *   tab-separated, space-padded row per clip. Extra tabs are taken to belong to the clip name.
 *   On a multi-channel track, a clip repeated on channel 2+ with the same name and times is read once.
 * - Markers, old layout `#  LOCATION  TIME REFERENCE  UNITS  NAME  COMMENTS` and the 2023+ layout
 *   with `TRACK NAME  TRACK TYPE` (Ruler or Track) before COMMENTS. A row that does not start with a
 *   number continues the previous marker's comments (multi-line comments). A column named END,
 *   END TIME or END LOCATION, if present, gives the selection end of a marker with a length.
 *
 * ## Times (each value says its own format)
 * All become timeline samples since midnight at `options.sampleRate`, converted through time (a
 * 44.1 kHz session imports correctly into a 48 kHz project).
 * - Timecode `HH:MM:SS:FF` / `HH:MM:SS;FF` (optional `.ss` sub-frames, 1/100 frame): the label's
 *   frame since midnight through `frameToPosition` (Loopstage's canonical frame edge). A label
 *   earlier than the session start is taken to be after midnight (sessions that cross 00:00).
 * - Samples `14731517`: counted by Pro Tools from the session start at the session's sample rate,
 *   so position = session start position + samples (rescaled if the rates differ). Pro Tools rounds
 *   frame edges from its session start and Loopstage from midnight; where the start is not on a
 *   whole sample (29.97 DF at 01:00:00;00 = 172 799 827.2) the two can differ by one sample.
 * - Min:Secs `5:06` or `1:05.250`: seconds from the session start. Without milliseconds the value is
 *   whole seconds (Pro Tools truncates), reported once as PTX_COARSE_TIME.
 * - Feet+frames `459+14`: 35 mm film frames from the session start, counted at 23.976 in a
 *   1001-family session (23.976, 29.97, 47.952, 59.94) and 24 otherwise (Pro Tools' Feet+Frames rate;
 *   the export does not say which, so this is inferred). In a session whose rate is not the film
 *   rate, a film frame is coarser than a picture frame: reported once as PTX_COARSE_TIME.
 * - Bars|Beats `12| 3| 000`: cannot be placed without the tempo map; the row is skipped with
 *   PTX_BARS_BEATS.
 * - Marker TIME REFERENCE in Samples is preferred to LOCATION (it is exact to the sample).
 *
 * ## Tags (ptulsconv conventions, https://github.com/iluvcapra/ptulsconv docs "Tagging", "For ADR")
 * - In clip names, track names, track comments, marker names and comments, and the session name:
 *   `{NAME=value with spaces}`, `$NAME=oneword` (after a space or at the start), `[NAME]` (a flag).
 *   What is left, spaces collapsed, is the clip's text. A clip text wholly in double quotes loses
 *   the quotes (`"What now, Sir Guy?"` → `What now, Sir Guy?`).
 * - Precedence, lowest to highest: session name < markers at or before the clip's start (in time
 *   order, later wins; comments < name; a Track marker applies only to clips on its track) <
 *   `@` ranges covering the clip's start, listed before it (later wins) < track comments <
 *   track name < clip name. (ptulsconv's text says markers apply to clips finishing after them; its
 *   own tests expect clips starting after them, which is what is done here.)
 * - `@ …` clip: not a cue; its fields apply to clips on lower tracks that start within it. An `@`
 *   clip with `{Sc=…}` is also a SceneDraft: `{Sc=12A Int. Castle}` → number `12A`, description
 *   `Int. Castle`; a scene whose first word is not a scene number (digits with up to three letters
 *   around them, or one to three capitals like `MT`) is numbered by its whole text.
 * - `& …` clip: joined to the previous clip on the same track — text appended after a space, the
 *   earlier clip's fields win, the cue ends where the last joined clip ends.
 * - Which clips are cues: if anything in the session carries `[ADR]` (usually the track comments),
 *   only clips whose fields include `ADR` or a cue number `QN` are ADR cues, and other tracks are
 *   reported once each (PTX_TRACK_SKIPPED). If nothing carries `[ADR]`, every clip is a cue of
 *   `options.kind` (ptulsconv's behaviour). A clip whose STATE is Muted becomes status `omitted`.
 * - Fields → CueDraft: `QN` number; `Line` line text (else the clip text); `Char` / `Ch` character
 *   (else the track name without tags); `R` / `Reason` reason (a default reason code when it names
 *   one by code or label, e.g. `Performance` → `performance`, else the text as written); a flag that
 *   names a reason code (`[Noise]`) likewise; `P` / `Priority` priority (whole numbers); `Sc` scene
 *   (its number); `Reel` reel; `[TV]` tv, `[TBW]` tbw, `[ADLIB]` adlib, `[OPT]` optional;
 *   `Note` / `Notes` notes; `Eng` / `EngNote` engNotes; `Color` / `Colour` colour; for Foley cues
 *   `Pass` (feet, props, cloth, moves, specifics), `Surface`, `Footwear`, `Prop`.
 *   `Actor` gives the CharacterDraft's actor and `CN` (character number) orders the characters.
 *   `Title`, `Supv`, `Client`, `Spot` are project fields, returned in `session.fields`.
 *   Everything else (`[EFF]`, `Ver`, `Mins`, `Shot`, your own) is kept in notes as `NAME=value` or
 *   `[NAME]`, separated by `; `. Flags are only ever set to true, and fields only when the source
 *   has them, so a re-import merged by number does not clear what was typed on the stage.
 * - A character's prefix is inferred when all its cue numbers start with the same letters
 *   (R101, R102 → `R`).
 *
 * ## Markers as cues
 * A marker whose name or comments keep any text once tags are removed becomes a cue of
 * `options.kind` (default 'adr'): line text (ADR) or description (Foley) = name, then ` - ` and the
 * comments if any; in = its position; out = the end of the frame it is on (one frame), or its
 * selection end. A Track marker's track names the character (ADR) or track (Foley) and lends its
 * track's fields. A marker made only of tags (`{Title=…}`, `{Reel=2}`) carries fields and is not a
 * cue. A marker cue takes its own fields, the session name's and those of tags-only markers at or
 * before it — not those of other marker cues, which describe their own event.
 *
 * ## Issues
 * Stable codes, a 1-based line, a column where one field is at fault. A row that cannot be read is
 * skipped and reported. Errors: PTX_NO_HEADER (not an export), PTX_BAD_OPTIONS, PTX_NO_RATE and
 * PTX_RATE_UNSUPPORTED (warnings when options.frameRate stands in), PTX_BAD_START, PTX_BAD_TIME,
 * PTX_BAD_RANGE, PTX_BAD_ROW, PTX_INTERNAL. Warnings: PTX_NO_HEADER (sections without a header),
 * PTX_BAD_SAMPLE_RATE, PTX_RATE_MISMATCH, PTX_NO_START, PTX_BARS_BEATS, PTX_COARSE_TIME,
 * PTX_UNKNOWN_SECTION, PTX_UNKNOWN_LINE, PTX_BAD_TAG, PTX_ORPHAN_CONTINUATION, PTX_TRACK_SKIPPED,
 * PTX_DUPLICATE_SCENE, PTX_EMPTY, PTX_TOO_MANY_ISSUES (after 200 issues the rest are counted).
 */
import {
  DEFAULT_REASON_CODES,
  FOLEY_PASSES,
  type CharacterDraft,
  type CueDraft,
  type CueKind,
  type FoleyPass,
  type ImportIssue,
  type ImportResult,
  type SceneDraft,
} from '../cues/cue.js';
import {
  FRAME_RATES,
  framesPerDay,
  frameToPosition,
  labelToFrames,
  parseFeetFrames,
  parseFrameRate,
  position,
  positionToFrame,
  type FrameRate,
} from '../time/index.js';

export interface ProToolsTextOptions {
  /** The file name, for issues and source references. */
  readonly file: string;
  /** The project's sample rate: every time is returned as samples since midnight at this rate. */
  readonly sampleRate: number;
  /** Used when the export's TIMECODE FORMAT is missing or not a Loopstage rate. */
  readonly frameRate?: FrameRate;
  /** The kind of cue markers become, and clips too when nothing in the session is marked [ADR]. */
  readonly kind?: CueKind;
}

export interface ProToolsSessionInfo {
  /** SESSION NAME without its tags ('' when absent). */
  readonly name: string;
  /** SAMPLE RATE of the session (options.sampleRate when the header lacks a usable one). */
  readonly sampleRate: number;
  /** The rate times were read at: TIMECODE FORMAT, else options.frameRate, else null. */
  readonly frameRate: FrameRate | null;
  /** SESSION START TIMECODE as samples since midnight at options.sampleRate, or null. */
  readonly start: number | null;
  /** Project fields (Title, Supv, Client, Spot) from the session name and markers. */
  readonly fields: Readonly<Record<string, string>>;
  /** The time format of clip times and marker LOCATIONs ('mixed' when several, null when none). */
  readonly timeFormat: TimeFormat | 'mixed' | null;
}

export type TimeFormat = 'timecode' | 'samples' | 'min:sec' | 'feet+frames' | 'bars|beats';

export type ProToolsImportResult = ImportResult & { session: ProToolsSessionInfo };

const MAX_ISSUES = 200;
const PROJECT_FIELDS = new Set(['title', 'supv', 'client', 'spot']);

// ---------------------------------------------------------------------------------------------
// Tags

interface TagField {
  readonly key: string;
  readonly value: string;
  /** `[NAME]`: a flag whose value is its name. */
  readonly flag: boolean;
}

interface ParsedTags {
  readonly text: string;
  readonly fields: readonly TagField[];
  readonly mode: 'normal' | 'range' | 'append';
  /** Index into the input of an unclosed `{` or `[`. */
  readonly unclosedAt: number | null;
}

const DOLLAR_TAG = /\$([A-Za-z_][A-Za-z0-9_.-]*)=([^\s{}[\]]*)/y;

function parseTags(input: string): ParsedTags {
  let i = 0;
  while (i < input.length && isSpace(input.charCodeAt(i))) i++;
  let mode: ParsedTags['mode'] = 'normal';
  if (input[i] === '@') {
    mode = 'range';
    i++;
  } else if (input[i] === '&') {
    mode = 'append';
    i++;
  }
  const fields: TagField[] = [];
  const text: string[] = [];
  let unclosedAt: number | null = null;
  let plainStart = i;
  const flushPlain = (end: number) => {
    if (end > plainStart) text.push(input.slice(plainStart, end));
  };
  while (i < input.length) {
    const c = input[i];
    if (c === '{' || c === '[') {
      const close = input.indexOf(c === '{' ? '}' : ']', i + 1);
      if (close < 0) {
        unclosedAt ??= i;
        break; // the rest stays text
      }
      const inner = input.slice(i + 1, close);
      let field: TagField | null = null;
      if (c === '{') {
        const eq = inner.indexOf('=');
        const key = eq > 0 ? inner.slice(0, eq).trim() : '';
        if (key !== '' && !/[{}[\]]/.test(key)) field = { key, value: inner.slice(eq + 1).trim(), flag: false };
      } else {
        const key = inner.trim();
        if (key !== '' && !/[{}[\]=$]/.test(key)) field = { key, value: key, flag: true };
      }
      if (field) {
        flushPlain(i);
        fields.push(field);
        i = close + 1;
        plainStart = i;
      } else {
        i = close + 1; // not a tag: keep as text
      }
      continue;
    }
    if (c === '$' && (i === 0 || isSpace(input.charCodeAt(i - 1)))) {
      DOLLAR_TAG.lastIndex = i;
      const m = DOLLAR_TAG.exec(input);
      if (m) {
        flushPlain(i);
        fields.push({ key: m[1] ?? '', value: m[2] ?? '', flag: false });
        i += m[0].length;
        plainStart = i;
        continue;
      }
    }
    i++;
  }
  flushPlain(input.length);
  return { text: text.join(' ').replace(/\s+/g, ' ').trim(), fields, mode, unclosedAt };
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 160 || (code >= 10 && code <= 13);
}

/** Fields by lower-cased name; later `set`s override earlier ones, as precedence demands. */
class FieldMap {
  readonly map = new Map<string, TagField>();
  set(fields: readonly TagField[]): this {
    for (const field of fields) this.map.set(field.key.toLowerCase(), field);
    return this;
  }
  /** Adds only fields not present yet (an earlier `&` clip wins over later ones). */
  fill(fields: readonly TagField[]): this {
    for (const field of fields) if (!this.map.has(field.key.toLowerCase())) this.map.set(field.key.toLowerCase(), field);
    return this;
  }
  get(...keys: string[]): string | undefined {
    for (const key of keys) {
      const field = this.map.get(key);
      if (field) return field.value;
    }
    return undefined;
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
}

function unquote(text: string): string {
  const m = /^["\u201c]([^"\u201c\u201d]*)["\u201d]$/.exec(text);
  return m ? (m[1] ?? '').trim() : text;
}

const SCENE_WORDS_NOT_NUMBERS = new Set(['INT', 'EXT', 'IE', 'EI']);

function splitScene(value: string): { number: string; description?: string } {
  const text = value.replace(/\s+/g, ' ').trim();
  const space = text.indexOf(' ');
  const first = (space < 0 ? text : text.slice(0, space)).replace(/[.:]$/, '');
  const isNumber =
    /^[A-Za-z]{0,3}\d{1,6}[A-Za-z]{0,3}$/.test(first) || (/^[A-Z]{1,3}$/.test(first) && !SCENE_WORDS_NOT_NUMBERS.has(first));
  if (!isNumber || first === '') return { number: text };
  const rest = space < 0 ? '' : text.slice(space + 1).trim();
  return rest === '' ? { number: first } : { number: first, description: rest };
}

function reasonFrom(text: string): string | null {
  const t = text.trim();
  if (t === '') return null;
  const lower = t.toLowerCase();
  const known = DEFAULT_REASON_CODES.find((r) => r.code === lower || r.label.toLowerCase() === lower);
  return known ? known.code : t;
}

function isReasonFlag(key: string): string | null {
  const lower = key.toLowerCase();
  const known = DEFAULT_REASON_CODES.find((r) => r.code === lower || r.label.toLowerCase() === lower);
  return known ? known.code : null;
}

/** Keys consumed by the mapping (not echoed into notes). */
const MAPPED_KEYS = new Set([
  'qn', 'line', 'char', 'ch', 'actor', 'cn', 'r', 'reason', 'sc', 'reel', 'tv', 'tbw', 'adlib', 'opt', 'optional',
  'note', 'notes', 'eng', 'engnote', 'engnotes', 'color', 'colour', 'adr', 'pass', 'surface', 'footwear', 'prop',
]);

interface Mapped {
  fields: Record<string, unknown>;
  actor: string | null;
  cn: number | null;
}

/** Effective fields → CueDraft fields (everything but kind, in, out, source). */
function mapFields(tags: FieldMap, kind: CueKind, text: string, defaultName: string | null): Mapped {
  const out: Record<string, unknown> = {};
  const qn = tags.get('qn')?.trim();
  out['number'] = qn ? qn : null;
  const line = tags.get('line') ?? unquote(text);
  if (kind === 'adr') {
    if (line !== '') out['lineText'] = line;
    const character = tags.get('char', 'ch')?.trim() || defaultName;
    if (character) out['character'] = character;
  } else {
    if (line !== '') out['description'] = line;
    if (defaultName) out['track'] = defaultName;
    const pass = tags.get('pass')?.trim().toLowerCase();
    if (pass && (FOLEY_PASSES as readonly string[]).includes(pass)) out['pass'] = pass as FoleyPass;
    const surface = tags.get('surface')?.trim();
    if (surface) out['surface'] = surface;
    const footwear = tags.get('footwear')?.trim();
    if (footwear) out['footwear'] = footwear;
    const prop = tags.get('prop')?.trim();
    if (prop) out['prop'] = prop;
  }
  let reason = reasonFrom(tags.get('r', 'reason') ?? '');
  const notes: string[] = [];
  const explicitNote = tags.get('note', 'notes')?.trim();
  if (explicitNote) notes.push(explicitNote);
  for (const [lower, field] of tags.map) {
    if (MAPPED_KEYS.has(lower) || PROJECT_FIELDS.has(lower)) continue;
    if (field.flag) {
      const code = isReasonFlag(field.key);
      if (code && reason === null) {
        reason = code;
        continue;
      }
    }
    if (lower === 'p' || lower === 'priority') {
      if (/^\d{1,6}$/.test(field.value.trim())) {
        out['priority'] = Number(field.value.trim());
        continue;
      }
    }
    notes.push(field.flag ? `[${field.key}]` : `${field.key}=${field.value}`);
  }
  if (kind === 'adr' && reason !== null) out['reason'] = reason;
  if (notes.length) out['notes'] = notes.join('; ');
  const eng = tags.get('eng', 'engnote', 'engnotes')?.trim();
  if (eng) out['engNotes'] = eng;
  const colour = tags.get('color', 'colour')?.trim();
  if (colour) out['colour'] = colour;
  const sc = tags.get('sc')?.trim();
  if (sc) out['scene'] = splitScene(sc).number;
  const reel = tags.get('reel')?.trim();
  if (reel) out['reel'] = reel;
  if (kind === 'adr') {
    if (tags.has('tv')) out['tv'] = true;
    if (tags.has('tbw')) out['tbw'] = true;
    if (tags.has('adlib')) out['adlib'] = true;
    if (tags.has('opt') || tags.has('optional')) out['optional'] = true;
  }
  const cnText = tags.get('cn')?.trim() ?? '';
  const actor = tags.get('actor')?.trim() || null;
  return { fields: out, actor, cn: /^\d{1,9}$/.test(cnText) ? Number(cnText) : null };
}

// ---------------------------------------------------------------------------------------------
// Lines and fields

interface Cell {
  readonly text: string;
  /** 1-based column of the first non-space character (or of the cell when blank). */
  readonly column: number;
}

function splitCells(line: string): Cell[] {
  const cells: Cell[] = [];
  let start = 0;
  for (;;) {
    const tab = line.indexOf('\t', start);
    const raw = tab < 0 ? line.slice(start) : line.slice(start, tab);
    const lead = raw.length - raw.trimStart().length;
    cells.push({ text: raw.trim(), column: start + (lead < raw.length ? lead : 0) + 1 });
    if (tab < 0) return cells;
    start = tab + 1;
  }
}

/** Drops empty cells at the end of a row (a trailing tab) down to `keep` cells. */
function trimTrailing(cells: Cell[], keep: number): Cell[] {
  let end = cells.length;
  while (end > keep && cells[end - 1]?.text === '') end--;
  return end === cells.length ? cells : cells.slice(0, end);
}

const SKIPPED_SECTIONS = new Set([
  'FILES IN SESSION', 'ONLINE FILES IN SESSION', 'OFFLINE FILES IN SESSION', 'ONLINE CLIPS IN SESSION',
  'OFFLINE CLIPS IN SESSION', 'CLIPS IN SESSION', 'REGIONS IN SESSION', 'ONLINE REGIONS IN SESSION',
  'OFFLINE REGIONS IN SESSION', 'PLUG-INS LISTING',
]);
const TRACK_SECTIONS = new Set(['TRACK LISTING']);
const MARKER_SECTIONS = new Set(['MARKERS LISTING', 'MARKER LISTING', 'MEMORY LOCATIONS', 'MEMORY LOCATIONS LISTING']);

/** "T R A C K  L I S T I N G" → "TRACK LISTING"; null when the line is not letter-spaced capitals. */
function headingOf(line: string): string | null {
  const t = line.trim();
  if (t.length < 5 || t.includes('\t')) return null;
  const words = t.split(/ {2,}/);
  const out: string[] = [];
  for (const word of words) {
    if (word.length % 2 === 0) return null;
    let letters = '';
    for (let i = 0; i < word.length; i++) {
      const ch = word.charAt(i);
      if (i % 2 === 1) {
        if (ch !== ' ') return null;
      } else {
        if (!/[A-Z0-9#&/-]/.test(ch)) return null;
        letters += ch;
      }
    }
    out.push(letters);
  }
  // Every heading has two words or more, one of them three letters or longer ("M A R K E R S  L I S T I N G").
  return out.length >= 2 && out.some((w) => w.length >= 3) ? out.join(' ') : null;
}

// ---------------------------------------------------------------------------------------------
// Raw structure

interface RawClip {
  readonly channel: number;
  readonly name: Cell;
  readonly start: Cell;
  readonly end: Cell;
  readonly state: string;
  readonly line: number;
}

interface RawTrack {
  name: string;
  nameLine: number;
  nameColumn: number;
  comments: string;
  commentsLine: number;
  commentsOpen: boolean;
  columns: Map<string, number> | null;
  readonly clips: RawClip[];
}

interface RawMarker {
  readonly location: Cell;
  readonly timeReference: Cell | null;
  readonly units: string;
  readonly name: Cell;
  readonly trackName: string;
  readonly trackType: string;
  comments: string;
  readonly end: Cell | null;
  readonly line: number;
}

type TimeValue =
  | { kind: 'timecode'; label: string; sub: number }
  | { kind: 'samples'; n: bigint }
  | { kind: 'min:sec'; num: bigint; den: bigint; whole: boolean }
  | { kind: 'feet+frames'; frames: number }
  | { kind: 'bars|beats' };

const TC_RE = /^(\d{2}:\d{2}:\d{2}[:;.]\d{2})(?:\.(\d{1,2}))?$/;
const FEET_RE = /^(\d{1,12}\+\d{1,2})(?:\.\d{1,2})?$/;
const MINSEC_RE = /^(\d{1,9}):(\d{2})(?:\.(\d{1,6}))?$/;
const SAMPLES_RE = /^\d{1,15}$/;
const BARS_RE = /^\d{1,9} *\| *\d{1,9} *\| *\d{1,9}$/;

function classifyTime(text: string): TimeValue | null {
  let m = TC_RE.exec(text);
  if (m) return { kind: 'timecode', label: m[1] ?? '', sub: m[2] ? Number(m[2].padEnd(2, '0')) : 0 };
  if (SAMPLES_RE.test(text)) return { kind: 'samples', n: BigInt(text) };
  m = MINSEC_RE.exec(text);
  if (m) {
    const secs = Number(m[2]);
    if (secs >= 60) return null;
    const frac = m[3] ?? '';
    const den = 10n ** BigInt(frac.length);
    const whole = BigInt(Number(m[1]) * 60 + secs);
    return { kind: 'min:sec', num: whole * den + (frac ? BigInt(frac) : 0n), den, whole: frac === '' };
  }
  m = FEET_RE.exec(text);
  if (m) {
    try {
      return { kind: 'feet+frames', frames: parseFeetFrames(m[1] ?? '') };
    } catch {
      return null;
    }
  }
  if (BARS_RE.test(text)) return { kind: 'bars|beats' };
  return null;
}

/** round(a / b) for a ≥ 0, b > 0, halves up. */
function roundDiv(a: bigint, b: bigint): bigint {
  return (2n * a + b) / (2n * b);
}

/** A decimal such as "48000.000000" as an exact fraction [num, den], or null. */
function parseDecimal(text: string): [bigint, bigint] | null {
  const m = /^(\d{1,12})(?:\.(\d{1,12}))?$/.exec(text.trim());
  if (!m) return null;
  const frac = m[2] ?? '';
  const num = BigInt((m[1] ?? '') + frac);
  return num > 0n ? [num, 10n ** BigInt(frac.length)] : null;
}

function rateName(rate: FrameRate): string {
  return rate.id.replace(/ndf$/, ' NDF').replace(/df$/, ' DF');
}

function timecodeFormat(text: string): { rate: FrameRate | null; known: boolean } {
  // Spaces are collapsed first so that the pattern holds no adjacent unbounded repeats (no backtracking).
  const m = /^(\d{1,3}(?:\.\d{1,3})?) ?(?:fps)? ?(drop|non-drop|nondrop|df|ndf)? ?(?:frame)?$/i.exec(text.trim().replace(/\s+/g, ' '));
  if (!m) return { rate: null, known: false };
  const drop = /^(drop|df)$/i.test(m[2] ?? '');
  try {
    return { rate: parseFrameRate(`${m[1]}${drop ? 'df' : 'ndf'}`), known: true };
  } catch {
    return { rate: null, known: true };
  }
}

// ---------------------------------------------------------------------------------------------
// The parser

class Parser {
  readonly issues: ImportIssue[] = [];
  private suppressed = 0;
  private readonly once = new Set<string>();
  readonly lineCount: number;
  readonly lines: string[];
  readonly header = new Map<string, { value: string; line: number; column: number }>();
  readonly tracks: RawTrack[] = [];
  readonly markers: RawMarker[] = [];
  sawHeading = false;
  readonly formats = new Set<TimeFormat>();

  // Session timing, settled by settle().
  rate: FrameRate | null = null;
  sessionRate: [bigint, bigint] = [1n, 1n];
  sessionRateNumber = 0;
  startPos: bigint | null = null;
  startFrame: number | null = null;

  constructor(
    text: string,
    readonly options: ProToolsTextOptions,
  ) {
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    this.lines = body.split(/\r\n|\r|\n/);
    this.lineCount = this.lines.length;
  }

  issue(severity: ImportIssue['severity'], code: string, message: string, line: number, column?: number): void {
    if (this.issues.length >= MAX_ISSUES) {
      this.suppressed++;
      return;
    }
    const safeLine = Math.min(Math.max(1, Math.floor(line) || 1), this.lineCount);
    this.issues.push({
      severity,
      code,
      message,
      file: this.options.file,
      line: safeLine,
      ...(column !== undefined && column >= 1 ? { column } : {}),
    });
  }

  issueOnce(key: string, severity: ImportIssue['severity'], code: string, message: string, line: number, column?: number): void {
    if (this.once.has(key)) return;
    this.once.add(key);
    this.issue(severity, code, message, line, column);
  }

  finishIssues(): void {
    if (this.suppressed > 0) {
      this.issues.push({
        severity: 'warning',
        code: 'PTX_TOO_MANY_ISSUES',
        message: `${this.suppressed} more problems were found and not listed; fix the ones above and import again.`,
        file: this.options.file,
        line: this.lineCount,
      });
    }
  }

  // ----- pass 1: structure

  scan(): void {
    type Section = 'header' | 'skip' | 'tracks' | 'markers';
    let section: Section = 'header';
    let track: RawTrack | null = null;
    let markerColumns: Map<string, number> | null = null;
    let lastMarker: RawMarker | null = null;

    for (let index = 0; index < this.lines.length; index++) {
      const lineNo = index + 1;
      const line = this.lines[index] ?? '';
      if (line.trim() === '') {
        if (track) track.commentsOpen = false;
        continue;
      }
      const heading = headingOf(line);
      if (heading !== null) {
        this.sawHeading = true;
        track = null;
        lastMarker = null;
        if (TRACK_SECTIONS.has(heading)) section = 'tracks';
        else if (MARKER_SECTIONS.has(heading)) {
          section = 'markers';
          markerColumns = null;
        } else {
          section = 'skip';
          if (!SKIPPED_SECTIONS.has(heading)) {
            this.issue('warning', 'PTX_UNKNOWN_SECTION', `The section "${heading}" is not one Loopstage reads, so its lines were skipped; nothing is needed unless it held your cues.`, lineNo, 1);
          }
        }
        continue;
      }
      const upper = line.trimStart().toUpperCase();
      if (upper.startsWith('TRACK NAME:') && section !== 'markers') {
        section = 'tracks';
        const value = line.slice(line.indexOf(':') + 1);
        const lead = value.length - value.trimStart().length;
        track = {
          name: value.trim(),
          nameLine: lineNo,
          nameColumn: line.indexOf(':') + 2 + lead,
          comments: '',
          commentsLine: lineNo,
          commentsOpen: false,
          columns: null,
          clips: [],
        };
        this.tracks.push(track);
        continue;
      }
      switch (section) {
        case 'header':
          this.scanHeader(line, lineNo);
          break;
        case 'skip':
          break;
        case 'tracks':
          this.scanTrackLine(track, line, lineNo, upper);
          break;
        case 'markers': {
          const cells = splitCells(line);
          const first = cells[0]?.text ?? '';
          if (first === '#') {
            markerColumns = new Map(trimTrailing(cells, 0).map((c, i) => [c.text.toUpperCase(), i]));
            lastMarker = null;
          } else if (/^\d{1,9}$/.test(first) && cells.length >= 2) {
            lastMarker = this.scanMarker(cells, markerColumns, lineNo);
          } else if (lastMarker) {
            lastMarker.comments = `${lastMarker.comments} ${line.trim()}`.trim();
          } else {
            this.issue('warning', 'PTX_UNKNOWN_LINE', `This line in the markers listing is not a marker row, so it was ignored; check that the export is complete.`, lineNo, 1);
          }
          break;
        }
      }
    }
  }

  private scanHeader(line: string, lineNo: number): void {
    const colon = line.indexOf(':');
    const key = colon > 0 ? line.slice(0, colon).trim().toUpperCase() : '';
    if (key === '' || !/^[A-Z#][A-Z0-9# ./-]*$/.test(key)) {
      this.issue('warning', 'PTX_UNKNOWN_LINE', `This line before the first section is not a "NAME: value" header line, so it was ignored; check that the file is a Pro Tools session text export.`, lineNo, 1);
      return;
    }
    const raw = line.slice(colon + 1);
    const lead = raw.length - raw.trimStart().length;
    if (!this.header.has(key)) this.header.set(key, { value: raw.trim(), line: lineNo, column: colon + 2 + lead });
  }

  private scanTrackLine(track: RawTrack | null, line: string, lineNo: number, upper: string): void {
    if (!track) {
      if (line.includes('\t') && /^\s*\d/.test(line)) {
        this.issue('error', 'PTX_BAD_ROW', `This clip row comes before any "TRACK NAME:" line, so it belongs to no track and was skipped; export the session info again.`, lineNo, 1);
      } else {
        this.issue('warning', 'PTX_UNKNOWN_LINE', `This line in the track listing is not part of a track, so it was ignored.`, lineNo, 1);
      }
      return;
    }
    const keyMatch = /^(COMMENTS|USER DELAY|STATE|PLUG-INS|INPUT|OUTPUT):/.exec(upper);
    if (keyMatch) {
      const key = keyMatch[1];
      if (key === 'COMMENTS') {
        track.comments = line.slice(line.indexOf(':') + 1).trim();
        track.commentsLine = lineNo;
        track.commentsOpen = true;
      } else {
        track.commentsOpen = false;
      }
      return;
    }
    const cells = splitCells(line);
    const first = (cells[0]?.text ?? '').toUpperCase();
    if (first === 'CHANNEL') {
      track.commentsOpen = false;
      track.columns = new Map(trimTrailing(cells, 0).map((c, i) => [c.text.toUpperCase(), i]));
      return;
    }
    if (track.commentsOpen && track.columns === null) {
      track.comments = `${track.comments} ${line.trim()}`.trim();
      return;
    }
    if (/^\d{1,9}$/.test(first) && cells.length >= 2) {
      this.scanClip(track, cells, lineNo);
      return;
    }
    if (cells.length >= 5) {
      this.issue('error', 'PTX_BAD_ROW', `This row in track "${track.name}" does not start with a channel number, so it was not read as a clip; check the line in the export.`, lineNo, 1);
    } else {
      this.issue('warning', 'PTX_UNKNOWN_LINE', `This line in track "${track.name}" is not a clip row or a track field, so it was ignored.`, lineNo, 1);
    }
  }

  private scanClip(track: RawTrack, row: Cell[], lineNo: number): void {
    const cols = track.columns;
    const cells = trimTrailing(row, cols ? cols.size : 7);
    const index = (names: string[], fallback: number): number => {
      if (!cols) return fallback;
      for (const name of names) {
        const at = cols.get(name);
        if (at !== undefined) return at;
      }
      return -1;
    };
    const headerWidth = cols ? cols.size : 7;
    const nameAt = index(['CLIP NAME', 'REGION NAME', 'NAME'], 2);
    const extra = Math.max(0, cells.length - headerWidth);
    const shift = (at: number) => (at > nameAt && at >= 0 ? at + extra : at);
    const startAt = shift(index(['START TIME', 'START'], 3));
    const endAt = shift(index(['END TIME', 'END'], 4));
    const stateAt = shift(index(['STATE'], 6));
    if (nameAt < 0 || startAt < 0 || endAt < 0) {
      this.issue('error', 'PTX_BAD_ROW', `Track "${track.name}" has no CLIP NAME, START TIME and END TIME columns, so its clips cannot be read; export the session info again with the track EDLs included.`, lineNo, 1);
      return;
    }
    const startCell = cells[startAt];
    const endCell = cells[endAt];
    const nameCells = cells.slice(nameAt, nameAt + extra + 1);
    const first = nameCells[0];
    if (!startCell || !endCell || !first) {
      this.issue('error', 'PTX_BAD_ROW', `This clip row in track "${track.name}" has ${cells.length} columns, too few for a name, a start and an end, so it was skipped; check the line in the export.`, lineNo, 1);
      return;
    }
    const name = nameCells.map((c) => c.text).join(' ').trim();
    track.clips.push({
      channel: Number(cells[0]?.text ?? '1'),
      name: { text: name, column: first.column },
      start: startCell,
      end: endCell,
      state: stateAt >= 0 ? (cells[stateAt]?.text ?? '') : '',
      line: lineNo,
    });
  }

  private scanMarker(cells: Cell[], cols: Map<string, number> | null, lineNo: number): RawMarker {
    const defaults: Record<string, number> = { LOCATION: 1, 'TIME REFERENCE': 2, UNITS: 3, NAME: 4, COMMENTS: 5 };
    const at = (name: string): Cell | null => {
      const i = cols ? cols.get(name) : defaults[name];
      return i === undefined ? null : (cells[i] ?? null);
    };
    const commentsAt = cols ? cols.get('COMMENTS') : 5;
    const extra = commentsAt !== undefined ? cells.slice(commentsAt + 1).map((c) => c.text) : [];
    const endCell = at('END') ?? at('END TIME') ?? at('END LOCATION');
    const marker: RawMarker = {
      location: at('LOCATION') ?? { text: '', column: 1 },
      timeReference: at('TIME REFERENCE'),
      units: at('UNITS')?.text ?? '',
      name: at('NAME') ?? { text: '', column: 1 },
      trackName: at('TRACK NAME')?.text ?? '',
      trackType: at('TRACK TYPE')?.text ?? '',
      comments: [at('COMMENTS')?.text ?? '', ...extra].join(' ').trim(),
      end: endCell && endCell.text !== '' ? endCell : null,
      line: lineNo,
    };
    this.markers.push(marker);
    return marker;
  }

  // ----- session timing

  settle(): void {
    const T = this.options.sampleRate;
    const first = this.header.get('SESSION NAME') ?? this.header.values().next().value;
    const headerLine = first?.line ?? 1;

    const rateText = this.header.get('SAMPLE RATE');
    const parsedRate = rateText ? parseDecimal(rateText.value) : null;
    if (parsedRate) {
      this.sessionRate = parsedRate;
      this.sessionRateNumber = Number(parsedRate[0]) / Number(parsedRate[1]);
    } else {
      this.sessionRate = [BigInt(T), 1n];
      this.sessionRateNumber = T;
      if (rateText || this.header.size > 0) {
        this.issue(
          'warning',
          'PTX_BAD_SAMPLE_RATE',
          rateText
            ? `SAMPLE RATE "${rateText.value}" is not a number of samples per second, so sample times were read at the project's ${T} Hz; check the export if the session ran at another rate.`
            : `The header has no SAMPLE RATE, so sample times were read at the project's ${T} Hz; check the export if the session ran at another rate.`,
          rateText?.line ?? headerLine,
          rateText?.column,
        );
      }
    }

    const formatText = this.header.get('TIMECODE FORMAT');
    const optionRate = this.options.frameRate ?? null;
    if (formatText) {
      const { rate, known } = timecodeFormat(formatText.value);
      if (rate) {
        this.rate = rate;
        if (optionRate && optionRate.id !== rate.id) {
          this.issue('warning', 'PTX_RATE_MISMATCH', `The session's TIMECODE FORMAT is ${rateName(rate)} but the import was asked for ${rateName(optionRate)}; times were read at ${rateName(rate)}, as Pro Tools wrote them.`, formatText.line, formatText.column);
        }
      } else {
        this.rate = optionRate;
        this.once.add('norate');
        this.issue(
          optionRate ? 'warning' : 'error',
          known ? 'PTX_RATE_UNSUPPORTED' : 'PTX_NO_RATE',
          `TIMECODE FORMAT "${formatText.value}" is not a frame rate Loopstage supports${optionRate ? `, so timecode was read at ${rateName(optionRate)}` : ''}; ${optionRate ? 'check that this is right' : 'choose the frame rate for this import, or export from a session at a supported rate'}.`,
          formatText.line,
          formatText.column,
        );
      }
    } else {
      this.rate = optionRate;
    }

    const startText = this.header.get('SESSION START TIMECODE');
    if (startText && this.rate) {
      const m = TC_RE.exec(startText.value);
      try {
        if (!m) throw new Error('syntax');
        const frame = labelToFrames(m[1] ?? '', this.rate);
        this.startFrame = frame;
        this.startPos = BigInt(frameToPosition(frame, this.rate, T)) + this.subframeSamples(m[2] ? Number(m[2].padEnd(2, '0')) : 0);
      } catch {
        this.issue('error', 'PTX_BAD_START', `SESSION START TIMECODE "${startText.value}" is not a ${rateName(this.rate)} timecode, so times counted from the session start cannot be placed; export again, or fix the line to read like ${this.rate.dropFrame ? '01:00:00;00' : '01:00:00:00'}.`, startText.line, startText.column);
      }
    }
  }

  private subframeSamples(sub: number): bigint {
    if (!this.rate || sub <= 0) return 0n;
    return roundDiv(BigInt(sub) * BigInt(this.options.sampleRate) * BigInt(this.rate.den), BigInt(this.rate.num) * 100n);
  }

  private relativeStart(line: number): bigint {
    if (this.startPos !== null) return this.startPos;
    this.issueOnce('nostart', 'warning', 'PTX_NO_START', `Times in this file count from the session start, but the start is unknown (no readable SESSION START TIMECODE and frame rate), so they were placed from midnight; give the import the session's frame rate or export again with the header.`, line);
    return 0n;
  }

  /** A time cell as samples since midnight at options.sampleRate, or null (issue reported). */
  time(cell: Cell, line: number, what: string, countFormat = true): number | null {
    const value = classifyTime(cell.text);
    if (!value) {
      this.issue('error', 'PTX_BAD_TIME', `${what} "${cell.text}" is not a time Pro Tools writes (timecode, samples, min:sec or feet+frames), so this row was skipped; check the value in the export.`, line, cell.column);
      return null;
    }
    if (countFormat) this.formats.add(value.kind);
    const T = BigInt(this.options.sampleRate);
    let result: bigint;
    switch (value.kind) {
      case 'bars|beats':
        this.issue('warning', 'PTX_BARS_BEATS', `${what} "${cell.text}" is in bars|beats, which cannot be placed without the session's tempo map, so this row was skipped; export with Timecode or Samples as the time format.`, line, cell.column);
        return null;
      case 'timecode': {
        const rate = this.rate;
        if (!rate) {
          this.issueOnce('norate', 'error', 'PTX_NO_RATE', `The file has timecode but no usable TIMECODE FORMAT, so timecode rows were skipped; choose the frame rate for this import.`, line, cell.column);
          return null;
        }
        let frame: number;
        try {
          frame = labelToFrames(value.label, rate);
        } catch {
          this.issue('error', 'PTX_BAD_TIME', `${what} "${cell.text}" is not a valid ${rateName(rate)} timecode, so this row was skipped; check the value, or the TIMECODE FORMAT in the header.`, line, cell.column);
          return null;
        }
        if (this.startFrame !== null && frame < this.startFrame) frame += framesPerDay(rate); // past midnight
        result = BigInt(frameToPosition(frame, rate, this.options.sampleRate)) + this.subframeSamples(value.sub);
        break;
      }
      case 'samples': {
        const [rn, rd] = this.sessionRate;
        result = this.relativeStart(line) + roundDiv(value.n * T * rd, rn);
        break;
      }
      case 'min:sec':
        if (value.whole) {
          this.issueOnce('coarse-ms', 'warning', 'PTX_COARSE_TIME', `Times are in Min:Secs without milliseconds, so each cue can be up to a second early; export with Timecode or Samples as the time format for exact times.`, line, cell.column);
        }
        result = this.relativeStart(line) + roundDiv(value.num * T, value.den);
        break;
      case 'feet+frames': {
        const film = this.filmRate();
        if (this.rate && this.rate.id !== film.id) {
          this.issueOnce('coarse-ff', 'warning', 'PTX_COARSE_TIME', `Times are in feet+frames, which Pro Tools counts in ${film.id} film frames, coarser than ${rateName(this.rate)} picture frames, so cues can be up to a frame early; export with Timecode or Samples for exact times.`, line, cell.column);
        }
        result = this.relativeStart(line) + roundDiv(BigInt(value.frames) * T * BigInt(film.den), BigInt(film.num));
        break;
      }
    }
    const n = Number(result);
    if (!Number.isSafeInteger(n) || n < 0) {
      this.issue('error', 'PTX_BAD_TIME', `${what} "${cell.text}" is too far from the session start to place, so this row was skipped; check the value in the export.`, line, cell.column);
      return null;
    }
    return n;
  }

  private filmRate(): FrameRate {
    return this.rate && this.rate.den === 1001 ? FRAME_RATES['23.976'] : FRAME_RATES['24'];
  }

  /** The end of the frame holding `pos` (one frame for a marker on a frame line). */
  oneFrameAfter(pos: number): number {
    const T = this.options.sampleRate;
    try {
      if (this.rate) {
        const frame = positionToFrame(position(pos), this.rate, T);
        return frameToPosition(frame + 1, this.rate, T);
      }
    } catch {
      // fall through
    }
    return pos + Math.max(1, Math.round(T / 24));
  }
}

// ---------------------------------------------------------------------------------------------
// Pass 2: events, tags, drafts

interface Span {
  readonly in: number;
  readonly out: number;
  readonly fields: readonly TagField[];
}

interface PlacedMarker {
  readonly raw: RawMarker;
  readonly in: number;
  readonly out: number;
  readonly tags: ParsedTags;
  readonly commentTags: ParsedTags;
  readonly isTrackMarker: boolean;
}

interface ClipEvent {
  readonly trackIndex: number;
  text: string;
  readonly fields: FieldMap; // the clip's own fields (after `&` joins)
  in: number;
  out: number;
  readonly line: number;
  readonly column: number;
  readonly muted: boolean;
  /** How many `@` spans were listed before this event. */
  readonly spansBefore: number;
}

/** Markers made only of tags (no text): pure field carriers, never cues. */
function isCarrier(m: PlacedMarker): boolean {
  return m.tags.text === '' && m.commentTags.text === '';
}

/** "Which marker fields are in force at `at` on this track?" — answered by sweepMarkers. */
interface MarkerQuery {
  readonly at: number;
  /** The track's name without tags, lower-cased; null for none (only Ruler markers apply). */
  readonly trackName: string | null;
  /** Only tags-only markers (for marker cues, whose fields describe their own event). */
  readonly carriersOnly: boolean;
  result: TagField[];
}

/**
 * Answers every query with the fields of the markers at or before its time — Ruler markers, and
 * Track markers of its track — the later marker winning, a marker's name over its comments. One
 * pass over markers and queries in time order, so the work grows with their sum, not their product.
 */
function sweepMarkers(placed: readonly PlacedMarker[], queries: readonly MarkerQuery[]): void {
  type Stamped = { readonly field: TagField; readonly seq: number };
  type Scopes = Map<string, Map<string, Stamped>>; // '' = ruler, 't:<track>' = that track's markers
  const all: Scopes = new Map();
  const carriers: Scopes = new Map();
  const scope = (scopes: Scopes, key: string) => {
    let map = scopes.get(key);
    if (!map) scopes.set(key, (map = new Map()));
    return map;
  };
  let seq = 0;
  let next = 0;
  const order = queries.map((_, i) => i).sort((a, b) => queries[a]!.at - queries[b]!.at);
  for (const qi of order) {
    const q = queries[qi]!;
    while (next < placed.length && placed[next]!.in <= q.at) {
      const m = placed[next++]!;
      const key = m.isTrackMarker ? `t:${m.raw.trackName.toLowerCase()}` : '';
      const targets = isCarrier(m) ? [scope(all, key), scope(carriers, key)] : [scope(all, key)];
      for (const field of [...m.commentTags.fields, ...m.tags.fields]) {
        seq++;
        for (const target of targets) target.set(field.key.toLowerCase(), { field, seq });
      }
    }
    const scopes = q.carriersOnly ? carriers : all;
    const merged = new Map(scopes.get(''));
    if (q.trackName !== null) {
      for (const [key, stamped] of scopes.get(`t:${q.trackName}`) ?? []) {
        const ruler = merged.get(key);
        if (!ruler || ruler.seq < stamped.seq) merged.set(key, stamped);
      }
    }
    q.result = [...merged.values()].map((s) => s.field);
  }
}

function anyAdrFlag(fields: readonly TagField[]): boolean {
  return fields.some((f) => f.key.toLowerCase() === 'adr');
}

/**
 * Reads a Pro Tools "Session Info as Text" export into cue, scene and character drafts.
 * Never throws: every problem is an issue in the result.
 */
export function parseProToolsText(text: string, options: ProToolsTextOptions): ProToolsImportResult {
  const file = typeof options?.file === 'string' ? options.file : '';
  const sampleRate = options?.sampleRate;
  const empty = (issues: ImportIssue[], session?: Partial<ProToolsSessionInfo>): ProToolsImportResult => ({
    cues: [],
    scenes: [],
    characters: [],
    issues,
    session: { name: '', sampleRate: Number.isSafeInteger(sampleRate) ? sampleRate : 0, frameRate: null, start: null, fields: {}, timeFormat: null, ...session },
  });
  if (!Number.isSafeInteger(sampleRate) || sampleRate <= 0 || sampleRate > 0xffff_ffff) {
    return empty([
      { severity: 'error', code: 'PTX_BAD_OPTIONS', message: `The project sample rate ${String(sampleRate)} is not a whole number of samples per second, so nothing was imported; set the project's sample rate (e.g. 48000) and import again.`, file, line: 1 },
    ]);
  }
  if (typeof text !== 'string') {
    return empty([{ severity: 'error', code: 'PTX_NO_HEADER', message: 'There is no text to read; choose a Pro Tools session text export.', file, line: 1 }]);
  }
  const parser = new Parser(text, { ...options, file });
  try {
    return run(parser, options.kind === 'foley' ? 'foley' : 'adr');
  } catch (error) {
    parser.issue('error', 'PTX_INTERNAL', `Loopstage could not finish reading this file (${error instanceof Error ? error.message : String(error)}); please report it with the file attached.`, 1);
    parser.finishIssues();
    return empty(parser.issues);
  }
}

function run(parser: Parser, markerKind: CueKind): ProToolsImportResult {
  const { options } = parser;
  const file = options.file;
  parser.scan();

  if (parser.header.size === 0 || !parser.header.has('SESSION NAME')) {
    const looksLikeExport = parser.sawHeading || parser.tracks.length > 0;
    parser.issue(
      looksLikeExport ? 'warning' : 'error',
      'PTX_NO_HEADER',
      looksLikeExport
        ? 'The file has no session header (SESSION NAME, SAMPLE RATE, TIMECODE FORMAT…), so the import used the project sample rate and the chosen frame rate; export the session info again if times look wrong.'
        : 'This is not a Pro Tools session text export: it has no SESSION NAME header and no track or marker listing; in Pro Tools choose File ▸ Export ▸ Session Info as Text and import that file.',
      1,
    );
  }
  parser.settle();

  const sessionNameEntry = parser.header.get('SESSION NAME');
  const sessionTags = parseTags(sessionNameEntry?.value ?? '');
  const projectFields: Record<string, string> = {};
  const noteProject = (fields: readonly TagField[]) => {
    for (const f of fields) {
      const lower = f.key.toLowerCase();
      if (PROJECT_FIELDS.has(lower)) {
        const name = lower === 'supv' ? 'Supv' : lower.charAt(0).toUpperCase() + lower.slice(1);
        projectFields[name] ??= f.value;
      }
    }
  };
  noteProject(sessionTags.fields);

  const tagWarning = (tags: ParsedTags, line: number, column: number, where: string) => {
    if (tags.unclosedAt !== null) {
      parser.issue('warning', 'PTX_BAD_TAG', `The ${where} has a "{" or "[" that is never closed, so the rest of it was read as text; close the tag in Pro Tools.`, line, column + tags.unclosedAt);
    }
  };

  // Markers: positions and tags.
  const placed: PlacedMarker[] = [];
  for (const raw of parser.markers) {
    let at: number | null = null;
    const ref = raw.timeReference;
    if (ref && /^samples$/i.test(raw.units) && SAMPLES_RE.test(ref.text)) at = parser.time(ref, raw.line, 'TIME REFERENCE', false);
    if (at === null) at = parser.time(raw.location, raw.line, 'LOCATION');
    if (at === null) continue;
    let out = parser.oneFrameAfter(at);
    if (raw.end) {
      const end = parser.time(raw.end, raw.line, 'END');
      if (end !== null && end > at) out = end;
    }
    const tags = parseTags(raw.name.text);
    const commentTags = parseTags(raw.comments);
    tagWarning(tags, raw.line, raw.name.column, 'marker name');
    noteProject(commentTags.fields);
    noteProject(tags.fields);
    placed.push({ raw, in: at, out, tags, commentTags, isTrackMarker: /^track$/i.test(raw.trackType) });
  }
  placed.sort((a, b) => a.in - b.in); // stable: listing order within one position

  // Clips → events, with `@` spans and `&` joins.
  const spans: Span[] = [];
  const sceneSpans: { span: Span; trackIndex: number; line: number; column: number }[] = [];
  const events: ClipEvent[] = [];
  const trackTags = parser.tracks.map((t) => ({ name: parseTags(t.name), comments: parseTags(t.comments) }));
  let marked = anyAdrFlag(sessionTags.fields) || placed.some((m) => anyAdrFlag(m.tags.fields) || anyAdrFlag(m.commentTags.fields));

  parser.tracks.forEach((track, trackIndex) => {
    const tt = trackTags[trackIndex]!;
    tagWarning(tt.name, track.nameLine, track.nameColumn, 'track name');
    if (anyAdrFlag(tt.name.fields) || anyAdrFlag(tt.comments.fields)) marked = true;
    const seen = new Set<string>();
    let last: ClipEvent | null = null;
    for (const clip of track.clips) {
      const dupKey = `${clip.name.text}\t${clip.start.text}\t${clip.end.text}`;
      if (clip.channel > 1 && seen.has(dupKey)) continue;
      seen.add(dupKey);
      const tags = parseTags(clip.name.text);
      tagWarning(tags, clip.line, clip.name.column, 'clip name');
      const start = parser.time(clip.start, clip.line, 'START TIME');
      if (start === null) continue;
      const end = parser.time(clip.end, clip.line, 'END TIME');
      if (end === null) continue;
      if (end < start) {
        parser.issue('error', 'PTX_BAD_RANGE', `This clip ends (${clip.end.text}) before it starts (${clip.start.text}), so it was skipped; check the row in the export.`, clip.line, clip.end.column);
        continue;
      }
      if (anyAdrFlag(tags.fields)) marked = true;
      if (tags.mode === 'range') {
        const span: Span = { in: start, out: end, fields: tags.fields };
        spans.push(span);
        if (tags.fields.some((f) => f.key.toLowerCase() === 'sc')) sceneSpans.push({ span, trackIndex, line: clip.line, column: clip.name.column });
        continue;
      }
      if (tags.mode === 'append') {
        if (last) {
          last.text = [last.text, tags.text].filter((t) => t !== '').join(' ');
          last.fields.fill(tags.fields);
          last.out = Math.max(last.out, end);
          continue;
        }
        parser.issue('warning', 'PTX_ORPHAN_CONTINUATION', `This clip starts with "&" to continue the previous clip, but it is the first clip on track "${track.name}", so it was imported on its own; remove the "&" or move the clip.`, clip.line, clip.name.column);
      }
      last = {
        trackIndex,
        text: tags.text,
        fields: new FieldMap().set(tags.fields),
        in: start,
        out: end,
        line: clip.line,
        column: clip.name.column,
        muted: /^muted$/i.test(clip.state),
        spansBefore: spans.length,
      };
      events.push(last);
    }
  });

  // Marker fields in force at each event, marker cue and scene, found in one sweep (see sweepMarkers).
  const markerCues = placed.filter((m) => !isCarrier(m));
  const trackIndexOf = (name: string) => trackTags.findIndex((t) => t.name.text.toLowerCase() === name.toLowerCase());
  const markerTrack = markerCues.map((m) => (m.isTrackMarker ? trackIndexOf(m.raw.trackName) : -1));
  const query = (at: number, trackIndex: number | null, carriersOnly: boolean): MarkerQuery => ({
    at,
    trackName: trackIndex === null ? null : trackTags[trackIndex]!.name.text.toLowerCase(),
    carriersOnly,
    result: [],
  });
  const eventQueries = events.map((e) => query(e.in, e.trackIndex, false));
  const markerQueries = markerCues.map((m, i) => query(m.in, markerTrack[i]! >= 0 ? markerTrack[i]! : null, true));
  const sceneQueries = sceneSpans.map((s) => query(s.span.in, s.trackIndex, false));
  sweepMarkers(placed, [...eventQueries, ...markerQueries, ...sceneQueries]);

  const effective = (at: number, markerFields: readonly TagField[], trackIndex: number | null, spansBefore: number, own: FieldMap | null): FieldMap => {
    const tags = new FieldMap().set(sessionTags.fields).set(markerFields);
    for (let i = 0; i < spansBefore && i < spans.length; i++) {
      const span = spans[i]!;
      if (span.in <= at && at < span.out) tags.set(span.fields);
    }
    if (trackIndex !== null) {
      const tt = trackTags[trackIndex]!;
      tags.set(tt.comments.fields).set(tt.name.fields);
    }
    if (own) for (const field of own.map.values()) tags.map.set(field.key.toLowerCase(), field);
    return tags;
  };

  // Drafts.
  const cues: CueDraft[] = [];
  const characterInfo = new Map<string, { name: string; actor: string | null; cn: number | null; numbers: string[]; order: number; line: number }>();
  const noteCharacter = (name: string | undefined, actor: string | null, cn: number | null, number: string | null, line: number) => {
    if (!name) return;
    const key = name.toLowerCase();
    let info = characterInfo.get(key);
    if (!info) {
      info = { name, actor: null, cn: null, numbers: [], order: characterInfo.size, line };
      characterInfo.set(key, info);
    }
    info.actor ??= actor;
    info.cn ??= cn;
    if (number) info.numbers.push(number);
  };
  const skippedByTrack = new Map<number, number>();

  events.forEach((event, eventIndex) => {
    const tags = effective(event.in, eventQueries[eventIndex]!.result, event.trackIndex, event.spansBefore, event.fields);
    let kind: CueKind;
    if (marked) {
      if (!tags.has('adr') && !tags.get('qn')?.trim()) {
        skippedByTrack.set(event.trackIndex, (skippedByTrack.get(event.trackIndex) ?? 0) + 1);
        return;
      }
      kind = 'adr';
    } else {
      kind = markerKind;
    }
    const trackName = trackTags[event.trackIndex]!.name.text || parser.tracks[event.trackIndex]!.name;
    const mapped = mapFields(tags, kind, event.text, trackName || null);
    const draft: Record<string, unknown> = {
      kind,
      ...mapped.fields,
      in: event.in,
      out: event.out,
      ...(event.muted ? { status: 'omitted' } : {}),
      source: { file, line: event.line, column: event.column },
    };
    cues.push(draft as unknown as CueDraft);
    if (kind === 'adr') noteCharacter(mapped.fields['character'] as string | undefined, mapped.actor, mapped.cn, mapped.fields['number'] as string | null, event.line);
  });

  for (const [trackIndex, count] of skippedByTrack) {
    const track = parser.tracks[trackIndex]!;
    parser.issue('warning', 'PTX_TRACK_SKIPPED', `Track "${track.name}" is not marked [ADR], so its ${count} clip${count === 1 ? ' was' : 's were'} not imported; add [ADR] to the track's comments in Pro Tools to import ${count === 1 ? 'it' : 'them'}.`, track.nameLine, track.nameColumn);
  }

  // Markers with text → cues.
  markerCues.forEach((m, markerIndex) => {
    const textParts = [m.tags.text, m.commentTags.text].filter((t) => t !== '');
    const trackIndex = markerTrack[markerIndex]!;
    const own = new FieldMap().set(m.commentTags.fields).set(m.tags.fields);
    const tags = effective(m.in, markerQueries[markerIndex]!.result, trackIndex >= 0 ? trackIndex : null, 0, own);
    const trackName = m.isTrackMarker ? (trackIndex >= 0 ? trackTags[trackIndex]!.name.text : m.raw.trackName) || null : null;
    const mapped = mapFields(tags, markerKind, textParts.join(' - '), trackName);
    cues.push({ kind: markerKind, ...mapped.fields, in: m.in, out: m.out, source: { file, line: m.raw.line, column: m.raw.name.column } } as unknown as CueDraft);
    if (markerKind === 'adr') noteCharacter(mapped.fields['character'] as string | undefined, mapped.actor, mapped.cn, mapped.fields['number'] as string | null, m.raw.line);
  });
  cues.sort((a, b) => a.in - b.in || (a.source?.line ?? 0) - (b.source?.line ?? 0));

  // Scenes from `@ {Sc=…}` ranges.
  const scenes: SceneDraft[] = [];
  const sceneNumbers = new Map<string, number>();
  sceneSpans.forEach(({ span, trackIndex, line, column }, sceneIndex) => {
    const own = new FieldMap().set(span.fields);
    const tags = effective(span.in, sceneQueries[sceneIndex]!.result, trackIndex, 0, own);
    const sc = own.get('sc')?.trim() ?? '';
    if (sc === '') return;
    const { number, description } = splitScene(sc);
    const key = number.toLowerCase();
    const earlier = sceneNumbers.get(key);
    if (earlier !== undefined) {
      parser.issue('warning', 'PTX_DUPLICATE_SCENE', `Scene ${number} was already defined on line ${earlier}, so this range was not added as a second scene; give each scene range its own number.`, line, column);
      return;
    }
    sceneNumbers.set(key, line);
    const reel = tags.get('reel')?.trim();
    scenes.push({
      number,
      ...(description !== undefined ? { description } : {}),
      ...(reel ? { reel } : {}),
      in: span.in,
      out: span.out,
      source: { file, line, column },
    });
  });

  // Characters, by character number where given.
  const characters: CharacterDraft[] = [...characterInfo.values()]
    .sort((a, b) => (a.cn ?? Number.MAX_SAFE_INTEGER) - (b.cn ?? Number.MAX_SAFE_INTEGER) || a.order - b.order)
    .map((info) => {
      const prefixes = new Set(info.numbers.map((n) => /^[A-Za-z]+/.exec(n)?.[0] ?? ''));
      const [only] = prefixes;
      const prefix = prefixes.size === 1 && only ? only : null;
      return { name: info.name, actor: info.actor, prefix, source: { file, line: info.line } };
    });

  if (cues.length === 0 && !parser.issues.some((i) => i.severity === 'error')) {
    parser.issue('warning', 'PTX_EMPTY', 'No clips or markers in this file became cues; check that the export includes the track EDLs and markers, and that ADR tracks are marked [ADR].', 1);
  }
  parser.finishIssues();

  const formats = [...parser.formats];
  return {
    cues,
    scenes,
    characters,
    issues: parser.issues,
    session: {
      name: sessionTags.text,
      sampleRate: parser.sessionRateNumber,
      frameRate: parser.rate,
      start: parser.startPos === null ? null : Number(parser.startPos),
      fields: projectFields,
      timeFormat: formats.length === 0 ? null : formats.length === 1 ? formats[0]! : 'mixed',
    },
  };
}
