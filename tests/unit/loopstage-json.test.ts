/**
 * The Loopstage JSON cue format (adapters/interchange/loopstage-json.ts): lossless round trips,
 * issues with line and column for broken files, and the whole chain
 * CSV → drafts → JSON → drafts → CSV over the spreadsheet fixtures in tests/fixtures/cues/.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CUE_KINDS, CUE_STATUSES, FOLEY_PASSES, type CharacterDraft, type CueDraft, type SceneDraft } from '../../src/core/cues/cue.js';
import { parseFrameRate } from '../../src/core/time/index.js';
import { cuesToCsv } from '../../src/adapters/interchange/csv-export.js';
import { readCueTable } from '../../src/adapters/interchange/csv.js';
import { readLoopstageJson, writeLoopstageJson } from '../../src/adapters/interchange/loopstage-json.js';
import { importSubtitles } from '../../src/adapters/interchange/subtitles.js';

const R23 = parseFrameRate('23.976');
const meta = { frameRate: R23, sampleRate: 48_000 };
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/cues/${name}`, import.meta.url), 'utf8');

const everyField: CueDraft = {
  kind: 'adr',
  number: 'R101',
  in: 172_972_800,
  out: 173_020_848,
  reel: 'R1',
  scene: null,
  character: 'ROBIN',
  notes: 'n',
  engNotes: 'e',
  status: 'in_progress',
  colour: null,
  lineText: 'Line "quoted"\nnext ✓ 🎬',
  altText: '',
  reason: 'noise',
  priority: 2,
  onScreen: null,
  tv: false,
  tbw: true,
  adlib: false,
  optional: true,
  pass: null,
  surface: 's',
  footwear: 'f',
  prop: 'p',
  description: 'd',
  track: 't',
  source: { file: 'spot.csv', line: 4, column: 2 },
};

describe('Loopstage JSON', () => {
  it('round-trips every draft field, null and absent kept apart, with characters, scenes and rates', () => {
    const foley: CueDraft = { kind: 'foley', number: null, in: 0, out: 0, pass: 'feet' };
    const scene: SceneDraft = { number: '12', description: 'Sherwood', reel: 'R1', in: 1, out: 99, source: { file: 'x', line: 1 } };
    const characters: CharacterDraft[] = [{ name: 'ROBIN', actor: 'Errol Flynn', prefix: null, source: { file: 'x', line: 2 } }, { name: 'MARIAN' }];
    const text = writeLoopstageJson({ cues: [everyField, foley], scenes: [scene], characters }, meta);
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toMatchObject({ format: 'loopstage-cues', version: 1, frameRate: '23.976', sampleRate: 48_000 });
    const read = readLoopstageJson(text, { file: 'list.json' });
    expect(read.issues).toEqual([]);
    expect(read.cues).toEqual([everyField, foley]);
    expect(read.cues[1]).not.toHaveProperty('reel');
    expect(read.cues[0]).toHaveProperty('scene', null);
    expect(read.scenes).toEqual([scene]);
    expect(read.characters).toEqual(characters);
    expect(read.frameRate).toBe(R23);
    expect(read.sampleRate).toBe(48_000);
    expect(writeLoopstageJson(read, meta)).toBe(text);
  });

  it('writes keys in one order whatever order the drafts have', () => {
    const shuffled = Object.fromEntries(Object.entries(everyField).reverse()) as unknown as CueDraft;
    expect(writeLoopstageJson({ cues: [shuffled], scenes: [], characters: [] }, meta)).toBe(writeLoopstageJson({ cues: [everyField], scenes: [], characters: [] }, meta));
  });

  it('names line and column of a syntax error', () => {
    const broken = '{\n  "format": "loopstage-cues",\n  "version": 1\n  "cues": []\n}\n';
    expect(readLoopstageJson(broken, { file: 'b.json' }).issues).toMatchObject([{ severity: 'error', code: 'JSON_SYNTAX', file: 'b.json', line: 4, column: 3 }]);
    expect(readLoopstageJson('{"a": [1, 2,]}', { file: 'b.json' }).issues[0]).toMatchObject({ code: 'JSON_SYNTAX', line: 1, column: 13 });
    expect(readLoopstageJson('{\r\n// note\r\n}', { file: 'b.json' }).issues[0]).toMatchObject({ code: 'JSON_SYNTAX', line: 2, column: 1 });
    expect(readLoopstageJson('{"a": "open', { file: 'b.json' }).issues[0]?.message).toContain('string is not closed');
    expect(readLoopstageJson('', { file: 'b.json' }).issues[0]).toMatchObject({ code: 'JSON_SYNTAX', line: 1 });
  });

  it('refuses other formats and other versions with a clear issue', () => {
    expect(readLoopstageJson('[]', { file: 'x.json' }).issues[0]?.code).toBe('JSON_NOT_LOOPSTAGE');
    expect(readLoopstageJson('{"format": "otio"}', { file: 'x.json' }).issues[0]).toMatchObject({ code: 'JSON_NOT_LOOPSTAGE', line: 1, column: 12 });
    const newer = readLoopstageJson('{\n"format": "loopstage-cues",\n"version": 2\n}', { file: 'x.json' });
    expect(newer.issues).toMatchObject([{ code: 'JSON_UNSUPPORTED_VERSION', line: 3 }]);
    expect(newer.issues[0]?.message).toContain('newer Loopstage');
    expect(readLoopstageJson('{"format": "loopstage-cues", "version": "1"}', { file: 'x.json' }).issues[0]?.message).toContain('no Loopstage wrote');
    const badRate = '{"format": "loopstage-cues", "version": 1, "frameRate": "31", "sampleRate": 48000, "characters": [], "scenes": [], "cues": []}';
    const noRate = readLoopstageJson(badRate, { file: 'x.json' });
    expect(noRate.issues[0]).toMatchObject({ code: 'JSON_BAD_ENVELOPE', line: 1, column: badRate.indexOf('"31"') + 1 });
    expect(noRate.issues[0]?.message).toContain('frameRate');
    expect(noRate.frameRate).toBeNull();
  });

  it('reports a bad cue at the offending value and still reads the others', () => {
    const text = writeLoopstageJson({ cues: [everyField, { ...everyField, number: 'R102' }, { ...everyField, number: 'R103' }], scenes: [], characters: [] }, meta)
      .replace('"number": "R102",\n      "in": 172972800,\n      "out": 173020848', '"number": "R102",\n      "in": 172972800,\n      "out": 5')
      .replace('"number": "R103",', '"number": "R103",\n      "mood": "grim",');
    const read = readLoopstageJson(text, { file: 'c.json' });
    expect(read.cues.map((c) => c.number)).toEqual(['R101']);
    const lines = text.split('\n');
    const outLine = lines.findIndex((l) => l.includes('"out": 5')) + 1;
    const cueLine = lines.findIndex((l) => l.includes('"mood"')) + 1;
    expect(read.issues.map((i) => [i.code, i.line])).toEqual([['JSON_BAD_CUE', outLine], ['JSON_BAD_CUE', cueLine]]);
    expect(read.issues[0]?.message).toContain('ends before it starts');
    expect(read.issues[1]?.message).toContain('Cue 3');
    expect(read.issues[1]?.message).toContain('mood');
  });
});

describe('round trip CSV → drafts → JSON → drafts → CSV', () => {
  it.each([
    ['adr-spreadsheet.csv', '23.976', ','],
    ['foley-list.tsv', '25', '\t'],
    ['loops-semicolon.csv', '29.97df', ','],
  ] as const)('%s gives the same CSV and the same drafts', (name, rateId, delimiter) => {
    const rate = parseFrameRate(rateId);
    const options = { frameRate: rate, sampleRate: 48_000 };
    const first = readCueTable(fixture(name), { file: name, ...options }).result;
    const csv = cuesToCsv(first.cues, { ...options, delimiter, characters: first.characters });
    const drafts = readCueTable(csv, { file: 'export.csv', ...options }).result;
    expect(drafts.issues).toEqual([]);
    const json = writeLoopstageJson(drafts, options);
    const back = readLoopstageJson(json, { file: 'export.json' });
    expect(back.issues).toEqual([]);
    expect(back.cues).toEqual(drafts.cues);
    expect(back.characters).toEqual(drafts.characters);
    expect(back.frameRate).toBe(rate);
    expect(cuesToCsv(back.cues, { ...options, delimiter, characters: back.characters })).toBe(csv);
  });

  it('keeps subtitle times that fall between frames', () => {
    const { result } = importSubtitles('srt', fixture('robin.srt'), { file: 'robin.srt', sampleRate: 44_100, projectStart: 0, origin: 1 });
    const back = readLoopstageJson(writeLoopstageJson(result, { frameRate: R23, sampleRate: 44_100 }), { file: 'r.json' });
    expect(back.cues).toEqual(result.cues);
    const csv = cuesToCsv(back.cues, { frameRate: R23, sampleRate: 44_100, delimiter: ',' });
    expect(readCueTable(csv, { file: 'r.csv', frameRate: R23, sampleRate: 44_100 }).result.cues.map((c) => [c.in, c.out])).toEqual(result.cues.map((c) => [c.in, c.out]));
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const str = fc.string({ maxLength: 12 });
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const draftArb: fc.Arbitrary<CueDraft> = fc
  .record(
    {
      kind: fc.constantFrom(...CUE_KINDS),
      number: fc.option(str, { nil: null }),
      in: fc.nat({ max: Number.MAX_SAFE_INTEGER - 2 ** 40 }),
      length: fc.nat({ max: 2 ** 40 }),
      reel: fc.option(str, { nil: null }),
      scene: fc.option(str, { nil: null }),
      character: fc.option(str, { nil: null }),
      notes: str,
      engNotes: str,
      status: fc.constantFrom(...CUE_STATUSES),
      colour: fc.option(str, { nil: null }),
      lineText: fc.string({ unit: 'grapheme', maxLength: 20 }),
      altText: str,
      reason: fc.option(str, { nil: null }),
      priority: fc.option(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0))), { nil: null }),
      onScreen: fc.option(fc.boolean(), { nil: null }),
      tv: fc.boolean(),
      tbw: fc.boolean(),
      adlib: fc.boolean(),
      optional: fc.boolean(),
      pass: fc.option(fc.constantFrom(...FOLEY_PASSES), { nil: null }),
      surface: str,
      footwear: str,
      prop: str,
      description: str,
      track: str,
      source: fc.record({ file: str, line: fc.nat(), column: optional(fc.nat()) }, { requiredKeys: ['file', 'line'] }),
    },
    { requiredKeys: ['kind', 'number', 'in', 'length'] },
  )
  .map(({ length, ...rest }) => ({ ...rest, out: rest.in + length }) as CueDraft);

function checkIssues(issues: readonly { line: number; column?: number }[], text: string): void {
  const lines = text.split(/\r\n|\r|\n/).length;
  for (const issue of issues) {
    expect(issue.line >= 1 && issue.line <= lines).toBe(true);
    if (issue.column !== undefined) expect(issue.column).toBeGreaterThanOrEqual(1);
  }
}

describe('properties', () => {
  it('any drafts round-trip through JSON unchanged', () => {
    const characterArb = fc.record({ name: fc.string({ minLength: 1, maxLength: 8 }), actor: fc.option(str, { nil: null }), prefix: optional(fc.option(str, { nil: null })) }, { requiredKeys: ['name'] });
    const sceneArb = fc.record({ number: str, description: optional(str), reel: optional(fc.option(str, { nil: null })), in: fc.nat({ max: 1000 }), out: fc.integer({ min: 1000, max: 2000 }) }, { requiredKeys: ['number', 'in', 'out'] });
    fc.assert(
      fc.property(fc.array(draftArb, { maxLength: 5 }), fc.array(characterArb, { maxLength: 3 }), fc.array(sceneArb, { maxLength: 3 }), (cues, characters, scenes) => {
        const text = writeLoopstageJson({ cues, characters, scenes }, meta);
        const read = readLoopstageJson(text, { file: 'p.json' });
        expect(read.issues).toEqual([]);
        expect(read.cues).toEqual(cues);
        expect(read.characters).toEqual(characters);
        expect(read.scenes).toEqual(scenes);
      }),
      { numRuns: 200 },
    );
  });

  it('arbitrary text never throws and issues name real lines', () => {
    const jsonish = fc.array(fc.constantFrom('{', '}', '[', ']', '"', ':', ',', ' ', '\n', '\r\n', '1', '-', 'true', 'null', '"format"', '"loopstage-cues"', '"version"', '"cues"', '//', '\\', 'é'), { maxLength: 60 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.oneof(jsonish, fc.string({ maxLength: 60 }), fc.json()), (text) => {
        const read = readLoopstageJson(text, { file: 'p.json' });
        checkIssues(read.issues, text);
        for (const c of read.cues) expect(c.in <= c.out).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('a mutated export never throws, and every cue it still reads is valid', () => {
    const text = writeLoopstageJson({ cues: [everyField, { ...everyField, kind: 'foley', pass: 'props' }], scenes: [{ number: '1', in: 0, out: 5 }], characters: [{ name: 'ROBIN' }] }, meta);
    const edit = fc.record({ at: fc.nat({ max: text.length - 1 }), length: fc.nat({ max: 4 }), insert: fc.constantFrom('', '"', ',', '}', ']', '1', '-1', 'null', '\n', '9999999999999999999', '"x"') });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 5 }), (edits) => {
        const t = edits.reduce((acc, e) => acc.slice(0, e.at) + e.insert + acc.slice(e.at + e.length), text);
        const read = readLoopstageJson(t, { file: 'm.json' });
        checkIssues(read.issues, t);
        for (const c of read.cues) expect(Number.isSafeInteger(c.in) && Number.isSafeInteger(c.out) && c.in <= c.out).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
