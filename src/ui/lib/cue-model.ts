/**
 * The spotting view's logic in plain TypeScript (no Svelte, no DOM), so it is tested without a
 * browser: the local copy of the cue list kept in step with the engine's `cues.changed` events,
 * the filter form, selection movement, edit patches, timecode fields and import mappings.
 * `cues.svelte.ts` wraps it in reactive state.
 */
import type { EventPayload, Result } from '../../api/contract.js';
import type { Cue, CueFields, CueKind, CueStatus } from '../../core/cues/cue.js';
import { CueIndex, type CueFilter } from '../../core/cues/filter.js';
import { LoopstageError } from '../../core/errors.js';
import { labelToPosition, position, positionToLabel, type FrameRate } from '../../core/time/index.js';

export type CueListResult = Result<'cues.list'>;
export type CueLists = CueListResult['lists'];
export type CueHistory = CueListResult['history'];
export type CueChangeEvent = EventPayload<'cues.changed'>;

export const EMPTY_LISTS: CueLists = {
  characters: [],
  reels: [],
  scenes: [],
  reasonCodes: [],
  numbering: { adr: '', foley: '' },
};
export const EMPTY_HISTORY: CueHistory = { undo: null, redo: null };

/** What applying a change event did: applied, already had it (stale), or applied after a missed one (gap). */
export type ApplyOutcome = 'applied' | 'stale' | 'gap';

/**
 * The cue list as the engine last described it, updated incrementally. Every change event carries
 * the engine's revision; an event at or below the revision we hold is one we already applied (a
 * call's reply and its broadcast carry the same change), and one more than a step ahead means an
 * event was missed, so the caller should list the cues again.
 */
export class CueCollection {
  readonly #index = new CueIndex();
  readonly #byId = new Map<number, Cue>();
  #revision: number | null = null;
  #lists: CueLists = EMPTY_LISTS;
  #history: CueHistory = EMPTY_HISTORY;

  get revision(): number | null {
    return this.#revision;
  }

  get lists(): CueLists {
    return this.#lists;
  }

  get history(): CueHistory {
    return this.#history;
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Every cue in timeline order (the index's own array: do not keep it across changes). */
  get cues(): readonly Cue[] {
    return this.#index.cues;
  }

  get(id: number): Cue | undefined {
    return this.#byId.get(id);
  }

  load(result: CueListResult): void {
    this.#index.replace(result.cues);
    this.#byId.clear();
    for (const cue of result.cues) this.#byId.set(cue.id, cue);
    this.#lists = result.lists;
    this.#history = result.history;
    this.#revision = result.revision;
  }

  /**
   * The numbering scheme as saved by `cues.numbering` (which answers with the scheme, not a
   * change event), so the lists we hold stay in step with the engine's.
   */
  setNumbering(numbering: CueLists['numbering']): void {
    this.#lists = { ...this.#lists, numbering: { adr: numbering.adr, foley: numbering.foley } };
  }

  clear(): void {
    this.#index.replace([]);
    this.#byId.clear();
    this.#lists = EMPTY_LISTS;
    this.#history = EMPTY_HISTORY;
    this.#revision = null;
  }

  apply(event: CueChangeEvent): ApplyOutcome {
    if (this.#revision !== null && event.revision <= this.#revision) return 'stale';
    const gap = this.#revision !== null && event.revision > this.#revision + 1;
    this.#index.update(event.cues, event.removedCueIds);
    for (const id of event.removedCueIds) this.#byId.delete(id);
    for (const cue of event.cues) this.#byId.set(cue.id, cue);
    if (event.lists) this.#lists = event.lists;
    this.#history = event.history;
    this.#revision = event.revision;
    // A rename reached cues the event does not carry: the list must be fetched again.
    return gap || event.cuesStale ? 'gap' : 'applied';
  }

  filter(filter: CueFilter): Cue[] {
    return this.#index.filter(filter);
  }
}

// ---- Filter ---------------------------------------------------------------------------------

/** The filter as the form holds it: '' means "any". */
export interface FilterForm {
  kind: '' | CueKind;
  character: string;
  reel: string;
  status: '' | CueStatus;
  search: string;
}

export const EMPTY_FILTER: FilterForm = { kind: '', character: '', reel: '', status: '', search: '' };

export function toCueFilter(form: FilterForm): CueFilter {
  const filter: { -readonly [K in keyof CueFilter]: CueFilter[K] } = {};
  if (form.kind) filter.kind = form.kind;
  if (form.character) filter.character = form.character;
  if (form.reel) filter.reel = form.reel;
  if (form.status) filter.status = form.status;
  if (form.search.trim()) filter.search = form.search.trim();
  return filter;
}

export function isEmptyFilter(filter: CueFilter): boolean {
  return Object.keys(filter).length === 0;
}

// ---- Selection ------------------------------------------------------------------------------

/**
 * The cue `delta` rows away from `selectedId` in `list`, clamped to the ends. With nothing
 * selected (or the selection filtered out) a step down starts at the first row, a step up at the last.
 */
export function moveSelection(list: readonly { id: number }[], selectedId: number | null, delta: number): number | null {
  if (list.length === 0) return null;
  const at = selectedId === null ? -1 : list.findIndex((cue) => cue.id === selectedId);
  if (at < 0) return (delta >= 0 ? list[0] : list[list.length - 1])!.id;
  const next = Math.min(list.length - 1, Math.max(0, at + delta));
  return list[next]!.id;
}

/** Which cue to select once `removed` are gone: the next row after the selection, else the one before. */
export function selectionAfterRemoval(list: readonly { id: number }[], selectedId: number | null, removed: readonly number[]): number | null {
  if (selectedId === null || !removed.includes(selectedId)) return selectedId;
  const gone = new Set(removed);
  const at = list.findIndex((cue) => cue.id === selectedId);
  if (at < 0) return null;
  for (let i = at + 1; i < list.length; i++) if (!gone.has(list[i]!.id)) return list[i]!.id;
  for (let i = at - 1; i >= 0; i--) if (!gone.has(list[i]!.id)) return list[i]!.id;
  return null;
}

// ---- Editing --------------------------------------------------------------------------------

export type CuePatch = { -readonly [K in keyof CueFields]?: CueFields[K] };

/** Only the fields of `draft` that differ from `cue`: one edit carries just what changed. */
export function patchOf(cue: Cue, draft: Partial<CueFields>): CuePatch {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(draft)) {
    if (value === undefined) continue;
    if (cue[key as keyof CueFields] !== value) patch[key] = value;
  }
  return patch as CuePatch;
}

/** A name field as stored: trimmed, and null when empty. */
export function nameOrNull(text: string): string | null {
  const trimmed = text.trim();
  return trimmed ? trimmed : null;
}

export type TimecodeReading = { ok: true; position: number } | { ok: false; message: string };

/** A typed timecode label at the project's rate, or a sentence saying what is wrong with it. */
export function readTimecode(text: string, rate: FrameRate | null, sampleRate: number | null): TimecodeReading {
  if (!rate || !sampleRate) return { ok: false, message: 'The project has no usable frame rate, so timecode cannot be read; check the project settings.' };
  const label = text.trim();
  if (!label) return { ok: false, message: `Type a timecode, e.g. ${rate.dropFrame ? '01:00:00;00' : '01:00:00:00'}.` };
  try {
    return { ok: true, position: labelToPosition(label, rate, sampleRate) };
  } catch (error) {
    if (error instanceof LoopstageError) return { ok: false, message: error.message };
    return { ok: false, message: `"${label}" could not be read as timecode at ${rate.id}.` };
  }
}

/** A timeline sample as a label at the project rate; dashes when it cannot be shown. */
export function timecodeLabel(samples: number, rate: FrameRate | null, sampleRate: number | null): string {
  if (!rate || !sampleRate) return '--:--:--:--';
  try {
    return positionToLabel(position(samples), rate, sampleRate);
  } catch {
    return rate.dropFrame ? '--:--:--;--' : '--:--:--:--';
  }
}

/** "Undo Edit R101 lineText", or what the button does when there is nothing to undo. */
export function historyTitle(action: 'Undo' | 'Redo', label: string | null): string {
  return label ? `${action} ${label}` : `Nothing to ${action.toLowerCase()}`;
}

export const STATUS_LABELS: Readonly<Record<CueStatus, string>> = {
  todo: 'To do',
  in_progress: 'In progress',
  done: 'Done',
  omitted: 'Omitted',
};

export const KIND_LABELS: Readonly<Record<CueKind, string>> = { adr: 'ADR', foley: 'Foley' };

/** The text a row shows as its line or event: ADR line text, or the Foley description. */
export function lineOrEvent(cue: Pick<Cue, 'kind' | 'lineText' | 'description'>): string {
  return cue.kind === 'foley' ? cue.description : cue.lineText;
}

/** The field that holds a row's line or event. */
export function lineField(kind: CueKind): 'lineText' | 'description' {
  return kind === 'foley' ? 'description' : 'lineText';
}

// ---- Import ---------------------------------------------------------------------------------

/**
 * Mapping overrides as the engine reads them (`column=field`, "ignore" for none). A column is
 * named by its header when that is unambiguous, else by its 1-based number.
 */
export function mappingSpecs(headers: readonly string[], overrides: ReadonlyMap<number, string | null>): string[] {
  const specs: string[] = [];
  for (const [column, field] of [...overrides].sort((a, b) => a[0] - b[0])) {
    const header = headers[column];
    if (header === undefined) continue;
    const unique = header !== '' && header.trim() === header && !/^\d+$/.test(header) && headers.filter((h) => h === header).length === 1;
    specs.push(`${unique ? header : String(column + 1)}=${field ?? 'ignore'}`);
  }
  return specs;
}

/** A value from an import preview's change list, for people. */
export function previewValue(value: unknown, rate: FrameRate | null, sampleRate: number | null, field: string): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  if ((field === 'in' || field === 'out') && typeof value === 'number') return timecodeLabel(value, rate, sampleRate);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** base64 (as `cues.export` returns it) to bytes. */
export function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * A cue list file's bytes as text: UTF-8 (with or without a BOM), UTF-16 with a BOM, and, when the
 * bytes are not valid UTF-8, Windows-1252 as older spreadsheets save it.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** How each importable field is named in the mapping menus. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  number: 'Cue number',
  kind: 'Kind',
  character: 'Character',
  actor: 'Actor',
  reel: 'Reel',
  scene: 'Scene',
  in: 'TC In',
  out: 'TC Out',
  duration: 'Duration',
  lineText: 'Line text',
  altText: 'Alt text',
  reason: 'Reason',
  priority: 'Priority',
  onScreen: 'On screen',
  tv: 'TV',
  tbw: 'TBW',
  adlib: 'ADLIB',
  optional: 'Optional',
  notes: 'Notes',
  engNotes: 'Engineer notes',
  status: 'Status',
  pass: 'Foley pass',
  surface: 'Surface',
  footwear: 'Footwear',
  prop: 'Prop',
  description: 'Description',
  track: 'Track',
  colour: 'Colour',
};
