/**
 * The cue model: ADR lines and Foley events in one shape, because both are timed events spotted
 * against picture (DESIGN §4). Kind-specific fields sit beside the common ones.
 *
 * Times are timeline samples since midnight at the project's sample rate; `in` is the first sample
 * of the event, `out` the first sample after it (so `out - in` is its duration).
 */
export const CUE_KINDS = ['adr', 'foley'] as const;
export type CueKind = (typeof CUE_KINDS)[number];

export const CUE_STATUSES = ['todo', 'in_progress', 'done', 'omitted'] as const;
export type CueStatus = (typeof CUE_STATUSES)[number];

export const FOLEY_PASSES = ['feet', 'props', 'cloth', 'moves', 'specifics'] as const;
export type FoleyPass = (typeof FOLEY_PASSES)[number];

/** How a Foley pass is named to people (sheets, the editor). */
export const FOLEY_PASS_LABELS: Readonly<Record<FoleyPass, string>> = {
  feet: 'Feet',
  props: 'Props',
  cloth: 'Cloth',
  moves: 'Moves',
  specifics: 'Specifics',
};

/** The reason codes a new project starts with; each project edits its own list. */
export const DEFAULT_REASON_CODES = [
  { code: 'noise', label: 'Noise' },
  { code: 'performance', label: 'Performance' },
  { code: 'added', label: 'Added line' },
  { code: 'script', label: 'Script change' },
  { code: 'technical', label: 'Technical' },
  { code: 'off-mic', label: 'Off mic' },
  { code: 'intelligibility', label: 'Intelligibility' },
  { code: 'pronunciation', label: 'Mis-pronounced' },
  { code: 'distortion', label: 'Distortion' },
  { code: 'overlap', label: 'Overlap' },
  { code: 'sync', label: 'Sync' },
] as const;

/** Fields every cue has. Related records (reel, scene, character) are named, not referenced by id. */
export interface CueCommon {
  readonly kind: CueKind;
  /** The cue number (e.g. "R101"); null when an import leaves numbering to the project's scheme. */
  readonly number: string | null;
  readonly in: number;
  readonly out: number;
  readonly reel?: string | null;
  readonly scene?: string | null;
  readonly character?: string | null;
  readonly notes?: string;
  readonly engNotes?: string;
  readonly status?: CueStatus;
  /** A marker colour carried from the source (EDL locator colour, Pro Tools marker colour). */
  readonly colour?: string | null;
}

export interface AdrFields {
  readonly lineText?: string;
  /** Alternate wording or a translation. */
  readonly altText?: string;
  /** A reason code from the project's list (e.g. "noise"). */
  readonly reason?: string | null;
  readonly priority?: number | null;
  readonly onScreen?: boolean | null;
  /** TV (broadcast-safe) version needed. */
  readonly tv?: boolean;
  /** Line still to be written. */
  readonly tbw?: boolean;
  readonly adlib?: boolean;
  readonly optional?: boolean;
}

export interface FoleyFields {
  readonly pass?: FoleyPass | null;
  readonly surface?: string;
  readonly footwear?: string;
  readonly prop?: string;
  readonly description?: string;
  /** Track assignment, e.g. "Feet 1". */
  readonly track?: string;
}

/** Where a draft came from, so previews and errors can name file and line. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
}

/** A cue as an importer produces it: complete enough to create or merge by number. */
export interface CueDraft extends CueCommon, AdrFields, FoleyFields {
  readonly source?: SourceRef;
}

export interface SceneDraft {
  readonly number: string;
  readonly description?: string;
  readonly reel?: string | null;
  readonly in: number;
  readonly out: number;
  readonly source?: SourceRef;
}

export interface CharacterDraft {
  readonly name: string;
  readonly actor?: string | null;
  readonly prefix?: string | null;
  readonly source?: SourceRef;
}

/** A problem found while reading a file: errors stop the import, warnings are shown in the preview. */
export interface ImportIssue {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  /** One sentence: what is wrong and what to do. */
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column?: number;
}

/** What any importer returns: drafts to plan against the project, and what it noticed. */
export interface ImportResult {
  readonly cues: CueDraft[];
  readonly scenes: SceneDraft[];
  readonly characters: CharacterDraft[];
  readonly issues: ImportIssue[];
}

export function emptyImportResult(): ImportResult {
  return { cues: [], scenes: [], characters: [], issues: [] };
}

/** A stored cue as the engine, API, exports and UI see it: every field present, relations by name. */
export interface Cue {
  readonly id: number;
  readonly kind: CueKind;
  readonly number: string;
  readonly in: number;
  readonly out: number;
  readonly reel: string | null;
  readonly scene: string | null;
  readonly character: string | null;
  readonly notes: string;
  readonly engNotes: string;
  readonly status: CueStatus;
  readonly doneAt: string | null;
  readonly colour: string;
  readonly lineText: string;
  readonly altText: string;
  readonly reason: string | null;
  readonly priority: number | null;
  readonly onScreen: boolean | null;
  readonly tv: boolean;
  readonly tbw: boolean;
  readonly adlib: boolean;
  readonly optional: boolean;
  readonly pass: FoleyPass | null;
  readonly surface: string;
  readonly footwear: string;
  readonly prop: string;
  readonly description: string;
  readonly track: string;
  readonly updatedAt: string;
}

/** The fields of a cue a user or an import may set (everything but identity and bookkeeping). */
export type CueFields = Omit<Cue, 'id' | 'updatedAt' | 'doneAt'>;
export type CueFieldName = keyof CueFields;

export const CUE_FIELD_NAMES = [
  'kind', 'number', 'in', 'out', 'reel', 'scene', 'character', 'notes', 'engNotes', 'status', 'colour',
  'lineText', 'altText', 'reason', 'priority', 'onScreen', 'tv', 'tbw', 'adlib', 'optional',
  'pass', 'surface', 'footwear', 'prop', 'description', 'track',
] as const satisfies readonly CueFieldName[];

/** The value a field has when nothing set it. */
export const CUE_FIELD_DEFAULTS: Omit<CueFields, 'kind' | 'number' | 'in' | 'out'> = {
  reel: null, scene: null, character: null, notes: '', engNotes: '', status: 'todo', colour: '',
  lineText: '', altText: '', reason: null, priority: null, onScreen: null, tv: false, tbw: false,
  adlib: false, optional: false, pass: null, surface: '', footwear: '', prop: '', description: '', track: '',
};

/**
 * A complete set of cue fields from a partial one, defaults filled in. Written out field by field
 * rather than spread: it builds 10,000 cues for an import in a few milliseconds, and every cue
 * object then has the same shape.
 */
export function completeCueFields(
  fields: Partial<CueFields>,
  identity: Pick<CueFields, 'kind' | 'number' | 'in' | 'out'> = fields as CueFields,
): CueFields {
  const d = CUE_FIELD_DEFAULTS;
  return {
    kind: identity.kind, number: identity.number, in: identity.in, out: identity.out,
    reel: fields.reel ?? d.reel, scene: fields.scene ?? d.scene, character: fields.character ?? d.character,
    notes: fields.notes ?? d.notes, engNotes: fields.engNotes ?? d.engNotes, status: fields.status ?? d.status,
    colour: fields.colour ?? d.colour, lineText: fields.lineText ?? d.lineText, altText: fields.altText ?? d.altText,
    reason: fields.reason ?? d.reason, priority: fields.priority ?? d.priority, onScreen: fields.onScreen ?? d.onScreen,
    tv: fields.tv ?? d.tv, tbw: fields.tbw ?? d.tbw, adlib: fields.adlib ?? d.adlib, optional: fields.optional ?? d.optional,
    pass: fields.pass ?? d.pass, surface: fields.surface ?? d.surface, footwear: fields.footwear ?? d.footwear,
    prop: fields.prop ?? d.prop, description: fields.description ?? d.description, track: fields.track ?? d.track,
  };
}
