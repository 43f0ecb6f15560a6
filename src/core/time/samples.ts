/**
 * Frames ↔ timeline samples, exactly. A frame at rate num/den lasts sampleRate·den/num samples,
 * which is not a whole number at 29.97 (1601.6 samples at 48 kHz) or at 44.1 kHz with most rates.
 *
 * Rounding: the first sample of frame n is n·sampleRate·den/num rounded to the NEAREST sample
 * (halves round up). Pro Tools does this: in its "Session Info as Text" exports of a 29.97 session
 * at 48 kHz (tests/fixtures/protools), every clip spotted on a frame line sits at the rounded
 * boundary — fractions .2 and .4 round down and .6 and .8 round up — counted from the session
 * start, which Pro Tools puts at sample 0 of its timeline. Floor and ceiling each contradict a
 * share of those rows; see tests/unit/timecode-fixtures.test.ts. (Where a frame is a whole
 * number of samples — 23.976, 24, 25 … at 48 kHz — every rule agrees.)
 * Caveat: Loopstage rounds from midnight, Pro Tools from its session start. They agree when the
 * start lies on a whole sample since midnight (01:00:00:00 at 29.97 NDF does); 01:00:00;00 at
 * 29.97 DF lies at 172 799 827.2, so there the two can differ by one sample at some frames.
 *
 * positionToFrame is the exact inverse: the frame n with frameToPosition(n) ≤ p < frameToPosition(n+1),
 * i.e. the frame whose samples contain p. So positionToFrame(frameToPosition(n)) === n for every n.
 *
 * Products are done in Number while they stay below 2^53 (24 h at 192 kHz needs at most ~2e15)
 * and fall back to BigInt beyond that, so results are exact for every valid input.
 */
import { LoopstageError } from '../errors.js';
import type { FrameRate } from './frame-rate.js';
import { position, type Position } from './position.js';
import { framesToLabel, labelToFrames } from './timecode.js';

/** floor(x / y) for non-negative safe integer x and positive safe integer y, exactly (x % y is exact). */
function floorDiv(x: number, y: number): number {
  return (x - (x % y)) / y;
}

const MAX_SAMPLE_RATE = 0xffff_ffff; // the WAV fmt chunk's 32-bit field

function checkSampleRate(sampleRate: number): void {
  if (!Number.isSafeInteger(sampleRate) || sampleRate <= 0 || sampleRate > MAX_SAMPLE_RATE) {
    throw new LoopstageError(
      'SAMPLE_RATE_INVALID',
      `Sample rate ${String(sampleRate)} is not usable; give a whole number of samples per second such as 48000.`,
      { sampleRate },
    );
  }
}

function checkFrames(frames: number, rate: FrameRate): void {
  if (!Number.isSafeInteger(frames) || frames < 0) {
    throw new LoopstageError(
      'TC_OUT_OF_RANGE',
      `Frame count ${String(frames)} is not a whole, non-negative number of frames at ${rate.id}; pass an integer frame count since midnight.`,
      { frames, rate: rate.id },
    );
  }
}

/**
 * The first timeline sample of frame `frame` (frames since midnight): round-half-up of
 * frame·sampleRate·den/num. See the module comment for why nearest.
 */
export function frameToPosition(frame: number, rate: FrameRate, sampleRate: number): Position {
  checkFrames(frame, rate);
  checkSampleRate(sampleRate);
  // round(n·S/N) = floor((2·n·S + N) / (2·N)), with S = sampleRate·den and N = num.
  const S = sampleRate * rate.den;
  const N = rate.num;
  const top = 2 * frame * S + N;
  if (Number.isSafeInteger(top)) return position(floorDiv(top, 2 * N));
  return position(Number((2n * BigInt(frame) * BigInt(S) + BigInt(N)) / (2n * BigInt(N))));
}

/** The frame (since midnight) whose samples contain timeline sample `pos`. */
export function positionToFrame(pos: Position, rate: FrameRate, sampleRate: number): number {
  position(pos); // re-check: a Position may come from an unchecked cast
  checkSampleRate(sampleRate);
  // The largest n with frameToPosition(n) ≤ p:  floor((2n·S + N) / (2N)) ≤ p  ⇔  2n·S < (2p + 1)·N,
  // so n = floor(((2p + 1)·N − 1) / (2·S)).
  const S = sampleRate * rate.den;
  const N = rate.num;
  const product = (2 * pos + 1) * N;
  if (Number.isSafeInteger(product)) return floorDiv(product - 1, 2 * S);
  return Number(((2n * BigInt(pos) + 1n) * BigInt(N) - 1n) / (2n * BigInt(S)));
}

/** The first timeline sample of the frame a timecode label names. */
export function labelToPosition(label: string, rate: FrameRate, sampleRate: number): Position {
  return frameToPosition(labelToFrames(label, rate), rate, sampleRate);
}

/** The timecode label of the frame that contains timeline sample `pos`. */
export function positionToLabel(pos: Position, rate: FrameRate, sampleRate: number): string {
  return framesToLabel(positionToFrame(pos, rate, sampleRate), rate);
}
