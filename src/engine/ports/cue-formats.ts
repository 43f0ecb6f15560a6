/**
 * The port to the interchange formats: reading cue lists from other tools and writing exports.
 * Readers never throw on bad input; what they cannot read comes back as ImportIssues.
 */
import type { Cue, ImportResult } from '../../core/cues/cue.js';
import type { FrameRate } from '../../core/time/index.js';
import type { Character, Scene } from './cue-store.js';

export const IMPORT_FORMATS = ['csv', 'tsv', 'srt', 'vtt', 'edl', 'ptx', 'json'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ReadOptions {
  readonly file: string;
  readonly frameRate: FrameRate;
  readonly sampleRate: number;
  /** The project's start (timeline sample), where subtitle time 0 lands unless the file says otherwise. */
  readonly projectStart: number;
  /** Column mapping overrides for CSV/TSV: `column=field`, column by header name or 1-based index. */
  readonly mapping?: readonly string[];
  /** A mapping saved for this project (column header → field), used before guessing. */
  readonly savedMapping?: Readonly<Record<string, string>>;
  readonly kind?: 'adr' | 'foley';
  /** EDL only: whether events become scenes (default) or shot changes. */
  readonly edlEvents?: 'scenes' | 'shots';
}

export interface ReadResult {
  readonly result: ImportResult;
  /** For tables: the headers and the field each was mapped to (null: ignored), for the preview. */
  readonly columns?: readonly { header: string; field: string | null }[];
}

export interface ExportContext {
  readonly title: string;
  readonly frameRate: FrameRate;
  readonly sampleRate: number;
  readonly characters: readonly Character[];
  readonly scenes: readonly Scene[];
  /** The project's reason codes, so sheets print each cue's reason as the project names it. */
  readonly reasonCodes: readonly { code: string; label: string }[];
  /** When the export was made, printed on sheets. */
  readonly made: Date;
}

export type PdfLayout = 'adr-sheet' | 'sides' | 'foley-sheet';

export interface CueFormats {
  detect(fileName: string, text: string): ImportFormat | null;
  read(format: ImportFormat, text: string, options: ReadOptions): ReadResult;
  writeCsv(cues: readonly Cue[], context: ExportContext, delimiter: ',' | '\t'): string;
  writeJson(cues: readonly Cue[], context: ExportContext): string;
  /** A PDF made without a browser, so the CLI can print sheets too. */
  writePdf(layout: PdfLayout, cues: readonly Cue[], context: ExportContext & { character?: string }): Promise<Uint8Array>;
}
