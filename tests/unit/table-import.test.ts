/**
 * Cue tables: header guessing, mapping overrides, cell reading (core/interchange/table-import.ts),
 * the papaparse adapter (adapters/interchange/csv.ts) and the CSV export (csv-export.ts), against
 * hand-made rows and the spreadsheet exports in tests/fixtures/cues/:
 *
 * - adr-spreadsheet.csv: an Excel-style ADR list at 23.976 — BOM, CRLF, a quoted cell with a line
 *   break, doubled quotes, a blank row, a bad timecode, a missing start, a formula-looking cell.
 * - foley-list.tsv: a Foley spotting list at 25 fps with Start + Duration (timecode and samples),
 *   no kind column, an unknown pass.
 * - loops-semicolon.csv: a European semicolon CSV at 29.97 DF with sample counts, quoted DF labels
 *   (their `;` is the delimiter too), a kind column and a dropped drop-frame label.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CUE_STATUSES, FOLEY_PASSES, type CueDraft } from '../../src/core/cues/cue.js';
import {
  applyMappingOverrides,
  CUE_FIELDS,
  guessColumnMapping,
  normalizeHeader,
  parseMappingOverrides,
  rowsToDrafts,
  type ColumnMapping,
  type TableRow,
} from '../../src/core/interchange/table-import.js';
import { CSV_COLUMNS, cuesToCsv } from '../../src/adapters/interchange/csv-export.js';
import { escapeCell, readCueTable, readDelimited, writeDelimited } from '../../src/adapters/interchange/csv.js';
import { frameToPosition, labelToFrames, labelToPosition, parseFrameRate } from '../../src/core/time/index.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/cues/${name}`, import.meta.url), 'utf8');
const R23 = parseFrameRate('23.976');
const R25 = parseFrameRate('25');
const DF = parseFrameRate('29.97df');
const SR = 48_000;
/** 23.976 at 48 kHz: a frame is exactly 2002 samples. */
const tc23 = (label: string): number => labelToFrames(label, R23) * 2002;

function fieldsOf(headers: string[]): (string | null)[] {
  const mapping = guessColumnMapping(headers);
  return headers.map((_, i) => mapping[i] ?? null);
}

function lineCount(text: string): number {
  return text.split(/\r\n|\r|\n/).length;
}

describe('guessColumnMapping', () => {
  it('reads the headers spreadsheets and cue tools write, ignoring case, spaces and punctuation', () => {
    expect(fieldsOf(['Cue #', 'Char', 'Actor', 'Reel', 'Sc', 'TC In', 'TC Out', 'Dialogue', 'Reason', 'Notes', 'Eng Notes', 'Status']))
      .toEqual(['number', 'character', 'actor', 'reel', 'scene', 'in', 'out', 'lineText', 'reason', 'notes', 'engNotes', 'status']);
    expect(fieldsOf(['CUE', 'CHARACTER', 'START', 'END', 'LINE'])).toEqual(['number', 'character', 'in', 'out', 'lineText']);
    expect(fieldsOf(['cue_no', 'character-name', 'record in', 'record out', 'duration', 'alt line', 'o/s', 'T.V.', 'tbw', 'ad-lib', 'optional']))
      .toEqual(['number', 'character', 'in', 'out', 'duration', 'altText', 'onScreen', 'tv', 'tbw', 'adlib', 'optional']);
    expect(fieldsOf(['Cue', 'Pass', 'Surface', 'Shoes', 'Props', 'Description', 'Track', 'Color', 'Type', 'Priority']))
      .toEqual(['number', 'pass', 'surface', 'footwear', 'prop', 'description', 'track', 'colour', 'kind', 'priority']);
    expect(fieldsOf(['Loop', 'Timecode', 'Length', 'Script'])).toEqual(['number', 'in', 'duration', 'lineText']);
  });

  it('gives each field to one column: the first exact header, then a header that starts with a known name', () => {
    expect(fieldsOf(['Start', 'Record In', 'Dialogue (EN)', 'Line'])).toEqual(['in', null, null, 'lineText']);
    expect(fieldsOf(['Dialogue (EN)', 'Notes for the director', 'Description of the sound'])).toEqual(['lineText', 'notes', 'description']);
  });

  it('leaves unknown, blank and source-timecode columns unmapped', () => {
    expect(fieldsOf(['Source In', 'Src Out', '', 'Frobnicate', 'TC In'])).toEqual([null, null, null, null, 'in']);
  });

  it('maps every header the CSV export writes back to its field', () => {
    expect(fieldsOf(CSV_COLUMNS.map((c) => c.header))).toEqual(CSV_COLUMNS.map((c) => c.field));
  });

  it('normalizes headers as documented', () => {
    expect(normalizeHeader(' Cue # ')).toBe('cuenumber');
    expect(normalizeHeader('Réplique')).toBe('replique');
    expect(normalizeHeader('TC-In')).toBe('tcin');
  });
});

describe('parseMappingOverrides', () => {
  const headers = ['Cue', 'Who', 'Time', 'Words', 'Junk'];

  it('reads column by header or 1-based number, field by name, synonym or ignore', () => {
    const { overrides, problems } = parseMappingOverrides(['Who=character', '3=in', 'words=Dialogue', 'Junk=ignore', 'Cue='], headers);
    expect(problems).toEqual([]);
    expect(overrides).toEqual({ 1: 'character', 2: 'in', 3: 'lineText', 4: null, 0: null });
  });

  it('explains each bad override and keeps the good ones', () => {
    const { overrides, problems } = parseMappingOverrides(['nonsense', '9=in', 'Nope=in', 'Time=frobs', 'Time=in', 'Words=in'], headers);
    expect(overrides).toEqual({ 2: 'in' });
    expect(problems.map((p) => p.code)).toEqual(['MAPPING_SYNTAX', 'MAPPING_UNKNOWN_COLUMN', 'MAPPING_UNKNOWN_COLUMN', 'MAPPING_UNKNOWN_FIELD', 'MAPPING_DUPLICATE_FIELD']);
    expect(problems[1]?.message).toContain('the table has 5 columns');
    expect(problems[2]?.message).toContain('1 "Cue"');
    expect(problems[3]?.message).toContain('lineText');
  });

  it('reports a header that two columns share and splits at the last "="', () => {
    expect(parseMappingOverrides(['Note=notes'], ['Note', 'note']).overrides).toEqual({ 0: 'notes' });
    expect(parseMappingOverrides(['NOTE=notes'], ['Note', 'note']).problems[0]?.code).toBe('MAPPING_AMBIGUOUS_COLUMN');
    expect(parseMappingOverrides(['a=b=in'], ['a=b']).overrides).toEqual({ 0: 'in' });
  });

  it('moves a field from the guessed column to the overridden one', () => {
    const guessed = guessColumnMapping(['TC In', 'Record In']);
    expect(guessed).toEqual({ 0: 'in', 1: null });
    expect(applyMappingOverrides(guessed, { 1: 'in' })).toEqual({ 0: null, 1: 'in' });
  });
});

describe('rowsToDrafts', () => {
  const headers = ['Cue', 'Character', 'In', 'Out', 'Duration', 'Line'];
  const mapping = guessColumnMapping(headers);
  const read = (cells: string[][], rate = R23, extra: Partial<Parameters<typeof rowsToDrafts>[2]> = {}) =>
    rowsToDrafts(cells.map((c, i) => ({ cells: c, line: i + 2 })), mapping, { file: 'list.csv', frameRate: rate, sampleRate: SR, headers, ...extra });

  it('reads timecode at the project rate, with either frame separator and one-digit hours, and sample counts', () => {
    const result = read([
      ['1', 'ROBIN', '01:00:00:00', '01:00:01:00', '', 'a'],
      ['2', 'ROBIN', '1:00:00;12', '01:00:02.00', '', 'b'],
      ['3', 'ROBIN', '172972800', '172974802', '', 'c'],
    ]);
    expect(result.issues).toEqual([]);
    expect(result.cues.map((c) => [c.in, c.out])).toEqual([
      [tc23('01:00:00:00'), tc23('01:00:01:00')],
      [tc23('01:00:00:12'), tc23('01:00:02:00')],
      [172_972_800, 172_974_802],
    ]);
  });

  it('takes out from the duration when there is no out: frames after a timecode in, samples otherwise', () => {
    const result = read([
      ['1', '', '01:00:00:00', '', '00:00:02:12', 'a'],
      ['2', '', '01:00:00:00', '', '4800', 'b'],
      ['3', '', '172972801', '', '00:00:00:01', 'c'],
      ['4', '', '01:00:00:00', '01:00:00:10', '00:00:09:00', 'out column wins'],
    ]);
    expect(result.cues.map((c) => c.out - c.in)).toEqual([60 * 2002, 4800, 2002, 10 * 2002]);
    // At 29.97 a frame is 1601.6 samples: the end is the frame boundary, not in + rounded length.
    const df = read([['1', '', '01:00:00;00', '', '00:00:00;01', '']], DF).cues[0];
    expect(df?.out).toBe(frameToPosition(labelToFrames('01:00:00;00', DF) + 1, DF, SR));
  });

  it('makes a bad or missing time an error on that cell, with no draft for the row', () => {
    const result = read([
      ['1', '', '', '01:00:01:00', '', 'no in'],
      ['2', '', '01:00:00:24', '', '', 'frames too big'],
      ['3', '', '01:00:00:00', 'soon', '', 'bad out'],
      ['4', '', '01:00:02:00', '01:00:01:00', '', 'backwards'],
      ['5', '', '01:00:00:00', '', '2 s', 'bad duration'],
      ['6', '', '99999999999999999999', '', '', 'huge'],
      ['7', '', '01:00:00:00', '01:00:01:00', '', 'fine'],
    ]);
    expect(result.cues.map((c) => c.number)).toEqual(['7']);
    expect(result.issues.map((i) => [i.code, i.severity, i.line, i.column])).toEqual([
      ['CSV_MISSING_IN', 'error', 2, 3],
      ['CSV_BAD_TIMECODE', 'error', 3, 3],
      ['CSV_BAD_TIMECODE', 'error', 4, 4],
      ['CSV_OUT_BEFORE_IN', 'error', 5, 4],
      ['CSV_BAD_DURATION', 'error', 6, 5],
      ['CSV_BAD_TIMECODE', 'error', 7, 3],
    ]);
    expect(result.issues[1]?.message).toBe('"01:00:00:24" in column 3 ("In") is not a time at 23.976: its frames are 24 but must be at most 23.');
    for (const issue of result.issues) expect(issue.message).toMatch(/\.$/);
  });

  it('warns about an in with no end when the table has an out column', () => {
    const result = read([['1', '', '01:00:00:00', '', '', 'point']]);
    expect(result.cues[0]?.out).toBe(result.cues[0]?.in);
    expect(result.issues).toMatchObject([{ code: 'CSV_MISSING_OUT', severity: 'warning', line: 2, column: 4 }]);
    const noOut = rowsToDrafts([{ cells: ['01:00:00:00'], line: 2 }], { 0: 'in' }, { file: 'f', frameRate: R23, sampleRate: SR });
    expect(noOut.issues).toEqual([]);
  });

  it('reads yes/no words, status, pass, kind, priority and reason labels; warns on the rest', () => {
    const h = ['In', 'TV', 'TBW', 'Ad Lib', 'Optional', 'On Screen', 'Status', 'Pass', 'Kind', 'Priority', 'Reason'];
    const rows: TableRow[] = [
      ['0', 'yes', 'x', 'TRUE', '1', 'OS', 'to do', 'Footsteps', 'Foley', 'High', 'Script change'],
      ['0', 'no', '', 'false', '0', 'off screen', 'In-Progress', 'specs', 'dialogue', '3', 'wind'],
      ['0', 'Y', 'N', '✓', '-', 'ON', 'WIP', 'cloth', 'ADR', 'low', 'noise'],
      ['0', 'perhaps', '', '', '', '', 'shelved', 'jumps', 'music', 'soonish', ''],
    ].map((cells, i) => ({ cells, line: i + 2 }));
    const result = rowsToDrafts(rows, guessColumnMapping(h), { file: 'f.csv', frameRate: R25, sampleRate: SR, headers: h });
    expect(result.cues).toMatchObject([
      { tv: true, tbw: true, adlib: true, optional: true, onScreen: true, status: 'todo', pass: 'feet', kind: 'foley', priority: 1, reason: 'script' },
      { tv: false, adlib: false, optional: false, onScreen: false, status: 'in_progress', pass: 'specifics', kind: 'adr', priority: 3, reason: 'wind' },
      { tv: true, tbw: false, adlib: true, optional: false, onScreen: true, status: 'in_progress', pass: 'cloth', kind: 'adr', priority: 3, reason: 'noise' },
      // No line column and a pass column: rows without a usable kind are Foley.
      { kind: 'foley' },
    ]);
    expect(result.issues.find((i) => i.code === 'CSV_BAD_KIND')?.message).toContain('imported as Foley');
    expect(result.cues[1]).not.toHaveProperty('tbw');
    expect(result.cues[3]).not.toHaveProperty('tv');
    expect(result.issues.map((i) => [i.code, i.line, i.column])).toEqual([
      ['CSV_BAD_KIND', 5, 9],
      ['CSV_BAD_PRIORITY', 5, 10],
      ['CSV_BAD_BOOLEAN', 5, 2],
      ['CSV_BAD_STATUS', 5, 7],
      ['CSV_BAD_PASS', 5, 8],
    ]);
  });

  it('guesses Foley for a table with Foley columns and no line column, unless told', () => {
    const h = ['In', 'Pass', 'Prop'];
    const rows = [{ cells: ['0', 'props', 'cup'], line: 2 }];
    expect(rowsToDrafts(rows, guessColumnMapping(h), { file: 'f', frameRate: R25, sampleRate: SR }).cues[0]?.kind).toBe('foley');
    expect(rowsToDrafts(rows, guessColumnMapping(h), { file: 'f', frameRate: R25, sampleRate: SR, kind: 'adr' }).cues[0]?.kind).toBe('adr');
    expect(rowsToDrafts(rows, guessColumnMapping([...h, 'Line']), { file: 'f', frameRate: R25, sampleRate: SR }).cues[0]?.kind).toBe('adr');
  });

  it('lists characters once with the first actor, and warns when a row names another', () => {
    const h = ['In', 'Character', 'Actor'];
    const rows = [['0', 'Robin', ''], ['0', 'ROBIN', 'Errol Flynn'], ['0', 'Robin', 'Kevin Costner'], ['0', '', 'Alan Rickman']].map((cells, i) => ({ cells, line: i + 2 }));
    const result = rowsToDrafts(rows, guessColumnMapping(h), { file: 'f', frameRate: R25, sampleRate: SR });
    expect(result.characters).toEqual([{ name: 'Robin', actor: 'Errol Flynn', source: { file: 'f', line: 2 } }]);
    expect(result.issues.map((i) => [i.code, i.line, i.column])).toEqual([['CSV_ACTOR_CONFLICT', 4, 3], ['CSV_ACTOR_WITHOUT_CHARACTER', 5, 3]]);
  });

  it('leaves blank cells out of the draft, skips blank rows, and needs an in column', () => {
    const result = read([['', '', '', '', '', ''], ['  ', '', '01:00:00:00', '', '', '  ']]);
    expect(result.cues).toEqual([{ kind: 'adr', number: null, in: tc23('01:00:00:00'), out: tc23('01:00:00:00'), source: { file: 'list.csv', line: 3 } }]);
    const none = rowsToDrafts([{ cells: ['x'], line: 4 }], { 0: 'lineText' }, { file: 'f', frameRate: R25, sampleRate: SR, headers: ['Words'], headerLine: 3 });
    expect(none.cues).toEqual([]);
    expect(none.issues).toMatchObject([{ code: 'CSV_NO_IN_COLUMN', line: 3, severity: 'error' }]);
    expect(none.issues[0]?.message).toContain('1 "Words"');
  });

  it('reports a bad sample rate instead of throwing', () => {
    const result = rowsToDrafts([{ cells: ['0'], line: 2 }], { 0: 'in' }, { file: 'f', frameRate: R25, sampleRate: 0 });
    expect(result.issues).toMatchObject([{ code: 'CSV_BAD_SAMPLE_RATE' }]);
  });
});

describe('readDelimited', () => {
  it('gives physical line numbers through a BOM, CRLF, quoted line breaks and blank lines', () => {
    const table = readDelimited('\ufeffCue,Line\r\n1,"two\r\nlines"\r\n\r\n3,three\r\n', { file: 'a.csv' });
    expect(table.headers).toEqual(['Cue', 'Line']);
    expect(table.headerLine).toBe(1);
    expect(table.rows).toEqual([{ cells: ['1', 'two\r\nlines'], line: 2 }, { cells: ['3', 'three'], line: 5 }]);
    expect(table.issues).toEqual([]);
    expect(readDelimited('\n\nCue\n\n1\n', { file: 'a.csv' })).toMatchObject({ headerLine: 3, rows: [{ cells: ['1'], line: 5 }] });
    expect(readDelimited('Cue\r1\r"a\rb"\r4', { file: 'mac.csv' }).rows.map((r) => r.line)).toEqual([2, 3, 5]);
  });

  it('reports an unterminated quote at the line and cell where it opens', () => {
    const table = readDelimited('Cue,Line,Notes\n1,ok,fine\n2,"never closed,x\n3,c,d\n', { file: 'q.csv' });
    expect(table.issues).toMatchObject([{ severity: 'error', code: 'CSV_UNTERMINATED_QUOTE', line: 3, column: 2, file: 'q.csv' }]);
    expect(table.issues[0]?.message).toContain('line 3 in column 2');
  });

  it('warns about text after a closing quote and about ragged rows', () => {
    const quote = readDelimited('A,B,C\n1,2,"x"y\n', { file: 'q.csv' });
    expect(quote.issues[0]).toMatchObject({ code: 'CSV_BAD_QUOTE', line: 2, column: 3, severity: 'warning' });
    const ragged = readDelimited('A,B,C\n1,2\n1,2,3,4\n1,2,3,,\n', { file: 'r.csv' });
    expect(ragged.issues.map((i) => [i.code, i.line, i.column])).toEqual([['CSV_RAGGED_ROW', 2, 3], ['CSV_RAGGED_ROW', 3, 4]]);
  });

  it('detects comma, tab and semicolon, or uses the delimiter given', () => {
    expect(readDelimited('a\tb\n1\t2\n', { file: 'f' }).delimiter).toBe('\t');
    expect(readDelimited('a;b\n"1,5";2\n', { file: 'f' })).toMatchObject({ delimiter: ';', rows: [{ cells: ['1,5', '2'] }] });
    expect(readDelimited('a,b\n1,2\n', { file: 'f' }).delimiter).toBe(',');
    expect(readDelimited('a;b,c\n1;2,3\n', { file: 'f', delimiter: ',' }).headers).toEqual(['a;b', 'c']);
  });

  it('says so when there is nothing to read', () => {
    expect(readDelimited('', { file: 'e.csv' })).toMatchObject({ headers: [], rows: [], headerLine: 0, issues: [{ code: 'CSV_EMPTY', line: 1 }] });
    expect(readDelimited(' \n\n', { file: 'e.csv' }).issues[0]?.code).toBe('CSV_EMPTY');
  });
});

describe('writeDelimited', () => {
  it("guards cells that start with = + - @ by a ' and reads them back as they were", () => {
    const cells = ['=1+1', '+33 1', '-ROBIN', '@me', "'=already", "'plain", 'plain', '\tTab', 'a,"b"\nc', ' edge '];
    const text = writeDelimited(['H'], cells.map((c) => [c]), ',');
    expect(text.split('\r\n').slice(1, 6)).toEqual(["'=1+1", "'+33 1", "'-ROBIN", "'@me", "''=already"]);
    expect(readDelimited(text, { file: 'x' }).rows.map((r) => r.cells[0])).toEqual(cells);
    expect(escapeCell("'plain")).toBe("'plain");
  });

  it('writes CRLF rows with a final line end and an optional BOM, in any delimiter', () => {
    expect(writeDelimited(['A', 'B'], [['1', 'x\ty']], '\t')).toBe('A\tB\r\n1\t"x\ty"\r\n');
    expect(writeDelimited(['A'], [], ';', { bom: true })).toBe('\ufeffA\r\n');
  });
});

describe('fixtures', () => {
  it('reads the ADR spreadsheet export (BOM, CRLF, quoted line break, bad rows)', () => {
    const { result, columns } = readCueTable(fixture('adr-spreadsheet.csv'), { file: 'adr-spreadsheet.csv', frameRate: R23, sampleRate: SR });
    expect(columns.map((c) => c.field)).toEqual(['number', 'character', 'actor', 'reel', 'scene', 'in', 'out', 'lineText', 'reason', 'priority', 'onScreen', 'tv', 'notes', 'engNotes', 'status']);
    const file = 'adr-spreadsheet.csv';
    expect(result.cues).toEqual([
      { kind: 'adr', number: 'R1001', in: 173_453_280, out: 173_573_400, character: 'ROBIN', reel: 'R1', scene: '12', lineText: 'Welcome to Sherwood, my lady.', reason: 'noise', priority: 1, onScreen: true, notes: 'Plane overhead, take 3', engNotes: 'Boom only', status: 'todo', source: { file, line: 2 } },
      { kind: 'adr', number: 'R1002', in: tc23('01:00:13:00'), out: tc23('01:00:15:00'), character: 'MARIAN', reel: 'R1', scene: '12', lineText: 'You speak treason!\nFluently.', reason: 'performance', priority: 2, onScreen: false, tv: true, status: 'in_progress', source: { file, line: 3 } },
      { kind: 'adr', number: 'R1003', in: tc23('01:00:16:08'), out: tc23('01:00:18:00'), character: 'ROBIN', reel: 'R1', scene: '12', lineText: 'He said "stay" and I stayed.', reason: 'added', onScreen: true, status: 'done', source: { file, line: 5 } },
      { kind: 'adr', number: 'R1006', in: tc23('01:00:40:00'), out: tc23('01:00:41:00'), character: 'MARIAN', reel: 'R1', scene: '13', lineText: '=HYPERLINK("x")', reason: 'technical', priority: 1, status: 'omitted', source: { file, line: 9 } },
    ]);
    expect(result.characters).toEqual([
      { name: 'ROBIN', actor: 'Errol Flynn', source: { file, line: 2 } },
      { name: 'MARIAN', actor: 'Olivia de Havilland', source: { file, line: 3 } },
    ]);
    expect(result.scenes).toEqual([]);
    expect(result.issues.map((i) => [i.severity, i.code, i.line, i.column])).toEqual([
      ['error', 'CSV_BAD_TIMECODE', 7, 6],
      ['error', 'CSV_MISSING_IN', 8, 6],
      ['warning', 'CSV_BAD_BOOLEAN', 9, 11],
    ]);
  });

  it('reads the Foley spotting list (TSV, Start + Duration, kind guessed)', () => {
    const { result } = readCueTable(fixture('foley-list.tsv'), { file: 'foley-list.tsv', frameRate: R25, sampleRate: SR });
    const at = (label: string) => labelToFrames(label, R25) * 1920;
    expect(result.cues.map((c) => [c.number, c.kind, c.in, c.out, c.pass ?? null])).toEqual([
      ['F001', 'foley', at('10:00:05:00'), at('10:00:07:10'), 'feet'],
      ['F002', 'foley', at('10:00:08:00'), at('10:00:08:12'), 'props'],
      ['F003', 'foley', at('10:00:09:05'), at('10:00:09:05'), 'cloth'],
      ['F004', 'foley', at('10:00:12:00'), at('10:00:12:00') + 24_000, 'feet'],
      ['F005', 'foley', at('10:00:14:00'), at('10:00:15:00'), null],
    ]);
    expect(result.cues[0]).toMatchObject({ surface: 'Gravel', footwear: 'Riding boots', description: 'Robin walks to the horse', track: 'Feet 1' });
    expect(result.cues[1]).toMatchObject({ prop: 'Quarterstaff', notes: 'sync to picture' });
    expect(result.issues.map((i) => [i.severity, i.code, i.line, i.column])).toEqual([
      ['warning', 'CSV_MISSING_OUT', 4, 3],
      ['warning', 'CSV_BAD_PASS', 6, 4],
    ]);
  });

  it('reads the semicolon list at 29.97 DF (samples, quoted DF labels, kinds, a dropped label)', () => {
    const { result } = readCueTable(fixture('loops-semicolon.csv'), { file: 'loops.csv', frameRate: DF, sampleRate: SR });
    expect(result.cues.map((c) => [c.number, c.kind, c.character ?? null, c.in, c.out, c.lineText])).toEqual([
      ['L1', 'adr', 'TUCK', 172_800_000, 172_896_000, 'Bless you, my son'],
      ['L2', 'adr', 'TUCK', labelToPosition('01:00:01;00', DF, SR), labelToPosition('01:00:02;15', DF, SR), 'Ale; and more ale'],
      ['L3', 'foley', null, labelToPosition('01:00:04;00', DF, SR), labelToPosition('01:00:05;00', DF, SR), 'Body fall on straw'],
    ]);
    expect(result.cues[1]?.in).toBe(172_847_875);
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ code: 'CSV_BAD_TIMECODE', line: 5, column: 3 });
    expect(result.issues[0]?.message).toContain('use 01:01:00;02');
  });

  it('turns mapping override problems into errors at the header line', () => {
    const { result, columns } = readCueTable(fixture('foley-list.tsv'), { file: 'f.tsv', frameRate: R25, sampleRate: SR, mapping: ['Notes=engNotes', 'Nope=in'] });
    expect(columns.find((c) => c.header === 'Notes')?.field).toBe('engNotes');
    expect(result.cues[1]).toMatchObject({ engNotes: 'sync to picture' });
    expect(result.issues[0]).toMatchObject({ code: 'MAPPING_UNKNOWN_COLUMN', line: 1, severity: 'error' });
  });
});

describe('CSV export', () => {
  it('writes the import back with recognised headers, timecode labels and words, stable on re-import', () => {
    const first = readCueTable(fixture('adr-spreadsheet.csv'), { file: 'a.csv', frameRate: R23, sampleRate: SR }).result;
    const csv = cuesToCsv(first.cues, { frameRate: R23, sampleRate: SR, delimiter: ',', characters: first.characters });
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.map((c) => c.header).join(','));
    expect(lines[1]).toBe('R1001,ADR,ROBIN,Errol Flynn,R1,12,01:00:10:00,01:00:12:12,"Welcome to Sherwood, my lady.",,noise,1,yes,,,,,"Plane overhead, take 3",Boom only,to do,,,,,,,');
    expect(csv).toContain(`'=HYPERLINK(""x"")`);
    const again = readCueTable(csv, { file: 'b.csv', frameRate: R23, sampleRate: SR }).result;
    expect(again.issues).toEqual([]);
    expect(again.cues.map(({ source: _s, ...c }) => c)).toEqual(first.cues.map(({ source: _s, ...c }) => c));
    expect(again.characters.map((c) => [c.name, c.actor])).toEqual(first.characters.map((c) => [c.name, c.actor]));
    expect(cuesToCsv(again.cues, { frameRate: R23, sampleRate: SR, delimiter: ',', characters: again.characters })).toBe(csv);
  });

  it('writes times that are not on a frame, or past 24 hours, as sample counts', () => {
    const cues: CueDraft[] = [{ kind: 'adr', number: '1', in: 172_972_801, out: 24 * 3600 * SR + 5 }];
    const csv = cuesToCsv(cues, { frameRate: R23, sampleRate: SR, delimiter: '\t' });
    expect(csv.split('\r\n')[1]?.split('\t').slice(6, 8)).toEqual(['172972801', String(24 * 3600 * SR + 5)]);
    expect(readCueTable(csv, { file: 'x.tsv', frameRate: R23, sampleRate: SR }).result.cues[0]).toMatchObject({ in: 172_972_801, out: 24 * 3600 * SR + 5 });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const safeText = fc
  .string({ unit: fc.constantFrom('a', 'B', ' ', ',', ';', '\t', '"', "'", '=', '-', '+', '@', '\n', 'é', '1', ':', '#') , minLength: 1, maxLength: 12 })
  .map((s) => s.trim())
  .filter((s) => s !== '');

const draftArbitrary: fc.Arbitrary<CueDraft> = fc
  .record(
    {
      kind: fc.constantFrom('adr' as const, 'foley' as const),
      number: fc.option(safeText, { nil: null }),
      in: fc.nat({ max: 2 ** 40 }),
      length: fc.nat({ max: 2 ** 30 }),
      character: safeText,
      reel: safeText,
      scene: safeText,
      lineText: safeText,
      altText: safeText,
      reason: safeText.filter((s) => !['noise', 'performance', 'added', 'addedline', 'script', 'scriptchange', 'technical'].includes(normalizeHeader(s))),
      priority: fc.integer({ min: -999, max: 999_999 }),
      onScreen: fc.boolean(),
      tv: fc.boolean(),
      tbw: fc.boolean(),
      adlib: fc.boolean(),
      optional: fc.boolean(),
      notes: safeText,
      engNotes: safeText,
      status: fc.constantFrom(...CUE_STATUSES),
      pass: fc.constantFrom(...FOLEY_PASSES),
      surface: safeText,
      footwear: safeText,
      prop: safeText,
      description: safeText,
      track: safeText,
      colour: safeText,
    },
    { requiredKeys: ['kind', 'number', 'in', 'length'] },
  )
  .map(({ length, ...rest }) => ({ ...rest, out: rest.in + length }) as CueDraft);

function checkResult(result: { cues: CueDraft[]; issues: { line: number; column?: number }[] }, text: string): void {
  const lines = lineCount(text);
  for (const cue of result.cues) {
    expect(Number.isSafeInteger(cue.in) && Number.isSafeInteger(cue.out)).toBe(true);
    expect(cue.in).toBeGreaterThanOrEqual(0);
    expect(cue.in).toBeLessThanOrEqual(cue.out);
    expect(cue.source?.line).toBeGreaterThanOrEqual(1);
    expect(cue.source?.line).toBeLessThanOrEqual(lines);
  }
  for (const issue of result.issues) {
    expect(Number.isInteger(issue.line) && issue.line >= 1 && issue.line <= lines).toBe(true);
    if (issue.column !== undefined) expect(issue.column).toBeGreaterThanOrEqual(1);
  }
}

/** A fixture with a few random edits: characters deleted, duplicated or replaced by CSV-significant ones. */
function mutated(text: string): fc.Arbitrary<string> {
  const edit = fc.record({ at: fc.nat({ max: Math.max(0, text.length - 1) }), length: fc.nat({ max: 6 }), insert: fc.constantFrom('', '"', ',', '\t', ';', '\n', '\r\n', '\r', '""', ':', '99', '\ufeff', ' ') });
  return fc.array(edit, { minLength: 1, maxLength: 8 }).map((edits) => edits.reduce((t, e) => t.slice(0, e.at) + e.insert + t.slice(e.at + e.length), text));
}

describe('properties', () => {
  const csvText = fc.string({ unit: fc.constantFrom('a', '1', '0', ':', ';', ',', '\t', '"', '\n', '\r', ' ', 'x', '\ufeff', "'", '=') , maxLength: 200 });
  const header = 'Cue,Character,TC In,TC Out,Duration,Line,Status,TV\n';

  it.each([
    ['CSV', ','],
    ['TSV', '\t'],
  ] as const)('%s: arbitrary text never throws and yields sane drafts and issue lines', (_name, delimiter) => {
    fc.assert(
      fc.property(csvText, fc.boolean(), (body, withHeader) => {
        const text = withHeader ? header.replace(/,/g, delimiter) + body : body;
        const { result } = readCueTable(text, { file: 'p', delimiter: 'auto', frameRate: R25, sampleRate: SR });
        checkResult(result, text);
      }),
      { numRuns: 400 },
    );
  });

  it.each(['adr-spreadsheet.csv', 'foley-list.tsv', 'loops-semicolon.csv'])('mutated %s never throws and yields sane drafts', (name) => {
    const text = fixture(name);
    fc.assert(
      fc.property(mutated(text), (t) => {
        const { result } = readCueTable(t, { file: name, frameRate: name.includes('semicolon') ? DF : R23, sampleRate: SR });
        checkResult(result, t);
      }),
      { numRuns: 300 },
    );
  });

  it.each([',', '\t'] as const)('drafts → CSV (%j) → drafts keeps every exported field', (delimiter) => {
    fc.assert(
      fc.property(fc.array(draftArbitrary, { maxLength: 6 }), (drafts) => {
        const csv = cuesToCsv(drafts, { frameRate: R23, sampleRate: SR, delimiter });
        const { result } = readCueTable(csv, { file: 'rt', frameRate: R23, sampleRate: SR });
        expect(result.issues).toEqual([]);
        expect(result.cues.map(({ source: _s, ...c }) => c)).toEqual(drafts);
        expect(cuesToCsv(result.cues, { frameRate: R23, sampleRate: SR, delimiter })).toBe(csv);
      }),
      { numRuns: 200 },
    );
  });

  it('rowsToDrafts never throws on arbitrary cells and mappings', () => {
    const mappingArb: fc.Arbitrary<ColumnMapping> = fc.dictionary(fc.integer({ min: -1, max: 6 }).map(String), fc.option(fc.constantFrom(...CUE_FIELDS), { nil: null })) as unknown as fc.Arbitrary<ColumnMapping>;
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ maxLength: 14 }), { maxLength: 7 }), { maxLength: 8 }), mappingArb, (cells, mapping) => {
        const rows = cells.map((c, i) => ({ cells: c, line: i + 2 }));
        const result = rowsToDrafts(rows, mapping, { file: 'p', frameRate: DF, sampleRate: SR });
        for (const cue of result.cues) expect(cue.in).toBeLessThanOrEqual(cue.out);
        for (const issue of result.issues) expect(issue.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});
