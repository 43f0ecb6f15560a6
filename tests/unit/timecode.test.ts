import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LoopstageError } from '../../src/core/errors.js';
import {
  FRAME_RATE_IDS,
  FRAME_RATES,
  between,
  duration,
  frameRateRatio,
  frameToPosition,
  framesPerDay,
  framesToFeetFrames,
  framesToLabel,
  labelToFrames,
  labelToPosition,
  offset,
  parseFeetFrames,
  parseFrameRate,
  position,
  positionToFrame,
  positionToLabel,
  type Duration,
  type FrameRate,
  type Position,
} from '../../src/core/time/index.js';

const ALL_RATES: readonly FrameRate[] = FRAME_RATE_IDS.map((id) => FRAME_RATES[id]);
const SAMPLE_RATES = [44_100, 48_000, 96_000, 192_000] as const;

/** Runs fn and returns the LoopstageError it throws (fails the test if it throws anything else or nothing). */
function errorOf(fn: () => unknown): LoopstageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LoopstageError);
    return error as LoopstageError;
  }
  throw new Error('expected a LoopstageError, but nothing was thrown');
}

/** Reference: round-half-up(n·sampleRate·den/num) in BigInt. */
function referenceFrameStart(n: number, rate: FrameRate, sampleRate: number): number {
  const s = BigInt(sampleRate) * BigInt(rate.den);
  const num = BigInt(rate.num);
  return Number((2n * BigInt(n) * s + num) / (2n * num));
}

describe('position and duration', () => {
  it('accept safe integers and reject the rest', () => {
    expect(position(0)).toBe(0);
    expect(position(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(duration(-5)).toBe(-5);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(errorOf(() => position(bad)).code).toBe('POSITION_INVALID');
    }
    for (const bad of [0.5, Number.NaN, 2 ** 53, -(2 ** 53)]) {
      expect(errorOf(() => duration(bad)).code).toBe('DURATION_INVALID');
    }
  });

  it('offset and between are inverse', () => {
    const a = position(1_000);
    const b = position(48_000);
    const d = between(a, b);
    expect(d).toBe(47_000);
    expect(offset(a, d)).toBe(b);
    expect(between(b, a)).toBe(-47_000);
    expect(offset(b, between(b, a))).toBe(a);
    expect(errorOf(() => offset(a, duration(-1_001))).code).toBe('POSITION_INVALID');
  });

  it('does not let positions and durations mix (checked by tsc)', () => {
    const a: Position = position(10);
    const b: Position = position(20);
    const d: Duration = duration(5);
    // @ts-expect-error adding two positions is a number, not a Position
    const sum: Position = a + b;
    // @ts-expect-error a Duration is not a Position
    const notPosition: Position = d;
    // @ts-expect-error a Position is not a Duration
    const notDuration: Duration = a;
    // @ts-expect-error a bare number is not a Position
    const bare: Position = 3;
    // @ts-expect-error offset takes a Duration, not a Position
    offset(a, b);
    expect([sum, notPosition, notDuration, bare]).toEqual([30, 5, 10, 3]);
  });
});

describe('frame rates', () => {
  it('are exact rationals with drop-frame only at 29.97 and 59.94', () => {
    expect(FRAME_RATE_IDS).toHaveLength(12);
    for (const rate of ALL_RATES) {
      expect(FRAME_RATES[rate.id]).toBe(rate);
      expect(Number.isInteger(rate.num) && Number.isInteger(rate.den)).toBe(true);
      expect(rate.timecodeBase).toBe(Math.round(rate.num / rate.den));
      expect(rate.dropFrame).toBe(rate.id === '29.97df' || rate.id === '59.94df');
    }
    expect(FRAME_RATES['23.976']).toMatchObject({ num: 24000, den: 1001, dropFrame: false, timecodeBase: 24 });
    expect(FRAME_RATES['47.952']).toMatchObject({ num: 48000, den: 1001, dropFrame: false, timecodeBase: 48 });
    expect(FRAME_RATES['59.94ndf']).toMatchObject({ num: 60000, den: 1001, dropFrame: false, timecodeBase: 60 });
  });

  it('parses every id, case-insensitively, and unambiguous aliases', () => {
    for (const id of FRAME_RATE_IDS) {
      expect(parseFrameRate(id).id).toBe(id);
      expect(parseFrameRate(id.toUpperCase()).id).toBe(id);
    }
    expect(parseFrameRate(' 29.97 DF ').id).toBe('29.97df');
    expect(parseFrameRate('59.94-NDF').id).toBe('59.94ndf');
    expect(parseFrameRate('23.98').id).toBe('23.976');
    expect(parseFrameRate('24000/1001').id).toBe('23.976');
    expect(parseFrameRate('25/1').id).toBe('25');
    expect(parseFrameRate('30000/1001df').id).toBe('29.97df');
    expect(parseFrameRate('25ndf').id).toBe('25');
  });

  it('refuses ambiguous, impossible and unknown rates with a clear error', () => {
    for (const text of ['29.97', '59.94', '30000/1001']) {
      const error = errorOf(() => parseFrameRate(text));
      expect(error.code).toBe('RATE_AMBIGUOUS');
      expect(error.message).toMatch(/df.*ndf/);
    }
    for (const text of ['23.976df', '30df', '25DF']) {
      expect(errorOf(() => parseFrameRate(text)).code).toBe('RATE_NO_DROP_FRAME');
    }
    for (const text of ['', '29', '29.970df', 'fast', '2997df', '24fps']) {
      const error = errorOf(() => parseFrameRate(text));
      expect(error.code).toBe('RATE_UNKNOWN');
      expect(error.message).toContain('23.976, 24, 25, 29.97df, 29.97ndf, 30, 47.952, 48, 50, 59.94df, 59.94ndf, 60');
    }
  });

  it('gives the iXML ratio', () => {
    expect(frameRateRatio(FRAME_RATES['23.976'])).toBe('24000/1001');
    expect(frameRateRatio(FRAME_RATES['29.97df'])).toBe('30000/1001');
    expect(frameRateRatio(FRAME_RATES['25'])).toBe('25/1');
  });
});

describe('timecode labels', () => {
  it('knows how many frames a day has', () => {
    const expected: Record<string, number> = {
      '23.976': 2_073_600,
      '24': 2_073_600,
      '25': 2_160_000,
      '29.97df': 2_589_408,
      '29.97ndf': 2_592_000,
      '30': 2_592_000,
      '47.952': 4_147_200,
      '48': 4_147_200,
      '50': 4_320_000,
      '59.94df': 5_178_816,
      '59.94ndf': 5_184_000,
      '60': 5_184_000,
    };
    for (const rate of ALL_RATES) expect(framesPerDay(rate)).toBe(expected[rate.id]);
  });

  it.each(ALL_RATES.map((rate) => [rate.id, rate] as const))('converts landmarks at %s', (_id, rate) => {
    const base = rate.timecodeBase;
    const sep = rate.dropFrame ? ';' : ':';
    const cases: Array<[number, string]> = [
      [0, `00:00:00${sep}00`],
      [1, `00:00:00${sep}01`],
      [base - 1, `00:00:00${sep}${base - 1}`],
      [base, `00:00:01${sep}00`],
      [framesPerDay(rate) - 1, `23:59:59${sep}${base - 1}`],
    ];
    if (!rate.dropFrame) {
      cases.push([base * 60, `00:01:00:00`], [base * 3600, `01:00:00:00`], [base * 3600 * 10 + base * 61 + 7, `10:01:01:${String(7).padStart(2, '0')}`]);
    }
    for (const [frames, label] of cases) {
      expect(framesToLabel(frames, rate)).toBe(label);
      expect(labelToFrames(label, rate)).toBe(frames);
    }
  });

  it('handles 29.97 drop-frame edges', () => {
    const df = FRAME_RATES['29.97df'];
    expect(framesToLabel(1799, df)).toBe('00:00:59;29');
    expect(framesToLabel(1800, df)).toBe('00:01:00;02');
    expect(labelToFrames('00:01:00;02', df)).toBe(1800);
    expect(labelToFrames('00:00:59;29', df) + 1).toBe(labelToFrames('00:01:00;02', df));
    expect(labelToFrames('00:02:00;02', df)).toBe(3598);
    expect(framesToLabel(17_981, df)).toBe('00:09:59;29');
    expect(framesToLabel(17_982, df)).toBe('00:10:00;00'); // tenth minute keeps ;00 and ;01
    expect(labelToFrames('00:10:00;00', df)).toBe(17_982);
    expect(labelToFrames('00:10:00;01', df)).toBe(17_983);
    expect(labelToFrames('01:00:00;00', df)).toBe(107_892);
    expect(framesToLabel(107_892, df)).toBe('01:00:00;00');
    expect(labelToFrames('00:01:00.02', df)).toBe(1800); // "." is an accepted drop-frame separator
  });

  it('handles 59.94 drop-frame edges (4 labels dropped per minute)', () => {
    const df = FRAME_RATES['59.94df'];
    expect(framesToLabel(3599, df)).toBe('00:00:59;59');
    expect(framesToLabel(3600, df)).toBe('00:01:00;04');
    expect(labelToFrames('00:01:00;04', df)).toBe(3600);
    expect(framesToLabel(35_964, df)).toBe('00:10:00;00');
    expect(labelToFrames('01:00:00;00', df)).toBe(215_784);
    for (const ff of ['00', '01', '02', '03']) {
      const error = errorOf(() => labelToFrames(`00:01:00;${ff}`, df));
      expect(error.code).toBe('TC_DROPPED_FRAME_LABEL');
      expect(error.message).toContain('00:01:00;04');
    }
    expect(labelToFrames('00:20:00;03', df)).toBe(2 * 35_964 + 3);
  });

  it('rejects labels that drop-frame skips', () => {
    const df = FRAME_RATES['29.97df'];
    for (const label of ['00:01:00;00', '00:01:00;01', '12:59:00;01', '23:09:00;00']) {
      const error = errorOf(() => labelToFrames(label, df));
      expect(error.code).toBe('TC_DROPPED_FRAME_LABEL');
      expect(error.message).toMatch(/does not exist in 29\.97df timecode/);
    }
    // The same fields are fine without drop-frame.
    expect(labelToFrames('00:01:00:00', FRAME_RATES['29.97ndf'])).toBe(1800);
  });

  it('rejects malformed labels', () => {
    const r25 = FRAME_RATES['25'];
    for (const label of ['', '1:00:00:00', '01:00:00', '01:00:00:00:00', '01-00-00-00', ' 01:00:00:00', '01:00:00:0a', '01;00;00;00', '01:00:00:000', '١١:00:00:00']) {
      expect(errorOf(() => labelToFrames(label, r25)).code).toBe('TC_SYNTAX');
    }
  });

  it('rejects the wrong separator for the rate', () => {
    const wrongForDf = errorOf(() => labelToFrames('00:01:00:02', FRAME_RATES['29.97df']));
    expect(wrongForDf.code).toBe('TC_SEPARATOR');
    expect(wrongForDf.message).toContain('00:01:00;02');
    expect(errorOf(() => labelToFrames('00:01:00;02', FRAME_RATES['29.97ndf'])).code).toBe('TC_SEPARATOR');
    expect(errorOf(() => labelToFrames('00:00:01.00', FRAME_RATES['25'])).code).toBe('TC_SEPARATOR');
  });

  it('rejects out-of-range fields and frame counts', () => {
    const cases: Array<[string, string]> = [
      ['24', '00:00:00:24'],
      ['25', '00:00:00:25'],
      ['29.97df', '00:00:00;30'],
      ['50', '00:00:00:50'],
      ['60', '00:00:00:60'],
      ['30', '00:00:60:00'],
      ['30', '00:60:00:00'],
      ['30', '24:00:00:00'],
      ['59.94df', '99:00:00;00'],
    ];
    for (const [id, label] of cases) {
      const error = errorOf(() => labelToFrames(label, parseFrameRate(id)));
      expect(error.code).toBe('TC_OUT_OF_RANGE');
    }
    for (const rate of ALL_RATES) {
      for (const frames of [-1, framesPerDay(rate), 0.5, Number.NaN]) {
        expect(errorOf(() => framesToLabel(frames, rate)).code).toBe('TC_OUT_OF_RANGE');
      }
    }
  });

  it('round-trips frames → label → frames at every rate (property)', () => {
    for (const rate of ALL_RATES) {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: framesPerDay(rate) - 1 }), (frames) => {
          expect(labelToFrames(framesToLabel(frames, rate), rate)).toBe(frames);
        }),
        { numRuns: 2_000 },
      );
    }
  });

  it('round-trips every valid label → frames → label, and orders labels like frames (property)', () => {
    for (const rate of ALL_RATES) {
      const sep = rate.dropFrame ? ';' : ':';
      const two = (n: number) => String(n).padStart(2, '0');
      const labelArb = fc
        .tuple(fc.nat(23), fc.nat(59), fc.nat(59), fc.nat(rate.timecodeBase - 1))
        .map(([h, m, s, f]) => `${two(h)}:${two(m)}:${two(s)}${sep}${two(f)}`);
      fc.assert(
        fc.property(labelArb, labelArb, (a, b) => {
          let fa: number;
          let fb: number;
          try {
            fa = labelToFrames(a, rate);
            fb = labelToFrames(b, rate);
          } catch (error) {
            expect((error as LoopstageError).code).toBe('TC_DROPPED_FRAME_LABEL');
            return;
          }
          expect(framesToLabel(fa, rate)).toBe(a);
          expect(Math.sign(fa - fb)).toBe(a < b ? -1 : a > b ? 1 : 0);
        }),
        { numRuns: 2_000 },
      );
    }
  });
});

describe('frames ↔ timeline samples', () => {
  it('rounds the first sample of a frame to the nearest sample', () => {
    const df = FRAME_RATES['29.97df'];
    // 1601.6 samples per frame at 48 kHz: 0, 1601.6, 3203.2, 4804.8, 6406.4, 8008.
    expect([0, 1, 2, 3, 4, 5].map((n) => frameToPosition(n, df, 48_000))).toEqual([0, 1602, 3203, 4805, 6406, 8008]);
    expect(positionToFrame(position(1601), df, 48_000)).toBe(0);
    expect(positionToFrame(position(1602), df, 48_000)).toBe(1);
    expect(positionToFrame(position(3202), df, 48_000)).toBe(1);
    expect(positionToFrame(position(3203), df, 48_000)).toBe(2);
    // A half sample rounds up: 1471.47 samples per frame at 44.1 kHz, frame 50 starts at 73573.5.
    expect(frameToPosition(50, df, 44_100)).toBe(73_574);
    expect(frameToPosition(49, df, 44_100)).toBe(72_102); // 72102.03
  });

  it('places whole-sample frames exactly', () => {
    expect(labelToPosition('01:00:00:00', FRAME_RATES['23.976'], 48_000)).toBe(86_400 * 2002);
    expect(labelToPosition('01:00:00:00', FRAME_RATES['25'], 48_000)).toBe(3600 * 48_000);
    expect(labelToPosition('01:00:00:00', FRAME_RATES['29.97ndf'], 48_000)).toBe(172_972_800);
    expect(positionToLabel(position(2_190_940_753), FRAME_RATES['23.976'], 48_000)).toBe('12:39:59:00');
    expect(labelToPosition('23:59:59;59', FRAME_RATES['59.94df'], 192_000)).toBe(referenceFrameStart(5_178_815, FRAME_RATES['59.94df'], 192_000));
  });

  it('rejects bad sample rates and positions past midnight for labels', () => {
    const r = FRAME_RATES['25'];
    for (const sr of [0, -48_000, 44_100.5, 2 ** 32]) {
      expect(errorOf(() => frameToPosition(0, r, sr)).code).toBe('SAMPLE_RATE_INVALID');
      expect(errorOf(() => positionToFrame(position(0), r, sr)).code).toBe('SAMPLE_RATE_INVALID');
    }
    expect(errorOf(() => frameToPosition(-1, r, 48_000)).code).toBe('TC_OUT_OF_RANGE');
    expect(errorOf(() => positionToFrame(-1 as Position, r, 48_000)).code).toBe('POSITION_INVALID');
    expect(positionToFrame(position(86_400 * 48_000), r, 48_000)).toBe(framesPerDay(r));
    expect(errorOf(() => positionToLabel(position(86_400 * 48_000), r, 48_000)).code).toBe('TC_OUT_OF_RANGE');
    expect(positionToLabel(position(86_400 * 48_000 - 1), r, 48_000)).toBe('23:59:59:24');
  });

  for (const sampleRate of SAMPLE_RATES) {
    it(`is consistent both ways at ${sampleRate} Hz for every rate (property)`, () => {
      for (const rate of ALL_RATES) {
        const lastFrame = framesPerDay(rate) - 1;
        fc.assert(
          fc.property(fc.integer({ min: 0, max: lastFrame }), (n) => {
            const start = frameToPosition(n, rate, sampleRate);
            expect(start).toBe(referenceFrameStart(n, rate, sampleRate));
            expect(positionToFrame(start, rate, sampleRate)).toBe(n);
            const next = frameToPosition(n + 1, rate, sampleRate);
            expect(next).toBeGreaterThan(start);
            expect(positionToFrame(position(next - 1), rate, sampleRate)).toBe(n);
          }),
          { numRuns: 500 },
        );
        const lastSample = frameToPosition(lastFrame + 1, rate, sampleRate) - 1;
        fc.assert(
          fc.property(fc.integer({ min: 0, max: lastSample }), (p) => {
            const n = positionToFrame(position(p), rate, sampleRate);
            expect(frameToPosition(n, rate, sampleRate)).toBeLessThanOrEqual(p);
            expect(frameToPosition(n + 1, rate, sampleRate)).toBeGreaterThan(p);
          }),
          { numRuns: 500 },
        );
      }
    });
  }

  it('stays exact far beyond 24 hours (BigInt path)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_RATES),
        fc.constantFrom(44_100, 48_000, 192_000, 384_000, 768_000),
        fc.integer({ min: 0, max: 2 ** 32 }),
        (rate, sampleRate, n) => {
          const start = frameToPosition(n, rate, sampleRate);
          expect(start).toBe(referenceFrameStart(n, rate, sampleRate));
          expect(positionToFrame(start, rate, sampleRate)).toBe(n);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('feet+frames (35 mm)', () => {
  it('formats and parses', () => {
    expect(framesToFeetFrames(0)).toBe('0+00');
    expect(framesToFeetFrames(15)).toBe('0+15');
    expect(framesToFeetFrames(16)).toBe('1+00');
    expect(framesToFeetFrames(1972)).toBe('123+04');
    expect(parseFeetFrames('123+04')).toBe(1972);
    expect(parseFeetFrames('833+12')).toBe(833 * 16 + 12);
    expect(parseFeetFrames('0+5')).toBe(5);
  });

  it('rejects negatives and malformed text', () => {
    expect(errorOf(() => framesToFeetFrames(-1)).code).toBe('FEET_FRAMES_OUT_OF_RANGE');
    expect(errorOf(() => framesToFeetFrames(1.5)).code).toBe('FEET_FRAMES_OUT_OF_RANGE');
    expect(errorOf(() => parseFeetFrames('1+16')).code).toBe('FEET_FRAMES_OUT_OF_RANGE');
    for (const text of ['', '-1+00', '12', '+04', '12+', '12+004', '12 + 04', '1.5+00']) {
      expect(errorOf(() => parseFeetFrames(text)).code).toBe('FEET_FRAMES_SYNTAX');
    }
  });

  it('round-trips (property)', () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), (n) => {
        expect(parseFeetFrames(framesToFeetFrames(n))).toBe(n);
      }),
    );
  });
});
