/**
 * Differential test: Loopstage's timecode against npm `smpte-timecode` (1.3.x, MIT) over EVERY
 * frame of 24 hours at every Loopstage rate, in both directions:
 *   frame → label: framesToLabel(n) === smpte-timecode's label of frame count n
 *   label → frame: labelToFrames(label) === smpte-timecode's frame count of that label === n
 * plus every label that drop-frame skips must be rejected by both.
 *
 * How smpte-timecode is driven (see node_modules/smpte-timecode/smpte-timecode.js):
 * - Rates are passed as exact [num, den] pairs with an explicit dropFrame flag. Given a plain
 *   number it accepts only integers and x.xx rates just below 24, 30 and 60 (it maps 23.976 to
 *   24000/1001 non-drop and 29.97 / 59.94 to drop-frame unless told otherwise); 47.952 works only
 *   as [48000, 1001]. With pairs it covers all twelve Loopstage rates.
 * - For frame → label we reuse one object and run its own conversion (`_frameCountToTimeCode`,
 *   exactly what its constructor does for a number) rather than constructing 40 million objects;
 *   label → frame goes through its public string constructor for every frame.
 *
 * Intended disagreements (not counted as mismatches, checked separately below):
 * - smpte-timecode's add()/subtract() wrap at round(rate·86400) frames, with the rate rounded to
 *   two decimals: for 23.976 that is 23.98·86400 = 2 071 872 frames, i.e. it wraps at 23:58:48:00
 *   instead of after 23:59:59:23 (likewise 29.97 NDF, 47.952, 59.94 NDF). Loopstage never wraps:
 *   frame counts outside [0, framesPerDay) are an error (TC_OUT_OF_RANGE).
 * - smpte-timecode lets dropFrame be set at 23.976 (any x/1001 rate). Drop-frame does not exist
 *   at 23.976, so Loopstage has no such rate and parseFrameRate('23.976df') is an error.
 */
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FRAME_RATE_IDS,
  FRAME_RATES,
  framesPerDay,
  framesToLabel,
  labelToFrames,
  parseFrameRate,
  type FrameRate,
} from '../../src/core/time/index.js';

interface SmpteTimecode {
  frameCount: number;
  hours: number;
  minutes: number;
  seconds: number;
  frames: number;
  toString(): string;
  add(frames: number): SmpteTimecode;
  _frameCountToTimeCode(): void;
}
type SmpteTimecodeCtor = new (timeCode: number | string, frameRate: [number, number] | number, dropFrame?: boolean) => SmpteTimecode;

const require = createRequire(import.meta.url);
const Timecode = require('smpte-timecode') as SmpteTimecodeCtor;
const libraryVersion = (require('smpte-timecode/package.json') as { version: string }).version;

interface RateSummary {
  rate: string;
  framesCompared: number;
  labelMismatches: number;
  frameCountMismatches: number;
  droppedLabelsChecked: number;
  droppedLabelDisagreements: number;
  ms: number;
}

const summary: RateSummary[] = [];
const started = performance.now();

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function compareEveryFrame(rate: FrameRate): RateSummary {
  const t0 = performance.now();
  const ratio: [number, number] = [rate.num, rate.den];
  const lib = new Timecode(0, ratio, rate.dropFrame);
  const perDay = framesPerDay(rate);
  let labelMismatches = 0;
  let frameCountMismatches = 0;
  const examples: string[] = [];
  for (let n = 0; n < perDay; n++) {
    const ours = framesToLabel(n, rate);
    lib.frameCount = n;
    lib._frameCountToTimeCode();
    const theirs = lib.toString();
    if (ours !== theirs) {
      labelMismatches++;
      if (examples.length < 5) examples.push(`frame ${n}: ours ${ours}, smpte-timecode ${theirs}`);
    }
    const oursBack = labelToFrames(ours, rate);
    const theirsBack = new Timecode(ours, ratio, rate.dropFrame).frameCount;
    if (oursBack !== n || theirsBack !== n) {
      frameCountMismatches++;
      if (examples.length < 5) examples.push(`label ${ours}: ours ${oursBack}, smpte-timecode ${theirsBack}, expected ${n}`);
    }
  }

  // Every label drop-frame skips: both must refuse it.
  let droppedLabelsChecked = 0;
  let droppedLabelDisagreements = 0;
  if (rate.dropFrame) {
    const drop = rate.timecodeBase / 15;
    for (let h = 0; h < 24; h++) {
      for (let m = 0; m < 60; m++) {
        if (m % 10 === 0) continue;
        for (let f = 0; f < drop; f++) {
          const label = `${pad2(h)}:${pad2(m)}:00;${pad2(f)}`;
          droppedLabelsChecked++;
          let oursRejected = false;
          let theirsRejected = false;
          try {
            labelToFrames(label, rate);
          } catch (error) {
            oursRejected = (error as { code?: string }).code === 'TC_DROPPED_FRAME_LABEL';
          }
          try {
            new Timecode(label, ratio, true);
          } catch {
            theirsRejected = true;
          }
          if (!oursRejected || !theirsRejected) {
            droppedLabelDisagreements++;
            if (examples.length < 5) examples.push(`dropped label ${label}: ours rejected ${oursRejected}, smpte-timecode rejected ${theirsRejected}`);
          }
        }
      }
    }
  }
  expect(examples).toEqual([]);
  return {
    rate: rate.id,
    framesCompared: perDay,
    labelMismatches,
    frameCountMismatches,
    droppedLabelsChecked,
    droppedLabelDisagreements,
    ms: Math.round(performance.now() - t0),
  };
}

describe(`timecode vs smpte-timecode ${libraryVersion}, every frame of 24 h`, () => {
  afterAll(() => {
    const total = summary.reduce((sum, r) => sum + r.framesCompared, 0);
    const mismatches = summary.reduce((sum, r) => sum + r.labelMismatches + r.frameCountMismatches + r.droppedLabelDisagreements, 0);
    console.log(
      JSON.stringify(
        {
          differential: `smpte-timecode@${libraryVersion}`,
          rates: summary,
          totalFramesCompared: total,
          totalMismatches: mismatches,
          totalMs: Math.round(performance.now() - started),
        },
        null,
        1,
      ),
    );
  });

  for (const id of FRAME_RATE_IDS) {
    it(`agrees on every frame at ${id}`, () => {
      const result = compareEveryFrame(FRAME_RATES[id]);
      summary.push(result);
      expect(result.labelMismatches + result.frameCountMismatches + result.droppedLabelDisagreements).toBe(0);
    });
  }

  it('documents the intended disagreements', () => {
    // smpte-timecode wraps 23.976 at 23.98·86400 frames (23:58:48:00); Loopstage has 24 h of labels.
    const r23 = FRAME_RATES['23.976'];
    const wrapped = new Timecode(2_071_871, [24000, 1001], false).add(1);
    expect(wrapped.frameCount).toBe(0);
    expect(framesToLabel(2_071_872, r23)).toBe('23:58:48:00');
    expect(framesToLabel(framesPerDay(r23) - 1, r23)).toBe('23:59:59:23');
    // smpte-timecode accepts drop-frame at 23.976; Loopstage refuses it.
    expect(() => new Timecode('00:10:00;00', [24000, 1001], true)).not.toThrow();
    expect(() => parseFrameRate('23.976df')).toThrow(/drop-frame/);
    // A plain number 47.952 is not understood by smpte-timecode (only the [48000, 1001] pair is).
    expect(() => new Timecode(0, 47.952)).toThrow(/Invalid framerate/);
  });
});
