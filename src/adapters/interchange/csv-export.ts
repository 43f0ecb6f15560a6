/**
 * Cue drafts to CSV/TSV with the headers guessColumnMapping recognises, so an exported table reads
 * back to the same drafts and CSV → drafts → CSV is stable.
 *
 * - TC In / TC Out are timecode labels at the project rate when the time is the first sample of a
 *   frame (as every time read from a timecode table is), else whole sample counts (subtitle times,
 *   times past 24 hours), which the importer also reads: no time is rounded.
 * - Booleans are "yes"/"no", blank when unset; status is "to do", "in progress", "done" or
 *   "omitted"; kind is "ADR" or "Foley". Unset fields are blank cells.
 * - The Actor column comes from `characters` (the project's or the import's), by character name.
 * - There is no Duration column: TC Out carries the end, and a duration column beside it would be
 *   ignored on import.
 * - Cells are formula-guarded and quoted as writeDelimited (./csv.ts) describes.
 */
import type { CharacterDraft, CueDraft, CueStatus } from '../../core/cues/cue.js';
import type { CueField } from '../../core/interchange/table-import.js';
import { frameToPosition, positionToFrame, positionToLabel, position, type FrameRate } from '../../core/time/index.js';
import { writeDelimited, type Delimiter } from './csv.js';

/** The exported columns, in order, with their headers. */
export const CSV_COLUMNS: readonly { readonly field: Exclude<CueField, 'duration'>; readonly header: string }[] = [
  { field: 'number', header: 'Cue' },
  { field: 'kind', header: 'Kind' },
  { field: 'character', header: 'Character' },
  { field: 'actor', header: 'Actor' },
  { field: 'reel', header: 'Reel' },
  { field: 'scene', header: 'Scene' },
  { field: 'in', header: 'TC In' },
  { field: 'out', header: 'TC Out' },
  { field: 'lineText', header: 'Line' },
  { field: 'altText', header: 'Alt Text' },
  { field: 'reason', header: 'Reason' },
  { field: 'priority', header: 'Priority' },
  { field: 'onScreen', header: 'On Screen' },
  { field: 'tv', header: 'TV' },
  { field: 'tbw', header: 'TBW' },
  { field: 'adlib', header: 'Ad Lib' },
  { field: 'optional', header: 'Optional' },
  { field: 'notes', header: 'Notes' },
  { field: 'engNotes', header: 'Eng Notes' },
  { field: 'status', header: 'Status' },
  { field: 'pass', header: 'Pass' },
  { field: 'surface', header: 'Surface' },
  { field: 'footwear', header: 'Footwear' },
  { field: 'prop', header: 'Prop' },
  { field: 'description', header: 'Description' },
  { field: 'track', header: 'Track' },
  { field: 'colour', header: 'Colour' },
];

const STATUS_TEXT: Readonly<Record<CueStatus, string>> = { todo: 'to do', in_progress: 'in progress', done: 'done', omitted: 'omitted' };

export interface CuesToCsvOptions {
  readonly frameRate: FrameRate;
  readonly sampleRate: number;
  readonly delimiter: Delimiter;
  /** Characters, for the Actor column. */
  readonly characters?: readonly CharacterDraft[];
  /** Put a UTF-8 BOM first (Excel needs it to show accents). */
  readonly bom?: boolean;
}

/** A timeline sample as a timecode label when it starts a frame, else as a sample count. */
function timeCell(samples: number, rate: FrameRate, sampleRate: number): string {
  try {
    const p = position(samples);
    if (frameToPosition(positionToFrame(p, rate, sampleRate), rate, sampleRate) === samples) return positionToLabel(p, rate, sampleRate);
  } catch {
    // Past 24 hours, or not a position at all: written as the number it is.
  }
  return String(samples);
}

function flag(value: boolean | null | undefined): string {
  return value === true ? 'yes' : value === false ? 'no' : '';
}

/** The drafts as a delimited table (see the module comment). */
export function cuesToCsv(drafts: readonly CueDraft[], options: CuesToCsvOptions): string {
  const { frameRate: rate, sampleRate } = options;
  const actors = new Map<string, string>();
  for (const c of options.characters ?? []) {
    const key = c.name.toLowerCase();
    if (c.actor && !actors.has(key)) actors.set(key, c.actor);
  }
  const rows = drafts.map((cue) =>
    CSV_COLUMNS.map(({ field }): string => {
      switch (field) {
        case 'number':
          return cue.number ?? '';
        case 'kind':
          return cue.kind === 'foley' ? 'Foley' : 'ADR';
        case 'actor':
          return cue.character ? (actors.get(cue.character.toLowerCase()) ?? '') : '';
        case 'in':
          return timeCell(cue.in, rate, sampleRate);
        case 'out':
          return timeCell(cue.out, rate, sampleRate);
        case 'priority':
          return cue.priority === null || cue.priority === undefined ? '' : String(cue.priority);
        case 'onScreen':
        case 'tv':
        case 'tbw':
        case 'adlib':
        case 'optional':
          return flag(cue[field]);
        case 'status':
          return cue.status ? STATUS_TEXT[cue.status] : '';
        default:
          return cue[field] ?? '';
      }
    }),
  );
  return writeDelimited(
    CSV_COLUMNS.map((c) => c.header),
    rows,
    options.delimiter,
    { bom: options.bom ?? false },
  );
}
