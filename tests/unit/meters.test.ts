import { describe, expect, it } from 'vitest';
import { MeterAccumulator, METER_FLOOR_DB } from '../../src/core/audio/meters.js';

/** Interleaves channel arrays into one Float32Array. */
function interleave(...channels: number[][]): Float32Array {
  const frames = channels[0]!.length;
  const out = new Float32Array(frames * channels.length);
  for (let f = 0; f < frames; f++) for (let c = 0; c < channels.length; c++) out[f * channels.length + c] = channels[c]![f]!;
  return out;
}

const sine = (frames: number, amplitude: number, cyclesPerFrame = 1 / 48): number[] =>
  Array.from({ length: frames }, (_, i) => amplitude * Math.cos(2 * Math.PI * cyclesPerFrame * i)); // sampled at its crests

describe('MeterAccumulator', () => {
  it('reads a full-scale sine as 0 dBFS peak and 0 dBFS RMS (AES17), a −20 dB sine as −20, DC and silence exactly', () => {
    const frames = 48_000; // 1000 whole cycles
    const meter = new MeterAccumulator(4);
    const dc = new Array<number>(frames).fill(-0.5);
    const silence = new Array<number>(frames).fill(0);
    meter.add(interleave(sine(frames, 0.9999), sine(frames, 0.1), dc, silence), frames, 4);
    const r = meter.take();
    expect(r.frames).toBe(frames);
    expect(r.peak[0]).toBeCloseTo(0.9999, 4);
    expect(r.peakDb[0]).toBeCloseTo(0, 2);
    expect(r.rms[0]).toBeCloseTo(0.9999 / Math.SQRT2, 5);
    expect(r.rmsDb[0]).toBeCloseTo(0, 2);
    expect(r.peakDb[1]).toBeCloseTo(-20, 2);
    expect(r.rmsDb[1]).toBeCloseTo(-20, 2);
    expect(r.peak[2]).toBe(0.5);
    expect(r.rms[2]).toBe(0.5);
    expect(r.peakDb[2]).toBeCloseTo(-6.0206, 4);
    expect(r.rmsDb[2]).toBeCloseTo(-6.0206 + 3.0103, 4); // DC reads 3 dB above a sine of the same peak
    expect(r.peak[3]).toBe(0);
    expect(r.rms[3]).toBe(0);
    expect(r.peakDb[3]).toBe(METER_FLOOR_DB);
    expect(r.rmsDb[3]).toBe(METER_FLOOR_DB);
    expect(r.clipped).toEqual([false, false, false, false]);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r); // every value survives JSON
  });

  it('accumulates over several buffers and resets on take()', () => {
    const meter = new MeterAccumulator(1);
    meter.add(Float32Array.from([0.5, -0.5]), 2, 1);
    meter.add(Float32Array.from([0, 0]), 2, 1);
    const r = meter.take();
    expect(r.frames).toBe(4);
    expect(r.peak).toEqual([0.5]);
    expect(r.rms).toEqual([Math.sqrt(0.5 / 4)]);
    const empty = meter.take();
    expect(empty).toEqual({ peak: [0], rms: [0], peakDb: [-120], rmsDb: [-120], clipped: [false], frames: 0 });
  });

  it('floors dB at −120 but reads quiet signals above it', () => {
    const meter = new MeterAccumulator(2);
    meter.add(interleave([1e-7, -1e-7], [1e-5, -1e-5]), 2, 2);
    const r = meter.take();
    expect(r.peakDb[0]).toBe(-120); // −140 dBFS
    expect(r.peakDb[1]).toBeCloseTo(-100, 6);
    expect(r.rmsDb[1]).toBeCloseTo(-100 + 3.0103, 4);
  });

  it('counts a clip for one sample at or beyond ±1.0, not for 0.9999 alone', () => {
    const cases: Array<[number[], boolean]> = [
      [[0, 1, 0], true],
      [[0, -1, 0], true],
      [[0, 1.7, 0], true],
      [[0, 0.9999, 0, -0.9999, 0.5, 0.9999, 0.9999], false], // never 3 in a row
      [[0.998, 0.998, 0.998, 0.998], false], // below 0.999
    ];
    for (const [samples, clipped] of cases) {
      const meter = new MeterAccumulator(1);
      meter.add(Float32Array.from(samples), samples.length, 1);
      expect(meter.take().clipped, JSON.stringify(samples)).toEqual([clipped]);
    }
  });

  it('counts 3 consecutive samples at |x| ≥ 0.999 in one channel as a clip, also across buffers and signs', () => {
    const meter = new MeterAccumulator(2);
    // Channel 0: 0.999, −0.9995, 0.9999 in a row → clip. Channel 1 alternates with 0.5 → none.
    meter.add(interleave([0.2, 0.999, -0.9995], [0.999, 0.5, 0.999]), 3, 2);
    meter.add(interleave([0.9999, 0], [0.5, 0.999]), 2, 2);
    expect(meter.take().clipped).toEqual([true, false]);
    // A run of two at the end of one reading and one at the start of the next: the next one clips.
    const single = new MeterAccumulator(1);
    single.add(Float32Array.from([0, 0.9995, 0.9995]), 3, 1);
    expect(single.take().clipped).toEqual([false]);
    single.add(Float32Array.from([0.9995, 0]), 2, 1);
    expect(single.take().clipped).toEqual([true]);
    expect(single.take().clipped).toEqual([false]);
  });

  it('meters the selected input channels in the order given', () => {
    const meter = new MeterAccumulator(2);
    const input = interleave([0.1, 0.1], [0.2, -0.2], [0.3, 1.0]);
    meter.add(input, 2, 3, [2, 0]);
    const r = meter.take();
    expect(r.peak).toEqual([1, Math.fround(0.1)]);
    expect(r.clipped).toEqual([true, false]);
    // Only `frames` frames are read, even if the buffer holds more.
    meter.add(input, 1, 3, [2, 1]);
    expect(meter.take().peak).toEqual([Math.fround(0.3), Math.fround(0.2)]);
  });

  it('treats NaN as silence and ±Infinity as a clip, so readings stay finite', () => {
    const meter = new MeterAccumulator(2);
    meter.add(interleave([NaN, 0.5, NaN, NaN], [Infinity, 0.25, -Infinity, 0]), 4, 2);
    const r = meter.take();
    expect(r.peak).toEqual([0.5, 0.25]);
    expect(r.rms).toEqual([Math.sqrt(0.25 / 4), Math.sqrt(0.0625 / 4)]);
    expect(r.clipped).toEqual([false, true]);
    for (const value of [...r.peak, ...r.rms, ...r.peakDb, ...r.rmsDb]) expect(Number.isFinite(value)).toBe(true);
  });

  it('refuses inputs that do not fit', () => {
    const meter = new MeterAccumulator(2);
    expect(() => meter.add(new Float32Array(4), 3, 2)).toThrow(RangeError);
    expect(() => meter.add(new Float32Array(4), 4, 1)).toThrow(RangeError); // 2 channels from 1 without select
    expect(() => meter.add(new Float32Array(4), 2, 2, [0])).toThrow(RangeError);
    expect(() => meter.add(new Float32Array(4), 2, 2, [0, 2])).toThrow(RangeError);
    expect(() => new MeterAccumulator(0)).toThrow(RangeError);
    meter.add(new Float32Array(4), 4, 1, [0, 0]);
    expect(meter.take().frames).toBe(4);
  });
});
