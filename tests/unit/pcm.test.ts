import { describe, expect, it } from 'vitest';
import { bytesPerSample, createDither, decodeFrames, encodeFrames, type SampleEncoding } from '../../src/core/audio/pcm.js';

const f32 = (values: number[]): Float32Array => Float32Array.from(values);
/** The largest float32 below 1. */
const BELOW_ONE = Math.fround(1 - 2 ** -24);

function encode(values: number[], encoding: SampleEncoding, options: { channels?: number; select?: number[]; seed?: number; offset?: number } = {}): Uint8Array {
  const channels = options.channels ?? 1;
  const select = options.select ?? Array.from({ length: channels }, (_, i) => i);
  const input = f32(values);
  const frames = Math.floor(values.length / channels);
  const offset = options.offset ?? 0;
  const backing = new Uint8Array(offset + frames * select.length * bytesPerSample(encoding) + 8).fill(0xee);
  const out = backing.subarray(offset);
  const written = encodeFrames(input, channels, select, encoding, out, createDither(options.seed ?? 1));
  expect(written).toBe(frames * select.length * bytesPerSample(encoding));
  expect(out[written], 'nothing is written past the returned length').toBe(0xee);
  return out.slice(0, written);
}

const int16s = (bytes: Uint8Array): number[] => Array.from({ length: bytes.length / 2 }, (_, i) => new DataView(bytes.buffer, bytes.byteOffset).getInt16(2 * i, true));
const int24s = (bytes: Uint8Array): number[] =>
  Array.from({ length: bytes.length / 3 }, (_, i) => (((bytes[3 * i]! | (bytes[3 * i + 1]! << 8) | (bytes[3 * i + 2]! << 16)) << 8) >> 8));
const floatBits = (bytes: Uint8Array): number[] => Array.from({ length: bytes.length / 4 }, (_, i) => new DataView(bytes.buffer, bytes.byteOffset).getUint32(4 * i, true));
const bitsOf = (x: number): number => {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x, true);
  return view.getUint32(0, true);
};

describe('bytesPerSample', () => {
  it('gives the container size of every encoding', () => {
    expect(['pcm8', 'pcm16', 'pcm24', 'pcm32', 'float32'].map((e) => bytesPerSample(e as SampleEncoding))).toEqual([1, 2, 3, 4, 4]);
  });
});

describe('encodeFrames, 24-bit', () => {
  it('packs three little-endian bytes per sample, byte by byte', () => {
    const out = encode([0.5, -0.5, 2 ** -23, -(2 ** -23), 0x123456 / 2 ** 23, -0x123456 / 2 ** 23], 'pcm24');
    expect(Array.from(out)).toEqual([
      0x00, 0x00, 0x40, // 0.5 → 0x400000
      0x00, 0x00, 0xc0, // −0.5 → −0x400000 = 0xC00000
      0x01, 0x00, 0x00, // 1 LSB
      0xff, 0xff, 0xff, // −1 LSB
      0x56, 0x34, 0x12,
      0xaa, 0xcb, 0xed, // −0x123456 = 0xEDCBAA
    ]);
  });

  it('clips at the edges: +1 and above to the largest value, −1 and below to the smallest, and rounds just below +1 to full scale', () => {
    expect(int24s(encode([1, 1.5, BELOW_ONE, -1, -1.5, Infinity, -Infinity], 'pcm24'))).toEqual([8_388_607, 8_388_607, 8_388_607, -8_388_608, -8_388_608, 8_388_607, -8_388_608]);
    // 1 − 2^-23 is exactly 8388607; 1 − 3·2^-24 is 8388606.5, a tie, which goes to the even 8388606.
    expect(int24s(encode([Math.fround(1 - 2 ** -23), Math.fround(1 - 3 * 2 ** -24)], 'pcm24'))).toEqual([8_388_607, 8_388_606]);
  });

  it('writes −0 and NaN as 0', () => {
    expect(Array.from(encode([-0, NaN, 0], 'pcm24'))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('is exact for every k / 2^23 and rounds to nearest, ties to even, in between', () => {
    const ks = [0, 1, -1, 2, 1000, -1000, 8_388_607, -8_388_608, 4_000_001, -4_000_001];
    expect(int24s(encode(ks.map((k) => k / 2 ** 23), 'pcm24'))).toEqual(ks);
    // Half-LSB values are float32-exact at this size: 0.5, 1.5, 2.5, −0.5, −1.5 LSB.
    expect(int24s(encode([0.5, 1.5, 2.5, -0.5, -1.5, 0.75, -0.75].map((k) => k / 2 ** 23), 'pcm24'))).toEqual([0, 2, 2, 0, -2, 1, -1]);
  });
});

describe('encodeFrames, channel selection', () => {
  it('takes the selected channels of each frame in the order given, repeats allowed', () => {
    // 3 input channels, 2 frames: value = frame + channel / 10.
    const input = [0, 0.1, 0.2, 1 / 4, 0.35, 0.45].map((x) => x / 2);
    const out = encode(input, 'pcm24', { channels: 3, select: [2, 0, 2] });
    const k = (x: number): number => Math.round(Math.fround(x / 2) * 2 ** 23);
    expect(int24s(out)).toEqual([k(0.2), k(0), k(0.2), k(0.45), k(1 / 4), k(0.45)]);
  });

  it('ignores a partial last frame', () => {
    expect(encode([0.5, 0.25, 0.125], 'float32', { channels: 2 }).length).toBe(8);
  });

  it('refuses channels that are not there, and an output that is too small', () => {
    const input = f32([0, 0, 0, 0]);
    expect(() => encodeFrames(input, 2, [2], 'pcm24', new Uint8Array(16))).toThrow(RangeError);
    expect(() => encodeFrames(input, 2, [-1], 'pcm24', new Uint8Array(16))).toThrow(RangeError);
    expect(() => encodeFrames(input, 2, [], 'pcm24', new Uint8Array(16))).toThrow(RangeError);
    expect(() => encodeFrames(input, 2, [0, 1], 'pcm24', new Uint8Array(11))).toThrow(RangeError);
    expect(() => encodeFrames(input, 2, [0, 1], 'pcm16', new Uint8Array(16))).toThrow(/DitherState/);
  });
});

describe('encodeFrames, float32', () => {
  const values = [0.5, -0.25, -0, 2 ** -140 /* subnormal */, 1.5, -3, BELOW_ONE, Math.fround(Math.PI)];

  it('copies finite values bit for bit, −0 and subnormals included, through both the fast path and selection', () => {
    const fast = floatBits(encode(values, 'float32', { channels: 2 }));
    expect(fast).toEqual(values.map(bitsOf));
    expect(bitsOf(-0)).toBe(0x8000_0000);
    const swapped = floatBits(encode(values, 'float32', { channels: 2, select: [1, 0] }));
    expect(swapped).toEqual([1, 0, 3, 2, 5, 4, 7, 6].map((i) => bitsOf(values[i]!)));
  });

  it('writes the same bytes when the output is not 4-byte aligned (byte path)', () => {
    expect(floatBits(encode(values, 'float32', { channels: 2, offset: 1 }))).toEqual(values.map(bitsOf));
    expect(floatBits(encode(values, 'float32', { channels: 2, offset: 3, select: [0, 1] }))).toEqual(values.map(bitsOf));
  });

  it('never writes NaN or ±Infinity: they become +0', () => {
    for (const offset of [0, 2]) {
      expect(floatBits(encode([NaN, Infinity, -Infinity, 0.5], 'float32', { offset }))).toEqual([0, 0, 0, bitsOf(0.5)]);
    }
  });

  it('reuses its view of an output buffer across calls (no per-call allocation) and still writes the right place', () => {
    const backing = new Uint8Array(64);
    encodeFrames(f32([0.5]), 1, [0], 'float32', backing.subarray(0, 4));
    encodeFrames(f32([0.25]), 1, [0], 'float32', backing.subarray(8, 12));
    expect(floatBits(backing.subarray(0, 12))).toEqual([bitsOf(0.5), 0, bitsOf(0.25)]);
  });
});

describe('encodeFrames, 16-bit with TPDF dither', () => {
  it('stays within 1 LSB of the undithered value, never crosses full scale, and is exact at the extremes', () => {
    const n = 20_000;
    const values = Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 0.0123) * 0.999));
    const out = int16s(encode(values, 'pcm16', { seed: 42 }));
    for (let i = 0; i < n; i++) {
      const exact = values[i]! * 32_768;
      expect(Math.abs(out[i]! - exact)).toBeLessThan(1.5); // |dither| < 1 LSB plus rounding < ½ LSB
      expect(Math.abs(out[i]! - Math.round(exact))).toBeLessThanOrEqual(1);
    }
    expect(int16s(encode([1, 1.5, BELOW_ONE, -1, -2, Infinity, -Infinity], 'pcm16'))).toEqual([32_767, 32_767, 32_767, -32_768, -32_768, 32_767, -32_768]);
    expect(int16s(encode([NaN, NaN, NaN], 'pcm16'))).toEqual([0, 0, 0]);
  });

  it('dithers: a constant between two steps comes out as a mix of neighbours whose mean is the input', () => {
    const n = 100_000;
    const level = 100.25 / 32_768;
    const out = int16s(encode(new Array<number>(n).fill(level), 'pcm16', { seed: 7 }));
    const mean = out.reduce((a, b) => a + b, 0) / n;
    expect(mean).toBeCloseTo(100.25, 1);
    expect(new Set(out)).toEqual(new Set([99, 100, 101]));
    // −0 and 0 in: dither noise of at most ±1 LSB around 0.
    expect(new Set(int16s(encode(new Array<number>(1000).fill(-0), 'pcm16')))).toEqual(new Set([-1, 0, 1]));
  });

  it('is deterministic by seed and continues its sequence across calls', () => {
    const values = Array.from({ length: 64 }, (_, i) => i / 640);
    expect(encode(values, 'pcm16', { seed: 5 })).toEqual(encode(values, 'pcm16', { seed: 5 }));
    expect(encode(values, 'pcm16', { seed: 5 })).not.toEqual(encode(values, 'pcm16', { seed: 6 }));
    // Two calls of 32 frames with one state = one call of 64 frames.
    const whole = new Uint8Array(128);
    encodeFrames(f32(values), 1, [0], 'pcm16', whole, createDither(5));
    const split = new Uint8Array(128);
    const state = createDither(5);
    encodeFrames(f32(values.slice(0, 32)), 1, [0], 'pcm16', split.subarray(0, 64), state);
    encodeFrames(f32(values.slice(32)), 1, [0], 'pcm16', split.subarray(64), state);
    expect(split).toEqual(whole);
    // The byte path (odd offset) consumes the same random numbers.
    expect(encode(values, 'pcm16', { seed: 5, offset: 1 })).toEqual(encode(values, 'pcm16', { seed: 5 }));
    expect(createDither(0).state).not.toBe(0);
  });

  it('writes little-endian bytes', () => {
    // 0x1234 LSB + dither in (−1, 1) LSB rounds to 0x1233, 0x1234 or 0x1235; negative is two's complement.
    const out = encode([0x1234 / 32_768, -0x1234 / 32_768], 'pcm16');
    expect(out[1]).toBe(0x12);
    expect([0x33, 0x34, 0x35]).toContain(out[0]);
    expect(out[3]).toBe(0xed);
    expect([0xcb, 0xcc, 0xcd]).toContain(out[2]);
  });
});

describe('decodeFrames', () => {
  it('decodes every encoding by dividing by 2^(bits−1); 8-bit is unsigned', () => {
    const out = new Float32Array(4);
    expect(decodeFrames(Uint8Array.from([0, 128, 255, 192]), 'pcm8', 1, out)).toBe(4);
    expect(Array.from(out)).toEqual([-1, 0, 127 / 128, 0.5]);
    decodeFrames(Uint8Array.from([0x00, 0x80, 0xff, 0x7f, 0x01, 0x00, 0xff, 0xff]), 'pcm16', 1, out);
    expect(Array.from(out)).toEqual([-1, 32_767 / 32_768, 1 / 32_768, -1 / 32_768]);
    decodeFrames(Uint8Array.from([0x00, 0x00, 0x80, 0xff, 0xff, 0x7f, 0x56, 0x34, 0x12, 0xaa, 0xcb, 0xed]), 'pcm24', 1, out);
    expect(Array.from(out)).toEqual([-1, 8_388_607 / 2 ** 23, 0x123456 / 2 ** 23, -0x123456 / 2 ** 23]);
    decodeFrames(Uint8Array.from([0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0x7f, 0, 1, 0, 0, 0, 0, 0, 0x40]), 'pcm32', 1, out);
    expect(Array.from(out)).toEqual([-1, Math.fround(2_147_483_647 / 2 ** 31), 256 / 2 ** 31, 0.5]);
  });

  it('inverts encodeFrames exactly for 24-bit and float32, aligned or not', () => {
    const values = [0.5, -0.25, BELOW_ONE, -1, 3 / 2 ** 23, -0, 0.1];
    for (const encoding of ['pcm24', 'float32'] as const) {
      for (const offset of [0, 1]) {
        const bytes = encode(values, encoding);
        const shifted = new Uint8Array(bytes.length + offset);
        shifted.set(bytes, offset);
        const out = new Float32Array(values.length);
        expect(decodeFrames(shifted.subarray(offset), encoding, 1, out)).toBe(values.length);
        const expected = encoding === 'float32' ? values.map(Math.fround) : values.map((v) => Math.min(8_388_607, Math.round(Math.fround(v) * 2 ** 23)) / 2 ** 23 + 0); // −0 is 0 in PCM
        expect(Array.from(out)).toEqual(expected);
      }
    }
    // 16-bit: k / 2^15 round-trips within the dither's 1 LSB, and the aligned and byte paths agree.
    const bytes = encode([0.5, -0.5, 0.25], 'pcm16');
    const odd = new Uint8Array(bytes.length + 1);
    odd.set(bytes, 1);
    const a = new Float32Array(3);
    const b = new Float32Array(3);
    decodeFrames(bytes, 'pcm16', 1, a);
    decodeFrames(odd.subarray(1), 'pcm16', 1, b);
    expect(Array.from(b)).toEqual(Array.from(a));
    a.forEach((x, i) => expect(Math.abs(x - [0.5, -0.5, 0.25][i]!)).toBeLessThanOrEqual(1 / 32_768));
  });

  it('reads NaN and ±Infinity from a float file as 0, keeps −0, and decodes only whole frames that fit', () => {
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    view.setFloat32(0, NaN, true);
    view.setFloat32(4, -Infinity, true);
    view.setFloat32(8, -0, true);
    view.setFloat32(12, 0.75, true);
    const out = new Float32Array(4).fill(9);
    expect(decodeFrames(bytes, 'float32', 1, out)).toBe(4);
    expect(Array.from(out)).toEqual([0, 0, -0, 0.75]);
    expect(Object.is(out[2], -0)).toBe(true);
    const two = new Float32Array(3).fill(9);
    expect(decodeFrames(bytes, 'float32', 2, two)).toBe(1); // room for one stereo frame
    expect(Array.from(two)).toEqual([0, 0, 9]);
    expect(decodeFrames(bytes.subarray(0, 15), 'float32', 2, new Float32Array(8))).toBe(1); // 1.875 frames of bytes
  });
});
