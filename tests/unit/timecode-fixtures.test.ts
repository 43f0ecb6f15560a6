/**
 * Timecode ↔ samples against files made by other tools (copied from the shared fixtures, with
 * their licences, into tests/fixtures/):
 *
 * - protools/ (ptulsconv test data, MIT): Pro Tools "Session Info as Text" exports of one session
 *   at 48 kHz in several time formats — 29.97 NDF and DF timecode, samples, feet+frames — and two
 *   23.976 sessions with marker TIME REFERENCE columns. Pro Tools counts samples from the session
 *   start (its timeline's sample 0), so every check works relative to SESSION START TIMECODE.
 * - bwf/ (wavinfo test data, MIT): Broadcast WAVs from a Sound Devices 702T, Pro Tools and
 *   Metacorder, and WaveAgentSoundReport.csv, Sound Devices' own report of each file's start
 *   timecode, checked against the bext TimeReference read with readBwf().
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readBwf } from '../../src/core/bwf/read-bwf.js';
import { LoopstageError } from '../../src/core/errors.js';
import {
  between,
  frameToPosition,
  labelToFrames,
  labelToPosition,
  parseFeetFrames,
  parseFrameRate,
  position,
  positionToFrame,
  positionToLabel,
  type FrameRate,
} from '../../src/core/time/index.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const report: Record<string, unknown> = {};

afterAll(() => {
  console.log(JSON.stringify({ timecodeFixtures: report }, null, 1));
});

// ---------------------------------------------------------------------------------------------
// Pro Tools "Session Info as Text"

interface ProToolsSession {
  rate: FrameRate;
  sampleRate: number;
  /** Frame count of SESSION START TIMECODE (sub-frames, if shown, must be .00). */
  startFrame: number;
  startLabel: string;
  /** Clip rows keyed by "track|channel|event": [clip name, start, end, duration]. */
  clips: Map<string, [string, string, string, string]>;
  /** Marker rows: [location, time reference, units]. */
  markers: Array<[string, string, string]>;
}

function readProTools(name: string): ProToolsSession {
  const text = readFileSync(`${fixtures}protools/${name}`, 'utf8');
  const header = new Map<string, string>();
  const clips: ProToolsSession['clips'] = new Map();
  const markers: ProToolsSession['markers'] = [];
  let track = '';
  let section: 'header' | 'body' | 'markers' = 'header';
  for (const line of text.split(/\r?\n/)) {
    const fields = line.split('\t').map((f) => f.trim());
    const first = fields[0] ?? '';
    if (section === 'header') {
      if (line === '') section = 'body';
      else header.set(first.replace(/:$/, ''), fields[1] ?? '');
      continue;
    }
    if (first.startsWith('M A R K E R S')) section = 'markers';
    else if (first === 'TRACK NAME:') track = fields[1] ?? '';
    else if (section === 'markers' && /^\d+$/.test(first)) markers.push([fields[1] ?? '', fields[2] ?? '', fields[3] ?? '']);
    else if (section === 'body' && fields.length >= 7 && /^\d+$/.test(first) && /^\d+$/.test(fields[1] ?? '')) {
      clips.set(`${track}|${first}|${fields[1]}`, [fields[2] ?? '', fields[3] ?? '', fields[4] ?? '', fields[5] ?? '']);
    }
  }
  const format = /^([\d.]+) (Drop )?Frame$/.exec(header.get('TIMECODE FORMAT') ?? '');
  if (!format) throw new Error(`${name}: unexpected TIMECODE FORMAT ${header.get('TIMECODE FORMAT')}`);
  const rate = parseFrameRate(`${format[1]}${format[2] ? 'df' : 'ndf'}`);
  const sampleRate = Number(header.get('SAMPLE RATE'));
  const startWithSubframes = header.get('SESSION START TIMECODE') ?? '';
  const sub = /^(.*)\.(\d\d)$/.exec(startWithSubframes);
  if (sub && sub[2] !== '00') throw new Error(`${name}: session starts between frames (${startWithSubframes})`);
  const startLabel = sub ? (sub[1] ?? '') : startWithSubframes;
  return { rate, sampleRate, startFrame: labelToFrames(startLabel, rate), startLabel, clips, markers };
}

/** floor(n·sampleRate·den/num) and its ceiling, for comparing rounding conventions. */
function exactBoundary(frames: number, rate: FrameRate, sampleRate: number): { floor: number; ceil: number } {
  const top = frames * sampleRate * rate.den;
  const floor = (top - (top % rate.num)) / rate.num;
  return { floor, ceil: top % rate.num === 0 ? floor : floor + 1 };
}

describe('Pro Tools session text exports', () => {
  it('marker LOCATION timecode gives the marker TIME REFERENCE in samples', () => {
    const files = ['Test for ptulsconv.txt', 'Tag Tests.txt', 'Robin Hood Spotting.txt', 'Robin Hood SpottingDF.txt'];
    const checked: Record<string, number> = {};
    for (const name of files) {
      const session = readProTools(name);
      const origin = labelToPosition(session.startLabel, session.rate, session.sampleRate);
      let count = 0;
      for (const [location, timeReference, units] of session.markers) {
        expect(units).toBe('Samples');
        const samples = Number(timeReference);
        // TIME REFERENCE counts from the session start.
        const frames = labelToFrames(location, session.rate);
        expect(frameToPosition(frames - session.startFrame, session.rate, session.sampleRate), `${name} ${location}`).toBe(samples);
        expect(between(origin, labelToPosition(location, session.rate, session.sampleRate))).toBe(samples);
        expect(positionToFrame(position(samples), session.rate, session.sampleRate) + session.startFrame).toBe(frames);
        count++;
      }
      checked[`${name} (${session.rate.id})`] = count;
    }
    report['proToolsMarkers'] = { checked, total: Object.values(checked).reduce((a, b) => a + b, 0) };
    expect(Object.values(checked).reduce((a, b) => a + b, 0)).toBe(7);
  });

  // The same session exported with timecode (DF, NDF) and with samples: each clip edge's label
  // must be the frame that contains its sample, and clips spotted on a frame line tell which
  // rounding Pro Tools uses for a frame's first sample.
  for (const [labelFile, expectedRate] of [
    ['Robin Hood SpottingDF.txt', '29.97df'],
    ['Robin Hood Spotting.txt', '29.97ndf'],
  ] as const) {
    it(`${labelFile} clip edges match the samples export (rounding evidence)`, () => {
      const labels = readProTools(labelFile);
      const samples = readProTools('Robin Hood Spottingsamples.txt');
      expect(labels.rate.id).toBe(expectedRate);
      expect(labels.sampleRate).toBe(48_000);
      const { rate, sampleRate, startFrame } = labels;
      let compared = 0;
      let onFrameLine = 0;
      const exact = { nearest: 0, floor: 0, ceil: 0, absoluteNearest: 0 };
      const origin = labelToPosition(labels.startLabel, rate, sampleRate);
      for (const [key, [clip, start, end]] of labels.clips) {
        const other = samples.clips.get(key);
        if (!other) continue;
        expect(other[0]).toBe(clip);
        for (const [label, sampleText] of [
          [start, other[1]],
          [end, other[2]],
        ] as const) {
          const s = Number(sampleText);
          const frame = labelToFrames(label, rate) - startFrame; // frames since the session start
          compared++;
          // The label names the frame containing the sample.
          expect(positionToFrame(position(s), rate, sampleRate), `${key} ${label} ${s}`).toBe(frame);
          // Clips on a frame line sit within one sample of n·1601.6; which integer did Pro Tools pick?
          const { floor, ceil } = exactBoundary(frame, rate, sampleRate);
          if (s === floor || s === ceil) {
            onFrameLine++;
            if (s === frameToPosition(frame, rate, sampleRate)) exact.nearest++;
            if (s === floor) exact.floor++;
            if (s === ceil) exact.ceil++;
            // Rounding since midnight instead of since the session start (differs at 29.97 DF,
            // whose 01:00:00;00 falls 0.2 samples after a sample):
            if (s === between(origin, labelToPosition(label, rate, sampleRate))) exact.absoluteNearest++;
          }
        }
      }
      report[`proTools ${labelFile} vs samples`] = {
        rate: rate.id,
        clipEdgesCompared: compared,
        labelIsFrameContainingSample: compared,
        onFrameLine,
        firstSampleOfFrameMatches: exact,
      };
      expect(compared).toBeGreaterThan(150);
      expect(onFrameLine).toBeGreaterThan(100);
      expect(exact.nearest).toBe(onFrameLine); // round to nearest matches every on-line clip
      expect(exact.floor).toBeLessThan(onFrameLine); // floor and ceiling do not
      expect(exact.ceil).toBeLessThan(onFrameLine);
    });
  }

  it('feet+frames export (35 mm at 23.976, from the session start) matches the samples export', () => {
    const feet = readFileSync(`${fixtures}protools/Robin Hood Spotting2.txt`, 'utf8');
    expect(feet).toContain('0+00');
    const feetSession = readProTools('Robin Hood Spotting2.txt');
    const samples = readProTools('Robin Hood Spottingsamples.txt');
    // Pro Tools counts film frames at 24 fps pulled down to 23.976 in a 29.97 session.
    const film = parseFrameRate('23.976');
    let compared = 0;
    for (const [key, [clip, start, end, length]] of feetSession.clips) {
      const other = samples.clips.get(key);
      if (!other) continue;
      expect(other[0]).toBe(clip);
      for (const [ff, sampleText] of [
        [start, other[1]],
        [end, other[2]],
        [length, other[3]],
      ] as const) {
        expect(positionToFrame(position(Number(sampleText)), film, 48_000), `${key} ${ff}`).toBe(parseFeetFrames(ff));
        compared++;
      }
    }
    const [location, timeReference] = feetSession.markers[0] ?? ['', ''];
    expect(parseFeetFrames(location)).toBe(positionToFrame(position(Number(timeReference)), film, 48_000));
    report['proTools feet+frames vs samples'] = { valuesCompared: compared + 1 };
    expect(compared).toBeGreaterThan(200);
  });
});

// ---------------------------------------------------------------------------------------------
// Broadcast WAV files and Sound Devices' report

/** Minimal CSV (quoted fields, "" escapes) for the Wave Agent report, whose lines end in CR. */
function parseCsv(text: string): string[][] {
  return text
    .split(/\r\n|\r|\n/)
    .filter((line) => line !== '')
    .map((line) => {
      const out: string[] = [];
      let field = '';
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (quoted) {
          if (c === '"' && line[i + 1] === '"') {
            field += '"';
            i++;
          } else if (c === '"') quoted = false;
          else field += c;
        } else if (c === '"') quoted = true;
        else if (c === ',') {
          out.push(field);
          field = '';
        } else field += c;
      }
      out.push(field);
      return out;
    });
}

function ixmlValue(ixml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(ixml)?.[1];
}

describe('WaveAgentSoundReport.csv start timecodes vs bext TimeReference', () => {
  // Report name → fixture file. The Metacorder file is the same take (tape Sr001, scene 2C,
  // take 01, note "Tail Slate Cloth noise") under the recorder's own name.
  const files: Record<string, string> = {
    'A101_1.WAV': 'sounddevices_A101_1.WAV',
    'A101_3.WAV': 'sounddevices_A101_3.WAV',
    'A101_4.WAV': 'sounddevices_A101_4.WAV',
    'PT A101_4.A1.wav': 'protools_PT_A101_4.A1.wav',
    'Sr001-2C-01_X.WAV': 'metacorder_Sr001-2C-01_01.WAV',
  };
  // The report's own spelling of the rate → Loopstage id.
  const reportRates: Record<string, string> = { '23.97 ND': '23.976', '25 ND': '25' };

  it('every report row with a fixture file: the start timecode is the frame containing TimeReference', () => {
    const rows = parseCsv(readFileSync(`${fixtures}bwf/WaveAgentSoundReport.csv`, 'latin1'));
    const headerIndex = rows.findIndex((r) => r[0] === 'File Name');
    const header = rows[headerIndex] ?? [];
    const col = (name: string) => header.indexOf(name);
    const checked: Array<Record<string, unknown>> = [];
    let skipped = 0;
    for (const row of rows.slice(headerIndex + 1)) {
      const reportName = row[col('File Name')] ?? '';
      const file = files[reportName];
      if (!file) {
        skipped++;
        continue;
      }
      const info = readBwf(readFileSync(`${fixtures}bwf/${file}`));
      expect(info.bext, file).toBeDefined();
      const timeReference = info.bext?.timeReference ?? -1;
      const ixml = info.ixml ?? '';
      const rate = parseFrameRate(`${ixmlValue(ixml, 'TIMECODE_RATE')}${ixmlValue(ixml, 'TIMECODE_FLAG')}`);
      expect(rate.id).toBe(reportRates[row[col('Frame Rate')] ?? '']);
      expect(info.sampleRate).toBe(Number(row[col('Sample Rate')]));
      const stamped = ixmlValue(ixml, 'TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO');
      if (stamped !== undefined) expect(Number(stamped)).toBe(timeReference);

      const startTc = row[col('Start TC')] ?? '';
      const pos = position(timeReference);
      expect(positionToLabel(pos, rate, info.sampleRate), file).toBe(startTc);
      const samplesIntoFrame = between(labelToPosition(startTc, rate, info.sampleRate), pos);
      checked.push({ file, rate: rate.id, timeReference, startTc, samplesIntoFrame });
    }
    report['waveAgentReport'] = { checked: checked.length, skippedRowsWithoutFixture: skipped, rows: checked };
    expect(checked).toHaveLength(5);
  });
});

describe('readBwf', () => {
  const read = (name: string) => readBwf(readFileSync(`${fixtures}bwf/${name}`));

  it('reads a Sound Devices 702T file', () => {
    const info = read('sounddevices_A101_1.WAV');
    expect(info).toMatchObject({ container: 'RIFF', formatTag: 1, sampleRate: 48_000, channels: 2, bitsPerSample: 24, blockAlign: 6, dataOffset: 6144, dataBytes: 1_441_434 });
    expect(info.bext).toEqual({
      description: expect.stringContaining('sSPEED=023.976-ND\r\n') as unknown,
      originator: 'Sound Dev: 702T S#GR1112089007',
      originatorReference: 'USSDVGR1112089007124001008206301',
      originationDate: '2018-12-31',
      originationTime: '12:40:00',
      timeReference: 2_190_940_753,
      version: 1,
      codingHistory: 'A=PCM,F=48000,W=24,M=stereo,R=48000,T=2 Ch\r\n',
    });
    expect(info.ixml).toMatch(/^<\?xml[\s\S]*<\/BWFXML>$/);
  });

  it('stops bext strings at the first NUL (Metacorder leaves garbage after it)', () => {
    const info = read('metacorder_Sr001-2C-01_01.WAV');
    expect(info.bext?.originator).toBe('Metacorder Demo');
    expect(info.bext?.timeReference).toBe(2_354_414_956);
    expect(info).toMatchObject({ channels: 1, sampleRate: 48_000, bitsPerSample: 24, dataOffset: 910, dataBytes: 1_008_000 });
    expect(info.ixml).toContain('<CIRCLED>');
  });

  it('skips JUNK and unknown chunks, and reads files without bext', () => {
    const pt = read('protools_umid.wav');
    expect(pt).toMatchObject({ sampleRate: 44_100, channels: 1, dataOffset: 16_384, dataBytes: 132_300 });
    expect(pt.bext).toMatchObject({ originator: 'Pro Tools', timeReference: 676_200, version: 1, codingHistory: '' });
    const plain = read('smpl_alarm_citizen_loop1.wav');
    expect(plain.bext).toBeUndefined();
    expect(plain.ixml).toBeUndefined();
    expect(plain).toMatchObject({ sampleRate: 22_050, bitsPerSample: 16, dataOffset: 44, dataBytes: 199_020 });
  });

  /** A synthetic WAV: the given chunks after a RIFF/RF64 header. */
  function wav(chunks: Array<[string, Uint8Array, number?]>, magic = 'RIFF', riffSize?: number): Uint8Array {
    const parts: number[] = [];
    const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
    const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
    for (const [id, body, declared] of chunks) {
      parts.push(...ascii(id), ...u32(declared ?? body.length), ...body);
      if (body.length % 2 === 1) parts.push(0);
    }
    return new Uint8Array([...ascii(magic), ...u32(riffSize ?? parts.length + 4), ...ascii('WAVE'), ...parts]);
  }
  const fmt = new Uint8Array([1, 0, 2, 0, 0x80, 0xbb, 0, 0, 0, 0x65, 4, 0, 6, 0, 24, 0]); // PCM, 2 ch, 48 kHz, 24-bit

  it('reads RF64 sizes from ds64', () => {
    const ds64 = new Uint8Array(28);
    const view = new DataView(ds64.buffer);
    view.setUint32(0, 100, true); // riff size low (patched below)
    view.setUint32(8, 12, true); // data size low
    view.setUint32(12, 0, true);
    const file = wav([['ds64', ds64], ['fmt ', fmt], ['data', new Uint8Array(12), 0xffff_ffff]], 'RF64', 0xffff_ffff);
    new DataView(file.buffer).setUint32(20, file.length - 8, true);
    const info = readBwf(file);
    expect(info).toMatchObject({ container: 'RF64', channels: 2, sampleRate: 48_000, bitsPerSample: 24, dataBytes: 12 });
    expect(info.dataOffset).toBe(12 + 8 + 28 + 8 + 16 + 8);
  });

  it('reports malformed input as BWF_MALFORMED', () => {
    const data = new Uint8Array(12);
    const cases: Record<string, Uint8Array> = {
      empty: new Uint8Array(0),
      'not a WAV': new TextEncoder().encode('ID3\u0003 this is an mp3 file'),
      'no fmt': wav([['data', data]]),
      'no data': wav([['fmt ', fmt]]),
      'short fmt': wav([['fmt ', fmt.subarray(0, 10)], ['data', data]]),
      'chunk past the end': wav([['fmt ', fmt], ['data', data, 5000]]),
      'file cut short': wav([['fmt ', fmt], ['data', data]], 'RIFF', 10_000),
      'short bext': wav([['bext', new Uint8Array(100)], ['fmt ', fmt], ['data', data]]),
      'zero channels': wav([['fmt ', new Uint8Array(16)], ['data', data]]),
      'RF64 without ds64': wav([['fmt ', fmt], ['data', data]], 'RF64'),
    };
    for (const [what, bytes] of Object.entries(cases)) {
      let error: unknown;
      try {
        readBwf(bytes);
      } catch (e) {
        error = e;
      }
      expect(error, what).toBeInstanceOf(LoopstageError);
      expect((error as LoopstageError).code, what).toBe('BWF_MALFORMED');
      expect((error as LoopstageError).message, what).toMatch(/^[A-Z].*\.$/);
    }
  });
});
