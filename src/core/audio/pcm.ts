/**
 * Float samples to and from the bytes of a WAV file's `data` chunk, pure and allocation-free: the
 * audio process calls `encodeFrames` once per input buffer (up to 96 kHz × 32 channels) and the
 * placed-audio reader calls `decodeFrames` once per read.
 *
 * Encoding (float → file), per sample:
 * - Integer PCM: clip to [−1, 1), scale by 2^(bits−1), round to nearest with ties to even (C's
 *   `lrint`, as libsndfile converts), then clamp: full-scale positive (+1.0, or anything that
 *   rounds up to 2^(bits−1)) becomes the largest integer, 32767 or 8388607. −0 is 0.
 * - 16-bit adds TPDF dither before rounding: the sum of two independent uniform values in
 *   [−½, ½) LSB, so a sample moves by less than 1 LSB from the undithered value and its rounding
 *   error is independent of the signal. The random numbers come from xorshift32 in a
 *   `DitherState`, seeded by the caller, so a take's bytes are reproducible.
 * - 24-bit is not dithered: a float32 sample has a 24-bit significand, and a converter's own
 *   noise floor lies far above 24-bit quantisation. It is exact: k / 2^23 writes k.
 * - float32 copies every finite value bit for bit (−0 and subnormals included).
 * - Non-finite input never reaches a file. NaN writes 0 in every encoding (without dither).
 *   ±Infinity clips to the extreme integer in PCM; in float32 it writes 0, because a float file
 *   holding ±Infinity poisons every mix that reads it, while large finite values are legal there.
 *
 * Decoding (file → float) divides integers by 2^(bits−1), exactly for 8, 16 and 24 bits (32-bit
 * integers round to the nearest float32); 8-bit WAV is unsigned with 128 as zero. Float32 is copied,
 * except that NaN and ±Infinity read as 0, so a damaged guide file cannot poison the output mix.
 *
 * Samples are little-endian as WAV requires; 24-bit samples are packed in 3 bytes.
 */

/** What a take is written as. */
export type SampleEncoding = 'pcm16' | 'pcm24' | 'float32';
/** What a WAV file to be read back may hold. */
export type StoredEncoding = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32';

/** The state of the 16-bit dither's random generator (xorshift32); mutated by every call that uses it. */
export interface DitherState {
  /** Never 0 (xorshift32 would stay at 0). */
  state: number;
}

const DEFAULT_SEED = 0x6d2b79f5;

/** A dither generator seeded with `seed` (its low 32 bits; 0 stands for a fixed non-zero seed). */
export function createDither(seed: number): DitherState {
  const state = Number.isFinite(seed) ? seed | 0 : 0;
  return { state: state === 0 ? DEFAULT_SEED : state };
}

export function bytesPerSample(encoding: SampleEncoding | StoredEncoding): number {
  switch (encoding) {
    case 'pcm8':
      return 1;
    case 'pcm16':
      return 2;
    case 'pcm24':
      return 3;
    case 'pcm32':
    case 'float32':
      return 4;
  }
}

/** (y + ROUND) − ROUND rounds a double |y| < 2^51 to the nearest integer, ties to even. */
const ROUND = 6_755_399_441_055_744; // 1.5 · 2^52
const TWO_POW_MINUS_32 = 2 ** -32;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One typed-array view over a whole ArrayBuffer, re-made only when the buffer changes. */
class ViewCache<T> {
  #buffer: ArrayBufferLike | null = null;
  #view: T | null = null;
  constructor(private readonly make: (buffer: ArrayBufferLike) => T) {}
  over(buffer: ArrayBufferLike): T {
    if (buffer !== this.#buffer || this.#view === null) {
      this.#view = this.make(buffer);
      this.#buffer = buffer;
    }
    return this.#view;
  }
}

const float32Of = (buffer: ArrayBufferLike): Float32Array => new Float32Array(buffer, 0, buffer.byteLength >> 2);
const int16Of = (buffer: ArrayBufferLike): Int16Array => new Int16Array(buffer, 0, buffer.byteLength >> 1);
const encodeFloat = new ViewCache(float32Of);
const encodeInt16 = new ViewCache(int16Of);
const decodeFloat = new ViewCache(float32Of);
const decodeInt16 = new ViewCache(int16Of);

/** Scratch for reading a float32's bits, whatever the platform's byte order. */
const bitsF32 = new Float32Array(1);
const bitsU32 = new Uint32Array(bitsF32.buffer);

function checkSelect(select: readonly number[], inputChannels: number): void {
  if (!Number.isInteger(inputChannels) || inputChannels < 1) throw new RangeError(`inputChannels must be a whole number of 1 or more, not ${inputChannels}`);
  if (select.length === 0) throw new RangeError('select names no channel');
  for (let k = 0; k < select.length; k++) {
    const c = select[k]!;
    if (!Number.isInteger(c) || c < 0 || c >= inputChannels) throw new RangeError(`select[${k}] = ${c} is not an input channel (0–${inputChannels - 1})`);
  }
}

function isIdentity(select: readonly number[], inputChannels: number): boolean {
  if (select.length !== inputChannels) return false;
  for (let k = 0; k < select.length; k++) if (select[k] !== k) return false;
  return true;
}

/**
 * Writes the channels `select` (0-based input channels, any order, repeats allowed) of every frame
 * of `input` (interleaved float32, `inputChannels` per frame; a partial last frame is ignored) into
 * `out` as little-endian `encoding`, frame after frame. Returns the bytes written:
 * frames × select.length × bytesPerSample. `dither` is required for pcm16 and advanced by two
 * random numbers per sample written; it is not used by the other encodings.
 */
export function encodeFrames(
  input: Float32Array,
  inputChannels: number,
  select: readonly number[],
  encoding: SampleEncoding,
  out: Uint8Array,
  dither?: DitherState,
): number {
  checkSelect(select, inputChannels);
  const frames = Math.floor(input.length / inputChannels);
  const width = select.length;
  const bytes = frames * width * bytesPerSample(encoding);
  if (out.length < bytes) throw new RangeError(`out holds ${out.length} bytes; ${bytes} are needed for ${frames} frames`);
  if (encoding === 'float32') encodeFloat32(input, inputChannels, select, frames, out);
  else if (encoding === 'pcm24') encodePcm24(input, inputChannels, select, frames, out);
  else {
    if (dither === undefined) throw new RangeError('16-bit encoding needs a DitherState (createDither)');
    encodePcm16(input, inputChannels, select, frames, out, dither);
  }
  return bytes;
}

function encodeFloat32(input: Float32Array, inputChannels: number, select: readonly number[], frames: number, out: Uint8Array): void {
  const width = select.length;
  if (LITTLE_ENDIAN && (out.byteOffset & 3) === 0) {
    const view = encodeFloat.over(out.buffer);
    const base = out.byteOffset >> 2;
    if (isIdentity(select, inputChannels)) {
      // The fast path: all channels in order, one float store per sample.
      const n = frames * inputChannels;
      for (let i = 0; i < n; i++) {
        const x = input[i]!;
        view[base + i] = x - x === 0 ? x : 0;
      }
      return;
    }
    let o = base;
    for (let f = 0, row = 0; f < frames; f++, row += inputChannels) {
      for (let k = 0; k < width; k++) {
        const x = input[row + select[k]!]!;
        view[o++] = x - x === 0 ? x : 0;
      }
    }
    return;
  }
  let o = 0;
  for (let f = 0, row = 0; f < frames; f++, row += inputChannels) {
    for (let k = 0; k < width; k++) {
      const x = input[row + select[k]!]!;
      bitsF32[0] = x - x === 0 ? x : 0;
      const b = bitsU32[0]!;
      out[o] = b;
      out[o + 1] = b >>> 8;
      out[o + 2] = b >>> 16;
      out[o + 3] = b >>> 24;
      o += 4;
    }
  }
}

function encodePcm24(input: Float32Array, inputChannels: number, select: readonly number[], frames: number, out: Uint8Array): void {
  const width = select.length;
  let o = 0;
  for (let f = 0, row = 0; f < frames; f++, row += inputChannels) {
    for (let k = 0; k < width; k++) {
      const y = input[row + select[k]!]! * 8_388_608 + ROUND - ROUND;
      const v = y >= 8_388_607 ? 8_388_607 : y <= -8_388_608 ? -8_388_608 : y === y ? y | 0 : 0;
      out[o] = v;
      out[o + 1] = v >> 8;
      out[o + 2] = v >> 16;
      o += 3;
    }
  }
}

function encodePcm16(input: Float32Array, inputChannels: number, select: readonly number[], frames: number, out: Uint8Array, dither: DitherState): void {
  const width = select.length;
  let s = dither.state | 0;
  if (s === 0) s = DEFAULT_SEED;
  const aligned = LITTLE_ENDIAN && (out.byteOffset & 1) === 0;
  const view = aligned ? encodeInt16.over(out.buffer) : null;
  let o = aligned ? out.byteOffset >> 1 : 0;
  for (let f = 0, row = 0; f < frames; f++, row += inputChannels) {
    for (let k = 0; k < width; k++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      const r1 = s >>> 0;
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      const r2 = s >>> 0;
      // TPDF: (u1 − ½) + (u2 − ½) LSB, u uniform in [0, 1).
      const d = (r1 + r2) * TWO_POW_MINUS_32 - 1;
      const y = input[row + select[k]!]! * 32_768 + d + ROUND - ROUND;
      const v = y >= 32_767 ? 32_767 : y <= -32_768 ? -32_768 : y === y ? y | 0 : 0;
      if (view !== null) {
        view[o++] = v;
      } else {
        out[o] = v;
        out[o + 1] = v >> 8;
        o += 2;
      }
    }
  }
  dither.state = s;
}

/**
 * Reads little-endian samples of `encoding` (`channels` interleaved) from `bytes` into `out` as
 * floats, as many whole frames as both hold; returns the frames decoded.
 */
export function decodeFrames(bytes: Uint8Array, encoding: StoredEncoding, channels: number, out: Float32Array): number {
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`channels must be a whole number of 1 or more, not ${channels}`);
  const width = bytesPerSample(encoding);
  const frames = Math.min(Math.floor(bytes.length / (width * channels)), Math.floor(out.length / channels));
  const n = frames * channels;
  switch (encoding) {
    case 'pcm8':
      for (let i = 0; i < n; i++) out[i] = (bytes[i]! - 128) * 0.0078125;
      break;
    case 'pcm16':
      if (LITTLE_ENDIAN && (bytes.byteOffset & 1) === 0) {
        const view = decodeInt16.over(bytes.buffer);
        const base = bytes.byteOffset >> 1;
        for (let i = 0; i < n; i++) out[i] = view[base + i]! * 3.0517578125e-5; // 2^-15
      } else {
        for (let i = 0, b = 0; i < n; i++, b += 2) out[i] = (((bytes[b]! | (bytes[b + 1]! << 8)) << 16) >> 16) * 3.0517578125e-5;
      }
      break;
    case 'pcm24':
      for (let i = 0, b = 0; i < n; i++, b += 3) {
        out[i] = (((bytes[b]! | (bytes[b + 1]! << 8) | (bytes[b + 2]! << 16)) << 8) >> 8) * 1.1920928955078125e-7; // 2^-23
      }
      break;
    case 'pcm32':
      for (let i = 0, b = 0; i < n; i++, b += 4) {
        out[i] = (bytes[b]! | (bytes[b + 1]! << 8) | (bytes[b + 2]! << 16) | (bytes[b + 3]! << 24)) * 4.656612873077393e-10; // 2^-31
      }
      break;
    case 'float32':
      if (LITTLE_ENDIAN && (bytes.byteOffset & 3) === 0) {
        const view = decodeFloat.over(bytes.buffer);
        const base = bytes.byteOffset >> 2;
        for (let i = 0; i < n; i++) {
          const x = view[base + i]!;
          out[i] = x - x === 0 ? x : 0;
        }
      } else {
        for (let i = 0, b = 0; i < n; i++, b += 4) {
          bitsU32[0] = bytes[b]! | (bytes[b + 1]! << 8) | (bytes[b + 2]! << 16) | (bytes[b + 3]! << 24);
          const x = bitsF32[0]!;
          out[i] = x - x === 0 ? x : 0;
        }
      }
      break;
  }
  return frames;
}
