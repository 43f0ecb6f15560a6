/**
 * Delimited text (CSV, TSV, semicolon CSV) in and out, through papaparse: it handles quoting,
 * escaped quotes, quoted newlines, a BOM and delimiter detection, and is the most used parser of its
 * kind. This module adds what an importer needs on top: each row's physical line number, problems
 * as ImportIssues with line and column, and formula-injection-safe output. The cells then go to
 * the pure core (core/interchange/table-import.ts) to become cue drafts.
 *
 * Formula injection: a spreadsheet opening a CSV runs a cell that starts with `=`, `+`, `-` or `@`
 * (and some treat a leading tab or carriage return the same way) as a formula. writeDelimited
 * therefore puts a `'` before any cell that starts with one of those characters, after any run of
 * `'` — so a cell that already starts with `'=` gets a second `'` and nothing is ambiguous.
 * readDelimited takes one `'` off any cell that starts with `'`s followed by one of those
 * characters, so a Loopstage export reads back exactly as it was written. In a spreadsheet, the
 * `'` may show in the cell (Excel hides it only when typed by hand).
 */
import Papa from 'papaparse';
import type { ImportIssue, ImportResult } from '../../core/cues/cue.js';
import {
  applyMappingOverrides,
  normalizeHeader,
  guessColumnMapping,
  parseMappingOverrides,
  rowsToDrafts,
  type CueField,
  type RowsToDraftsOptions,
  type TableRow,
} from '../../core/interchange/table-import.js';

export type Delimiter = ',' | '\t' | ';';

export interface ReadDelimitedOptions {
  readonly file: string;
  /** The cell separator; 'auto' (default) detects comma, tab or semicolon from the first rows. */
  readonly delimiter?: Delimiter | 'auto';
}

export interface DelimitedTable {
  readonly headers: string[];
  /** Rows after the header, blank rows left out, each with the physical line (1-based) it starts on. */
  readonly rows: TableRow[];
  readonly issues: ImportIssue[];
  /** The delimiter used (detected or given). */
  readonly delimiter: Delimiter;
  /** The header's physical line (1-based); 0 when the text has no rows at all. */
  readonly headerLine: number;
}

const FORMULA_START = /^'*[=+\-@\t\r]/;
const ESCAPED_FORMULA = /^'+[=+\-@\t\r]/;

/** Undoes writeDelimited's formula guard: one `'` off a cell that starts with `'`s and then = + - @ tab or CR. */
function unescapeCell(cell: string): string {
  return ESCAPED_FORMULA.test(cell) ? cell.slice(1) : cell;
}

/** Offsets at which physical lines start; CRLF, LF and a lone CR each end a line. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** The 1-based line holding the character at `offset`. */
function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** The 1-based field (cell) that `offset` falls in, counting delimiters outside quotes from the row start. */
function fieldAt(text: string, rowStart: number, offset: number, delimiter: string): number {
  let field = 1;
  let quoted = false;
  for (let i = rowStart; i < offset && i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === delimiter) field++;
  }
  return field;
}

function detectDelimiter(text: string): Delimiter {
  const preview = Papa.parse<string[]>(text, { preview: 10, skipEmptyLines: 'greedy', delimitersToGuess: [',', '\t', ';'] });
  const found = preview.meta.delimiter;
  return found === '\t' || found === ';' ? found : ',';
}

/**
 * Splits delimited text into a header and rows. Never throws: an unterminated quote, a malformed
 * quote and a row with more or fewer cells than the header come back as issues with line and
 * column (the 1-based cell). Cells are returned as written (not trimmed), except for the formula
 * guard described above.
 */
export function readDelimited(text: string, options: ReadDelimitedOptions): DelimitedTable {
  const { file } = options;
  const issues: ImportIssue[] = [];
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const delimiter = !options.delimiter || options.delimiter === 'auto' ? detectDelimiter(body) : options.delimiter;
  const starts = lineStarts(body);
  const records: { cells: string[]; start: number; quoteProblem: boolean }[] = [];
  const seen = new Set<string>();
  let rowStart = 0;

  Papa.parse<string[]>(body, {
    delimiter,
    step: (result) => {
      const start = rowStart;
      rowStart = result.meta.cursor;
      const quoteProblem = result.errors.some((error) => error.type === 'Quotes');
      for (const error of result.errors) {
        if (error.type !== 'Quotes') continue;
        const quoteAt = Math.max(start, (error.index ?? start + 1) - 1);
        const line = lineAt(starts, quoteAt);
        const column = fieldAt(body, start, quoteAt, delimiter);
        const key = `${error.code}:${line}:${column}`;
        if (seen.has(key)) continue;
        seen.add(key);
        issues.push(
          error.code === 'MissingQuotes'
            ? { severity: 'error', code: 'CSV_UNTERMINATED_QUOTE', file, line, column, message: `The quoted cell that opens on line ${line} in column ${column} never closes, so everything after it was read into that cell; add the closing quote (").` }
            : { severity: 'warning', code: 'CSV_BAD_QUOTE', file, line, column, message: `The quoted cell in column ${column} has text after its closing quote; the quote and that text were kept as written, so check the cell (a quote inside a quoted cell is written "").` },
        );
      }
      records.push({ cells: result.data, start, quoteProblem });
    },
  });

  const nonBlank = records.filter((r) => r.cells.some((cell) => cell.trim() !== ''));
  const header = nonBlank[0];
  if (!header) {
    issues.push({ severity: 'error', code: 'CSV_EMPTY', file, line: 1, message: 'The file has no header row and no cues; export the cue list again with its column headers.' });
    return { headers: [], rows: [], issues, delimiter, headerLine: 0 };
  }
  const headers = header.cells.map((cell) => unescapeCell(cell).trim());
  const rows: TableRow[] = [];
  for (const record of nonBlank.slice(1)) {
    const line = lineAt(starts, record.start);
    const cells = record.cells.map(unescapeCell);
    if (record.quoteProblem) {
      // Already reported: the quote problem is why the cells do not line up.
    } else if (cells.length < headers.length) {
      issues.push({ severity: 'warning', code: 'CSV_RAGGED_ROW', file, line, column: cells.length + 1, message: `This row has ${cells.length} cell${cells.length === 1 ? '' : 's'} but the header has ${headers.length}, so the cells from column ${cells.length + 1} on are read as blank; check for a missing delimiter.` });
    } else if (cells.length > headers.length && cells.slice(headers.length).some((cell) => cell.trim() !== '')) {
      issues.push({ severity: 'warning', code: 'CSV_RAGGED_ROW', file, line, column: headers.length + 1, message: `This row has ${cells.length} cells but the header has ${headers.length}, so the cells from column ${headers.length + 1} on are ignored; check for an unquoted delimiter in a cell.` });
    }
    rows.push({ cells, line });
  }
  return { headers, rows, issues, delimiter, headerLine: lineAt(starts, header.start) };
}

/** Guards a cell against formula injection (see the module comment). */
export function escapeCell(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/**
 * Delimited text for export: RFC 4180 quoting by papaparse (cells with the delimiter, quotes, line
 * breaks or edge spaces are quoted), CRLF line ends, a final line end, every cell formula-guarded.
 * `bom` puts a UTF-8 byte order mark first, which Excel needs to read accents in a CSV correctly.
 */
export function writeDelimited(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  delimiter: Delimiter,
  options: { bom?: boolean } = {},
): string {
  const text = Papa.unparse(
    { fields: headers.map(escapeCell), data: rows.map((row) => row.map(escapeCell)) },
    { delimiter, newline: '\r\n', quotes: false, escapeFormulae: false, header: true },
  );
  // papaparse ends a header-only table with a line break and a table with rows without one.
  return `${options.bom ? '\ufeff' : ''}${text.replace(/\r\n$/, '')}\r\n`;
}

export interface ReadCueTableOptions extends ReadDelimitedOptions, Omit<RowsToDraftsOptions, 'headers' | 'headerLine'> {
  /** Mapping overrides, `column=field` (see parseMappingOverrides). */
  readonly mapping?: readonly string[];
  /**
   * A mapping remembered for the project (header → field): applied to the columns this table has
   * (normalised header match), ignored for those it lacks, and overridden by `mapping`.
   */
  readonly savedMapping?: Readonly<Record<string, string>>;
}

/** A cue table read end to end: cells, mapping (guessed, then the overrides), drafts. */
export function readCueTable(
  text: string,
  options: ReadCueTableOptions,
): { result: ImportResult; columns: { header: string; field: CueField | null }[] } {
  const table = readDelimited(text, options);
  const present = new Set(table.headers.map(normalizeHeader));
  const saved = Object.entries(options.savedMapping ?? {})
    .filter(([header]) => present.has(normalizeHeader(header)))
    .map(([header, field]) => `${header}=${field}`);
  const { overrides, problems } = parseMappingOverrides([...saved, ...(options.mapping ?? [])], table.headers);
  const mapping = applyMappingOverrides(guessColumnMapping(table.headers), overrides);
  const columns = table.headers.map((header, i) => ({ header, field: mapping[i] ?? null }));
  const mappingIssues: ImportIssue[] = problems.map((p) => ({ severity: 'error', code: p.code, message: p.message, file: options.file, line: Math.max(1, table.headerLine) }));
  if (table.headerLine === 0) return { result: { cues: [], scenes: [], characters: [], issues: [...table.issues, ...mappingIssues] }, columns };
  const drafts = rowsToDrafts(table.rows, mapping, { ...options, headers: table.headers, headerLine: table.headerLine });
  return { result: { ...drafts, issues: [...table.issues, ...mappingIssues, ...drafts.issues] }, columns };
}
