/**
 * ADR beeps (DESIGN §3): the engine synthesizes them into the output stream at exact timeline
 * samples — never a UI timer — so they land on frame boundaries whatever the buffer size.
 *
 * The convention: three short 1 kHz beeps, one timecode second apart, and a "silent fourth" on
 * the cue's in point, where the actor starts speaking. So by default the last beep starts one
 * timecode second before the in frame, and with `beepOnIn` the fourth beep is sounded too.
 *
 * **Timecode seconds, not wall seconds.** Spacing is counted in frames: one timecode second is
 * `rate.timecodeBase` frames (24 at 23.976, 30 at 29.97 DF and NDF, 60 at 59.94). At the 1000/1001
 * rates that is 1.001 wall seconds, so the beeps stay on the same frame count as the countdown
 * and streamers drawn against timecode. Drop-frame only relabels frames; it never removes any,
 * so at 29.97 DF the beeps are still exactly 30 frames apart even across a dropped label.
 *
 * **The rhythm.** The gap between the last beep and the in frame is the same spacing as between
 * beeps (one timecode second by default): the in point is where the next beep of the rhythm would
 * fall, which is what "the silent fourth" means. Changing the spacing changes the whole rhythm.
 */
import { LoopstageError } from '../errors.js';
import {
  duration,
  frameToPosition,
  position,
  positionToFrame,
  type Duration,
  type FrameRate,
  type Position,
} from '../time/index.js';

export interface BeepSettings {
  /** Beeps before the in point (default 3). 0 is allowed: then only `beepOnIn` can sound. */
  readonly count: number;
  /** Tone frequency in Hz (default 1000): below half the sample rate. */
  readonly frequencyHz: number;
  /** Length of each beep in whole frames (default 1). Each beep ends on a frame boundary too. */
  readonly lengthFrames: number;
  /**
   * Distance between beep starts, and from the last beep to the in point, in TIMECODE seconds:
   * `spacingSeconds × timecodeBase` frames, which must be a whole number (0.5 s is fine at 24 or
   * 30, not at 25). Default 1.
   */
  readonly spacingSeconds: number;
  /**
   * Level of the tone in dBFS, AES17 style (a full-scale sine is 0 dBFS, so this is the sine's
   * peak). Default −18 dBFS: EBU R68 alignment level (0 dBu line-up tone), the level tone is lined
   * up at on most stages, so the beeps sit where the mixer and the actor expect reference tone —
   * clearly audible over dialogue guide in the cans, 18 dB clear of clipping when mixed with
   * program material, and not painful at a headphone level set for speech.
   */
  readonly levelDb: number;
  /** Also sound a beep on the in frame itself (default false: the fourth is silent). */
  readonly beepOnIn: boolean;
}

export const DEFAULT_BEEP_SETTINGS: Readonly<BeepSettings> = Object.freeze({
  count: 3,
  frequencyHz: 1000,
  lengthFrames: 1,
  spacingSeconds: 1,
  levelDb: -18,
  beepOnIn: false,
});

export const DEFAULT_PRE_ROLL_SECONDS = 3;
export const DEFAULT_POST_ROLL_SECONDS = 1;

/**
 * Length of the raised-cosine fade at each end of a beep: 1 ms. A 1 kHz tone has a 1 ms period, so
 * the onset takes one cycle: its spectral splatter stays within about ±1 kHz of the tone instead
 * of a broadband click. It is far below the ear's ~2–3 ms temporal resolution, so the beep still
 * sounds instant and its start is heard on the frame, and it leaves ≥ 14.7 ms of full level even
 * in a one-frame beep at 60 fps (16.7 ms). Clamped to half the beep for very short beeps.
 */
export const BEEP_RAMP_SECONDS = 0.001;

/** One beep on the timeline: `start` is the first sample of `frame`; `length` covers `lengthFrames` frames exactly. */
export interface Beep {
  readonly frame: number;
  readonly start: Position;
  readonly length: Duration;
}

function invalid(message: string, details: Record<string, unknown>): LoopstageError {
  return new LoopstageError('BEEP_SETTINGS_INVALID', message, details);
}

/** Fills in defaults and checks the settings; `rate` also checks that the spacing is whole frames. */
export function resolveBeepSettings(settings: Partial<BeepSettings> = {}, rate?: FrameRate): BeepSettings {
  const s: BeepSettings = { ...DEFAULT_BEEP_SETTINGS, ...settings };
  if (!Number.isSafeInteger(s.count) || s.count < 0 || s.count > 100) {
    throw invalid(`Beep count ${String(s.count)} is not usable; give a whole number from 0 to 100.`, { count: s.count });
  }
  if (!Number.isFinite(s.frequencyHz) || s.frequencyHz <= 0) {
    throw invalid(`Beep frequency ${String(s.frequencyHz)} Hz is not usable; give a positive frequency such as 1000.`, {
      frequencyHz: s.frequencyHz,
    });
  }
  if (!Number.isSafeInteger(s.lengthFrames) || s.lengthFrames < 1) {
    throw invalid(`Beep length ${String(s.lengthFrames)} frames is not usable; give a whole number of frames, at least 1.`, {
      lengthFrames: s.lengthFrames,
    });
  }
  if (!Number.isFinite(s.levelDb) || s.levelDb > 0) {
    throw invalid(`Beep level ${String(s.levelDb)} dBFS is not usable; give a level at or below 0 dBFS, such as -18.`, {
      levelDb: s.levelDb,
    });
  }
  if (!Number.isFinite(s.spacingSeconds) || s.spacingSeconds <= 0) {
    throw invalid(`Beep spacing ${String(s.spacingSeconds)} s is not usable; give a positive number of timecode seconds.`, {
      spacingSeconds: s.spacingSeconds,
    });
  }
  if (rate) {
    const frames = spacingFrames(s, rate);
    if (frames < s.lengthFrames) {
      throw invalid(
        `Beeps ${s.lengthFrames} frames long would overlap when spaced ${s.spacingSeconds} s (${frames} frames) apart; shorten the beeps or widen the spacing.`,
        { lengthFrames: s.lengthFrames, spacingFrames: frames },
      );
    }
  }
  return s;
}

/** The spacing in frames at `rate`: spacingSeconds × timecodeBase, which must be whole. */
export function spacingFrames(settings: Pick<BeepSettings, 'spacingSeconds'>, rate: FrameRate): number {
  const frames = settings.spacingSeconds * rate.timecodeBase;
  const whole = Math.round(frames);
  if (whole < 1 || Math.abs(frames - whole) > 1e-9) {
    throw invalid(
      `A beep spacing of ${settings.spacingSeconds} timecode seconds is ${frames} frames at ${rate.id}; choose a spacing that is a whole number of frames (a multiple of 1/${rate.timecodeBase} s).`,
      { spacingSeconds: settings.spacingSeconds, rate: rate.id },
    );
  }
  return whole;
}

function checkSampleRate(sampleRate: number): void {
  if (!Number.isSafeInteger(sampleRate) || sampleRate <= 0) {
    throw new LoopstageError(
      'SAMPLE_RATE_INVALID',
      `Sample rate ${String(sampleRate)} is not usable; give a whole number of samples per second such as 48000.`,
      { sampleRate },
    );
  }
}

/**
 * Where the beeps for a cue fall, earliest first, in timeline samples.
 *
 * The in frame is the frame containing `inPoint` (cue in points are frame starts, so normally
 * `frameToPosition(inFrame) === inPoint`). Beep i of n (1-based) starts on frame
 * `inFrame − (n − i + 1) × spacing`, at that frame's first sample; with `beepOnIn` one more starts
 * on the in frame. A beep that would fall before midnight (frame < 0) is left out — the timeline
 * has nothing earlier — so the schedule may be shorter than `count` for a cue in the first seconds.
 */
export function beepSchedule(
  inPoint: Position,
  rate: FrameRate,
  sampleRate: number,
  settings: Partial<BeepSettings> = {},
): Beep[] {
  checkSampleRate(sampleRate);
  const s = resolveBeepSettings(settings, rate);
  const spacing = spacingFrames(s, rate);
  const inFrame = positionToFrame(inPoint, rate, sampleRate);
  const frames: number[] = [];
  for (let i = s.count; i >= 1; i--) {
    const frame = inFrame - i * spacing;
    if (frame >= 0) frames.push(frame);
  }
  if (s.beepOnIn) frames.push(inFrame);
  return frames.map((frame) => {
    const start = frameToPosition(frame, rate, sampleRate);
    const end = frameToPosition(frame + s.lengthFrames, rate, sampleRate);
    return { frame, start, length: duration(end - start) };
  });
}

/** A cue's span on the timeline; `in` and `out` are timeline samples, as on a Cue. */
export interface CueSpan {
  readonly in: number;
  readonly out: number;
}

/** The half-open span of timeline samples the transport plays for a cue: [start, end). */
export interface RollRange {
  readonly start: Position;
  readonly end: Position;
}

/**
 * What to play for a cue: from `preRollSeconds` before the in point to `postRollSeconds` after the
 * out point (wall seconds, rounded to the nearest sample), widened so that every beep in `beeps`
 * is played whole — at the 1000/1001 rates three timecode seconds are 3.003 s, longer than a 3 s
 * pre-roll, and a user may set a pre-roll shorter than the beeps. The start may then be exactly the
 * first beep's first sample: the beep is rendered from the sample count, so it still sounds whole.
 * The start is clamped at midnight (sample 0).
 */
export function rollRange(
  cue: CueSpan,
  preRollSeconds: number,
  postRollSeconds: number,
  sampleRate: number,
  beeps: readonly Beep[] = [],
): RollRange {
  checkSampleRate(sampleRate);
  const inPoint = position(cue.in);
  const outPoint = position(cue.out);
  if (outPoint < inPoint) {
    throw new LoopstageError('CUE_SPAN_INVALID', `The cue ends (sample ${outPoint}) before it starts (sample ${inPoint}); fix its in and out points.`, {
      in: inPoint,
      out: outPoint,
    });
  }
  for (const [name, seconds] of [
    ['Pre-roll', preRollSeconds],
    ['Post-roll', postRollSeconds],
  ] as const) {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new LoopstageError('ROLL_INVALID', `${name} of ${String(seconds)} s is not usable; give zero or more seconds.`, {
        seconds,
      });
    }
  }
  let start = Math.max(0, inPoint - Math.round(preRollSeconds * sampleRate));
  let end = outPoint + Math.round(postRollSeconds * sampleRate);
  for (const beep of beeps) {
    start = Math.min(start, beep.start);
    end = Math.max(end, beep.start + beep.length);
  }
  return { start: position(start), end: position(end) };
}

/**
 * The gain of beep sample `k` (0 ≤ k < length): a raised-cosine fade of `ramp` samples at each
 * end, evaluated at (k + 1)/(ramp + 1) so that it is never zero inside the beep — the first and
 * last samples of the beep are its first and last non-zero samples — and 1 in between.
 */
function envelope(k: number, length: number, ramp: number): number {
  const edge = Math.min(k, length - 1 - k);
  if (edge >= ramp) return 1;
  return 0.5 * (1 - Math.cos((Math.PI * (edge + 1)) / (ramp + 1)));
}

/**
 * Mixes (adds) the beeps of `schedule` that fall in the buffer into `out`, an interleaved float32
 * buffer of `frames` sample frames × `channels` whose first frame is timeline sample `bufferStart`.
 * Every channel gets the same tone; the engine routes the beep channel.
 *
 * Each sample is computed from its offset k within its beep only —
 * `amplitude · envelope(k) · cos(2π · frequency · k / sampleRate)` — never from state left by the
 * previous buffer, so a beep that spans buffers continues seamlessly and rendering in any buffer
 * sizes gives bit-identical output. The cosine carrier has its crest at k = 0, so with the
 * envelope above the beep's start sample is its first non-zero sample: the onset is exact.
 */
export function renderBeeps(
  schedule: readonly Beep[],
  bufferStart: Position,
  frames: number,
  channels: number,
  sampleRate: number,
  settings: Partial<BeepSettings>,
  out: Float32Array,
): void {
  checkSampleRate(sampleRate);
  position(bufferStart);
  if (!Number.isSafeInteger(frames) || frames < 0 || !Number.isSafeInteger(channels) || channels < 1) {
    throw new RangeError(`renderBeeps needs a whole number of frames (got ${frames}) and at least one channel (got ${channels}).`);
  }
  if (out.length < frames * channels) {
    throw new RangeError(`The output buffer holds ${out.length} samples, fewer than ${frames} frames × ${channels} channels.`);
  }
  const s = resolveBeepSettings(settings);
  if (s.frequencyHz >= sampleRate / 2) {
    throw invalid(`A ${s.frequencyHz} Hz beep cannot be played at ${sampleRate} Hz; choose a frequency below ${sampleRate / 2} Hz.`, {
      frequencyHz: s.frequencyHz,
      sampleRate,
    });
  }
  const amplitude = 10 ** (s.levelDb / 20);
  const omega = (2 * Math.PI * s.frequencyHz) / sampleRate;
  const rampSamples = Math.max(1, Math.round(BEEP_RAMP_SECONDS * sampleRate));
  const bufferEnd = bufferStart + frames;
  for (const beep of schedule) {
    const beepEnd = beep.start + beep.length;
    const from = Math.max(beep.start, bufferStart);
    const to = Math.min(beepEnd, bufferEnd);
    if (from >= to) continue;
    const ramp = Math.min(rampSamples, Math.floor(beep.length / 2));
    for (let p = from; p < to; p++) {
      const k = p - beep.start;
      const value = amplitude * envelope(k, beep.length, ramp) * Math.cos(omega * k);
      const base = (p - bufferStart) * channels;
      for (let c = 0; c < channels; c++) out[base + c] = (out[base + c] ?? 0) + value;
    }
  }
}
