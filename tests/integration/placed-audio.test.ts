/**
 * PlacedAudio on real files made by sox (and ffmpeg for Broadcast WAV with a bext TimeReference,
 * and RF64): every sample format, channel routing, sample-exact placement on the timeline, reading
 * across read boundaries and after jumps, misses before the read-ahead is ready, read errors
 * (injected into FileHandle.read), bounded memory on a 230 MB file, and the error codes.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlacedAudio } from '../../src/adapters/audio/placed-audio.js';
import type { StoredEncoding } from '../../src/core/audio/pcm.js';
import { buildBext } from '../../src/core/bwf/bext.js';
import { readWavHead } from '../../src/core/bwf/read-bwf.js';
import type { LoopstageError } from '../../src/core/errors.js';

const RATE = 48_000;
const TOOLS = ['sox', 'ffmpeg'];
const missingTools = TOOLS.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);

let dir: string;
beforeAll(() => {
  if (missingTools.length > 0) throw new Error(`sox and ffmpeg make the test files (missing: ${missingTools.join(', ')}): apt-get install sox ffmpeg`);
  dir = mkdtempSync(path.join(tmpdir(), 'loopstage-placed-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(tool: string, args: string[]): void {
  const result = spawnSync(tool, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${result.stderr}`);
}

// ---------------------------------------------------------------------------------------------
// Files of known content

interface Made {
  readonly file: string;
  readonly frames: number;
  readonly channels: number;
  /** What the file decodes to, interleaved. */
  readonly expected: Float32Array;
}

const BITS: Record<StoredEncoding, number> = { pcm8: 8, pcm16: 16, pcm24: 24, pcm32: 32, float32: 24 };

/** A different value on every channel of every frame, wrapping over the format's whole range. */
const pattern = (encoding: StoredEncoding) => (frame: number, channel: number): number => {
  const range = 2 ** BITS[encoding];
  return ((frame * 7919 + channel * 104_729 + 12_345) % range) - range / 2;
};

/**
 * Writes `k(frame, channel)` as raw samples and has sox turn them into a WAV file. Integers are
 * written as they are; float32 files hold k / 2^23, which sox (carrying 32-bit integers inside)
 * passes through exactly.
 */
function soxFile(name: string, encoding: StoredEncoding, channels: number, frames: number, k: (frame: number, channel: number) => number, rate = RATE): Made {
  const width = encoding === 'pcm8' ? 1 : encoding === 'pcm16' ? 2 : encoding === 'pcm24' ? 3 : 4;
  const raw = Buffer.alloc(frames * channels * width);
  const expected = new Float32Array(frames * channels);
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++) {
      const i = f * channels + c;
      const v = k(f, c);
      if (encoding === 'float32') {
        raw.writeFloatLE(v / 2 ** 23, i * 4);
        expected[i] = v / 2 ** 23;
      } else {
        raw.writeIntLE(v, i * width, width);
        expected[i] = v / 2 ** (BITS[encoding] - 1);
      }
    }
  }
  const rawFile = path.join(dir, `${name}.raw`);
  writeFileSync(rawFile, raw);
  const file = path.join(dir, `${name}.wav`);
  const input = ['-t', 'raw', '-r', String(rate), '-c', String(channels), '-e', encoding === 'float32' ? 'floating-point' : 'signed-integer', '-b', String(width * 8), rawFile];
  const output = encoding === 'pcm8' ? ['-e', 'unsigned-integer', '-b', '8'] : [];
  run('sox', [...input, '-D', ...output, file]);
  rmSync(rawFile);
  return { file, frames, channels, expected };
}

/** Silence with single samples set: [frame, channel, k]. */
function impulses(list: Array<[number, number, number]>) {
  return (frame: number, channel: number): number => list.find(([f, c]) => f === frame && c === channel)?.[2] ?? 0;
}

/** ffmpeg copies the samples into a Broadcast WAV with a bext TimeReference (RF64 with `rf64`). */
function ffmpegBwf(from: string, name: string, timeReference: number, rf64 = false): string {
  const file = path.join(dir, `${name}.wav`);
  run('ffmpeg', ['-v', 'error', '-y', '-i', from, '-c:a', 'copy', ...(rf64 ? ['-rf64', 'always'] : []), '-write_bext', '1', '-metadata', `time_reference=${timeReference}`, file]);
  return file;
}

/** Copies `from` with a chunk inserted right before the data chunk, or after the samples. */
function withChunk(from: string, name: string, id: string, body: Uint8Array, where: 'before-data' | 'after-data'): string {
  const bytes = readFileSync(from);
  const result = readWavHead(bytes, bytes.length);
  if (!result.head || result.head.container !== 'RIFF') throw new Error('withChunk takes a RIFF file');
  const chunk = Buffer.alloc(8 + body.length + (body.length & 1));
  chunk.write(id, 0, 'latin1');
  chunk.writeUInt32LE(body.length, 4);
  chunk.set(body, 8);
  const dataEnd = result.head.dataOffset + result.head.dataBytes + (result.head.dataBytes & 1);
  const at = where === 'before-data' ? result.head.dataOffset - 8 : dataEnd;
  const out = Buffer.concat([bytes.subarray(0, at), chunk, bytes.subarray(at)]);
  out.writeUInt32LE(out.length - 8, 4);
  const file = path.join(dir, `${name}.wav`);
  writeFileSync(file, out);
  return file;
}

// ---------------------------------------------------------------------------------------------
// Playing

/** Mixes `frames` frames from timeline sample `at` in buffers of `buffer` frames into a fresh output. */
function mixRange(audio: PlacedAudio, at: number, frames: number, outChannels: number, buffer: number, gain = 1): { out: Float32Array; mixed: number } {
  const out = new Float32Array(frames * outChannels);
  let mixed = 0;
  for (let done = 0; done < frames; done += buffer) {
    const n = Math.min(buffer, frames - done);
    mixed += audio.mix(at + done, n, out.subarray(done * outChannels, (done + n) * outChannels), outChannels, gain);
  }
  return { out, mixed };
}

/** The first index where two arrays differ, or −1 (toEqual on a million floats is slow and unreadable). */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i]) && !(a[i] === 0 && b[i] === 0)) return i;
  return -1;
}

function nonZero(out: Float32Array, channels: number): Array<[number, number, number]> {
  const found: Array<[number, number, number]> = [];
  out.forEach((x, i) => {
    if (x !== 0) found.push([Math.floor(i / channels), i % channels, x]);
  });
  return found;
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<LoopstageError> {
  const error = (await promise.then(
    () => {
      throw new Error(`expected ${code}, but it succeeded`);
    },
    (e: unknown) => e,
  )) as LoopstageError;
  expect(error.code, error.message).toBe(code);
  return error;
}

/** Makes FileHandle.read fail with EIO while `failing()` says so. */
async function injectReadErrors(failing: () => boolean): Promise<() => void> {
  const probe = await open(path.join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<unknown> };
  await probe.close();
  const original = proto.read;
  proto.read = function read(this: unknown, ...args: unknown[]) {
    if (failing()) return Promise.reject(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', errno: -5 }));
    return original.apply(this, args);
  };
  return () => {
    proto.read = original;
  };
}

// ---------------------------------------------------------------------------------------------

describe('PlacedAudio', () => {
  const S = 1_000_003; // a timeline start that is not a round number

  it('decodes 8/16/24/32-bit PCM and 32-bit float, mono to 6 channels, plain and EXTENSIBLE, exactly, across read boundaries', async () => {
    const cases: Array<[StoredEncoding, number, number]> = [
      ['pcm8', 1, 20_000],
      ['pcm16', 2, 30_000], // plain WAVE_FORMAT_PCM
      ['pcm24', 2, 30_000], // sox writes EXTENSIBLE past 16 bits or 2 channels
      ['pcm32', 1, 20_000],
      ['float32', 2, 30_000], // WAVE_FORMAT_IEEE_FLOAT
      ['pcm16', 6, 20_000],
      ['pcm24', 6, 20_000],
    ];
    for (const [encoding, channels, frames] of cases) {
      const made = soxFile(`${encoding}-${channels}ch`, encoding, channels, frames, pattern(encoding));
      // 4 KiB reads: 227 frames per read for 6 × 24-bit, so reads end mid-buffer everywhere.
      const audio = await PlacedAudio.open(made.file, { start: S, sampleRate: RATE, readBytes: 4096 });
      try {
        expect({ encoding: audio.encoding, channels: audio.channels, length: audio.length, start: audio.start, rate: audio.sampleRate }).toEqual({
          encoding,
          channels,
          length: frames,
          start: S,
          rate: RATE,
        });
        await audio.prepare(S);
        const { out, mixed } = mixRange(audio, S, frames, channels, 479);
        expect(mixed, `${encoding} ${channels} ch`).toBe(frames);
        expect(audio.misses).toBe(0);
        expect(firstDifference(out, made.expected), `${encoding} ${channels} ch: first differing sample`).toBe(-1);
      } finally {
        await audio.close();
      }
    }
  });

  it('plays file sample k at timeline sample start + k: given start, bext TimeReference (ffmpeg), RF64, and bext after the samples', async () => {
    const K = 54_321;
    const made = soxFile('impulse', 'pcm24', 2, 100_000, impulses([[K, 1, 2 ** 22]])); // 0.5 on channel 2
    const T = 172_800_000 + 12_345; // 01:00:00 at 48 kHz, and a bit
    const bwf = ffmpegBwf(made.file, 'impulse-bwf', T);
    const rf64 = ffmpegBwf(made.file, 'impulse-rf64', T + 1, true);
    expect(readFileSync(rf64).subarray(0, 4).toString('latin1')).toBe('RF64');
    const tail = withChunk(made.file, 'impulse-tail-bext', 'bext', buildBext({ description: '', originator: '', originatorReference: '', originationDate: '', originationTime: '', timeReference: T + 2, codingHistory: '' }), 'after-data');
    // A 200 KiB chunk before bext and data: the header is read in more than one go.
    const padded = withChunk(withChunk(made.file, 'tmp', 'JUNK', new Uint8Array(200 * 1024), 'before-data'), 'impulse-big-head', 'bext', buildBext({ description: 'x', originator: '', originatorReference: '', originationDate: '', originationTime: '', timeReference: T + 3, codingHistory: '' }), 'before-data');

    const cases: Array<[string, number | undefined, number, number | null]> = [
      [made.file, undefined, 0, null], // no bext: 0
      [made.file, S, S, null],
      [bwf, undefined, T, T],
      [bwf, S, S, T], // a given start wins over bext
      [rf64, undefined, T + 1, T + 1],
      [tail, undefined, T + 2, T + 2],
      [padded, undefined, T + 3, T + 3],
    ];
    for (const [file, start, expectedStart, timeReference] of cases) {
      const label = `${path.basename(file)} start=${start}`;
      const audio = await PlacedAudio.open(file, { ...(start === undefined ? {} : { start }), sampleRate: RATE, readBytes: 8192 });
      try {
        expect(audio.start, label).toBe(expectedStart);
        expect(audio.timeReference, label).toBe(timeReference);
        expect(audio.length, label).toBe(100_000);
        const from = audio.start + K - 1000;
        await audio.prepare(from);
        const { out, mixed } = mixRange(audio, from, 2000, 2, 256);
        expect(mixed).toBe(2000);
        // Exactly one sample: timeline sample start + K (out frame 1000), channel 2.
        expect(nonZero(out, 2), label).toEqual([[1000, 1, 0.5]]);
      } finally {
        await audio.close();
      }
    }
  });

  it('mixes with gain into what the output holds, in part at the file edges, and routes mono, stereo and 6 channels', async () => {
    const mono = soxFile('route-mono', 'pcm16', 1, 1000, impulses([[10, 0, 8192]])); // 0.25
    const stereo = soxFile('route-stereo', 'pcm16', 2, 1000, impulses([[10, 0, 8192], [20, 1, 16384]]));
    const six = soxFile('route-six', 'pcm16', 6, 1000, impulses([0, 1, 2, 3, 4, 5].map((c): [number, number, number] => [10 + c, c, 2048 * (c + 1)])));

    const m = await PlacedAudio.open(mono.file, { start: 100, sampleRate: RATE });
    await m.prepare(100);
    const out = new Float32Array(64 * 2).fill(0.125);
    expect(m.mix(100, 64, out, 2, 0.5)).toBe(64);
    expect(out[20]).toBe(0.25); // frame 10, both channels: 0.125 + 0.25 × 0.5
    expect(out[21]).toBe(0.25);
    expect(out.filter((x) => x !== 0.125).length).toBe(2);
    // Starting 30 frames before the file: 34 frames mixed, the impulse lands 30 frames later.
    const early = new Float32Array(64 * 2);
    expect(m.mix(70, 64, early, 2)).toBe(34);
    expect(nonZero(early, 2)).toEqual([[40, 0, 0.25], [40, 1, 0.25]]);
    // Past the end, and ending exactly at the start: nothing, and no misses.
    expect(m.mix(100 + 1000, 64, early, 2)).toBe(0);
    expect(m.mix(100 - 64, 64, early, 2)).toBe(0);
    expect(m.misses).toBe(0);
    // The last 10 frames of the file then silence.
    expect(m.mix(100 + 990, 64, new Float32Array(128), 2)).toBe(10);
    await m.close();

    const s = await PlacedAudio.open(stereo.file, { start: 0, sampleRate: RATE });
    await s.prepare(0);
    const six6 = mixRange(s, 0, 32, 6, 32).out;
    expect(nonZero(six6, 6)).toEqual([[10, 0, 0.25], [10, 2, 0.25], [10, 4, 0.25], [20, 1, 0.5], [20, 3, 0.5], [20, 5, 0.5]]);
    const mono1 = mixRange(s, 0, 32, 1, 32).out; // stereo folded to one output
    expect(nonZero(mono1, 1)).toEqual([[10, 0, 0.25], [20, 0, 0.5]]);
    await s.close();

    const x = await PlacedAudio.open(six.file, { start: 0, sampleRate: RATE });
    await x.prepare(0);
    const two = mixRange(x, 0, 32, 2, 32, 2).out; // 6 → 2: channel c to output c mod 2, gain 2
    expect(nonZero(two, 2)).toEqual([0, 1, 2, 3, 4, 5].map((c) => [10 + c, c % 2, (2 * 2048 * (c + 1)) / 32_768]));
    const four = mixRange(x, 0, 32, 4, 32).out; // 6 → 4: channels 5 and 6 fold onto outputs 1 and 2
    expect(nonZero(four, 4)).toEqual([0, 1, 2, 3, 4, 5].map((c) => [10 + c, c % 4, (2048 * (c + 1)) / 32_768]));
    await x.close();
  });

  it('plays silence and counts misses for audio not yet read, without waiting', async () => {
    const made = soxFile('misses', 'pcm16', 2, 48_000, pattern('pcm16'));
    const audio = await PlacedAudio.open(made.file, { start: S, sampleRate: RATE });
    const out = new Float32Array(512 * 2);
    // mix() before prepare(): the read-ahead starts here, but nothing is in memory yet.
    expect(audio.mix(S, 512, out, 2)).toBe(0);
    expect(audio.misses).toBe(512);
    expect(out.every((x) => x === 0)).toBe(true);
    // prepare() not awaited: still nothing.
    const ready = audio.prepare(S + 512);
    expect(audio.mix(S + 512, 512, out, 2)).toBe(0);
    expect(audio.misses).toBe(1024);
    await ready;
    // The roll goes on from where it is: everything from here on is in memory.
    const { out: rest, mixed } = mixRange(audio, S + 1024, 48_000 - 1024, 2, 512);
    expect(mixed).toBe(48_000 - 1024);
    expect(audio.misses).toBe(1024);
    expect(firstDifference(rest, made.expected.subarray(1024 * 2))).toBe(-1);
    await audio.close();
    expect(audio.mix(S, 512, out, 2)).toBe(0); // closed: silence, not a miss
    expect(audio.misses).toBe(1024);
    await audio.close(); // twice is fine
  });

  it('keeps reading ahead while playback moves through a file many times the ring, and continues seamlessly after jumps', async () => {
    const frames = 10 * RATE;
    const made = soxFile('jumps', 'pcm16', 2, frames, pattern('pcm16'));
    // 0.5 s read ahead in 16 KiB reads (4096 frames): 8 slots, reused ~15 times over the file.
    const audio = await PlacedAudio.open(made.file, { start: S, sampleRate: RATE, readAheadSeconds: 0.5, readBytes: 16_384 });
    const expectSpan = async (from: number, length: number): Promise<void> => {
      // Play `length` frames in 480-frame buffers; every 0.1 s, wait for the next 0.1 s to be read.
      const out = new Float32Array(length * 2);
      let mixed = 0;
      for (let done = 0; done < length; done += 480) {
        if (done % 4800 === 0) await audio.prepare(S + from + done, 0.1);
        const n = Math.min(480, length - done);
        mixed += audio.mix(S + from + done, n, out.subarray(done * 2, (done + n) * 2), 2);
      }
      expect(mixed).toBe(length);
      expect(firstDifference(out, made.expected.subarray(from * 2, (from + length) * 2)), `span from ${from}`).toBe(-1);
    };
    await expectSpan(0, 2 * RATE + 123);
    expect(audio.misses).toBe(0);
    // A jump forward, far beyond what is read: that buffer is a miss; after prepare() all is exact.
    const far = 8 * RATE + 77;
    expect(audio.mix(S + far, 480, new Float32Array(960), 2)).toBe(0);
    expect(audio.misses).toBe(480);
    await expectSpan(far + 480, RATE);
    // Back near the start, and to the very end of the file.
    await expectSpan(4801, RATE);
    await expectSpan(frames - 30_000, 30_000);
    expect(audio.misses).toBe(480);
    await audio.close();
  });

  it('restarts the read-ahead from a jump in mix() alone (a locate while rolling), backwards and forwards', async () => {
    const frames = 10 * RATE;
    const made = soxFile('mix-jumps', 'pcm16', 2, frames, pattern('pcm16'));
    const audio = await PlacedAudio.open(made.file, { start: S, sampleRate: RATE, readAheadSeconds: 0.5, readBytes: 16_384 });
    await audio.prepare(S + 6 * RATE);
    expect(mixRange(audio, S + 6 * RATE, RATE / 4, 2, 480).mixed).toBe(RATE / 4);
    for (const to of [RATE + 11, 3 * RATE, 9 * RATE]) {
      const before = audio.misses;
      expect(audio.mix(S + to, 480, new Float32Array(960), 2), `jump to ${to}`).toBe(0); // never read: a miss
      expect(audio.misses).toBe(before + 480);
      await new Promise((resolve) => setTimeout(resolve, 100)); // the read-ahead fills meanwhile
      const { out, mixed } = mixRange(audio, S + to + 480, RATE / 4, 2, 480);
      expect(mixed, `after the jump to ${to}`).toBe(RATE / 4);
      expect(firstDifference(out, made.expected.subarray((to + 480) * 2, (to + 480 + RATE / 4) * 2))).toBe(-1);
    }
    await audio.close();
  });

  it('plays a roll at 4× real time with no misses once prepared (the read-ahead follows on its own)', async () => {
    const frames = 10 * RATE;
    const made = soxFile('realtime', 'pcm24', 2, frames, pattern('pcm24'));
    const audio = await PlacedAudio.open(made.file, { start: S, sampleRate: RATE, readAheadSeconds: 1 });
    await audio.prepare(S);
    const buffer = 512;
    const played = 6 * RATE;
    const out = new Float32Array(played * 2);
    let mixed = 0;
    for (let done = 0; done < played; done += buffer) {
      const n = Math.min(buffer, played - done);
      mixed += audio.mix(S + done, n, out.subarray(done * 2, (done + n) * 2), 2);
      // 512 frames are 10.7 ms at 48 kHz: one buffer every ~2.7 ms is 4× real time.
      if ((done / buffer) % 4 === 3) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(audio.misses).toBe(0);
    expect(mixed).toBe(played);
    expect(firstDifference(out, made.expected.subarray(0, played * 2))).toBe(-1);
    await audio.close();
  });

  it('reports a read error by rejecting prepare() with PLACED_AUDIO_READ, plays silence meanwhile, and retries on the next prepare()', async () => {
    const made = soxFile('read-error', 'pcm16', 2, 2 * RATE, pattern('pcm16'));
    let failing = false;
    const restore = await injectReadErrors(() => failing);
    try {
      const audio = await PlacedAudio.open(made.file, { start: S, sampleRate: RATE, readAheadSeconds: 0.5, readBytes: 8192 });
      await audio.prepare(S); // the whole 0.5 s window is in memory
      failing = true;
      const { mixed } = mixRange(audio, S, RATE, 2, 480);
      expect(mixed).toBeLessThan(RATE * 0.6);
      expect(audio.misses).toBe(RATE - mixed);
      // The failed read is still settling: prepare() waits for it and is rejected with its error.
      await expectCode(audio.prepare(S + RATE), 'PLACED_AUDIO_READ');
      expect(audio.error?.code).toBe('PLACED_AUDIO_READ');
      expect(audio.error?.message).toMatch(/read-error\.wav failed \(EIO\); check the disk/);
      // Retried on prepare(), and failing again.
      await expectCode(audio.prepare(S + RATE), 'PLACED_AUDIO_READ');
      failing = false;
      await audio.prepare(S + RATE);
      const after = mixRange(audio, S + RATE, RATE / 2, 2, 480);
      expect(after.mixed).toBe(RATE / 2);
      expect(firstDifference(after.out, made.expected.subarray(RATE * 2, RATE * 3))).toBe(-1);
      await audio.close();
      // A failure while reading the header.
      failing = true;
      const error = await expectCode(PlacedAudio.open(made.file, { sampleRate: RATE }), 'PLACED_AUDIO_READ');
      expect(error.details).toMatchObject({ errno: 'EIO' });
    } finally {
      restore();
    }
  });

  it('refuses what it cannot play with a stable code and a sentence that says what to do', async () => {
    const missing = await expectCode(PlacedAudio.open(path.join(dir, 'nowhere', 'guide.wav'), { sampleRate: RATE }), 'PLACED_AUDIO_MISSING');
    expect(missing.message).toMatch(/is not there; check that its disk is connected/);

    const text = path.join(dir, 'notes.wav');
    writeFileSync(text, 'These are not samples, just some text that is long enough.\n');
    expect((await expectCode(PlacedAudio.open(text, { sampleRate: RATE }), 'PLACED_AUDIO_FORMAT')).message).toMatch(/is not a WAV file; convert it .* ffmpeg/);
    const empty = path.join(dir, 'empty.wav');
    writeFileSync(empty, '');
    await expectCode(PlacedAudio.open(empty, { sampleRate: RATE }), 'PLACED_AUDIO_FORMAT');
    const folder = path.join(dir, 'folder.wav');
    mkdirSync(folder);
    await expectCode(PlacedAudio.open(folder, { sampleRate: RATE }), 'PLACED_AUDIO_FORMAT');

    // Compressed and 64-bit float data, made by sox.
    for (const [name, args, what] of [
      ['ulaw', ['-e', 'u-law'], /µ-law/],
      ['ima', ['-e', 'ima-adpcm'], /IMA ADPCM/],
      ['double', ['-e', 'floating-point', '-b', '64'], /64-bit floating-point/],
    ] as const) {
      const file = path.join(dir, `${name}.wav`);
      run('sox', ['-n', '-r', String(RATE), '-c', '1', ...args, file, 'synth', '0.1', 'sine', '440']);
      const error = await expectCode(PlacedAudio.open(file, { sampleRate: RATE }), 'PLACED_AUDIO_FORMAT');
      expect(error.message).toMatch(what);
      expect(error.message).toMatch(/convert it to 24-bit PCM first, e\.g\. sox/);
    }

    const cd = soxFile('cd-rate', 'pcm16', 2, 4410, pattern('pcm16'), 44_100);
    const rate = await expectCode(PlacedAudio.open(cd.file, { sampleRate: RATE }), 'PLACED_AUDIO_RATE');
    expect(rate.message).toBe('"cd-rate.wav" is at 44100 Hz but the session runs at 48000 Hz, and Loopstage does not resample; convert it first, e.g. sox "cd-rate.wav" -r 48000 converted.wav.');

    // Cut inside the header: no data chunk.
    const cut = path.join(dir, 'cut.wav');
    writeFileSync(cut, readFileSync(cd.file).subarray(0, 30));
    expect((await expectCode(PlacedAudio.open(cut, { sampleRate: 44_100 }), 'PLACED_AUDIO_FORMAT')).message).toMatch(/WAV header is damaged .*; export it again/);
  });

  it('reads a 230 MB file through with memory bounded by the read-ahead, not by the file', async () => {
    // 20 minutes of 16-bit stereo from sox's synth (about 3 s to make).
    const file = path.join(dir, 'long.wav');
    run('sox', ['-n', '-r', String(RATE), '-b', '16', '-c', '2', file, 'synth', '1200', 'sine', '440', 'sine', '1000', 'vol', '0.5']);
    const frames = 1200 * RATE;
    // The samples' checksum, read straight from the file (sox writes a 44-byte header here).
    const fd = openSync(file, 'r');
    const head = Buffer.alloc(44);
    readSync(fd, head, 0, 44, 0);
    expect(head.subarray(36, 40).toString('latin1')).toBe('data');
    expect(head.readUInt32LE(40)).toBe(frames * 4);
    let expectedHash = 0;
    const block = Buffer.alloc(1 << 20);
    for (let at = 44; at < 44 + frames * 4; at += block.length) {
      const n = readSync(fd, block, 0, block.length, at);
      const ints = new Int16Array(block.buffer, block.byteOffset, n >> 1);
      for (let i = 0; i < ints.length; i++) expectedHash = (Math.imul(expectedHash, 31) + ints[i]!) | 0;
    }
    closeSync(fd);

    const audio = await PlacedAudio.open(file, { start: S, sampleRate: RATE });
    const out = new Float32Array(RATE * 2);
    const baseline = process.memoryUsage();
    let peakArrayBuffers = 0;
    let peakRss = 0;
    let hash = 0;
    let mixed = 0;
    for (let at = 0; at < frames; at += RATE) {
      await audio.prepare(S + at, 1);
      out.fill(0);
      mixed += audio.mix(S + at, RATE, out, 2);
      for (let i = 0; i < out.length; i++) hash = (Math.imul(hash, 31) + out[i]! * 32_768) | 0;
      if (at % (60 * RATE) === 0) {
        const usage = process.memoryUsage();
        peakArrayBuffers = Math.max(peakArrayBuffers, usage.arrayBuffers - baseline.arrayBuffers);
        peakRss = Math.max(peakRss, usage.rss - baseline.rss);
      }
    }
    await audio.close();
    expect(mixed).toBe(frames);
    expect(audio.misses).toBe(0);
    expect(hash).toBe(expectedHash);
    // The ring holds 3 s + 2 reads of decoded audio (about 1.5 MB here); the file is 230 MB.
    expect(peakArrayBuffers).toBeLessThan(16 * 1024 * 1024);
    expect(peakRss).toBeLessThan(100 * 1024 * 1024);
  });
});
