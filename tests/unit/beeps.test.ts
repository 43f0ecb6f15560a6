import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BEEP_RAMP_SECONDS,
  DEFAULT_BEEP_SETTINGS,
  DEFAULT_POST_ROLL_SECONDS,
  DEFAULT_PRE_ROLL_SECONDS,
  beepSchedule,
  renderBeeps,
  rollRange,
  type Beep,
  type BeepSettings,
} from '../../src/core/cueing/beeps.js';
import { isLoopstageError } from '../../src/core/errors.js';
import {
  FRAME_RATE_IDS,
  FRAME_RATES,
  frameToPosition,
  labelToFrames,
  labelToPosition,
  position,
  positionToFrame,
  type FrameRate,
} from '../../src/core/time/index.js';

const SAMPLE_RATES = [44_100, 48_000, 96_000] as const;
const RATES = FRAME_RATE_IDS.map((id) => FRAME_RATES[id]);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isLoopstageError(error) ? error.code : `not a LoopstageError: ${String(error)}`;
  }
  return undefined;
}

function render(schedule: readonly Beep[], start: number, frames: number, channels: number, sampleRate: number, settings: Partial<BeepSettings> = {}): Float32Array {
  const out = new Float32Array(frames * channels);
  renderBeeps(schedule, position(start), frames, channels, sampleRate, settings, out);
  return out;
}

/** Checks the default schedule's invariants for one in frame. */
function checkSchedule(inFrame: number, rate: FrameRate, sampleRate: number, settings: Partial<BeepSettings> = {}): Beep[] {
  const s = { ...DEFAULT_BEEP_SETTINGS, ...settings };
  const inPoint = frameToPosition(inFrame, rate, sampleRate);
  const beeps = beepSchedule(inPoint, rate, sampleRate, settings);
  const spacing = s.spacingSeconds * rate.timecodeBase;
  expect(beeps).toHaveLength(s.count + (s.beepOnIn ? 1 : 0));
  beeps.forEach((beep, i) => {
    // On a frame boundary: the first sample of its frame, and that frame is where the rhythm puts it.
    expect(beep.start).toBe(frameToPosition(beep.frame, rate, sampleRate));
    expect(positionToFrame(beep.start, rate, sampleRate)).toBe(beep.frame);
    expect(beep.frame).toBe(inFrame - (s.count - i) * spacing);
    // Exactly lengthFrames frames long: it ends on a frame boundary.
    expect(beep.start + beep.length).toBe(frameToPosition(beep.frame + s.lengthFrames, rate, sampleRate));
  });
  const silent = beeps.filter((b) => b.frame < inFrame);
  // The last sounding beep before the in point is one spacing (default: timecodeBase frames) before it.
  expect(silent.at(-1)!.frame).toBe(inFrame - spacing);
  if (s.beepOnIn) expect(beeps.at(-1)!.start).toBe(inPoint);
  return beeps;
}

describe('beepSchedule', () => {
  it('defaults: three one-frame beeps, one timecode second apart, the last one second before the in frame, at every rate and sample rate', () => {
    for (const rate of RATES) {
      for (const sampleRate of SAMPLE_RATES) {
        const inFrame = labelToFrames(rate.dropFrame ? '01:00:10;00' : '01:00:10:00', rate);
        const beeps = checkSchedule(inFrame, rate, sampleRate);
        expect(beeps.map((b) => b.frame)).toEqual([3, 2, 1].map((k) => inFrame - k * rate.timecodeBase));
      }
    }
  });

  it('holds for any in frame, rate, sample rate and spacing (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RATES),
        fc.constantFrom(...SAMPLE_RATES),
        fc.integer({ min: 720, max: 24 * 3600 * 60 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        (rate, sampleRate, inFrame, count, lengthFrames, beepOnIn) => {
          const frames = inFrame;
          if (count === 0) {
            const beeps = beepSchedule(frameToPosition(frames, rate, sampleRate), rate, sampleRate, { count, beepOnIn });
            expect(beeps).toHaveLength(beepOnIn ? 1 : 0);
            return;
          }
          checkSchedule(frames, rate, sampleRate, { count, lengthFrames, beepOnIn, spacingSeconds: 2 });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts a timecode second in frames: at 23.976 and 29.97 the beeps are 1.001 wall seconds apart', () => {
    const cases: [string, string, number][] = [
      ['23.976', '01:00:00:00', 48_048], // 24 frames × 2002 samples
      ['29.97df', '01:00:00;00', 48_048], // 30 frames at 48 000·1001/30 000 = 1601.6 samples
      ['29.97ndf', '01:00:00:00', 48_048],
      ['59.94df', '01:00:00;00', 48_048],
      ['24', '01:00:00:00', 48_000],
      ['25', '01:00:00:00', 48_000],
    ];
    for (const [id, label, gap] of cases) {
      const rate = FRAME_RATES[id as keyof typeof FRAME_RATES];
      const beeps = beepSchedule(labelToPosition(label, rate, 48_000), rate, 48_000);
      expect(beeps[1]!.start - beeps[0]!.start).toBe(gap);
      expect(beeps[2]!.start - beeps[1]!.start).toBe(gap);
    }
  });

  it('stays 30 frames apart across a drop-frame minute boundary', () => {
    const rate = FRAME_RATES['29.97df'];
    const inFrame = labelToFrames('01:01:01;00', rate); // 01:01:00;00 and ;01 do not exist
    const beeps = beepSchedule(frameToPosition(inFrame, rate, 48_000), rate, 48_000);
    expect(beeps.map((b) => b.frame)).toEqual([inFrame - 90, inFrame - 60, inFrame - 30]);
  });

  it('at 29.97 / 44.1 kHz beep lengths follow the uneven frame lengths exactly', () => {
    const rate = FRAME_RATES['29.97ndf'];
    const lengths = new Set<number>();
    for (let f = 1000; f < 1010; f++) {
      const [beep] = beepSchedule(frameToPosition(f + 30, rate, 44_100), rate, 44_100, { count: 1 });
      lengths.add(beep!.length);
      expect(beep!.length).toBe(frameToPosition(f + 1, rate, 44_100) - frameToPosition(f, rate, 44_100));
    }
    expect([...lengths].sort()).toEqual([1471, 1472]); // 1471.47 samples per frame
  });

  it('uses the frame that contains an in point that is not on a frame boundary', () => {
    const rate = FRAME_RATES['25'];
    const beeps = beepSchedule(position(48_000 * 100 + 1000), rate, 48_000);
    expect(beeps.at(-1)!.start).toBe(48_000 * 99);
  });

  it('beepOnIn adds a fourth beep starting on the in point', () => {
    const rate = FRAME_RATES['24'];
    const inPoint = labelToPosition('01:00:00:00', rate, 48_000);
    const beeps = beepSchedule(inPoint, rate, 48_000, { beepOnIn: true });
    expect(beeps.map((b) => b.start)).toEqual([inPoint - 144_000, inPoint - 96_000, inPoint - 48_000, inPoint]);
  });

  it('leaves out beeps that would fall before midnight', () => {
    const rate = FRAME_RATES['25'];
    const beeps = beepSchedule(frameToPosition(60, rate, 48_000), rate, 48_000);
    expect(beeps.map((b) => b.frame)).toEqual([10, 35]);
  });

  it('rejects settings that cannot be played', () => {
    const rate = FRAME_RATES['25'];
    const p = position(48_000 * 3600);
    expect(codeOf(() => beepSchedule(p, rate, 48_000, { spacingSeconds: 0.5 }))).toBe('BEEP_SETTINGS_INVALID'); // 12.5 frames
    expect(beepSchedule(p, FRAME_RATES['24'], 48_000, { spacingSeconds: 0.5 })[1]!.frame).toBe(24 * 3600 - 24); // 12 frames
    expect(codeOf(() => beepSchedule(p, rate, 48_000, { lengthFrames: 26 }))).toBe('BEEP_SETTINGS_INVALID'); // overlaps
    expect(codeOf(() => beepSchedule(p, rate, 48_000, { count: 1.5 }))).toBe('BEEP_SETTINGS_INVALID');
    expect(codeOf(() => beepSchedule(p, rate, 48_000, { levelDb: 3 }))).toBe('BEEP_SETTINGS_INVALID');
    expect(codeOf(() => beepSchedule(p, rate, 48_000, { frequencyHz: 0 }))).toBe('BEEP_SETTINGS_INVALID');
    expect(codeOf(() => render([], 0, 10, 1, 48_000, { frequencyHz: 24_000 }))).toBe('BEEP_SETTINGS_INVALID');
  });
});

describe('rollRange', () => {
  it('is pre-roll before the in point to post-roll after the out point', () => {
    const cue = { in: 48_000 * 3600, out: 48_000 * 3605 };
    expect(rollRange(cue, DEFAULT_PRE_ROLL_SECONDS, DEFAULT_POST_ROLL_SECONDS, 48_000)).toEqual({
      start: cue.in - 144_000,
      end: cue.out + 48_000,
    });
  });

  it('widens the pre-roll to cover the first beep (3 timecode seconds at 23.976 are 3.003 s)', () => {
    const rate = FRAME_RATES['23.976'];
    const inPoint = labelToPosition('01:00:00:00', rate, 48_000);
    const beeps = beepSchedule(inPoint, rate, 48_000);
    const range = rollRange({ in: inPoint, out: inPoint + 96_000 }, 3, 1, 48_000, beeps);
    expect(range.start).toBe(beeps[0]!.start);
    expect(inPoint - range.start).toBe(144_144);
    // A 5 s pre-roll already covers them.
    expect(rollRange({ in: inPoint, out: inPoint }, 5, 1, 48_000, beeps).start).toBe(inPoint - 240_000);
  });

  it('covers a beep on the in point of a zero-length cue and clamps at midnight', () => {
    const rate = FRAME_RATES['25'];
    const inPoint = frameToPosition(50, rate, 48_000);
    const beeps = beepSchedule(inPoint, rate, 48_000, { beepOnIn: true, lengthFrames: 2 });
    expect(rollRange({ in: inPoint, out: inPoint }, 3, 0, 48_000, beeps)).toEqual({ start: 0, end: inPoint + 3840 });
  });

  it('rejects a cue that ends before it starts and negative rolls', () => {
    expect(codeOf(() => rollRange({ in: 100, out: 50 }, 3, 1, 48_000))).toBe('CUE_SPAN_INVALID');
    expect(codeOf(() => rollRange({ in: 100, out: 150 }, -1, 1, 48_000))).toBe('ROLL_INVALID');
  });
});

describe('renderBeeps', () => {
  const rate = FRAME_RATES['29.97df'];
  const sampleRate = 48_000;
  const inPoint = labelToPosition('01:00:00;00', rate, sampleRate);
  const settings = { beepOnIn: true };
  const schedule = beepSchedule(inPoint, rate, sampleRate, settings);
  const spanStart = schedule[0]!.start - 777;
  const spanFrames = inPoint + 3000 - spanStart;

  it('renders the same samples whatever the buffer sizes (beeps continue across buffers)', () => {
    const whole = render(schedule, spanStart, spanFrames, 2, sampleRate, settings);
    expect(whole.filter((v) => v !== 0).length).toBe(2 * schedule.reduce((sum, b) => sum + b.length, 0));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 64 }), (sizes) => {
        const pieces = new Float32Array(spanFrames * 2);
        let at = 0;
        let i = 0;
        while (at < spanFrames) {
          const frames = Math.min(sizes[i++ % sizes.length]!, spanFrames - at);
          const buffer = new Float32Array(frames * 2);
          renderBeeps(schedule, position(spanStart + at), frames, 2, sampleRate, settings, buffer);
          pieces.set(buffer, at * 2);
          at += frames;
        }
        // Bit-identical: compare the raw float32 bits.
        const a = new Uint32Array(pieces.buffer);
        const b = new Uint32Array(whole.buffer);
        let firstDifference = -1;
        for (let k = 0; k < a.length && firstDifference < 0; k++) if (a[k] !== b[k]) firstDifference = k;
        expect(firstDifference).toBe(-1);
      }),
      { numRuns: 40 },
    );
  });

  it('starts each beep exactly on its start sample, lasts exactly its length, and is silent elsewhere', () => {
    for (const r of RATES) {
      for (const sr of SAMPLE_RATES) {
        const inP = frameToPosition(r.timecodeBase * 3600, r, sr);
        const beeps = beepSchedule(inP, r, sr, { beepOnIn: true });
        const start = beeps[0]!.start - 100;
        const out = render(beeps, start, inP + 5000 - start, 1, sr);
        const nonZero: number[] = [];
        out.forEach((v, i) => {
          if (v !== 0) nonZero.push(i + start);
        });
        const expected = beeps.flatMap((b) => Array.from({ length: b.length }, (_, k) => b.start + k));
        expect(nonZero).toEqual(expected);
        for (const b of beeps) expect(b.length).toBe(frameToPosition(b.frame + 1, r, sr) - b.start);
      }
    }
  });

  it('mixes into what is already in the buffer, on every channel', () => {
    const out = new Float32Array(3 * 10).fill(0.25);
    const beep: Beep = { frame: 0, start: position(1000), length: 5 as Beep['length'] };
    renderBeeps([beep], position(998), 10, 3, 48_000, {}, out);
    expect(Array.from(out.subarray(0, 6))).toEqual([0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
    expect(out[6]).not.toBe(0.25);
    expect(out[6]).toBe(out[7]);
    expect(out[7]).toBe(out[8]);
    expect(Array.from(out.subarray(21))).toEqual(Array(9).fill(0.25));
  });

  it('plays at the set level and frequency, with a 1 ms ramp at each end', () => {
    for (const levelDb of [-18, -6, -30]) {
      const r = FRAME_RATES['25'];
      const beeps = beepSchedule(position(48_000 * 10), r, 48_000, { count: 1, levelDb });
      const b = beeps[0]!;
      const out = render(beeps, b.start, b.length, 1, 48_000, { levelDb });
      const amplitude = 10 ** (levelDb / 20);
      const peak = Math.max(...Array.from(out, Math.abs));
      expect(peak).toBeCloseTo(amplitude, 6); // the cosine's crest falls on samples 48, 96 … at 1 kHz / 48 kHz
      expect(out[48]).toBeCloseTo(amplitude, 6);
      expect(out[72]).toBeCloseTo(-amplitude, 6); // a trough
      // The ramp: tiny at the onset, half way at 0.5 ms, full from 1 ms, tiny again at the end.
      const ramp = BEEP_RAMP_SECONDS * 48_000;
      expect(ramp).toBe(48);
      expect(Math.abs(out[0]!)).toBeLessThan(amplitude * 0.002);
      expect(Math.abs(out[0]!)).toBeGreaterThan(0);
      expect(-out[24]! / amplitude).toBeGreaterThan(0.45);
      expect(-out[24]! / amplitude).toBeLessThan(0.55);
      expect(Math.max(...Array.from(out.subarray(0, ramp), Math.abs))).toBeLessThan(amplitude);
      expect(Math.abs(out[out.length - 1]!)).toBeLessThan(amplitude * 0.002);
      // Zero crossings every half period: 1 kHz.
      let crossings = 0;
      for (let i = 1; i < out.length; i++) if (Math.sign(out[i]!) !== Math.sign(out[i - 1]!)) crossings++;
      expect(crossings).toBe(2 * 40); // 40 ms of 1 kHz
    }
  });

  it('renders nothing outside the buffer and leaves an empty schedule alone', () => {
    const out = render(schedule, schedule[0]!.start - 5000, 5000, 2, sampleRate);
    expect(out.every((v) => v === 0)).toBe(true);
    expect(render([], 0, 100, 2, sampleRate).every((v) => v === 0)).toBe(true);
  });
});
