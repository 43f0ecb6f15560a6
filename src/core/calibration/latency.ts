/**
 * Round-trip latency calibration (DESIGN §3): play a known signal out of the open duplex stream,
 * find it in what came back in, and use the distance to place takes. A known click played at
 * timeline position P must then appear at P in the recorded file.
 *
 * **The signal: a linear sine sweep (chirp), 0.5 s, 200 Hz → min(0.4·fs, 20 kHz), −12 dBFS peak**,
 * with 5 ms raised-cosine fades. Why a linear sweep:
 * - Its spectrum is flat across the band, so its autocorrelation is a narrow sinc (main lobe about
 *   fs/B ≈ 2.5 samples at 48 kHz) with sidelobes falling as 1/(π·B·τ) — below 2 % one millisecond
 *   out. The peak picks one exact integer sample.
 * - Harmonic distortion from clipping does not fool it: a harmonic of a linear sweep sweeps k times
 *   as fast, so it never lines up with the reference and smears instead of forming a second peak.
 *   (A log sweep's harmonics are time-shifted copies of itself — good for Farina deconvolution,
 *   but under a plain matched filter they make secondary peaks.) A maximum-length sequence is
 *   binary and survives clipping, but it is harsh to hear and its peaks ring once the interface's
 *   converter filters have smoothed it.
 * - Little energy at low frequencies, where an interface's AC coupling (a high-pass of a few Hz)
 *   adds frequency-dependent delay that would bias the peak; the delay measured is the one the
 *   audible band sees. The top stays below the converters' anti-alias roll-off (≈0.45·fs).
 * - 0.5 s at 48 kHz is 24 000 samples: a matched-filter gain of ~44 dB over white noise, so it is
 *   found even 20 dB under the noise. −12 dBFS peak leaves headroom for an input gain set hotter
 *   than the output, and stays some 70 dB over a typical interface's noise floor.
 *
 * **The search** (`findSignal`): cross-correlation by FFT (a small radix-2 FFT below), over lags
 * where the whole signal lies inside the recording. Polarity is ignored (the largest |r| wins, and
 * `inverted` says if it was negative), so a phase-inverting patch still measures. The recording's
 * mean is removed first, so DC offset does not matter. The match is judged by two ratios:
 * - `peakToNoise`: |r| at the peak over the RMS of r at all other lags. Noise alone gives about
 *   sqrt(2·ln lags) ≈ 5 for a second or two of recording; a real match gives hundreds. Below 10:
 *   CALIBRATION_NOT_FOUND.
 * - `confidence`: |r| at the peak over the largest |r| outside the peak's own main lobe (the lags
 *   where the signal's autocorrelation is still above 10 % of its peak). Below 2 — another place in
 *   the recording matches at least half as well, such as an echo or a second copy —:
 *   CALIBRATION_AMBIGUOUS.
 */
import { LoopstageError } from '../errors.js';

// ---------------------------------------------------------------------------------------------
// FFT

const twiddleCache = new Map<number, { cos: Float64Array; sin: Float64Array }>();

function twiddles(n: number): { cos: Float64Array; sin: Float64Array } {
  let table = twiddleCache.get(n);
  if (!table) {
    const half = n >> 1;
    const cos = new Float64Array(half);
    const sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      cos[k] = Math.cos((2 * Math.PI * k) / n);
      sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    table = { cos, sin };
    if (twiddleCache.size > 8) twiddleCache.clear();
    twiddleCache.set(n, table);
  }
  return table;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** The smallest power of two ≥ n (n ≥ 1). */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * In-place complex FFT, iterative radix-2 (decimation in time). `re` and `im` hold n = 2^m points.
 * Forward: X[k] = Σ x[j]·e^(−2πi·jk/n). Inverse (`inverse = true`): e^(+2πi·jk/n) and divided by n,
 * so fft(…, true) undoes fft(…).
 */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (!isPowerOfTwo(n) || im.length !== n) {
    throw new RangeError(`fft needs two arrays of the same power-of-two length; got ${re.length} and ${im.length}.`);
  }
  // Bit-reversal permutation.
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i]!;
      re[i] = re[j]!;
      re[j] = tr;
      const ti = im[i]!;
      im[i] = im[j]!;
      im[j] = ti;
    }
  }
  const { cos, sin } = twiddles(n);
  const sign = inverse ? 1 : -1;
  for (let size = 2; size <= n; size *= 2) {
    const half = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step]!;
        const wi = sign * sin[k * step]!;
        const a = start + k;
        const b = a + half;
        const br = re[b]!;
        const bi = im[b]!;
        const tr = br * wr - bi * wi;
        const ti = br * wi + bi * wr;
        const ar = re[a]!;
        const ai = im[a]!;
        re[b] = ar - tr;
        im[b] = ai - ti;
        re[a] = ar + tr;
        im[a] = ai + ti;
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < n; i++) {
      re[i] = re[i]! / n;
      im[i] = im[i]! / n;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The calibration signal

export interface CalibrationSignalOptions {
  /** Length in seconds (default 0.5). */
  readonly durationSeconds?: number;
  /** Peak level in dBFS (default −12). */
  readonly levelDb?: number;
  /** Sweep start in Hz (default 200). */
  readonly startHz?: number;
  /** Sweep end in Hz (default min(0.4·sampleRate, 20 000)). */
  readonly endHz?: number;
}

export const CALIBRATION_SIGNAL_DEFAULTS = Object.freeze({
  durationSeconds: 0.5,
  levelDb: -12,
  startHz: 200,
  maxEndHz: 20_000,
  endFractionOfSampleRate: 0.4,
  fadeSeconds: 0.005,
});

/** The linear sweep described in the module comment, as float32 samples starting at its first sample. */
export function makeCalibrationSignal(sampleRate: number, options: CalibrationSignalOptions = {}): Float32Array {
  if (!Number.isSafeInteger(sampleRate) || sampleRate < 8000) {
    throw new LoopstageError(
      'SAMPLE_RATE_INVALID',
      `Sample rate ${String(sampleRate)} is not usable for calibration; give a whole number of samples per second such as 48000.`,
      { sampleRate },
    );
  }
  const d = CALIBRATION_SIGNAL_DEFAULTS;
  const seconds = options.durationSeconds ?? d.durationSeconds;
  const levelDb = options.levelDb ?? d.levelDb;
  const f0 = options.startHz ?? d.startHz;
  const f1 = options.endHz ?? Math.min(d.maxEndHz, d.endFractionOfSampleRate * sampleRate);
  if (!(seconds > 0.01 && seconds <= 60) || !(levelDb <= 0) || !(f0 > 0 && f0 < f1 && f1 < sampleRate / 2)) {
    throw new RangeError('makeCalibrationSignal: need 0.01 < duration ≤ 60 s, level ≤ 0 dBFS and 0 < startHz < endHz < sampleRate/2.');
  }
  const n = Math.round(seconds * sampleRate);
  const duration = n / sampleRate;
  const amplitude = 10 ** (levelDb / 20);
  const fade = Math.max(1, Math.round(d.fadeSeconds * sampleRate));
  const out = new Float32Array(n);
  const sweep = (f1 - f0) / (2 * duration);
  for (let k = 0; k < n; k++) {
    const t = k / sampleRate;
    const phase = 2 * Math.PI * (f0 * t + sweep * t * t);
    const edge = Math.min(k, n - 1 - k);
    const gain = edge >= fade ? 1 : 0.5 * (1 - Math.cos((Math.PI * (edge + 0.5)) / fade));
    out[k] = amplitude * gain * Math.sin(phase);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Finding it

export interface FindSignalOptions {
  /** Earliest offset to consider (default 0). */
  readonly minOffset?: number;
  /** Latest offset to consider (default: the last one where the whole signal fits in the recording). */
  readonly maxOffset?: number;
  /** Below this peak-to-noise ratio the signal is "not heard" (default 10). */
  readonly minPeakToNoise?: number;
  /**
   * Below this normalised correlation (0…1) at the peak nothing is heard (default 0.02; the sweep
   * under noise 20 dB louder still reads about 0.1): the window
   * must look like the signal, not merely correlate with it more than elsewhere — a drifting DC or
   * a ramp on an unpatched input correlates in a few broad places and is no signal at all.
   */
  readonly minCorrelation?: number;
  /** Below this peak-to-next-peak ratio the match is ambiguous (default 2). */
  readonly minConfidence?: number;
  /**
   * Lags either side of the peak that count as the peak itself at least (default 1). A real path
   * (converters, resampling, a sound system's filters) widens the peak beyond the signal's own main
   * lobe; a rival that close is the same arrival, not an echo.
   */
  readonly minGuard?: number;
}

export interface SignalMatch {
  /** Index in `recorded` of the signal's first sample. */
  readonly offset: number;
  /** Normalised correlation at the offset, −1…1: 1 is a perfect (scaled) copy; negative if inverted. */
  readonly peak: number;
  /** Peak over the largest correlation outside the peak's main lobe (see the module comment). */
  readonly confidence: number;
  /** Peak over the RMS of the correlation at the other lags. */
  readonly peakToNoise: number;
  /** Level of the signal in the recording relative to the one played (negative if inverted). */
  readonly gain: number;
  readonly inverted: boolean;
  /** Lags either side of the peak treated as its own main lobe when looking for a rival. */
  readonly guard: number;
  /** The offset of the strongest rival outside the guard, or null if there were no other lags. */
  readonly runnerUp: number | null;
}

const NOT_HEARD =
  'The calibration signal was not heard on the input; check that the output is patched to the input (loopback) and the level is up.';

/**
 * Finds `signal` in `recorded` by FFT cross-correlation and returns the integer offset of its first
 * sample. Throws CALIBRATION_NOT_FOUND for silence, noise or anything else that does not contain
 * the signal, CALIBRATION_AMBIGUOUS when it matches in two places about equally well.
 */
export function findSignal(recorded: Float32Array, signal: Float32Array, options: FindSignalOptions = {}): SignalMatch {
  const r = recorded.length;
  const m = signal.length;
  if (m < 2) throw new RangeError('findSignal: the signal needs at least two samples.');
  if (r < m) {
    throw new LoopstageError(
      'CALIBRATION_RECORDING_TOO_SHORT',
      `The recording (${r} samples) is shorter than the calibration signal (${m} samples); record for longer than the signal plus the expected latency.`,
      { recorded: r, signal: m },
    );
  }
  const minOffset = Math.max(0, options.minOffset ?? 0);
  const maxOffset = Math.min(r - m, options.maxOffset ?? r - m);
  if (!Number.isSafeInteger(minOffset) || !Number.isSafeInteger(maxOffset) || minOffset > maxOffset) {
    throw new RangeError(`findSignal: no offsets to search between ${minOffset} and ${maxOffset}.`);
  }
  const minPeakToNoise = options.minPeakToNoise ?? 10;
  const minConfidence = options.minConfidence ?? 2;

  // Pack the recording (real part) and the signal (imaginary part) into one complex FFT, both
  // without their mean. n ≥ r keeps lags 0 … r−m free of wrap-around; n ≥ 2m−1 does the same for
  // the signal's autocorrelation, computed alongside.
  const n = nextPowerOfTwo(Math.max(r, 2 * m - 1));
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  let meanX = 0;
  for (let i = 0; i < r; i++) meanX += recorded[i]!;
  meanX /= r;
  let meanS = 0;
  for (let i = 0; i < m; i++) meanS += signal[i]!;
  meanS /= m;
  for (let i = 0; i < r; i++) re[i] = recorded[i]! - meanX;
  let energyS = 0;
  for (let i = 0; i < m; i++) {
    const v = signal[i]! - meanS;
    im[i] = v;
    energyS += v * v;
  }
  if (!(energyS > 0)) throw new RangeError('findSignal: the signal is silent.');
  fft(re, im);
  // Split Z = X + iS: X[k] = (Z[k] + conj Z[n−k]) / 2, S[k] = (Z[k] − conj Z[n−k]) / 2i.
  // Then W = X·conj(S) + i·|S|²: both terms are spectra of real sequences, so the inverse FFT of W
  // has the cross-correlation in its real part and the signal's autocorrelation in its imaginary part.
  const wr = new Float64Array(n);
  const wi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const j = (n - k) & (n - 1);
    const a = re[k]!;
    const b = im[k]!;
    const c = re[j]!;
    const d = im[j]!;
    const xr = (a + c) / 2;
    const xi = (b - d) / 2;
    const sr = (b + d) / 2;
    const si = (c - a) / 2;
    wr[k] = xr * sr + xi * si;
    wi[k] = xi * sr - xr * si + (sr * sr + si * si);
  }
  fft(wr, wi, true);
  const corr = wr; // corr[lag] = Σ x[lag + j]·s[j]
  const auto = wi; // auto[τ] = Σ s[j]·s[j + τ]; auto[n − τ] is the same by symmetry

  let best = minOffset;
  let bestAbs = -1;
  for (let lag = minOffset; lag <= maxOffset; lag++) {
    const v = Math.abs(corr[lag]!);
    if (v > bestAbs) {
      bestAbs = v;
      best = lag;
    }
  }
  const peakValue = corr[best]!;

  // The peak's own main lobe: the lags where the signal's autocorrelation stays above 10 % of its peak.
  const a0 = auto[0]!;
  let guard = Math.max(1, Math.floor(options.minGuard ?? 1));
  for (let tau = m - 1; tau >= guard; tau--) {
    if (Math.abs(auto[tau]!) > 0.1 * a0) {
      guard = tau + 1;
      break;
    }
  }

  let sumSquares = 0;
  let count = 0;
  let rival = 0;
  let runnerUp: number | null = null;
  for (let lag = minOffset; lag <= maxOffset; lag++) {
    if (Math.abs(lag - best) < guard) continue;
    const v = corr[lag]!;
    sumSquares += v * v;
    count++;
    if (Math.abs(v) > rival) {
      rival = Math.abs(v);
      runnerUp = lag;
    }
  }
  const noise = count > 0 ? Math.sqrt(sumSquares / count) : 0;
  const peakToNoise = bestAbs > 0 ? (noise > 0 ? bestAbs / noise : Infinity) : 0;
  const confidence = bestAbs > 0 ? (rival > 0 ? bestAbs / rival : Infinity) : 0;

  let windowEnergy = 0;
  for (let i = best; i < best + m; i++) windowEnergy += (recorded[i]! - meanX) ** 2;
  const peak = windowEnergy > 0 ? peakValue / Math.sqrt(windowEnergy * energyS) : 0;
  const match: SignalMatch = {
    offset: best,
    peak,
    confidence,
    peakToNoise,
    gain: peakValue / energyS,
    inverted: peakValue < 0,
    guard,
    runnerUp,
  };

  // The noise floor of the correlation, relative to the signal: a recording of pure silence (or a
  // float rounding whisper) is "not heard" even though its correlation has some shape.
  if (!(bestAbs > 1e-9 * energyS) || peakToNoise < minPeakToNoise || Math.abs(peak) < (options.minCorrelation ?? 0.02)) {
    throw new LoopstageError('CALIBRATION_NOT_FOUND', NOT_HEARD, {
      correlation: match.peak,
      peakToNoise: match.peakToNoise,
      confidence: match.confidence,
      gain: match.gain,
      offset: match.offset,
    });
  }
  if (confidence < minConfidence) {
    throw new LoopstageError(
      'CALIBRATION_AMBIGUOUS',
      `The calibration signal was heard in more than one place (samples ${best} and ${String(runnerUp)}), so the latency cannot be told; remove echoes or a second route from the output to the input (monitoring, a loop through a mixer) and measure again.`,
      { offset: best, runnerUp, confidence, peakToNoise, correlation: peak },
    );
  }
  return match;
}

// ---------------------------------------------------------------------------------------------
// Round trips

/** Where a recording came from and what was found in it: both counted on the duplex stream's frame count. */
export interface HeardSignal {
  /** Stream frame of the recording's first sample. */
  readonly recordingStart: number;
  /** Offset of the signal in the recording (from findSignal). */
  readonly offset: number;
}

/**
 * The round-trip latency in samples: the stream frame at which the signal's first sample came in,
 * minus the stream frame at which it was written out (`playedAt`). On a duplex stream both count
 * the same frames, so a sample written at frame f is heard at f + roundTrip; a take recorded from
 * stream frame g is placed at g − roundTrip.
 */
export function measureRoundTrip(playedAt: number, found: HeardSignal): number {
  const heard = found.recordingStart + found.offset;
  const roundTrip = heard - playedAt;
  if (!Number.isSafeInteger(roundTrip) || roundTrip < 0) {
    throw new LoopstageError(
      'CALIBRATION_INVALID',
      `The calibration signal was found ${String(roundTrip)} samples after it was played, which cannot be; the input and output positions do not belong to the same stream. Measure again.`,
      { playedAt, recordingStart: found.recordingStart, offset: found.offset },
    );
  }
  return roundTrip;
}

/**
 * The median of several round trips: for an even count the lower of the two middle values, so
 * the result is always one of the measurements (a whole number of samples).
 */
export function medianRoundTrip(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('medianRoundTrip needs at least one measurement.');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export interface RoundTripSummary {
  readonly roundTrip: number;
  readonly count: number;
  /** Measurements within `toleranceSamples` of the median. */
  readonly agreeing: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Combines repeated measurements: the median, provided more than half of them agree with it
 * within `toleranceSamples` (default 1). On a working duplex stream every measurement gives the
 * same number; if most disagree, the stream is glitching (dropouts, a reopened device) and no
 * value can be trusted: CALIBRATION_INCONSISTENT.
 */
export function summarizeRoundTrips(values: readonly number[], toleranceSamples = 1): RoundTripSummary {
  const roundTrip = medianRoundTrip(values);
  const agreeing = values.filter((v) => Math.abs(v - roundTrip) <= toleranceSamples).length;
  const summary = { roundTrip, count: values.length, agreeing, min: Math.min(...values), max: Math.max(...values) };
  if (agreeing * 2 <= values.length) {
    throw new LoopstageError(
      'CALIBRATION_INCONSISTENT',
      `The latency measurements disagree (${summary.min} to ${summary.max} samples); check for dropouts (a larger buffer may help) and measure again.`,
      { ...summary, values: [...values] },
    );
  }
  return summary;
}

/** Key under which a round trip is stored: it holds only for this device, sample rate and buffer size. */
export interface RoundTripKey {
  readonly device: string;
  readonly sampleRate: number;
  readonly bufferSize: number;
}

export function roundTripKey(key: RoundTripKey): string {
  return JSON.stringify([key.device, key.sampleRate, key.bufferSize]);
}
