// The iXML of a take: the fields issue 4 asks for, exact round trips through our own reader, the
// fixed reserve (padding and IXML_NO_ROOM), and well-formedness checked by an independent XML
// parser (Python's expat, when python3 is installed) over many generated documents.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBwf } from '../../src/core/bwf/read-bwf.js';
import {
  buildIxml,
  IXML_RESERVED_BYTES,
  ixmlDocument,
  ixmlReserveFor,
  parseIxml,
  parseXml,
  utf8Decode,
  utf8Encode,
  xmlSafeText,
  type TakeIxml,
} from '../../src/core/bwf/ixml.js';
import { FRAME_RATES, FRAME_RATE_IDS } from '../../src/core/time/index.js';

const hasPython = spawnSync('python3', ['-c', 'import xml.parsers.expat']).status === 0;

const META: TakeIxml = {
  project: 'The Lighthouse Keeper',
  scene: '12A',
  take: 3,
  tape: 'DAY01',
  circled: false,
  alternate: false,
  noGood: false,
  falseStart: false,
  rating: null,
  note: '',
  frameRate: FRAME_RATES['23.976'],
  sampleRate: 48_000,
  bitsPerSample: 24,
  timestamp: 172_800_000,
  tracks: ['Boom', 'Lav'],
  cue: { number: '101', character: 'Émile', line: 'Où est le phare ?' },
  fileName: '101_Émile_T03.wav',
};

function decode(bytes: Uint8Array): string {
  const text = utf8Decode(bytes);
  if (text === null) throw new Error('not UTF-8');
  return text;
}

/** What a field reads back as: the text with what XML cannot carry removed. */
function sanitised(meta: TakeIxml): TakeIxml {
  return {
    ...meta,
    project: xmlSafeText(meta.project),
    scene: xmlSafeText(meta.scene),
    tape: xmlSafeText(meta.tape),
    note: xmlSafeText(meta.note),
    tracks: meta.tracks.map(xmlSafeText),
    cue: { number: xmlSafeText(meta.cue.number), character: xmlSafeText(meta.cue.character), line: xmlSafeText(meta.cue.line) },
    ...(meta.fileName !== undefined ? { fileName: xmlSafeText(meta.fileName) } : {}),
  };
}

describe('buildIxml', () => {
  it('writes the fields issue 4 names, with TIMECODE_RATE as a ratio', () => {
    const xml = ixmlDocument({ ...META, circled: true, note: 'good & fast', rating: 4 });
    for (const expected of [
      '<PROJECT>The Lighthouse Keeper</PROJECT>',
      '<SCENE>12A</SCENE>',
      '<TAKE>3</TAKE>',
      '<TAPE>DAY01</TAPE>',
      '<CIRCLED>TRUE</CIRCLED>',
      '<NOTE>good &amp; fast</NOTE>',
      '<TIMECODE_RATE>24000/1001</TIMECODE_RATE>',
      '<TIMECODE_FLAG>NDF</TIMECODE_FLAG>',
      '<FILE_SAMPLE_RATE>48000</FILE_SAMPLE_RATE>',
      '<TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>0</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>',
      '<TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>172800000</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>',
      '<TRACK_COUNT>2</TRACK_COUNT>',
      '<NAME>Boom</NAME>',
      '<NAME>Lav</NAME>',
      '<CUE_NUMBER>101</CUE_NUMBER>',
      '<CHARACTER>Émile</CHARACTER>',
      '<LINE_TEXT>Où est le phare ?</LINE_TEXT>',
      '<RATING>4</RATING>',
      '<NG>FALSE</NG>',
    ]) {
      expect(xml).toContain(expected);
    }
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<BWFXML>')).toBe(true);
  });

  it.each([
    ['23.976', '24000/1001', 'NDF'],
    ['25', '25/1', 'NDF'],
    ['29.97df', '30000/1001', 'DF'],
    ['29.97ndf', '30000/1001', 'NDF'],
    ['59.94df', '60000/1001', 'DF'],
  ] as const)('%s → TIMECODE_RATE %s, TIMECODE_FLAG %s', (id, ratio, flag) => {
    const xml = ixmlDocument({ ...META, frameRate: FRAME_RATES[id] });
    expect(xml).toContain(`<TIMECODE_RATE>${ratio}</TIMECODE_RATE>`);
    expect(xml).toContain(`<TIMECODE_FLAG>${flag}</TIMECODE_FLAG>`);
  });

  it.each([
    [0, 0, 0],
    [2 ** 32 - 1, 0, 2 ** 32 - 1],
    [2 ** 32, 1, 0],
    [2 ** 32 + 5, 1, 5],
    // 23:59:59 at 192 kHz: past 2^32
    [86_399 * 192_000, 3, 86_399 * 192_000 - 3 * 2 ** 32],
    [Number.MAX_SAFE_INTEGER, 2 ** 21 - 1, 2 ** 32 - 1],
  ])('splits %d samples since midnight into HI %d and LO %d', (timestamp, hi, lo) => {
    const xml = ixmlDocument({ ...META, timestamp });
    expect(xml).toContain(`<TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>${hi}</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>`);
    expect(xml).toContain(`<TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>${lo}</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>`);
    expect(hi * 2 ** 32 + lo).toBe(timestamp);
    expect(parseIxml(xml).timestamp).toBe(timestamp);
  });

  it('escapes markup and keeps carriage returns', () => {
    const meta = { ...META, project: `A & B <c> "d" 'e' ]]>`, note: 'one\r\ntwo\rthree\n' };
    const xml = ixmlDocument(meta);
    expect(xml).toContain('<PROJECT>A &amp; B &lt;c&gt; &quot;d&quot; &apos;e&apos; ]]&gt;</PROJECT>');
    expect(parseIxml(xml)).toEqual(meta);
  });

  it('removes what XML cannot carry: control characters, unpaired surrogates, U+FFFE', () => {
    const meta = { ...META, note: 'a\u0000b\u0007c\ud800d\udc00e\ufffef\u{1F3AC}g\tend' };
    expect(parseIxml(ixmlDocument(meta)).note).toBe('abcdef\u{1F3AC}g\tend');
  });

  it('pads to exactly the reserve with spaces, counting UTF-8 bytes', () => {
    const bytes = buildIxml({ ...META, note: 'ééé 😀' });
    expect(bytes.length).toBe(IXML_RESERVED_BYTES);
    const doc = utf8Encode(ixmlDocument({ ...META, note: 'ééé 😀' }));
    expect(bytes.subarray(0, doc.length)).toEqual(doc);
    expect(bytes.subarray(doc.length).every((b) => b === 0x20)).toBe(true);
    expect(parseIxml(decode(bytes)).note).toBe('ééé 😀');
  });

  it('refuses content past the reserve with IXML_NO_ROOM', () => {
    const note = 'é'.repeat(IXML_RESERVED_BYTES / 2);
    expect(() => buildIxml({ ...META, note })).toThrow(expect.objectContaining({ code: 'IXML_NO_ROOM' }));
    // A reserve made for that content fits it, with headroom, in 4 KiB steps.
    const reserve = ixmlReserveFor({ ...META, note });
    expect(reserve % 4096).toBe(0);
    expect(buildIxml({ ...META, note }, reserve).length).toBe(reserve);
    expect(reserve - utf8Encode(ixmlDocument({ ...META, note })).length).toBeGreaterThanOrEqual(4096);
    expect(ixmlReserveFor(META)).toBe(IXML_RESERVED_BYTES);
  });

  it('refuses a rating outside 0–5 and a negative start', () => {
    expect(() => ixmlDocument({ ...META, rating: 6 })).toThrow(expect.objectContaining({ code: 'IXML_INVALID_FIELD' }));
    expect(() => ixmlDocument({ ...META, rating: 2.5 })).toThrow(expect.objectContaining({ code: 'IXML_INVALID_FIELD' }));
    expect(() => ixmlDocument({ ...META, timestamp: -1 })).toThrow(expect.objectContaining({ code: 'IXML_INVALID_FIELD' }));
  });
});

describe('parseIxml', () => {
  it('reads the iXML of a Sound Devices recording', () => {
    const info = readBwf(readFileSync(new URL('../fixtures/bwf/sounddevices_A101_1.WAV', import.meta.url)));
    const meta = parseIxml(info.ixml ?? '');
    expect(meta).toMatchObject({
      project: 'BMH',
      scene: 'A101',
      take: 1,
      tape: '18Y12M31',
      circled: false,
      frameRate: FRAME_RATES['23.976'],
      sampleRate: 48_000,
      bitsPerSample: 24,
      timestamp: 2_190_940_753,
      tracks: ['MKH516 A', 'Boom'],
      fileName: 'A101_1.WAV',
    });
    expect(meta.timestamp).toBe(info.bext?.timeReference);
  });

  it.each([
    ['an unclosed element', '<BWFXML><NOTE>x</BWFXML>'],
    ['a mismatched end tag', '<BWFXML><NOTE>x</NOT></BWFXML>'],
    ['a bare ampersand', '<BWFXML><NOTE>a & b</NOTE></BWFXML>'],
    ['an unknown entity', '<BWFXML><NOTE>&nbsp;</NOTE></BWFXML>'],
    ['a DOCTYPE', '<!DOCTYPE x [<!ENTITY a "b">]><BWFXML/>'],
    ['two roots', '<BWFXML/><BWFXML/>'],
    ['a control character', '<BWFXML><NOTE>\u0001</NOTE></BWFXML>'],
    ['a character reference to NUL', '<BWFXML><NOTE>&#0;</NOTE></BWFXML>'],
    ['text before the root', 'x<BWFXML/>'],
    ['a bad attribute', '<BWFXML a=b/>'],
    ['a comment with --', '<BWFXML><!-- a -- b --></BWFXML>'],
  ])('rejects %s as IXML_MALFORMED', (_, text) => {
    expect(() => parseXml(text)).toThrow(expect.objectContaining({ code: 'IXML_MALFORMED' }));
  });

  it('reads CDATA, comments, attributes and references', () => {
    const root = parseXml('<?xml version="1.0"?>\n<!-- c --><A b="1 &amp; 2"><![CDATA[<x>&]]>&#x1F3AC;&#65;<B/></A>\n  ');
    expect(root).toEqual({ name: 'A', attributes: { b: '1 & 2' }, children: ['<x>&\u{1F3AC}A', { name: 'B', attributes: {}, children: [] }] });
  });

  it('refuses XML whose root is not BWFXML', () => {
    expect(() => parseIxml('<FOO/>')).toThrow(expect.objectContaining({ code: 'IXML_MALFORMED' }));
  });
});

describe('iXML properties', () => {
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: fc.constantFrom('\ud800', '\udc00', '\u0000', '\u0008', '\r', '\n', '\t', '&', '<', '>', ']]>', '"', "'", '\ufffe', 'é', '😀', 'a', ' ', '&amp;'), maxLength: 40 }),
  );
  const meta: fc.Arbitrary<TakeIxml> = fc.record({
    project: text,
    scene: text,
    take: fc.nat({ max: 10_000 }),
    tape: text,
    circled: fc.boolean(),
    alternate: fc.boolean(),
    noGood: fc.boolean(),
    falseStart: fc.boolean(),
    rating: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
    note: fc.oneof(text, fc.string({ unit: 'binary', minLength: 1000, maxLength: 3000 })),
    frameRate: fc.constantFrom(...FRAME_RATE_IDS).map((id) => FRAME_RATES[id]),
    sampleRate: fc.constantFrom(44_100, 48_000, 96_000, 192_000),
    bitsPerSample: fc.constantFrom(16, 24, 32),
    timestamp: fc.maxSafeNat(),
    tracks: fc.array(text, { maxLength: 12 }),
    cue: fc.record({ number: text, character: text, line: text }),
    fileName: text,
  });

  it('round-trips through parseIxml, fills its reserve exactly, or says IXML_NO_ROOM', () => {
    const documents: string[] = [];
    fc.assert(
      fc.property(meta, fc.constantFrom(2048, 4096, IXML_RESERVED_BYTES), (m, reserve) => {
        const docBytes = utf8Encode(ixmlDocument(m)).length;
        if (docBytes > reserve) {
          expect(() => buildIxml(m, reserve)).toThrow(expect.objectContaining({ code: 'IXML_NO_ROOM' }));
          return;
        }
        const bytes = buildIxml(m, reserve);
        expect(bytes.length).toBe(reserve);
        const padded = decode(bytes);
        expect(parseIxml(padded)).toEqual(sanitised(m));
        if (documents.length < 400) documents.push(padded);
      }),
      { numRuns: 600 },
    );
    expect(documents.length).toBeGreaterThan(100);
    // An independent XML parser (Python's expat, on every Debian machine) reads every document.
    if (!hasPython) throw new Error('this check reads the XML with python3\'s expat: install python3');
    expectWellFormedByExpat(documents);
  });
});

/** Python's expat (a validating-for-well-formedness C parser) reads every document; UTF-8 bytes as written. */
function expectWellFormedByExpat(documents: string[]): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'loopstage-ixml-'));
  try {
    documents.forEach((doc, i) => writeFileSync(path.join(dir, `${i}.xml`), utf8Encode(doc)));
    const script = [
      'import sys, os, xml.parsers.expat',
      'bad = []',
      'for name in sorted(os.listdir(sys.argv[1])):',
      '    p = xml.parsers.expat.ParserCreate()',
      '    try:',
      '        p.Parse(open(os.path.join(sys.argv[1], name), "rb").read(), True)',
      '    except xml.parsers.expat.ExpatError as e:',
      '        bad.append(name + ": " + str(e))',
      'print(len(os.listdir(sys.argv[1])), "parsed;", len(bad), "bad")',
      'print("\\n".join(bad[:5]))',
      'sys.exit(1 if bad else 0)',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script, dir], { encoding: 'utf8' });
    expect(run.stdout).toContain(`${documents.length} parsed; 0 bad`);
    expect(run.status).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

