import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fft,
  findSignal,
  makeCalibrationSignal,
  measureRoundTrip,
  medianRoundTrip,
  roundTripKey,
  summarizeRoundTrips,
  type SignalMatch,
} from '../../src/core/calibration/latency.js';
import { isLoopstageError } from '../../src/core/errors.js';

/** Seeded generator (mulberry32): tests are repeatable. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gaussian noise (Box–Muller) from a seeded generator. */
function gaussian(seed: number): () => number {
  const next = seeded(seed);
  return () => {
    const u = Math.max(next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
}

interface Path {
  gain?: number;
  noiseRms?: number;
  dc?: number;
  clip?: number;
  humRms?: number;
  seed?: number;
}

/** A recording of `length` samples holding `signal` from `offset`, through a path with gain, noise, hum, DC and clipping. */
function record(signal: Float32Array, length: number, offset: number, sampleRate: number, path: Path = {}): Float32Array {
  const out = new Float32Array(length);
  const noise = gaussian(path.seed ?? 1);
  for (let i = 0; i < length; i++) {
    const k = i - offset;
    let v = k >= 0 && k < signal.length ? (path.gain ?? 1) * signal[k]! : 0;
    v += (path.noiseRms ?? 0) * noise();
    v += (path.humRms ?? 0) * Math.SQRT2 * Math.sin((2 * Math.PI * 50 * i) / sampleRate);
    v += path.dc ?? 0;
    if (path.clip !== undefined) v = Math.max(-path.clip, Math.min(path.clip, v));
    out[i] = v;
  }
  return out;
}

function rms(x: Float32Array): number {
  let sum = 0;
  for (const v of x) sum += v * v;
  return Math.sqrt(sum / x.length);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isLoopstageError(error) ? error.code : `not a LoopstageError: ${String(error)}`;
  }
  return undefined;
}

function naiveDft(re: Float64Array, im: Float64Array, inverse: boolean): [Float64Array, Float64Array] {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const angle = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      sr += re[j]! * Math.cos(angle) - im[j]! * Math.sin(angle);
      si += re[j]! * Math.sin(angle) + im[j]! * Math.cos(angle);
    }
    outRe[k] = inverse ? sr / n : sr;
    outIm[k] = inverse ? si / n : si;
  }
  return [outRe, outIm];
}

describe('fft', () => {
  it('matches a naive DFT, forward and inverse, for every power of two up to 1024', () => {
    const random = seeded(7);
    for (let n = 1; n <= 1024; n *= 2) {
      for (const inverse of [false, true]) {
        const re = Float64Array.from({ length: n }, () => random() * 2 - 1);
        const im = Float64Array.from({ length: n }, () => random() * 2 - 1);
        const [expectRe, expectIm] = naiveDft(re, im, inverse);
        fft(re, im, inverse);
        for (let k = 0; k < n; k++) {
          expect(Math.abs(re[k]! - expectRe[k]!)).toBeLessThan(1e-9 * Math.max(1, n));
          expect(Math.abs(im[k]! - expectIm[k]!)).toBeLessThan(1e-9 * Math.max(1, n));
        }
      }
    }
  });

  it('round-trips random data of any power-of-two size (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 14 }), fc.integer(), (log2, seed) => {
        const n = 2 ** log2;
        const random = seeded(seed);
        const re = Float64Array.from({ length: n }, () => random() - 0.5);
        const im = Float64Array.from({ length: n }, () => random() - 0.5);
        const [re0, im0] = [re.slice(), im.slice()];
        fft(re, im);
        fft(re, im, true);
        for (let k = 0; k < n; k++) {
          expect(re[k]).toBeCloseTo(re0[k]!, 10);
          expect(im[k]).toBeCloseTo(im0[k]!, 10);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('puts a pure tone in its bin', () => {
    const n = 64;
    const re = Float64Array.from({ length: n }, (_, j) => Math.cos((2 * Math.PI * 5 * j) / n));
    const im = new Float64Array(n);
    fft(re, im);
    expect(re[5]).toBeCloseTo(32, 9);
    expect(re[59]).toBeCloseTo(32, 9);
    expect(Math.abs(re[6]!)).toBeLessThan(1e-9);
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => fft(new Float64Array(12), new Float64Array(12))).toThrow(RangeError);
    expect(() => fft(new Float64Array(8), new Float64Array(4))).toThrow(RangeError);
  });
});

describe('makeCalibrationSignal', () => {
  it('is a 0.5 s sweep at −12 dBFS peak that starts and ends in silence', () => {
    for (const sampleRate of [44_100, 48_000, 96_000]) {
      const signal = makeCalibrationSignal(sampleRate);
      expect(signal).toHaveLength(sampleRate / 2);
      const peak = Math.max(...Array.from(signal, Math.abs));
      expect(peak).toBeLessThanOrEqual(10 ** (-12 / 20) + 1e-7);
      expect(peak).toBeGreaterThan(0.99 * 10 ** (-12 / 20));
      expect(Math.abs(signal[0]!)).toBeLessThan(0.001);
      expect(Math.abs(signal.at(-1)!)).toBeLessThan(0.01);
      expect(rms(signal)).toBeCloseTo(10 ** (-12 / 20) / Math.SQRT2, 2);
    }
  });

  it('sweeps upwards: more zero crossings at the end than at the start', () => {
    const signal = makeCalibrationSignal(48_000);
    const crossings = (from: number, to: number): number => {
      let count = 0;
      for (let i = from + 1; i < to; i++) if (Math.sign(signal[i]!) !== Math.sign(signal[i - 1]!)) count++;
      return count;
    };
    // A linear sweep 200 Hz → 19.2 kHz in 0.5 s: f(t) = 200 + 38 000·t, so a window holds
    // 2·∫f dt zero crossings — about 12 in 5–15 ms, about 372 in 479–489 ms.
    const expected = (from: number, to: number): number => {
      const [a, b] = [from / 48_000, to / 48_000];
      return 2 * (200 * (b - a) + 19_000 * (b * b - a * a));
    };
    expect(Math.abs(crossings(240, 720) - expected(240, 720))).toBeLessThanOrEqual(2);
    expect(Math.abs(crossings(23_000, 23_480) - expected(23_000, 23_480))).toBeLessThanOrEqual(2);
  });
});

describe('findSignal', () => {
  const sampleRate = 48_000;
  const signal = makeCalibrationSignal(sampleRate);
  const length = 2 * sampleRate;

  it('finds the exact offset in a clean loopback', () => {
    for (const offset of [0, 1, 2, 261, 388, 1023, 4801, 30_000, length - signal.length]) {
      const match = findSignal(record(signal, length, offset, sampleRate), signal);
      expect(match.offset).toBe(offset);
      expect(match.peak).toBeCloseTo(1, 6);
      expect(match.gain).toBeCloseTo(1, 6);
      expect(match.inverted).toBe(false);
      expect(match.peakToNoise).toBeGreaterThan(100);
      expect(match.confidence).toBeGreaterThan(10);
    }
  });

  it('finds it through noise, attenuation, DC offset, hum, clipping and inverted polarity', () => {
    const cases: [string, Path, (m: SignalMatch) => void][] = [
      ['−40 dB', { gain: 0.01 }, (m) => expect(m.gain).toBeCloseTo(0.01, 6)],
      ['inverted', { gain: -0.5 }, (m) => expect(m.inverted).toBe(true)],
      ['DC +0.4', { dc: 0.4 }, () => {}],
      ['hum −20 dBFS', { humRms: 0.1 }, () => {}],
      ['noise at the signal level', { noiseRms: 0.18 }, () => {}],
      ['noise 20 dB over the signal', { gain: 0.1, noiseRms: 0.18 }, () => {}],
      ['clipped hard (+24 dB into ±0.5)', { gain: 16, clip: 0.5 }, () => {}],
      ['clipped with DC and noise', { gain: 8, dc: -0.2, clip: 0.6, noiseRms: 0.02 }, () => {}],
    ];
    for (const [name, path, extra] of cases) {
      for (const offset of [0, 1, 261, 388, 4801]) {
        const match = findSignal(record(signal, length, offset, sampleRate, { seed: offset + 11, ...path }), signal);
        expect(match.offset, `${name} at ${offset}`).toBe(offset);
        extra(match);
      }
    }
  });

  it('finds it at 44.1 and 96 kHz', () => {
    for (const rate of [44_100, 96_000]) {
      const s = makeCalibrationSignal(rate);
      for (const offset of [1, 261, 4801]) {
        const match = findSignal(record(s, 2 * rate, offset, rate, { gain: 0.3, noiseRms: 0.05, seed: offset }), s);
        expect(match.offset).toBe(offset);
      }
    }
  });

  it('measures the delay of a linear-phase converter filter as latency: offset + (taps − 1) / 2', () => {
    // A 63-tap windowed-sinc low-pass at 0.45·fs, like a converter's linear-phase decimation filter.
    const taps = 63;
    const h = Float64Array.from({ length: taps }, (_, i) => {
      const x = i - (taps - 1) / 2;
      const sinc = x === 0 ? 0.9 : Math.sin(Math.PI * 0.9 * x) / (Math.PI * x);
      return sinc * (0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (taps - 1)));
    });
    const dry = record(signal, length, 388, sampleRate);
    const wet = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      let sum = 0;
      for (let j = 0; j < taps && j <= i; j++) sum += h[j]! * dry[i - j]!;
      wet[i] = sum;
    }
    expect(findSignal(wet, signal).offset).toBe(388 + 31);
  });

  it('finds the exact offset for any offset, level and noise (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: length - signal.length }),
        fc.double({ min: -50, max: 0, noNaN: true }),
        fc.double({ min: 0, max: 0.05, noNaN: true }),
        fc.integer(),
        (offset, gainDb, noiseRms, seed) => {
          const gain = 10 ** (gainDb / 20);
          // Keep the signal (−15 dBFS RMS) no more than 14 dB under the noise; −20 dB is a seeded case above.
          fc.pre(noiseRms <= gain * 0.18 * 5);
          const match = findSignal(record(signal, length, offset, sampleRate, { gain, noiseRms, seed }), signal);
          expect(match.offset).toBe(offset);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('rejects silence and noise with CALIBRATION_NOT_FOUND', () => {
    expect(codeOf(() => findSignal(new Float32Array(length), signal))).toBe('CALIBRATION_NOT_FOUND');
    expect(codeOf(() => findSignal(new Float32Array(length).fill(0.3), signal))).toBe('CALIBRATION_NOT_FOUND'); // DC only
    for (let seed = 1; seed <= 8; seed++) {
      const noise = record(signal, length, 0, sampleRate, { gain: 0, noiseRms: 0.1, seed });
      expect(codeOf(() => findSignal(noise, signal))).toBe('CALIBRATION_NOT_FOUND');
    }
    // A steady tone inside the sweep's band, and hum.
    const tone = Float32Array.from({ length }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 1000 * i) / sampleRate));
    expect(codeOf(() => findSignal(tone, signal))).toBe('CALIBRATION_NOT_FOUND');
    expect(codeOf(() => findSignal(record(signal, length, 0, sampleRate, { gain: 0, humRms: 0.3 }), signal))).toBe('CALIBRATION_NOT_FOUND');
    // A slow ramp (the rig's unpatched test input, an input drifting after power-up): it correlates
    // more at some lags than others, but nowhere looks like the sweep.
    for (const start of [0, 0.003, 0.05]) {
      const ramp = Float32Array.from({ length }, (_, i) => start + i / 16_777_216);
      expect(codeOf(() => findSignal(ramp, signal))).toBe('CALIBRATION_NOT_FOUND');
    }
    // The message says what to do.
    try {
      findSignal(new Float32Array(length), signal);
    } catch (error) {
      expect(String((error as Error).message)).toMatch(/loopback/);
    }
  });

  it('rejects a signal found twice about equally strongly with CALIBRATION_AMBIGUOUS', () => {
    const twice = record(signal, length, 1000, sampleRate);
    const echo = record(signal, length, 40_000, sampleRate, { gain: 0.8 });
    for (let i = 0; i < length; i++) twice[i] = twice[i]! + echo[i]!;
    expect(codeOf(() => findSignal(twice, signal))).toBe('CALIBRATION_AMBIGUOUS');
    // A weaker echo (−12 dB) is only a runner-up.
    const withEcho = record(signal, length, 1000, sampleRate);
    const weak = record(signal, length, 1500, sampleRate, { gain: 0.25 });
    for (let i = 0; i < length; i++) withEcho[i] = withEcho[i]! + weak[i]!;
    const match = findSignal(withEcho, signal);
    expect(match.offset).toBe(1000);
    expect(match.runnerUp).toBe(1500);
    expect(match.confidence).toBeCloseTo(4, 0);
  });

  it('says when the recording is shorter than the signal, and honours a search window', () => {
    expect(codeOf(() => findSignal(new Float32Array(100), signal))).toBe('CALIBRATION_RECORDING_TOO_SHORT');
    const rec = record(signal, length, 4801, sampleRate);
    expect(findSignal(rec, signal, { minOffset: 4000, maxOffset: 6000 }).offset).toBe(4801);
    expect(codeOf(() => findSignal(rec, signal, { maxOffset: 3000 }))).toBe('CALIBRATION_NOT_FOUND');
  });

  it('reports its speed and confidence for a 2 s recording at 48 kHz', () => {
    const rec = record(signal, length, 4801, sampleRate, { gain: 0.5, noiseRms: 0.01, seed: 3 });
    findSignal(rec, signal); // warm up
    const started = performance.now();
    const runs = 5;
    let match: SignalMatch | undefined;
    for (let i = 0; i < runs; i++) match = findSignal(rec, signal);
    const ms = (performance.now() - started) / runs;
    console.log(
      `findSignal, 2 s at 48 kHz: ${ms.toFixed(1)} ms; peak ${match!.peak.toFixed(4)}, peak/noise ${match!.peakToNoise.toFixed(0)}, peak/next ${match!.confidence.toFixed(1)}, guard ±${match!.guard}`,
    );
    expect(match!.offset).toBe(4801);
    expect(ms).toBeLessThan(2000);
  });
});

describe('round trips', () => {
  it('measures the round trip from where the signal was played and where it was heard', () => {
    expect(measureRoundTrip(10_000, { recordingStart: 9_000, offset: 1_388 })).toBe(388);
    expect(measureRoundTrip(0, { recordingStart: 0, offset: 0 })).toBe(0);
    expect(codeOf(() => measureRoundTrip(10_000, { recordingStart: 9_000, offset: 500 }))).toBe('CALIBRATION_INVALID');
  });

  it('takes the median of several measurements, always one of them', () => {
    expect(medianRoundTrip([388])).toBe(388);
    expect(medianRoundTrip([390, 388, 388])).toBe(388);
    expect(medianRoundTrip([388, 389])).toBe(388);
    expect(medianRoundTrip([5000, 388, 388, 12])).toBe(388);
    expect(() => medianRoundTrip([])).toThrow(RangeError);
  });

  it('accepts agreeing measurements and rejects a scatter', () => {
    expect(summarizeRoundTrips([388, 388, 389, 388, 2000])).toEqual({ roundTrip: 388, count: 5, agreeing: 4, min: 388, max: 2000 });
    expect(codeOf(() => summarizeRoundTrips([388, 900, 1500, 2000]))).toBe('CALIBRATION_INCONSISTENT');
  });

  it('keys a measurement by device, sample rate and buffer size', () => {
    const a = roundTripKey({ device: 'rig', sampleRate: 48_000, bufferSize: 256 });
    expect(a).not.toBe(roundTripKey({ device: 'rig', sampleRate: 48_000, bufferSize: 512 }));
    expect(a).toBe(roundTripKey({ device: 'rig', sampleRate: 48_000, bufferSize: 256 }));
  });
});
