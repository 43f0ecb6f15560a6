/**
 * Input meters, pure: peak, RMS and clip per channel, accumulated over the buffers of the audio
 * callback and taken (and reset) a few times a second.
 *
 * - Peak is the largest |x| seen; peakDb = 20·log10(peak) dBFS.
 * - RMS is √(Σx² / n) over every frame added; rmsDb follows AES17 (and most DAW meters): a
 *   full-scale sine reads 0 dBFS, so rmsDb = 20·log10(rms·√2). A sine's RMS and peak readings then
 *   agree, and a full-scale square wave or DC at 1.0 reads +3.01 dBFS RMS.
 * - Both dB values are floored at −120 dBFS (METER_FLOOR_DB): silence has no logarithm, and
 *   −Infinity does not survive JSON.
 * - Clipped: a sample with |x| ≥ 1.0 (float input can exceed full scale), or CLIP_RUN (3)
 *   consecutive samples of one channel at |x| ≥ 0.999 — the "consecutive full-scale samples" rule
 *   of integer converters, whose output cannot exceed full scale and flattens at it. A run carries
 *   across buffers and across take(), since it belongs to the signal, not to a reading.
 * - Non-finite samples (a software fault, never a converter): NaN counts as silence, as encodeFrames
 *   writes it; ±Infinity counts as a clip but is left out of peak and RMS, so readings stay finite.
 */

export const METER_FLOOR_DB = -120;
/** |x| at or above this clips at once. */
export const CLIP_LEVEL = 1;
/** |x| at or above this is "full scale" for the consecutive-samples rule. */
export const FULL_SCALE_LEVEL = 0.999;
/** Consecutive full-scale samples that count as a clip. */
export const CLIP_RUN = 3;

export interface MeterReading {
  /** Largest |x| per channel, linear. */
  readonly peak: number[];
  /** RMS per channel, linear (a full-scale sine reads 1/√2). */
  readonly rms: number[];
  /** dBFS, floored at −120. */
  readonly peakDb: number[];
  /** dBFS, AES17 (a full-scale sine reads 0), floored at −120. */
  readonly rmsDb: number[];
  readonly clipped: boolean[];
  /** Frames this reading covers. */
  readonly frames: number;
}

const SQRT2 = Math.SQRT2;

function dbfs(linear: number): number {
  const db = 20 * Math.log10(linear);
  return db > METER_FLOOR_DB ? db : METER_FLOOR_DB;
}

export class MeterAccumulator {
  readonly #peak: Float64Array;
  readonly #sum: Float64Array;
  readonly #run: Int32Array;
  readonly #clip: Uint8Array;
  #frames = 0;

  constructor(readonly channels: number) {
    if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`A meter has 1 or more channels, not ${channels}`);
    this.#peak = new Float64Array(channels);
    this.#sum = new Float64Array(channels);
    this.#run = new Int32Array(channels);
    this.#clip = new Uint8Array(channels);
  }

  /**
   * Adds `frames` frames of `samples` (interleaved, `inputChannels` per frame). Meter channel m
   * reads input channel `select[m]` (select has one entry per meter channel), or input channel m
   * without `select`.
   */
  add(samples: Float32Array, frames: number, inputChannels: number, select?: readonly number[]): void {
    const channels = this.channels;
    if (!Number.isInteger(frames) || frames < 0) throw new RangeError(`frames must be a whole number of 0 or more, not ${frames}`);
    if (!Number.isInteger(inputChannels) || inputChannels < 1) throw new RangeError(`inputChannels must be 1 or more, not ${inputChannels}`);
    const end = frames * inputChannels;
    if (end > samples.length) throw new RangeError(`${frames} frames of ${inputChannels} channels need ${end} samples; ${samples.length} were given`);
    if (select) {
      if (select.length !== channels) throw new RangeError(`select names ${select.length} channels for a ${channels}-channel meter`);
      for (let m = 0; m < channels; m++) {
        const c = select[m]!;
        if (!Number.isInteger(c) || c < 0 || c >= inputChannels) throw new RangeError(`select[${m}] = ${c} is not an input channel (0–${inputChannels - 1})`);
      }
    } else if (channels > inputChannels) {
      throw new RangeError(`A ${channels}-channel meter cannot read ${inputChannels}-channel input without select`);
    }
    const peaks = this.#peak;
    const sums = this.#sum;
    const runs = this.#run;
    const clips = this.#clip;
    for (let m = 0; m < channels; m++) {
      let peak = peaks[m]!;
      let sum = 0;
      let run = runs[m]!;
      let clip = clips[m]!;
      for (let i = select ? select[m]! : m; i < end; i += inputChannels) {
        const x = samples[i]!;
        const a = x < 0 ? -x : x;
        if (a < FULL_SCALE_LEVEL) {
          sum += x * x;
          if (a > peak) peak = a;
          run = 0;
        } else if (a < Infinity) {
          sum += x * x;
          if (a > peak) peak = a;
          run++;
          if (a >= CLIP_LEVEL || run >= CLIP_RUN) clip = 1;
        } else if (a === Infinity) {
          run++;
          clip = 1;
        } else {
          run = 0; // NaN: silence
        }
      }
      peaks[m] = peak;
      sums[m] = sums[m]! + sum;
      runs[m] = run;
      clips[m] = clip;
    }
    this.#frames += frames;
  }

  /** The reading since the last take() (or since the start), and a fresh start for the next one. */
  take(): MeterReading {
    const channels = this.channels;
    const peak: number[] = [];
    const rms: number[] = [];
    const peakDb: number[] = [];
    const rmsDb: number[] = [];
    const clipped: boolean[] = [];
    const frames = this.#frames;
    for (let m = 0; m < channels; m++) {
      const p = this.#peak[m]!;
      const r = frames > 0 ? Math.sqrt(this.#sum[m]! / frames) : 0;
      peak.push(p);
      rms.push(r);
      peakDb.push(dbfs(p));
      rmsDb.push(dbfs(r * SQRT2));
      clipped.push(this.#clip[m] === 1);
    }
    this.#peak.fill(0);
    this.#sum.fill(0);
    this.#clip.fill(0);
    this.#frames = 0;
    return { peak, rms, peakDb, rmsDb, clipped, frames };
  }
}
