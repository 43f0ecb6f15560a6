/**
 * Subtitles to ADR lines: the pure rules (core/interchange/subtitles.ts) and the readers
 * (adapters/interchange/subtitles.ts, webvtt-parser underneath), against:
 *
 * - tests/fixtures/webvtt/: the web-platform-tests WebVTT parsing cases as w3c/webvtt.js ships them
 *   (CC0 / BSD-3, see LICENSE.webvtt.js.md there). Each file's expectations below follow the WPT
 *   assertions (how many cues, which text), plus what Loopstage adds: the line of each cue and an
 *   issue for each block it had to drop.
 * - tests/fixtures/cues/robin.srt and robin.vtt: subtitle files as an ADR supervisor gets them —
 *   BOM, CRLF, italics, speaker prefixes, dialogue dashes, (O.S.), sound descriptions, voice spans,
 *   a broken timing line, a last subtitle with no final newline.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImportIssue } from '../../src/core/cues/cue.js';
import {
  msToSamples,
  subtitlesToDrafts,
  subtitleText,
  suggestSubtitleOrigin,
  type SubtitleCue,
} from '../../src/core/interchange/subtitles.js';
import { importSubtitles, readSrt, readVtt, type SubtitleRead } from '../../src/adapters/interchange/subtitles.js';

const SR = 48_000;
const HOUR = 3600 * SR;
const webvttDir = new URL('../fixtures/webvtt/', import.meta.url);
const vttFixture = (name: string): string => readFileSync(new URL(name, webvttDir), 'utf8');
const cueFixture = (name: string): string => readFileSync(new URL(`../fixtures/cues/${name}`, import.meta.url), 'utf8');
const splitLines = (text: string): string[] => text.replace(/\0/g, '\ufffd').split(/\r\n|\r|\n/);
const codes = (issues: readonly ImportIssue[]) => issues.map((i) => [i.code, i.line]);

const cue = (startMs: number, endMs: number, text: string, extra: Partial<SubtitleCue> = {}): SubtitleCue => ({ startMs, endMs, text, line: 1, ...extra });
const drafts = (cues: SubtitleCue[], options: Partial<Parameters<typeof subtitlesToDrafts>[1]> = {}) =>
  subtitlesToDrafts(cues, { file: 's.srt', sampleRate: SR, origin: 0, ...options });

describe('subtitle text', () => {
  it('strips tags and override codes, decodes references, tidies spaces', () => {
    expect(subtitleText('<i>Hello</i> <b>there</b>, <font color="#ff0000">friend</font>')).toBe('Hello there, friend');
    expect(subtitleText('{\\an8}<c.yellow.bg_blue>Up</c> <00:00:01.500>top &amp; &lt;b&gt; &#233;&#x1F600; &nbsp;x &bogus;')).toBe('Up top & <b> é😀 x &bogus;');
    expect(subtitleText('  a  \r\n\r\n  b\t ')).toBe('a\nb');
    expect(subtitleText('3 < 4 and 5 > 2')).toBe('3 < 4 and 5 > 2');
  });

  it('converts milliseconds to samples exactly, rounding halves up', () => {
    expect(msToSamples(1000, SR)).toBe(48_000);
    expect(msToSamples(1, 44_100)).toBe(44); // 44.1
    expect(msToSamples(10, 44_100)).toBe(441);
    expect(msToSamples(1, 22_050)).toBe(22); // 22.05
    expect(msToSamples(30, 22_050)).toBe(662); // 661.5 → up
    expect(msToSamples(2 ** 50, 192_000)).toBeNaN();
    expect(msToSamples(-1, SR)).toBeNaN();
  });
});

describe('subtitlesToDrafts', () => {
  it('makes each subtitle an ADR line at origin + time, joining a speaker\'s lines', () => {
    const result = drafts([cue(1000, 2500, 'ROBIN: Welcome to Sherwood,\nmy lady.', { line: 2 })], { origin: HOUR });
    expect(result.cues).toEqual([
      { kind: 'adr', number: null, in: HOUR + 48_000, out: HOUR + 120_000, character: 'ROBIN', lineText: 'Welcome to Sherwood, my lady.', source: { file: 's.srt', line: 2 } },
    ]);
    expect(result.characters).toEqual([{ name: 'ROBIN', source: { file: 's.srt', line: 2 } }]);
    expect(result.issues).toEqual([]);
  });

  it('splits dialogue turns with speakers into lines with the same times', () => {
    const result = drafts([cue(0, 1000, '- MARIAN: You speak treason!\n- ROBIN: Fluently.')]);
    expect(result.cues.map((c) => [c.character, c.lineText, c.in, c.out])).toEqual([
      ['MARIAN', 'You speak treason!', 0, 48_000],
      ['ROBIN', 'Fluently.', 0, 48_000],
    ]);
    const anonymous = drafts([cue(0, 1000, '- Who goes there?\n- A friend.')]);
    expect(anonymous.cues.map((c) => [c.character, c.lineText])).toEqual([[undefined, '- Who goes there?\n- A friend.']]);
    const mixed = drafts([cue(0, 1000, '- ROBIN: Halt!\n- Never.')]);
    expect(mixed.cues.map((c) => [c.character ?? null, c.lineText])).toEqual([['ROBIN', 'Halt!'], [null, 'Never.']]);
  });

  it('reads bracketed names, names alone on a line, (O.S.) and voices; leaves sound descriptions as text', () => {
    const result = drafts([
      cue(0, 1, '[GISBORNE] Seize him!'),
      cue(0, 1, '(TUCK) Amen.'),
      cue(0, 1, 'LITTLE JOHN:\nRabbits and ale.'),
      cue(0, 1, 'FRIAR TUCK (V.O.): Bless you.'),
      cue(0, 1, '[horse whinnies]'),
      cue(0, 1, 'Remember: no killing.'),
      cue(0, 1, 'At 10:30: the archery.'),
      cue(0, 1, 'Hold fast.', { voice: 'Will Scarlet' }),
      cue(0, 1, '<v Robin>Ready?</v> <v.loud Much the Miller>Aye!'),
      cue(0, 1, 'MAN #2: Over here!'),
    ]);
    expect(result.cues.map((c) => [c.character ?? null, c.lineText, c.onScreen ?? null])).toEqual([
      ['GISBORNE', 'Seize him!', null],
      ['TUCK', 'Amen.', null],
      ['LITTLE JOHN', 'Rabbits and ale.', null],
      ['FRIAR TUCK', 'Bless you.', false],
      [null, '[horse whinnies]', null],
      [null, 'Remember: no killing.', null],
      [null, 'At 10:30: the archery.', null],
      ['Will Scarlet', 'Hold fast.', null],
      ['Robin', 'Ready?', null],
      ['Much the Miller', 'Aye!', null],
      ['MAN #2', 'Over here!', null],
    ]);
    expect(result.characters.map((c) => c.name)).toEqual(['GISBORNE', 'TUCK', 'LITTLE JOHN', 'FRIAR TUCK', 'Will Scarlet', 'Robin', 'Much the Miller', 'MAN #2']);
  });

  it("follows the speaker rule: 'any' takes mixed-case names, 'off' none", () => {
    const cues = [cue(0, 1, 'Robin: Hello.'), cue(0, 1, 'ROBIN: Hello.')];
    expect(drafts(cues).cues.map((c) => c.character ?? null)).toEqual([null, 'ROBIN']);
    expect(drafts(cues, { speakers: 'any' }).cues.map((c) => c.character ?? null)).toEqual(['Robin', 'ROBIN']);
    expect(drafts(cues, { speakers: 'off' }).cues.map((c) => [c.character ?? null, c.lineText])).toEqual([[null, 'Robin: Hello.'], [null, 'ROBIN: Hello.']]);
  });

  it('lists a character once, first spelling first', () => {
    expect(drafts([cue(0, 1, 'ROBIN: a', { line: 3 }), cue(0, 1, 'a', { voice: 'Robin', line: 7 })]).characters).toEqual([{ name: 'ROBIN', source: { file: 's.srt', line: 3 } }]);
  });

  it('reports bad times and empty subtitles on their line, and never throws', () => {
    const result = drafts([
      cue(2000, 1000, 'backwards', { line: 4 }),
      cue(1000, 1000, 'no length', { line: 8 }),
      cue(0, 1000, '<i></i> {\\an8}', { line: 12 }),
      cue(-5, 1000, 'negative', { line: 16 }),
      cue(0.5, 1000, 'fraction', { line: 20 }),
    ]);
    expect(result.cues.map((c) => c.lineText)).toEqual(['no length']);
    expect(result.issues.map((i) => [i.severity, i.code, i.line])).toEqual([
      ['error', 'SUBTITLE_END_BEFORE_START', 4],
      ['warning', 'SUBTITLE_NO_LENGTH', 8],
      ['warning', 'SUBTITLE_EMPTY', 12],
      ['error', 'SUBTITLE_TIME_OUT_OF_RANGE', 16],
      ['error', 'SUBTITLE_TIME_OUT_OF_RANGE', 20],
    ]);
    expect(drafts([cue(0, 1, 'x')], { origin: -1 }).issues[0]?.code).toBe('SUBTITLE_BAD_ORIGIN');
    expect(drafts([cue(0, 1, 'x')], { sampleRate: 0 }).issues[0]?.code).toBe('SUBTITLE_BAD_SAMPLE_RATE');
    expect(drafts([]).issues.map((i) => i.code)).toEqual(['SUBTITLE_NONE']);
  });

  it('suggests the project start for files timed from picture start, 0 for files in timeline time', () => {
    const projectStart = HOUR; // 01:00:00:00
    expect(suggestSubtitleOrigin(4_000, projectStart, SR)).toBe(projectStart);
    expect(suggestSubtitleOrigin(3_605_000, projectStart, SR)).toBe(0);
    expect(suggestSubtitleOrigin(3_600_000, projectStart, SR)).toBe(0);
    expect(suggestSubtitleOrigin(0, 0, SR)).toBe(0);
  });
});

describe('readSrt', () => {
  it('reads robin.srt: BOM, CRLF, italics, speakers, dashes, (O.S.), a broken block, no final newline', () => {
    const text = cueFixture('robin.srt');
    const read = readSrt(text, { file: 'robin.srt' });
    expect(read.cues.map((c) => [c.line, c.startMs, c.endMs])).toEqual([
      [2, 1000, 3500], [7, 4000, 6000], [12, 6500, 8000], [16, 9000, 10_000], [20, 10_500, 12_000], [28, 14_000, 15_500], [33, 16_000, 17_000],
    ]);
    expect(read.issues).toMatchObject([{ severity: 'error', code: 'SUBTITLE_STRAY_TEXT', line: 23, file: 'robin.srt' }]);

    const { result, origin } = importSubtitles('srt', text, { file: 'robin.srt', sampleRate: SR, projectStart: HOUR });
    expect(origin).toBe(HOUR);
    expect(result.cues.map((c) => [c.source?.line, c.character ?? null, c.lineText, c.in - HOUR, c.out - HOUR, c.onScreen ?? null])).toEqual([
      [2, 'ROBIN', 'Welcome to Sherwood, my lady.', 48_000, 168_000, null],
      [7, 'MARIAN', 'You speak treason!', 192_000, 288_000, null],
      [7, 'ROBIN', 'Fluently.', 192_000, 288_000, null],
      [12, 'GISBORNE', 'Seize him!', 312_000, 384_000, null],
      [16, null, '[horse whinnies]', 432_000, 480_000, null],
      [20, 'TUCK', 'Bless you, my son.', 504_000, 576_000, false],
      [28, 'JOHN', 'Rabbits & ale, 3 < 4.', 672_000, 744_000, null],
      [33, null, 'Last line without newline at end', 768_000, 816_000, null],
    ]);
    expect(result.characters.map((c) => c.name)).toEqual(['ROBIN', 'MARIAN', 'GISBORNE', 'TUCK', 'JOHN']);
    expect(codes(result.issues)).toEqual([['SUBTITLE_STRAY_TEXT', 23]]);
  });

  it('accepts a dot separator and one- or two-digit milliseconds; reports a bad timing line', () => {
    const read = readSrt('1\n00:00:01.5 --> 00:00:02,25\nA\n\n2\n00:00:03,000 --> 00:00:0x,000\nB\n\n3\n0:00:05,000 --> 0:00:06,000\nC\n', { file: 'x.srt' });
    expect(read.cues.map((c) => [c.startMs, c.endMs, c.text, c.line])).toEqual([[1500, 2250, 'A', 2], [5000, 6000, 'C', 10]]);
    expect(read.issues).toMatchObject([{ code: 'SUBTITLE_BAD_TIMING', line: 6, severity: 'error' }]);
    expect(read.issues[0]?.message).toContain('00:00:01,000 --> 00:00:02,000');
  });

  it('treats lines of spaces as blank and reports text after a blank line inside a subtitle', () => {
    const read = readSrt('1\n00:00:01,000 --> 00:00:02,000\nOne\n   \n2\n00:00:03,000 --> 00:00:04,000\nTwo\n\nstill two?\n', { file: 'x.srt' });
    expect(read.cues.map((c) => c.text)).toEqual(['One', 'Two']);
    expect(codes(read.issues)).toEqual([['SUBTITLE_STRAY_TEXT', 9]]);
  });
});

describe('readVtt', () => {
  it('reads robin.vtt: voices, several voices in one cue, a class on a voice, a NOTE, settings', () => {
    const text = cueFixture('robin.vtt');
    const read = readVtt(text, { file: 'robin.vtt' });
    expect(read.issues).toEqual([]);
    expect(read.cues.map((c) => [c.line, c.voice ?? null, c.text])).toEqual([
      [6, 'Robin', 'Welcome to Sherwood, my lady.'],
      [10, 'Marian', 'You speak treason!'],
      [10, 'Robin', 'Fluently.'],
      [15, 'Sir Guy of Gisborne', 'Seize him!'],
      [19, null, '[horse whinnies]'],
      [23, null, 'TUCK: Bless you &amp; good night.'],
    ]);
    const { result } = importSubtitles('vtt', text, { file: 'robin.vtt', sampleRate: SR, projectStart: 0, origin: HOUR });
    expect(result.cues.map((c) => [c.character ?? null, c.lineText, c.in - HOUR])).toEqual([
      ['Robin', 'Welcome to Sherwood, my lady.', 48_000],
      ['Marian', 'You speak treason!', 192_000],
      ['Robin', 'Fluently.', 192_000],
      ['Sir Guy of Gisborne', 'Seize him!', 312_000],
      [null, '[horse whinnies]', 432_000],
      ['TUCK', 'Bless you & good night.', 504_000],
    ]);
  });

  it('decodes every HTML character reference (the parser default table would turn &amp; into "&;")', () => {
    const read = readVtt('WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nFish &amp; chips &eacute; &lt;3 &#65;\n', { file: 'x.vtt' });
    expect(read.cues.map((c) => subtitleText(c.text))).toEqual(['Fish & chips é <3 A']);
  });

  it('keeps hour-based times and suggests origin 0 for them', () => {
    const { result, origin } = importSubtitles('vtt', 'WEBVTT\n\n01:00:05.000 --> 01:00:06.500\nHello.\n', { file: 'x.vtt', sampleRate: SR, projectStart: HOUR });
    expect(origin).toBe(0);
    expect(result.cues[0]).toMatchObject({ in: HOUR + 5 * SR, out: HOUR + 6.5 * SR });
  });

  /** What each WPT file yields: cue texts in file order, and the issues Loopstage raises. */
  interface Expected {
    texts: string[];
    issues?: [string, number][];
    /** Issues for every block whose text is "invalid": one at its timing line (the line before). */
    invalidBlocks?: boolean;
  }
  const n = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  const header = (...lines: number[]): [string, number][] => lines.map((l) => ['SUBTITLE_HEADER_TEXT', l]);
  const EXPECTED: Record<string, Expected> = {
    'arrows.vtt': { texts: n('text', 6), issues: [3, 6, 9, 12, 15, 21, 23, 25, 27].map((l) => ['SUBTITLE_BAD_TIMING', l]) },
    'header-garbage.vtt': { texts: ['text'], issues: header(2) },
    'header-space.vtt': { texts: ['text'], issues: header(2) },
    'header-tab.vtt': { texts: ['text'], issues: header(2) },
    'header-timings.vtt': { texts: ['text'], issues: [] },
    'ids.vtt': { texts: n('text', 5), issues: [] },
    'newlines.vtt': { texts: n('text', 4), issues: [] },
    'nulls.vtt': { texts: ['text0', 'text1', '\ufffdtext\ufffd2', 'text3', 'text4', 'text5', 'text6'], invalidBlocks: true },
    'regions-id.vtt': { texts: ['valid', 'valid', 'valid', 'valid'], issues: [] },
    'regions-lines.vtt': { texts: Array(13).fill('text'), issues: [] },
    'regions-old.vtt': { texts: ['text0', 'text1'], issues: header(2, 3) },
    'regions-regionanchor.vtt': { texts: Array(20).fill('text'), issues: [] },
    'regions-scroll.vtt': { texts: Array(6).fill('text'), issues: [] },
    'regions-viewportanchor.vtt': { texts: Array(20).fill('text'), issues: [] },
    // Cue settings do not matter to an ADR line: cues with invalid settings are kept, silently.
    'settings-align.vtt': { texts: n('text', 13), issues: [] },
    'settings-line.vtt': { texts: [...n('valid', 15), ...n('invalid', 38).slice(15), ...n('text', 46).slice(38)], issues: [] },
    'settings-multiple.vtt': { texts: ['text0', 'text1'], issues: [] },
    'settings-position.vtt': { texts: [...n('text', 8), ...n('invalid', 22).slice(8)], issues: [] },
    'settings-region.vtt': { texts: [...n('text', 5), ...n('invalid', 9).slice(5)], issues: [] },
    'settings-size.vtt': { texts: [...n('text', 7), ...n('invalid', 16).slice(7)], issues: [] },
    'settings-vertical.vtt': { texts: [...n('text', 4), ...n('invalid', 8).slice(4)], issues: [] },
    'signature-bom.vtt': { texts: [], issues: [] },
    'signature-no-newline.vtt': { texts: [], issues: [] },
    'signature-space-no-newline.vtt': { texts: [], issues: [] },
    'signature-space.vtt': { texts: [], issues: [] },
    'signature-tab-no-newline.vtt': { texts: [], issues: [] },
    'signature-tab.vtt': { texts: [], issues: [] },
    'signature-timings.vtt': { texts: [], issues: header(2) },
    // The second STYLE block comes after a cue and is dropped silently; ".bar {" is a block without timing.
    'stylesheets.vtt': { texts: ['text', 'text'], issues: [['SUBTITLE_STRAY_TEXT', 14]] },
    'timings-60.vtt': { texts: ['text1', 'text2'], invalidBlocks: true },
    'timings-eof.vtt': { texts: [], issues: [['SUBTITLE_BAD_TIMING', 3]] },
    'timings-garbage.vtt': { texts: [], invalidBlocks: true },
    'timings-negative.vtt': { texts: n('text', 4), issues: [] },
    'timings-omitted-hours.vtt': { texts: n('text', 3), issues: [] },
    'timings-too-long.vtt': { texts: ['text0', 'text1'], invalidBlocks: true },
    'timings-too-short.vtt': { texts: ['text0', 'text1'], invalidBlocks: true },
    'whitespace-chars.vtt': { texts: ['   text0', 'text1', 'text2'], invalidBlocks: true },
  };

  it('has an expectation for every WebVTT fixture, and the fixtures keep their licence', () => {
    const files = readdirSync(webvttDir).filter((f) => f.endsWith('.vtt')).sort();
    expect(files).toEqual(Object.keys(EXPECTED).sort());
    expect(readdirSync(webvttDir)).toContain('LICENSE.webvtt.js.md');
  });

  it.each(Object.entries(EXPECTED))('%s', (name, expected) => {
    const text = vttFixture(name);
    const lines = splitLines(text.replace(/^\ufeff/, ''));
    const read: SubtitleRead = readVtt(text, { file: name });
    expect(read.cues.map((c) => c.text)).toEqual(expected.texts);
    // Each cue's line is its timing line, and its text starts on the next line.
    for (const c of read.cues) {
      expect(lines[c.line - 1]).toContain('-->');
      expect(lines[c.line]).toBe(c.text.split('\n')[0]);
    }
    for (const issue of read.issues) {
      expect(issue.file).toBe(name);
      expect(issue.line).toBeGreaterThanOrEqual(1);
      expect(issue.line).toBeLessThanOrEqual(lines.length);
    }
    if (expected.invalidBlocks) {
      const invalid = lines.flatMap((l, i) => (l === 'invalid' ? [i] : []));
      const dropped = read.issues.filter((i) => i.code === 'SUBTITLE_BAD_TIMING' || i.code === 'SUBTITLE_STRAY_TEXT');
      expect(dropped.map((i) => i.line)).toEqual(invalid);
      // A block is "stray" only when its would-be timing line has no "-->" at all.
      for (const issue of dropped) expect(issue.code === 'SUBTITLE_BAD_TIMING').toBe((lines[issue.line - 1] ?? '').includes('-->'));
      expect(read.issues.filter((i) => !dropped.includes(i)).map((i) => i.code).every((c) => c === 'SUBTITLE_HEADER_TEXT')).toBe(true);
    } else {
      expect(codes(read.issues)).toEqual(expected.issues ?? []);
    }
  });

  it('gives the WPT times for timings-60, timings-omitted-hours and timings-negative', () => {
    expect(readVtt(vttFixture('timings-60.vtt'), { file: 'f' }).cues.map((c) => [c.startMs, c.endMs])).toEqual([[0, 216_001_000], [216_000_000, 216_001_000]]);
    expect(readVtt(vttFixture('timings-omitted-hours.vtt'), { file: 'f' }).cues.map((c) => [c.startMs, c.endMs])).toEqual([[0, 1000], [0, 1000], [0, 1000]]);
    const negative = importSubtitles('vtt', vttFixture('timings-negative.vtt'), { file: 'neg.vtt', sampleRate: SR, projectStart: 0 });
    // The spec keeps these cues; an ADR line cannot end before it starts.
    expect(negative.result.cues.map((c) => c.lineText)).toEqual(['text0']);
    expect(negative.result.issues.map((i) => [i.code, i.line])).toEqual([
      ['SUBTITLE_NO_LENGTH', 3], ['SUBTITLE_END_BEFORE_START', 6], ['SUBTITLE_END_BEFORE_START', 9], ['SUBTITLE_END_BEFORE_START', 12],
    ]);
  });

  it('trims the leading spaces WebVTT keeps in cue text when making the ADR line', () => {
    const { result } = importSubtitles('vtt', vttFixture('whitespace-chars.vtt'), { file: 'w.vtt', sampleRate: SR, projectStart: 0 });
    expect(result.cues.map((c) => c.lineText)).toEqual(['text0', 'text1', 'text2']);
  });

  it('warns when the file is not WebVTT at all', () => {
    const read = readVtt('1\n00:00:01,000 --> 00:00:02,000\nHello\n', { file: 'x.vtt' });
    expect(read.issues[0]).toMatchObject({ code: 'SUBTITLE_NO_SIGNATURE', severity: 'warning', line: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

function checkRead(read: SubtitleRead, text: string): void {
  const lines = splitLines(text).length;
  for (const c of read.cues) {
    expect(c.startMs >= 0 && c.endMs >= 0).toBe(true);
    expect(c.line).toBeGreaterThanOrEqual(1);
    expect(c.line).toBeLessThanOrEqual(lines);
  }
  for (const i of read.issues) {
    expect(i.line).toBeGreaterThanOrEqual(1);
    expect(i.line).toBeLessThanOrEqual(lines);
  }
}

function checkImport(format: 'srt' | 'vtt', text: string): void {
  const lines = splitLines(text).length;
  const { result } = importSubtitles(format, text, { file: 'p', sampleRate: SR, projectStart: HOUR });
  for (const c of result.cues) {
    expect(Number.isSafeInteger(c.in) && Number.isSafeInteger(c.out)).toBe(true);
    expect(c.in).toBeLessThanOrEqual(c.out);
    expect(c.source?.line).toBeGreaterThanOrEqual(1);
    expect(c.source?.line).toBeLessThanOrEqual(lines);
  }
  for (const i of result.issues) {
    expect(i.line).toBeGreaterThanOrEqual(1);
    expect(i.line).toBeLessThanOrEqual(lines);
  }
}

const subtitleChars = fc.constantFrom('0', '1', '5', '9', ':', ',', '.', ' ', '-', '>', '\n', '\r', '\r\n', '<', '/', 'v', 'i', 'A', 'b', '&', ';', '[', ']', '\0', '\ufeff', '\t', 'WEBVTT', '-->', 'NOTE', '00:00:01,000', '00:00:02.500');

function mutated(text: string): fc.Arbitrary<string> {
  const edit = fc.record({ at: fc.nat({ max: Math.max(0, text.length - 1) }), length: fc.nat({ max: 5 }), insert: subtitleChars });
  return fc.array(edit, { minLength: 1, maxLength: 8 }).map((edits) => edits.reduce((t, e) => t.slice(0, e.at) + e.insert + t.slice(e.at + e.length), text));
}

describe('properties', () => {
  const arbitraryText = fc.array(subtitleChars, { maxLength: 120 }).map((parts) => parts.join(''));

  it.each(['srt', 'vtt'] as const)('%s: arbitrary text never throws; lines and times stay sane', (format) => {
    fc.assert(
      fc.property(arbitraryText, fc.boolean(), (body, signed) => {
        const text = format === 'vtt' && signed ? `WEBVTT\n\n${body}` : body;
        checkRead(format === 'srt' ? readSrt(text, { file: 'p' }) : readVtt(text, { file: 'p' }), text);
        checkImport(format, text);
      }),
      { numRuns: 300 },
    );
  });

  it.each([['srt', 'robin.srt'], ['vtt', 'robin.vtt']] as const)('%s: mutated %s never throws; lines and times stay sane', (format, name) => {
    const text = cueFixture(name);
    fc.assert(fc.property(mutated(text), (t) => checkImport(format, t)), { numRuns: 300 });
  });

  it('vtt: every mutated WPT fixture never throws', () => {
    const texts = readdirSync(webvttDir).filter((f) => f.endsWith('.vtt')).map(vttFixture);
    fc.assert(
      fc.property(fc.constantFrom(...texts).chain((t) => mutated(t)), (t) => checkImport('vtt', t)),
      { numRuns: 300 },
    );
  });

  it('subtitlesToDrafts never throws and keeps in <= out for arbitrary neutral cues', () => {
    const neutral = fc.record({
      startMs: fc.oneof(fc.nat({ max: 10 ** 9 }), fc.double(), fc.integer()),
      endMs: fc.oneof(fc.nat({ max: 10 ** 9 }), fc.double(), fc.integer()),
      text: fc.string({ maxLength: 40 }),
      line: fc.oneof(fc.nat({ max: 500 }), fc.double()),
      voice: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(neutral, { maxLength: 6 }), fc.constantFrom('caps', 'any', 'off') as fc.Arbitrary<'caps' | 'any' | 'off'>, (cues, speakers) => {
        const result = subtitlesToDrafts(cues, { file: 'p', sampleRate: 44_100, origin: HOUR, speakers });
        for (const c of result.cues) {
          expect(Number.isSafeInteger(c.in) && Number.isSafeInteger(c.out) && c.in <= c.out).toBe(true);
          expect(c.source?.line).toBeGreaterThanOrEqual(1);
        }
        for (const i of result.issues) expect(Number.isInteger(i.line) && i.line >= 1).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
