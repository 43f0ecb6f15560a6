/**
 * Cue tables (CSV/TSV from spreadsheets, spotting lists, other tools) to cue drafts. Pure: the
 * adapter (src/adapters/interchange/csv.ts) splits the text into cells with papaparse and hands the
 * rows here with their physical line numbers.
 *
 * - Columns are mapped to cue fields by header name (`guessColumnMapping`), and the user may
 *   override any column (`parseMappingOverrides` + `applyMappingOverrides`). A mapping is keyed by
 *   0-based cell index; users name columns by header or by 1-based number.
 * - Times are timecode labels at the project rate (`HH:MM:SS:FF`; `;` or `.` before the frames is
 *   accepted at any rate, and so is a one-digit hour as spreadsheets write it) or plain sample
 *   counts (digits only). `out` comes from an out column, else from `in + duration`, else equals `in`.
 * - Cells are trimmed and their line breaks made "\n".
 * - A blank cell means "the table does not say": the field is left out of the draft, so a re-import
 *   never clears what was typed on the stage (see core/cues/import-plan.ts).
 * - Every unusable cell is an ImportIssue naming file, physical line and the cell's 1-based column.
 *   Bad or missing times are errors and the row yields no draft; any other bad cell is a warning
 *   and only that field is left out. rowsToDrafts never throws.
 */
import {
  DEFAULT_REASON_CODES,
  type CharacterDraft,
  type CueDraft,
  type CueKind,
  type CueStatus,
  type FoleyPass,
  type ImportIssue,
  type ImportResult,
} from '../cues/cue.js';
import { isLoopstageError } from '../errors.js';
import { frameToPosition, labelToFrames, type FrameRate } from '../time/index.js';

/** The cue fields a table column can carry, in the order exports write them. */
export const CUE_FIELDS = [
  'number',
  'kind',
  'character',
  'actor',
  'reel',
  'scene',
  'in',
  'out',
  'duration',
  'lineText',
  'altText',
  'reason',
  'priority',
  'onScreen',
  'tv',
  'tbw',
  'adlib',
  'optional',
  'notes',
  'engNotes',
  'status',
  'pass',
  'surface',
  'footwear',
  'prop',
  'description',
  'track',
  'colour',
] as const;
export type CueField = (typeof CUE_FIELDS)[number];

/** Cell index (0-based) → the field that column carries, or null when it is ignored. */
export type ColumnMapping = Record<number, CueField | null>;

/**
 * A header as compared: lower case, accents dropped, `#` read as "number", `&` as "and", and every
 * character that is not a letter or digit removed. "Cue #" → "cuenumber", "TC-In" → "tcin".
 */
export function normalizeHeader(header: string): string {
  let normalized = normalizedCache.get(header);
  if (normalized === undefined) {
    normalized = header
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/#/g, 'number')
      .replace(/&/g, 'and')
      .replace(/[^\p{L}\p{N}]/gu, '');
    // Status, kind and pass cells repeat the same few words thousands of times in a long list.
    if (normalizedCache.size < 4096) normalizedCache.set(header, normalized);
  }
  return normalized;
}
const normalizedCache = new Map<string, string>();

/**
 * Header names, normalized, that name each field: what spreadsheets, ADR and Foley cue sheets,
 * spotting tools and Loopstage's own export write. Exact matches come first; a header that only
 * starts with one of the longer names ("Dialogue (EN)", "Notes for director") matches it next.
 */
const SYNONYMS: Readonly<Record<CueField, readonly string[]>> = {
  number: ['cue', 'cuenumber', 'cueno', 'cuenum', 'cueid', 'number', 'no', 'nr', 'num', 'id', 'loop', 'loopnumber', 'loopno', 'adrcue', 'adrnumber', 'linenumber', 'lineno', 'spot', 'spotnumber', 'foleycue'],
  kind: ['kind', 'type', 'cuetype', 'cuekind', 'category'],
  character: ['character', 'char', 'chr', 'charactername', 'characters', 'role', 'part', 'speaker', 'who'],
  actor: ['actor', 'actors', 'actorname', 'talent', 'cast', 'performer', 'artist', 'voiceactor'],
  reel: ['reel', 'reelnumber', 'reelno', 'reelname', 'rl'],
  scene: ['scene', 'scenenumber', 'sceneno', 'sc', 'scn', 'scenes'],
  in: ['in', 'tcin', 'timecodein', 'intc', 'intime', 'timein', 'start', 'starttc', 'starttime', 'starttimecode', 'recordin', 'recin', 'cuein', 'from', 'begin', 'position', 'timecode', 'tc'],
  out: ['out', 'tcout', 'timecodeout', 'outtc', 'outtime', 'timeout', 'end', 'endtc', 'endtime', 'endtimecode', 'recordout', 'recout', 'cueout', 'to', 'stop'],
  duration: ['duration', 'dur', 'length', 'len', 'durationtc'],
  lineText: ['line', 'linetext', 'dialogue', 'dialog', 'dialogueline', 'text', 'lines', 'script', 'scriptline', 'original', 'originalline', 'adrline', 'words', 'subtitle'],
  altText: ['alt', 'alttext', 'altline', 'alternate', 'alternateline', 'alternative', 'translation', 'translated'],
  reason: ['reason', 'reasoncode', 'adrreason', 'why', 'cause'],
  priority: ['priority', 'prio', 'pri', 'importance'],
  onScreen: ['onscreen', 'os', 'oncamera', 'onoff', 'onoffscreen', 'onscreenoffscreen', 'visible'],
  tv: ['tv', 'tvversion', 'tvsafe', 'tvline', 'tvcover', 'tvcoverage', 'broadcast'],
  tbw: ['tbw', 'tobewritten', 'towrite'],
  adlib: ['adlib', 'adlibs'],
  optional: ['optional', 'opt'],
  notes: ['notes', 'note', 'comments', 'comment', 'remarks', 'directornotes', 'directorsnotes', 'creativenotes'],
  engNotes: ['engnotes', 'engnote', 'engineernotes', 'engineeringnotes', 'engineernote', 'technotes', 'technicalnotes', 'mixernotes', 'recordistnotes'],
  status: ['status', 'state', 'progress'],
  pass: ['pass', 'foleypass', 'passtype'],
  surface: ['surface', 'floor', 'ground', 'pit'],
  footwear: ['footwear', 'shoes', 'shoe', 'boots'],
  prop: ['prop', 'props', 'object'],
  description: ['description', 'desc', 'foleydescription', 'action', 'sound', 'fx'],
  track: ['track', 'trk', 'tracks', 'trackname'],
  colour: ['colour', 'color', 'markercolour', 'markercolor'],
};

/** Headers that look like a field but are not it: source (clip) timecode is not the timeline's. */
const NEVER = new Set(['sourcein', 'srcin', 'sourceout', 'srcout', 'sourcetc', 'sourcetimecode', 'clipin', 'clipout']);

const EXACT = new Map<string, CueField>();
for (const field of CUE_FIELDS) for (const name of SYNONYMS[field]) EXACT.set(name, field);
/** Longer names for the prefix pass, longest first so "notes…" beats "no…". */
const PREFIXES = [...EXACT.entries()].filter(([name]) => name.length >= 4).sort((a, b) => b[0].length - a[0].length);

function fieldForHeader(normalized: string, allowPrefix: boolean): CueField | null {
  if (normalized === '' || NEVER.has(normalized)) return null;
  const exact = EXACT.get(normalized);
  if (exact) return exact;
  if (!allowPrefix) return null;
  return PREFIXES.find(([name]) => normalized.startsWith(name))?.[1] ?? null;
}

/**
 * Which field each column carries, from its header. Each field goes to one column only: the first
 * exact match, else the first prefix match ("Dialogue (EN)" → lineText); others are ignored (null).
 */
export function guessColumnMapping(headers: readonly string[]): ColumnMapping {
  const mapping: ColumnMapping = {};
  const taken = new Set<CueField>();
  const normalized = headers.map(normalizeHeader);
  for (const allowPrefix of [false, true]) {
    normalized.forEach((name, index) => {
      if (mapping[index]) return;
      const field = fieldForHeader(name, allowPrefix);
      if (field && !taken.has(field)) {
        taken.add(field);
        mapping[index] = field;
      } else if (!(index in mapping)) {
        mapping[index] = null;
      }
    });
  }
  return mapping;
}

export interface MappingProblem {
  readonly code:
    | 'MAPPING_SYNTAX'
    | 'MAPPING_UNKNOWN_COLUMN'
    | 'MAPPING_AMBIGUOUS_COLUMN'
    | 'MAPPING_UNKNOWN_FIELD'
    | 'MAPPING_DUPLICATE_FIELD';
  readonly message: string;
  /** The override as the user wrote it. */
  readonly spec: string;
}

const IGNORE_WORDS = new Set(['', 'ignore', 'none', 'skip', '-', 'null']);
const FIELD_BY_NAME = new Map(CUE_FIELDS.map((field) => [field.toLowerCase(), field]));

/** A field named by the user: its name in any case, or a header synonym ("dialogue"); null = ignore. */
function parseFieldName(text: string): CueField | null | undefined {
  const trimmed = text.trim();
  if (IGNORE_WORDS.has(trimmed.toLowerCase())) return null;
  return FIELD_BY_NAME.get(trimmed.toLowerCase()) ?? EXACT.get(normalizeHeader(trimmed)) ?? undefined;
}

/**
 * Reads mapping overrides written as `column=field`: the column by its header (exact, else compared
 * as normalizeHeader does) or by 1-based number (digits only); the field by name (any case) or a
 * header synonym; `ignore`, `none`, `skip`, `-` or nothing after `=` ignores the column. The last
 * `=` splits, so headers may contain `=`. Never throws: problems come back one per bad override.
 */
export function parseMappingOverrides(
  specs: readonly string[],
  headers: readonly string[],
): { overrides: ColumnMapping; problems: MappingProblem[] } {
  const overrides: ColumnMapping = {};
  const problems: MappingProblem[] = [];
  const fieldColumn = new Map<CueField, number>();
  const listed = headers.map((h, i) => `${i + 1} "${h}"`).join(', ') || 'none';
  for (const spec of specs) {
    const at = spec.lastIndexOf('=');
    if (at < 0) {
      problems.push({ code: 'MAPPING_SYNTAX', spec, message: `Mapping "${spec}" has no "="; write it as column=field, e.g. "TC In=in" or "3=lineText".` });
      continue;
    }
    const columnText = spec.slice(0, at).trim();
    const fieldText = spec.slice(at + 1);
    let column: number | undefined;
    if (/^\d+$/.test(columnText)) {
      const n = Number(columnText);
      if (n >= 1 && n <= headers.length) column = n - 1;
      else {
        problems.push({ code: 'MAPPING_UNKNOWN_COLUMN', spec, message: `Mapping "${spec}" names column ${columnText}, but the table has ${headers.length} column${headers.length === 1 ? '' : 's'}; use a number from 1 to ${headers.length} or a header name.` });
        continue;
      }
    } else {
      let matches = headers.flatMap((h, i) => (h === columnText ? [i] : []));
      if (matches.length === 0) {
        const wanted = normalizeHeader(columnText);
        matches = headers.flatMap((h, i) => (wanted !== '' && normalizeHeader(h) === wanted ? [i] : []));
      }
      if (matches.length === 0) {
        problems.push({ code: 'MAPPING_UNKNOWN_COLUMN', spec, message: `Mapping "${spec}" names a column "${columnText}" that the table does not have; its columns are ${listed}.` });
        continue;
      }
      if (matches.length > 1) {
        problems.push({ code: 'MAPPING_AMBIGUOUS_COLUMN', spec, message: `Mapping "${spec}" could mean columns ${matches.map((i) => i + 1).join(' or ')}; name the column by its number instead.` });
        continue;
      }
      column = matches[0];
    }
    const field = parseFieldName(fieldText);
    if (field === undefined) {
      problems.push({ code: 'MAPPING_UNKNOWN_FIELD', spec, message: `Mapping "${spec}" names an unknown field "${fieldText.trim()}"; use one of ${CUE_FIELDS.join(', ')}, or "ignore".` });
      continue;
    }
    if (column === undefined) continue;
    if (field !== null) {
      const other = fieldColumn.get(field);
      if (other !== undefined && other !== column) {
        problems.push({ code: 'MAPPING_DUPLICATE_FIELD', spec, message: `Mapping "${spec}" gives ${field} to column ${column + 1}, but column ${other + 1} already has it; map each field to one column.` });
        continue;
      }
      fieldColumn.set(field, column);
    }
    overrides[column] = field;
  }
  return { overrides, problems };
}

/** The guessed mapping with the overrides applied; a field given to a column leaves any other column. */
export function applyMappingOverrides(guessed: ColumnMapping, overrides: ColumnMapping): ColumnMapping {
  const result: ColumnMapping = { ...guessed };
  const overridden = new Set(Object.values(overrides).filter((f): f is CueField => f !== null));
  for (const [key, field] of Object.entries(result)) {
    if (field && overridden.has(field)) result[Number(key)] = null;
  }
  for (const [key, field] of Object.entries(overrides)) result[Number(key)] = field;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Cell values

/** A time cell read: a timeline sample, and the frame it starts when written as timecode. */
type TimeCell = { ok: true; samples: number; frame: number | null } | { ok: false; why: string };

const TIMECODE = /^(\d{1,2}):(\d{2}):(\d{2})[:;.](\d{2})$/;

/**
 * A timecode label at the project rate or a whole sample count. `;`, `:` and `.` before the frames
 * are all accepted (spreadsheets and other tools disagree) and read as the project rate's own.
 */
function readTime(text: string, rate: FrameRate, sampleRate: number): TimeCell {
  if (/^\d+$/.test(text)) {
    const samples = Number(text);
    return Number.isSafeInteger(samples)
      ? { ok: true, samples, frame: null }
      : { ok: false, why: 'that sample count is too large' };
  }
  const tc = TIMECODE.exec(text);
  if (!tc) return { ok: false, why: `write it as ${rate.dropFrame ? 'HH:MM:SS;FF' : 'HH:MM:SS:FF'} or as a whole number of samples` };
  const label = `${(tc[1] ?? '').padStart(2, '0')}:${tc[2] ?? ''}:${tc[3] ?? ''}${rate.dropFrame ? ';' : ':'}${tc[4] ?? ''}`;
  try {
    const frame = labelToFrames(label, rate);
    return { ok: true, samples: frameToPosition(frame, rate, sampleRate), frame };
  } catch (error) {
    return { ok: false, why: timecodeProblem(error) };
  }
}

/** Why core/time refused a label, said briefly (the cell is quoted already). */
function timecodeProblem(error: unknown): string {
  if (!isLoopstageError(error)) return String(error);
  const d = error.details;
  if (error.code === 'TC_OUT_OF_RANGE' && typeof d.field === 'string') return `its ${d.field} are ${String(d.value)} but must be at most ${String(d.max)}`;
  if (error.code === 'TC_DROPPED_FRAME_LABEL') return `that label is skipped in drop-frame timecode; use ${String(d.nextValid)}`;
  return error.message.replace(/\.$/, '');
}

const TRUE_WORDS = new Set(['yes', 'y', 'x', 'true', 't', '1', 'on', '✓', '✔', '☑', 'checked', 'ja', 'oui', 'si', 'sí']);
const FALSE_WORDS = new Set(['no', 'n', 'false', 'f', '0', 'off', '-', '✗', '✘', '☐', 'unchecked', 'nein', 'non']);
const ON_SCREEN_TRUE = new Set(['onscreen', 'os', 'oncamera', 'oc', 'sync', 'lipsync']);
const ON_SCREEN_FALSE = new Set(['offscreen', 'ofs', 'offcamera', 'offcam', 'oos', 'vo', 'voiceover', 'wild']);

function readBoolean(text: string, field: CueField): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  if (field === 'onScreen') {
    const squeezed = normalizeHeader(word);
    if (ON_SCREEN_TRUE.has(squeezed)) return true;
    if (ON_SCREEN_FALSE.has(squeezed)) return false;
  }
  return undefined;
}

const STATUS_WORDS: Readonly<Record<string, CueStatus>> = {
  todo: 'todo', open: 'todo', new: 'todo', pending: 'todo', notstarted: 'todo', tbd: 'todo',
  inprogress: 'in_progress', progress: 'in_progress', wip: 'in_progress', started: 'in_progress', partial: 'in_progress', recording: 'in_progress', ongoing: 'in_progress',
  done: 'done', complete: 'done', completed: 'done', recorded: 'done', finished: 'done', ok: 'done', closed: 'done',
  omitted: 'omitted', omit: 'omitted', omitt: 'omitted', cut: 'omitted', dropped: 'omitted', deleted: 'omitted', na: 'omitted', notneeded: 'omitted', skip: 'omitted', skipped: 'omitted',
};

const PASS_WORDS: Readonly<Record<string, FoleyPass>> = {
  feet: 'feet', foot: 'feet', footsteps: 'feet', steps: 'feet', fs: 'feet', footstep: 'feet',
  props: 'props', prop: 'props', pr: 'props',
  cloth: 'cloth', clothes: 'cloth', clothing: 'cloth', cl: 'cloth',
  moves: 'moves', move: 'moves', movement: 'moves', mv: 'moves',
  specifics: 'specifics', specific: 'specifics', spec: 'specifics', specs: 'specifics', sp: 'specifics',
};

const KIND_WORDS: Readonly<Record<string, CueKind>> = {
  adr: 'adr', dialogue: 'adr', dialog: 'adr', dia: 'adr', dx: 'adr', loop: 'adr', line: 'adr', vo: 'adr', walla: 'adr', group: 'adr',
  foley: 'foley', fol: 'foley', fy: 'foley', fx: 'foley', sfx: 'foley',
};

const PRIORITY_WORDS: Readonly<Record<string, number>> = { high: 1, urgent: 1, medium: 2, med: 2, normal: 2, low: 3 };

/** Reason codes: the default list's labels ("Added line") become codes ("added"); others pass as written. */
function readReason(text: string): string {
  return REASON_BY_WORD.get(normalizeHeader(text)) ?? text;
}
const REASON_BY_WORD = new Map(DEFAULT_REASON_CODES.flatMap((r) => [[normalizeHeader(r.label), r.code], [normalizeHeader(r.code), r.code]] as const));

// ---------------------------------------------------------------------------------------------
// Rows

export interface TableRow {
  readonly cells: readonly string[];
  /** Physical line (1-based) where the row starts. */
  readonly line: number;
}

export interface RowsToDraftsOptions {
  readonly file: string;
  readonly frameRate: FrameRate;
  readonly sampleRate: number;
  /**
   * The kind of cue for rows without a kind cell. Default: Foley when the table has Foley columns
   * (pass, surface, footwear, prop) and no line column, else ADR.
   */
  readonly kind?: CueKind;
  /** Headers, to name columns in messages. */
  readonly headers?: readonly string[];
  /** The header's line, for issues about the table as a whole. Default 1. */
  readonly headerLine?: number;
}

const TEXT_FIELDS = ['lineText', 'altText', 'notes', 'engNotes', 'surface', 'footwear', 'prop', 'description', 'track'] as const;
const NAME_FIELDS = ['reel', 'scene', 'colour'] as const;
const FLAG_FIELDS = ['tv', 'tbw', 'adlib', 'optional'] as const;
const FOLEY_ONLY: readonly CueField[] = ['pass', 'surface', 'footwear', 'prop'];

function quote(text: string): string {
  const short = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  return `"${short.replace(/[\r\n\t]+/g, ' ')}"`;
}

/**
 * The drafts a table's rows describe. `mapping` is keyed by 0-based cell index (see
 * guessColumnMapping). Characters are listed once each, with the first actor given for them.
 * Scenes are not derived from a table: a cue names its scene, and scene spans stay the project's.
 */
export function rowsToDrafts(rows: readonly TableRow[], mapping: ColumnMapping, options: RowsToDraftsOptions): ImportResult {
  const { file, frameRate: rate, sampleRate } = options;
  const cues: CueDraft[] = [];
  const characters: CharacterDraft[] = [];
  const issues: ImportIssue[] = [];
  const headerLine = options.headerLine ?? 1;

  if (!Number.isSafeInteger(sampleRate) || sampleRate <= 0 || sampleRate > 0xffff_ffff) {
    issues.push({ severity: 'error', code: 'CSV_BAD_SAMPLE_RATE', file, line: headerLine, message: `Sample rate ${String(sampleRate)} is not usable; open the table in a project with a sample rate such as 48000.` });
    return { cues, scenes: [], characters, issues };
  }

  const columnOf = new Map<CueField, number>();
  for (const [key, field] of Object.entries(mapping)) {
    const index = Number(key);
    if (field && Number.isInteger(index) && index >= 0 && !columnOf.has(field)) columnOf.set(field, index);
  }
  const columnName = (index: number): string => {
    const header = options.headers?.[index];
    return header !== undefined && header.trim() !== '' ? `column ${index + 1} (${quote(header.trim())})` : `column ${index + 1}`;
  };

  if (!columnOf.has('in')) {
    const headers = options.headers?.length ? options.headers.map((h, i) => `${i + 1} ${quote(h)}`).join(', ') : 'none';
    issues.push({ severity: 'error', code: 'CSV_NO_IN_COLUMN', file, line: headerLine, message: `No column holds the cues' start times (columns: ${headers}); name one "TC In" or map it with column=in.` });
    return { cues, scenes: [], characters, issues };
  }

  const defaultKind: CueKind =
    options.kind ?? (FOLEY_ONLY.some((f) => columnOf.has(f)) && !columnOf.has('lineText') ? 'foley' : 'adr');
  const characterIndex = new Map<string, number>();

  for (const row of rows) {
    try {
      readRow(row);
    } catch (error) {
      // Not expected: readRow checks every cell. Kept so a bug shows as an issue, never a throw.
      issues.push({ severity: 'error', code: 'CSV_ROW_FAILED', file, line: row.line, message: `This row could not be read (${String(error)}); check its cells and report the problem.` });
    }
  }
  return { cues, scenes: [], characters, issues };

  function readRow(row: TableRow): void {
    if (row.cells.every((cell) => cell.trim() === '')) return;
    const line = row.line;
    const cell = (field: CueField): { text: string; index: number } | undefined => {
      const index = columnOf.get(field);
      if (index === undefined) return undefined;
      const text = (row.cells[index] ?? '').replace(/\r\n?/g, '\n').trim();
      return text === '' ? undefined : { text, index };
    };
    const issue = (severity: 'error' | 'warning', code: string, index: number, message: string): void => {
      issues.push({ severity, code, file, line, column: index + 1, message });
    };

    // Times first: without a usable start there is no cue.
    const inCell = cell('in');
    if (!inCell) {
      const index = columnOf.get('in') ?? 0;
      issue('error', 'CSV_MISSING_IN', index, `This row has no start time in ${columnName(index)}; fill it in or delete the row.`);
      return;
    }
    const start = readTime(inCell.text, rate, sampleRate);
    if (!start.ok) {
      issue('error', 'CSV_BAD_TIMECODE', inCell.index, `${quote(inCell.text)} in ${columnName(inCell.index)} is not a time at ${rate.id}: ${start.why}.`);
      return;
    }
    let out: number | undefined;
    const outCell = cell('out');
    const durationCell = cell('duration');
    if (outCell) {
      const end = readTime(outCell.text, rate, sampleRate);
      if (!end.ok) {
        issue('error', 'CSV_BAD_TIMECODE', outCell.index, `${quote(outCell.text)} in ${columnName(outCell.index)} is not a time at ${rate.id}: ${end.why}.`);
        return;
      }
      out = end.samples;
    } else if (durationCell) {
      const length = readTime(durationCell.text, rate, sampleRate);
      if (!length.ok) {
        issue('error', 'CSV_BAD_DURATION', durationCell.index, `${quote(durationCell.text)} in ${columnName(durationCell.index)} is not a duration at ${rate.id}: ${length.why}.`);
        return;
      }
      if (length.frame === null) out = start.samples + length.samples;
      else if (start.frame !== null) out = frameToPosition(start.frame + length.frame, rate, sampleRate);
      else out = start.samples + length.samples;
      if (!Number.isSafeInteger(out)) {
        issue('error', 'CSV_BAD_DURATION', durationCell.index, `${quote(durationCell.text)} in ${columnName(durationCell.index)} makes the cue end too far away; check the duration.`);
        return;
      }
    } else {
      out = start.samples;
      const index = columnOf.get('out') ?? columnOf.get('duration');
      if (index !== undefined) issue('warning', 'CSV_MISSING_OUT', index, `This row has no end time or duration in ${columnName(index)}, so the cue is imported with no length; add the end time if it needs one.`);
    }
    if (out < start.samples) {
      const index = outCell?.index ?? durationCell?.index ?? inCell.index;
      issue('error', 'CSV_OUT_BEFORE_IN', index, `The cue ends (${quote((outCell ?? durationCell)?.text ?? '')}) before it starts (${quote(inCell.text)}); swap or correct the times.`);
      return;
    }

    const draft: Record<string, unknown> = { kind: defaultKind, number: cell('number')?.text ?? null, in: start.samples, out };

    const kindCell = cell('kind');
    if (kindCell) {
      const kind = KIND_WORDS[normalizeHeader(kindCell.text)];
      if (kind) draft.kind = kind;
      else issue('warning', 'CSV_BAD_KIND', kindCell.index, `${quote(kindCell.text)} in ${columnName(kindCell.index)} is not a cue kind, so the row is imported as ${defaultKind === 'adr' ? 'ADR' : 'Foley'}; write ADR or Foley.`);
    }

    const characterCell = cell('character');
    if (characterCell) draft.character = characterCell.text;
    for (const field of NAME_FIELDS) {
      const c = cell(field);
      if (c) draft[field] = c.text;
    }
    for (const field of TEXT_FIELDS) {
      const c = cell(field);
      if (c) draft[field] = c.text;
    }
    const reasonCell = cell('reason');
    if (reasonCell) draft.reason = readReason(reasonCell.text);

    const priorityCell = cell('priority');
    if (priorityCell) {
      const word = PRIORITY_WORDS[priorityCell.text.toLowerCase()];
      if (word !== undefined) draft.priority = word;
      else if (/^[+-]?\d{1,9}$/.test(priorityCell.text)) draft.priority = Number(priorityCell.text);
      else issue('warning', 'CSV_BAD_PRIORITY', priorityCell.index, `${quote(priorityCell.text)} in ${columnName(priorityCell.index)} is not a priority, so it was left out; write a whole number (1 is highest) or high, medium, low.`);
    }

    for (const field of ['onScreen', ...FLAG_FIELDS] as const) {
      const c = cell(field);
      if (!c) continue;
      const value = readBoolean(c.text, field);
      if (value !== undefined) draft[field] = value;
      else issue('warning', 'CSV_BAD_BOOLEAN', c.index, `${quote(c.text)} in ${columnName(c.index)} is not yes or no, so it was left out; write yes/no, x or blank, true/false or 1/0.`);
    }

    const statusCell = cell('status');
    if (statusCell) {
      const status = STATUS_WORDS[normalizeHeader(statusCell.text)];
      if (status) draft.status = status;
      else issue('warning', 'CSV_BAD_STATUS', statusCell.index, `${quote(statusCell.text)} in ${columnName(statusCell.index)} is not a status, so it was left out; write to do, in progress, done or omitted.`);
    }

    const passCell = cell('pass');
    if (passCell) {
      const pass = PASS_WORDS[normalizeHeader(passCell.text)];
      if (pass) draft.pass = pass;
      else issue('warning', 'CSV_BAD_PASS', passCell.index, `${quote(passCell.text)} in ${columnName(passCell.index)} is not a Foley pass, so it was left out; write feet, props, cloth, moves or specifics.`);
    }

    draft.source = { file, line };
    cues.push(draft as unknown as CueDraft);

    const actorCell = cell('actor');
    if (characterCell) {
      const key = characterCell.text.toLowerCase();
      const at = characterIndex.get(key);
      if (at === undefined) {
        characterIndex.set(key, characters.length);
        characters.push(actorCell ? { name: characterCell.text, actor: actorCell.text, source: { file, line } } : { name: characterCell.text, source: { file, line } });
      } else if (actorCell) {
        const known = characters[at];
        if (known && (known.actor === undefined || known.actor === null)) characters[at] = { ...known, actor: actorCell.text };
        else if (known && known.actor !== actorCell.text) {
          issue('warning', 'CSV_ACTOR_CONFLICT', actorCell.index, `${quote(characterCell.text)} is played by ${quote(known.actor ?? '')} on line ${known.source?.line ?? '?'} but by ${quote(actorCell.text)} here; the first actor is kept.`);
        }
      }
    } else if (actorCell) {
      issue('warning', 'CSV_ACTOR_WITHOUT_CHARACTER', actorCell.index, `${quote(actorCell.text)} in ${columnName(actorCell.index)} has no character on this row, so it was left out; name the character too.`);
    }
  }
}
