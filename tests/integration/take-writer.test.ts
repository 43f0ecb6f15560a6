/**
 * Take files on a real disk, read back by independent readers (TESTING.md): ffprobe (bext),
 * exiftool (bext and iXML), sndfile-info (bext v2, RF64 sizes) and sox (the samples). Covers the
 * two formats a session records (48 kHz 24-bit stereo, 96 kHz 32-bit float mono) and a 6-channel
 * file, a writer process killed mid-take and its recovery, the in-place RF64 switch, in-place
 * metadata updates, never overwriting, and a full disk (a 1 MiB tmpfs, when mounting is allowed).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repairTake } from '../../src/adapters/files/take-recovery.js';
import { TakeWriter, updateMetadata, type FlushResult, type TakeWriterOptions } from '../../src/adapters/files/take-writer.js';
import { codingHistoryLine, type TakeFormat } from '../../src/core/bwf/bext.js';
import type { TakeIxml } from '../../src/core/bwf/ixml.js';
import { readBwf } from '../../src/core/bwf/read-bwf.js';
import type { LoopstageError } from '../../src/core/errors.js';
import { nextFreeName, takeFileName, DEFAULT_TAKE_TEMPLATE } from '../../src/core/files/take-name.js';
import { FRAME_RATES, labelToPosition } from '../../src/core/time/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOOLS = ['ffprobe', 'exiftool', 'sndfile-info', 'sox'];
const missingTools = TOOLS.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'loopstage-takes-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------
// Known content

/** 24-bit ramp: a different value on every channel of every frame, wrapping over the full range. */
function ramp24(frame: number, channel: number): number {
  return ((frame * 7 + channel * 1_000_003) % 16_777_216) - 8_388_608;
}

function ramp24Bytes(start: number, frames: number, channels: number): Buffer {
  const out = Buffer.alloc(frames * channels * 3);
  for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) out.writeIntLE(ramp24(start + i, c), (i * channels + c) * 3, 3);
  return out;
}

/** A 997 Hz sine at −6 dBFS on top of 0.25, so the first sample is exactly 0.25. */
function sine(frame: number, rate: number): number {
  return Math.fround(0.25 + 0.5 * Math.sin((2 * Math.PI * 997 * frame) / rate));
}

function sineBytes(start: number, frames: number, rate: number): Buffer {
  const out = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) out.writeFloatLE(sine(start + i, rate), i * 4);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Readers

function run(tool: string, args: string[], options: { maxBuffer?: number } = {}): { stdout: Buffer; stderr: string; status: number | null } {
  const result = spawnSync(tool, args, { maxBuffer: options.maxBuffer ?? 512 * 1024 * 1024 });
  return { stdout: result.stdout, stderr: result.stderr.toString(), status: result.status };
}

interface Probe {
  streams: Array<{ codec_name: string; sample_rate: string; channels: number; duration_ts: number; bits_per_sample: number }>;
  format: { format_name: string; tags?: Record<string, string> };
}

function ffprobe(file: string): Probe {
  const result = run('ffprobe', ['-v', 'error', '-show_entries', 'format=format_name:format_tags:stream=codec_name,sample_rate,channels,duration_ts,bits_per_sample', '-of', 'json', file]);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout.toString()) as Probe;
}

function exiftool(file: string): Record<string, unknown> {
  const result = run('exiftool', ['-j', '-a', '-G1:4', '-n', file]);
  expect(result.status).toBe(0);
  return (JSON.parse(result.stdout.toString()) as Array<Record<string, unknown>>)[0] ?? {};
}

function sndfileInfo(file: string, broadcast = false): string {
  const result = run('sndfile-info', broadcast ? ['--broadcast', file] : [file]);
  expect(result.status).toBe(0);
  return result.stdout.toString();
}

/** The bext TimeReference as sndfile-info --broadcast prints it (hex). */
function sndfileTimeRef(output: string): number {
  const hex = /Time ref\s*: 0x([0-9a-f]+)/.exec(output)?.[1];
  return hex === undefined ? NaN : parseInt(hex, 16);
}

/** The samples as sox decodes them, as 32-bit floats (`sox f.wav -t f32 -`). */
function soxSamples(file: string): Float32Array {
  const result = run('sox', [file, '-t', 'f32', '-']);
  expect(result.stderr, 'sox should read the file without a warning').toBe('');
  expect(result.status).toBe(0);
  const bytes = Uint8Array.from(result.stdout);
  return new Float32Array(bytes.buffer, 0, bytes.length / 4);
}

function expectRampSamples(samples: Float32Array, channels: number, frames: number): void {
  expect(samples.length).toBe(frames * channels);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      const got = samples[i * channels + c];
      const want = ramp24(i, c) / 8_388_608;
      if (got !== want) expect({ frame: i, channel: c, got }).toEqual({ frame: i, channel: c, got: want });
    }
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function dataHash(file: string): string {
  const bytes = readFileSync(file);
  const info = readBwf(bytes);
  return sha256(bytes.subarray(info.dataOffset, info.dataOffset + info.dataBytes));
}

// ---------------------------------------------------------------------------------------------
// Takes

const RATE_2398 = FRAME_RATES['23.976'];

function takeOptions(format: TakeFormat, timeReference: number, tracks: string[], extra: Partial<TakeWriterOptions> = {}): TakeWriterOptions {
  const ixmlMeta: TakeIxml = {
    project: 'The Lighthouse Keeper',
    scene: '42',
    take: 3,
    tape: 'DAY03',
    circled: false,
    alternate: false,
    noGood: false,
    falseStart: false,
    rating: null,
    note: '',
    frameRate: RATE_2398,
    sampleRate: format.sampleRate,
    bitsPerSample: format.bitsPerSample,
    timestamp: timeReference,
    tracks,
    cue: { number: 'EM101', character: 'Émile', line: 'Où est le phare ? — “Là-bas.”' },
    fileName: 'EM101_Émile_T03.wav',
  };
  return {
    format,
    bext: {
      description: 'EM101 Émile take 3: Où est le phare ?',
      originator: 'Loopstage 0.1',
      originatorReference: 'LSEM101T03',
      originationDate: '2026-11-21',
      originationTime: '10:30:00',
      timeReference,
      codingHistory: codingHistoryLine(format, 'Loopstage 0.1'),
    },
    ixmlMeta,
    ...extra,
  };
}

async function writeRampTake(file: string, frames: number, extra: Partial<TakeWriterOptions> = {}, timeReference = 172_800_000): Promise<void> {
  const writer = await TakeWriter.create(file, takeOptions({ sampleRate: 48_000, channels: 2, bitsPerSample: 24 }, timeReference, ['Boom', 'Lav'], extra));
  for (let start = 0; start < frames; start += 4800) writer.write(ramp24Bytes(start, Math.min(4800, frames - start), 2));
  await writer.close();
}

describe('take files read by ffprobe, exiftool, sndfile-info and sox', () => {
  beforeAll(() => {
    if (missingTools.length > 0) {
      throw new Error(`the independent readers are missing (${missingTools.join(', ')}): apt-get install ffmpeg libimage-exiftool-perl sndfile-programs sox (.ci/run does this)`);
    }
  });

  it('48 kHz 24-bit stereo: bext, iXML and every sample as written', async () => {
    const file = path.join(dir, 'stereo24.wav');
    // 01:00:00:00 at 23.976 as the session timeline counts it, plus a latency-compensated offset.
    const timeReference = labelToPosition('01:00:00:00', RATE_2398, 48_000) + 317;
    const frames = 48_000 + 123;
    const writer = await TakeWriter.create(file, takeOptions({ sampleRate: 48_000, channels: 2, bitsPerSample: 24 }, timeReference, ['Boom MKH416', 'Lav Émile']));
    for (let start = 0; start < frames; start += 1000) writer.write(ramp24Bytes(start, Math.min(1000, frames - start), 2));
    const info = await writer.close();
    expect(info).toMatchObject({ frames, dataBytes: frames * 6, rf64: false });
    expect(statSync(file).size).toBe(info.fileBytes);

    const probe = ffprobe(file);
    expect(probe.streams[0]).toMatchObject({ codec_name: 'pcm_s24le', sample_rate: '48000', channels: 2, duration_ts: frames });
    expect(probe.format.tags).toMatchObject({
      time_reference: String(timeReference),
      comment: 'EM101 Emile take 3: Ou est le phare ?',
      encoded_by: 'Loopstage 0.1',
      originator_reference: 'LSEM101T03',
      date: '2026-11-21',
      creation_time: '10:30:00',
      coding_history: 'A=PCM,F=48000,W=24,M=stereo,T=Loopstage 0.1\r\n',
    });

    const exif = exiftool(file);
    expect(exif).toMatchObject({
      'RIFF:Encoding': 1,
      'RIFF:NumChannels': 2,
      'RIFF:BitsPerSample': 24,
      'RIFF:TimeReference': timeReference,
      'RIFF:BWFVersion': 2,
      'RIFF:Originator': 'Loopstage 0.1',
      'XML:BwfxmlProject': 'The Lighthouse Keeper',
      'XML:BwfxmlScene': 42,
      'XML:BwfxmlTake': 3,
      'XML:BwfxmlTape': 'DAY03',
      'XML:BwfxmlCircled': false,
      'XML:BwfxmlNote': '',
      'XML:BwfxmlSpeedTimecodeFlag': 'NDF',
      'XML:BwfxmlSpeedFileSampleRate': 48000,
      'XML:BwfxmlSpeedTimestampSamplesSinceMidnightHi': 0,
      'XML:BwfxmlSpeedTimestampSamplesSinceMidnightLo': timeReference,
      'XML:BwfxmlTrackListTrackCount': 2,
      'XML:BwfxmlTrackListTrackName': 'Boom MKH416',
      'XML:Copy1:BwfxmlTrackListTrackName': 'Lav Émile',
      'XML:BwfxmlLoopstageCueNumber': 'EM101',
      'XML:BwfxmlLoopstageCharacter': 'Émile',
      'XML:BwfxmlLoopstageLineText': 'Où est le phare ? — “Là-bas.”',
    });
    // exiftool turns the ratio into a number; the file itself holds the ratio.
    expect(exif['XML:BwfxmlSpeedTimecodeRate']).toBeCloseTo(24000 / 1001, 10);
    expect(readFileSync(file).includes('<TIMECODE_RATE>24000/1001</TIMECODE_RATE>')).toBe(true);

    const broadcast = sndfileInfo(file, true);
    expect(sndfileTimeRef(broadcast)).toBe(timeReference);
    expect(broadcast).toMatch(/BWF version\s*: 2/);
    expect(broadcast).toMatch(/Coding history\s*: A=PCM,F=48000,W=24,M=stereo,T=Loopstage 0.1/);
    const plain = sndfileInfo(file);
    expect(plain).toMatch(new RegExp(`Frames\\s*: ${frames}\\n`));
    expect(plain).toMatch(/Format\s*: 0x1 => WAVE_FORMAT_PCM/);

    const samples = soxSamples(file);
    expect(samples[0]).toBe(ramp24(0, 0) / 8_388_608); // the first sample is the first sample written
    expectRampSamples(samples, 2, frames);

    // The project's own reader agrees.
    const own = readBwf(readFileSync(file));
    expect(own).toMatchObject({ container: 'RIFF', formatTag: 1, channels: 2, bitsPerSample: 24, dataBytes: frames * 6 });
    expect(own.bext?.timeReference).toBe(timeReference);
  });

  it('96 kHz 32-bit float mono, TimeReference past 2^32: HI/LO split, fact chunk, samples', async () => {
    const file = path.join(dir, 'mono-float.wav');
    const rate = 96_000;
    const timeReference = 23 * 3600 * rate + 12_345; // 7,948,812,345 > 2^32
    const frames = rate / 2 + 7;
    const writer = await TakeWriter.create(file, takeOptions({ sampleRate: rate, channels: 1, bitsPerSample: 32, float: true }, timeReference, ['Foley feet']));
    for (let start = 0; start < frames; start += 960) writer.write(sineBytes(start, Math.min(960, frames - start), rate));
    await writer.close();

    const probe = ffprobe(file);
    expect(probe.streams[0]).toMatchObject({ codec_name: 'pcm_f32le', sample_rate: '96000', channels: 1, duration_ts: frames });
    expect(probe.format.tags?.time_reference).toBe(String(timeReference));

    const exif = exiftool(file);
    expect(exif).toMatchObject({
      'RIFF:Encoding': 3,
      'RIFF:TimeReference': timeReference,
      'XML:BwfxmlSpeedTimestampSamplesSinceMidnightHi': 1,
      'XML:BwfxmlSpeedTimestampSamplesSinceMidnightLo': timeReference - 2 ** 32,
      'XML:BwfxmlSpeedFileSampleRate': 96000,
      'XML:BwfxmlSpeedAudioBitDepth': 32,
      'XML:BwfxmlTrackListTrackName': 'Foley feet',
    });
    expect((exif['XML:BwfxmlSpeedTimestampSamplesSinceMidnightHi'] as number) * 2 ** 32 + (exif['XML:BwfxmlSpeedTimestampSamplesSinceMidnightLo'] as number)).toBe(timeReference);

    const plain = sndfileInfo(file);
    expect(plain).toMatch(/Format\s*: 0x3 => WAVE_FORMAT_IEEE_FLOAT/);
    expect(plain).toMatch(new RegExp(`fact : 4\\n\\s*frames\\s*: ${frames}\\n`));
    expect(plain).toMatch(new RegExp(`Frames\\s*: ${frames}\\n`));
    expect(sndfileTimeRef(sndfileInfo(file, true))).toBe(timeReference);

    const samples = soxSamples(file);
    expect(samples.length).toBe(frames);
    expect(samples[0]).toBe(0.25);
    // sox carries samples as 32-bit integers inside, and rounds on the way back to float: within
    // half a float ulp (2^-25 here). ffmpeg passes pcm_f32le through bit for bit.
    let worst = 0;
    for (let i = 0; i < frames; i++) worst = Math.max(worst, Math.abs((samples[i] ?? NaN) - sine(i, rate)));
    expect(worst).toBeLessThanOrEqual(2 ** -24);
    const decoded = run('ffmpeg', ['-v', 'error', '-i', file, '-f', 'f32le', '-']);
    expect(decoded.status).toBe(0);
    const exact = new Float32Array(Uint8Array.from(decoded.stdout).buffer);
    expect(exact.length).toBe(frames);
    expect(exact.every((value, i) => value === sine(i, rate))).toBe(true);
  });

  it('6-channel 24-bit as plain WAVE_FORMAT_PCM: every reader takes it without complaint', async () => {
    const file = path.join(dir, 'six.wav');
    const writer = await TakeWriter.create(file, takeOptions({ sampleRate: 48_000, channels: 6, bitsPerSample: 24 }, 0, ['Boom', 'Lav 1', 'Lav 2', 'Plant', 'Room L', 'Room R']));
    writer.write(ramp24Bytes(0, 4800, 6));
    await writer.close();
    expect(ffprobe(file).streams[0]).toMatchObject({ codec_name: 'pcm_s24le', channels: 6, duration_ts: 4800 });
    expect(sndfileInfo(file)).toMatch(/Channels\s*: 6\n/);
    expectRampSamples(soxSamples(file), 6, 4800);
    expect(exiftool(file)['XML:Copy5:BwfxmlTrackListTrackName']).toBe('Room R');
  });

  it('a writer killed mid-take leaves a file that plays to its last flush; repairTake recovers the rest', async () => {
    const file = path.join(dir, 'killed.wav');
    const child = path.join(dir, 'writer-child.mts');
    const src = (p: string): string => JSON.stringify(path.join(ROOT, p));
    writeFileSync(
      child,
      `import { TakeWriter } from ${src('src/adapters/files/take-writer.ts')};
import { FRAME_RATES } from ${src('src/core/time/index.ts')};
const file = process.argv[2];
const ramp = (frame, channel) => ((frame * 7 + channel * 1_000_003) % 16_777_216) - 8_388_608;
const block = (start, frames) => {
  const out = Buffer.alloc(frames * 6);
  for (let i = 0; i < frames; i++) for (let c = 0; c < 2; c++) out.writeIntLE(ramp(start + i, c), (i * 2 + c) * 3, 3);
  return out;
};
const writer = await TakeWriter.create(file, {
  format: { sampleRate: 48000, channels: 2, bitsPerSample: 24 },
  bext: { description: 'killed', originator: 'Loopstage', originatorReference: 'K', originationDate: '2026-11-21', originationTime: '10:00:00', timeReference: 1000, codingHistory: '' },
  ixmlMeta: { project: 'P', scene: '', take: 1, tape: '', circled: false, noGood: false, rating: null, note: '', frameRate: FRAME_RATES['25'], sampleRate: 48000, bitsPerSample: 24, timestamp: 1000, tracks: ['L', 'R'], cue: { number: '1', character: 'A', line: '' } },
  onFlush: (flush) => process.stdout.write(JSON.stringify(flush) + '\\n'),
});
let next = 0;
// 48 000 frames every 50 ms: faster than real time, so the 1 MiB queue chunks end mid-frame too.
setInterval(() => { writer.write(block(next, 48000)); next += 48000; }, 50);
`,
    );
    const proc = spawn(process.execPath, ['--import', 'tsx', child, file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.once('exit', (_code, signal) => resolve(signal)));
    const flushes: FlushResult[] = [];
    const lines = createInterface({ input: proc.stdout });
    await new Promise<void>((resolve, reject) => {
      lines.on('line', (line) => {
        const flush = JSON.parse(line) as FlushResult;
        flushes.push(flush);
        // The timer flushes once a second: kill 300 ms after the second flush, mid-way to the next.
        if (flushes.filter((f) => f.frames > 0).length === 2) {
          setTimeout(() => {
            proc.kill('SIGKILL');
            resolve();
          }, 300);
        }
      });
      void exited.then(() => reject(new Error(`the writer exited early: ${stderr}`)));
    });
    expect(await exited).toBe('SIGKILL');
    const lastFlush = flushes[flushes.length - 1];
    expect(lastFlush?.frames).toBeGreaterThan(0);

    // As the crash left it: the header describes at least the last reported flush, and plays.
    const bytes = readFileSync(file);
    const before = readBwf(bytes);
    const headerFrames = before.dataBytes / 6;
    const wholeFrames = Math.floor((bytes.length - before.dataOffset) / 6);
    expect(headerFrames).toBeGreaterThanOrEqual(lastFlush?.frames ?? Infinity);
    expect(wholeFrames).toBeGreaterThanOrEqual(headerFrames);
    expectRampSamples(soxSamples(file), 2, headerFrames);
    expect(ffprobe(file).streams[0]?.duration_ts).toBe(headerFrames);

    expect(wholeFrames).toBeGreaterThan(headerFrames); // ~300 ms were written after the last flush
    const repair = await repairTake(file);
    expect(repair).toMatchObject({ frames: wholeFrames, repaired: true, droppedBytes: (bytes.length - before.dataOffset) % 6 });
    expect(statSync(file).size).toBe(before.dataOffset + wholeFrames * 6);
    expectRampSamples(soxSamples(file), 2, wholeFrames);
    expect(ffprobe(file).streams[0]?.duration_ts).toBe(wholeFrames);
    expect(sndfileInfo(file)).toMatch(new RegExp(`Frames\\s*: ${wholeFrames}\\n`));
    // A second repair finds nothing to do.
    expect(await repairTake(file)).toMatchObject({ frames: wholeFrames, repaired: false });
    console.log(`crash: killed after ${flushes.length} flushes; header had ${headerFrames} frames, the file ${wholeFrames} (${repair.droppedBytes} bytes of a partial frame cut)`);
  });

  it('becomes RF64 in place past the threshold, while recording; every reader gets the right length', async () => {
    const file = path.join(dir, 'rf64.wav');
    const writer = await TakeWriter.create(file, takeOptions({ sampleRate: 48_000, channels: 2, bitsPerSample: 24 }, 5000, ['L', 'R'], { rf64Threshold: 64 * 1024 }));
    const frames = 100_003; // ~600 kB: far past 64 KiB
    writer.write(ramp24Bytes(0, 8000, 2)); // 48 kB: under the threshold with the header
    expect((await writer.flush()).rf64).toBe(false);
    expect(readFileSync(file).subarray(0, 4).toString('latin1')).toBe('RIFF');
    for (let start = 8000; start < 60_000; start += 4000) writer.write(ramp24Bytes(start, 4000, 2));
    const mid = await writer.flush();
    expect(mid).toMatchObject({ rf64: true, frames: 60_000 });
    // Mid-take, as a crash would leave it: an RF64 file of 60 000 frames.
    expect(sndfileInfo(file)).toMatch(/RF64/);
    expect(sndfileInfo(file)).toMatch(/Frames\s*: 60000\n/);
    expectRampSamples(soxSamples(file), 2, 60_000);
    for (let start = 60_000; start < frames; start += 4000) writer.write(ramp24Bytes(start, Math.min(4000, frames - start), 2));
    const info = await writer.close();
    expect(info).toMatchObject({ rf64: true, frames, fileBytes: statSync(file).size });

    const head = readFileSync(file).subarray(0, 48);
    expect(head.subarray(0, 4).toString('latin1')).toBe('RF64');
    expect(head.readUInt32LE(4)).toBe(0xffff_ffff);
    expect(head.subarray(12, 16).toString('latin1')).toBe('ds64');
    const info2 = sndfileInfo(file);
    expect(info2).toMatch(/RF64/);
    expect(info2).toMatch(/ds64/);
    expect(info2).toMatch(new RegExp(`Frames\\s*: ${frames}\\n`));
    const probe = ffprobe(file);
    expect(probe.streams[0]).toMatchObject({ codec_name: 'pcm_s24le', duration_ts: frames });
    expect(probe.format.tags?.time_reference).toBe('5000');
    expectRampSamples(soxSamples(file), 2, frames);
    expect(readBwf(readFileSync(file))).toMatchObject({ container: 'RF64', dataBytes: frames * 6 });

    // A crash after the switch: more samples than ds64 says. repairTake fixes ds64.
    const crashed = path.join(dir, 'rf64-crashed.wav');
    copyFileSync(file, crashed);
    appendFileSync(crashed, Buffer.concat([ramp24Bytes(frames, 1001, 2), Buffer.from([1, 2])]));
    expect(await repairTake(crashed)).toMatchObject({ frames: frames + 1001, repaired: true, rf64: true, droppedBytes: 2 });
    expect(sndfileInfo(crashed)).toMatch(new RegExp(`Frames\\s*: ${frames + 1001}\\n`));
    expectRampSamples(soxSamples(crashed), 2, frames + 1001);
  });

  it('an odd-sized data chunk (mono 24-bit, odd frames) ends with its pad byte', async () => {
    const file = path.join(dir, 'mono24.wav');
    const writer = await TakeWriter.create(file, takeOptions({ sampleRate: 48_000, channels: 1, bitsPerSample: 24 }, 0, ['Boom']));
    writer.write(ramp24Bytes(0, 4801, 1));
    const info = await writer.close();
    const own = readBwf(readFileSync(file));
    expect(own.dataBytes).toBe(4801 * 3);
    expect(info.fileBytes).toBe(own.dataOffset + own.dataBytes + 1);
    expect(statSync(file).size).toBe(info.fileBytes);
    expect(readFileSync(file).readUInt32LE(4)).toBe(info.fileBytes - 8);
    expectRampSamples(soxSamples(file), 1, 4801);
    expect(ffprobe(file).streams[0]?.duration_ts).toBe(4801);
    expect(await repairTake(file)).toMatchObject({ frames: 4801, repaired: false });
  });

  it('updateMetadata rewrites circled, note, rating and NG in place; the samples never change', async () => {
    const file = path.join(dir, 'notes.wav');
    await writeRampTake(file, 24_000);
    const before = readFileSync(file);
    const hash = dataHash(file);
    const ixml = readBwf(before);

    const updated = await updateMetadata(file, (current) => ({ ...current, circled: true, rating: 4, note: 'Best read — “keeper” & clean' }));
    expect(updated).toMatchObject({ circled: true, rating: 4, cue: { number: 'EM101' } });
    const after = readFileSync(file);
    expect(after.length).toBe(before.length);
    expect(dataHash(file)).toBe(hash);
    // Only the iXML chunk body changed.
    const start = before.indexOf('<?xml');
    const end = ixml.dataOffset - 8;
    expect(sha256(after.subarray(0, start))).toBe(sha256(before.subarray(0, start)));
    expect(sha256(after.subarray(end))).toBe(sha256(before.subarray(end)));

    const exif = exiftool(file);
    expect(exif).toMatchObject({
      'XML:BwfxmlCircled': true,
      'XML:BwfxmlNote': 'Best read — “keeper” & clean',
      'XML:BwfxmlLoopstageRating': 4,
      'XML:BwfxmlNoGood': false,
      'XML:BwfxmlLoopstageCharacter': 'Émile',
    });
    await updateMetadata(file, (current) => ({ ...current, circled: false, noGood: true, rating: null }));
    expect(exiftool(file)).toMatchObject({ 'XML:BwfxmlCircled': false, 'XML:BwfxmlNoGood': true, 'XML:BwfxmlLoopstageNg': true, 'XML:BwfxmlLoopstageRating': '' });
    expect(dataHash(file)).toBe(hash);
    expectRampSamples(soxSamples(file), 2, 24_000);

    // A note too long for the reserve is refused and the file is left exactly as it was.
    const whole = sha256(readFileSync(file));
    await expect(updateMetadata(file, (current) => ({ ...current, note: 'x'.repeat(20_000) }))).rejects.toMatchObject({ code: 'IXML_NO_ROOM' });
    expect(sha256(readFileSync(file))).toBe(whole);
  });

  it('never overwrites: creating over an existing file fails with TAKE_FILE_EXISTS and leaves it alone', async () => {
    const name = takeFileName(DEFAULT_TAKE_TEMPLATE, { cue: 'EM101', character: 'Émile', take: 3 });
    expect(name).toBe('EM101_Émile_T03.wav');
    const file = path.join(dir, name);
    await writeRampTake(file, 4800);
    const hash = sha256(readFileSync(file));
    await expect(TakeWriter.create(file, takeOptions({ sampleRate: 48_000, channels: 2, bitsPerSample: 24 }, 0, ['L', 'R']))).rejects.toMatchObject({
      code: 'TAKE_FILE_EXISTS',
      message: expect.stringContaining('never records over a file'),
    });
    expect(sha256(readFileSync(file))).toBe(hash);
    const free = nextFreeName(name, (candidate) => existsSync(path.join(dir, candidate)));
    expect(free).toBe('EM101_Émile_T03 (2).wav');
    await writeRampTake(path.join(dir, free), 4800);
    expect(sha256(readFileSync(file))).toBe(hash);
  });

  it('repairTake: a partial last frame is cut; a sound file is left alone; no header → TAKE_UNREADABLE, untouched', async () => {
    const file = path.join(dir, 'partial.wav');
    await writeRampTake(file, 4800);
    expect(await repairTake(file)).toMatchObject({ frames: 4800, repaired: false });
    appendFileSync(file, Buffer.concat([ramp24Bytes(4800, 100, 2), Buffer.from([9, 9, 9, 9])]));
    expect(await repairTake(file)).toMatchObject({ frames: 4900, repaired: true, droppedBytes: 4 });
    expectRampSamples(soxSamples(file), 2, 4900);

    const fixture = path.join(dir, 'sounddevices.wav');
    copyFileSync(new URL('../fixtures/bwf/sounddevices_A101_1.WAV', import.meta.url), fixture);
    const fixtureHash = sha256(readFileSync(fixture));
    expect(await repairTake(fixture)).toMatchObject({ repaired: false, frames: 1441434 / 6 });
    expect(sha256(readFileSync(fixture))).toBe(fixtureHash);

    for (const [name, content] of [
      ['empty.wav', Buffer.alloc(0)],
      ['text.wav', Buffer.from('not a wav file at all, just text\n')],
      ['cut-header.wav', readFileSync(file).subarray(0, 300)],
    ] as const) {
      const bad = path.join(dir, name);
      writeFileSync(bad, content);
      const mtime = statSync(bad).mtimeMs;
      await expect(repairTake(bad)).rejects.toMatchObject({ code: 'TAKE_UNREADABLE' });
      expect(readFileSync(bad).equals(content)).toBe(true);
      expect(statSync(bad).mtimeMs).toBe(mtime);
    }
  });

  it('a full disk: TAKE_DISK_FULL with a sentence, and the file written so far plays (1 MiB tmpfs)', async (ctx) => {
    const mountPoint = mkdtempSync(path.join(tmpdir(), 'loopstage-full-'));
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint]);
    if (mounted.status !== 0) {
      rmSync(mountPoint, { recursive: true, force: true });
      console.log(`ENOSPC test skipped: cannot mount a tmpfs here (${mounted.stderr?.toString().trim() || mounted.error?.message})`);
      ctx.skip();
      return;
    }
    try {
      const file = path.join(mountPoint, 'full.wav');
      const errors: LoopstageError[] = [];
      const writer = await TakeWriter.create(file, takeOptions({ sampleRate: 48_000, channels: 2, bitsPerSample: 24 }, 0, ['L', 'R'], { onError: (e) => errors.push(e) }));
      let thrown: unknown;
      try {
        for (let start = 0; start < 400_000; start += 8000) {
          writer.write(ramp24Bytes(start, 8000, 2));
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      } catch (error) {
        thrown = error;
      }
      const closed = await writer.close().then(
        () => null,
        (error: unknown) => error as LoopstageError,
      );
      expect(closed).toMatchObject({ code: 'TAKE_DISK_FULL', message: expect.stringContaining('The disk is full.') });
      expect(closed?.message).toContain('what was recorded until then is saved and plays');
      expect(errors).toHaveLength(1);
      expect(thrown).toBe(closed);
      const frames = closed?.details.frames as number;
      expect(frames).toBeGreaterThan(100_000);
      expect(statSync(file).size).toBeLessThanOrEqual(1024 * 1024);
      expectRampSamples(soxSamples(file), 2, frames);
      expect(ffprobe(file).streams[0]?.duration_ts).toBe(frames);
      expect(await repairTake(file)).toMatchObject({ frames, repaired: false });

      // A new take on the full disk fails the same way and leaves no empty file behind.
      await expect(TakeWriter.create(path.join(mountPoint, 'next.wav'), takeOptions({ sampleRate: 48_000, channels: 2, bitsPerSample: 24 }, 0, ['L', 'R']))).rejects.toMatchObject({ code: 'TAKE_DISK_FULL' });
      expect(readdirSync(mountPoint)).toEqual(['full.wav']);
      console.log(`ENOSPC: the take stopped at ${frames} frames (${((frames * 6) / 1024).toFixed(0)} KiB of samples) on a 1 MiB tmpfs`);
    } finally {
      spawnSync('umount', [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });

  it('flush cost at the pace of a recording (8 channels, 96 kHz, 24-bit, 4× real time)', async () => {
    const file = path.join(dir, 'paced.wav');
    const flushes: FlushResult[] = [];
    const format: TakeFormat = { sampleRate: 96_000, channels: 8, bitsPerSample: 24 };
    const writer = await TakeWriter.create(file, takeOptions(format, 0, ['1', '2', '3', '4', '5', '6', '7', '8'], { onFlush: (f) => flushes.push(f), flushIntervalMs: 250 }));
    const block = ramp24Bytes(0, 960, 8); // 10 ms of audio every 2.5 ms
    const writeTimes: number[] = [];
    for (let i = 0; i < 1200; i++) {
      const t = performance.now();
      writer.write(block);
      writeTimes.push(performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 2.5));
    }
    await writer.close();
    const costs = flushes.map((f) => f.ms).sort((a, b) => a - b);
    writeTimes.sort((a, b) => a - b);
    const pct = (list: number[], p: number): number => list[Math.min(list.length - 1, Math.floor(list.length * p))] ?? NaN;
    console.log(
      `paced: ${flushes.length} flushes, median ${pct(costs, 0.5).toFixed(1)} ms, max ${pct(costs, 1).toFixed(1)} ms; ` +
        `write() median ${(pct(writeTimes, 0.5) * 1000).toFixed(0)} µs, p99 ${(pct(writeTimes, 0.99) * 1000).toFixed(0)} µs, max ${(pct(writeTimes, 1) * 1000).toFixed(0)} µs`,
    );
    expect(flushes.length).toBeGreaterThanOrEqual(4);
    expect(flushes.every((f, i) => i === 0 || f.frames >= (flushes[i - 1]?.frames ?? 0))).toBe(true);
    expect(sndfileInfo(file)).toMatch(/Frames\s*: 1152000\n/);
  });
});

