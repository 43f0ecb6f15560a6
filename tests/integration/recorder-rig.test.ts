/**
 * The recorder through real PortAudio on the audio rig, driven through the `loopstage` binary as a
 * user would, and checked with independent readers (sox, ffprobe, exiftool, sndfile-info).
 *
 * The loopback proof, as engineers check a room: a guide track holding a one-sample click at
 * timeline sample P is played to rig_out and recorded back through rig_loop after calibrating on
 * the same open stream; the click must sit at exactly timeline sample P in the take (bext
 * TimeReference + its offset in the file). The beeps, rendered from the same transport position,
 * must start on their frame boundaries in the take too, and in the rig's played file they must be
 * one frame long, one timecode second apart, at 1 kHz.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelToPosition, parseFrameRate, positionToFrame, frameToPosition } from '../../src/core/time/index.js';
import { startRig, writeRampMic, type Rig } from '../support/rig.js';
import { BIN, loopstage } from '../support/cli.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'loopstage-recorder-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Samples of a WAV through sox (an independent reader), channel 0, as float32. */
function soxSamples(file: string, channel = 0, channels = 1): Float32Array {
  const raw = execFileSync('sox', [file, '-t', 'f32', '-e', 'floating-point', '-'], { maxBuffer: 1 << 30 });
  const all = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  if (channels === 1) return all;
  const out = new Float32Array(all.length / channels);
  for (let i = 0; i < out.length; i++) out[i] = all[i * channels + channel]!;
  return out;
}

function ffprobeTags(file: string): Record<string, string> {
  const out = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format_tags:stream=sample_rate,channels,bits_per_sample,codec_name,duration_ts', '-of', 'json', file], { encoding: 'utf8' })) as {
    format: { tags?: Record<string, string> };
    streams: Array<Record<string, string | number>>;
  };
  return { ...(out.format.tags ?? {}), ...Object.fromEntries(Object.entries(out.streams[0] ?? {}).map(([k, v]) => [`stream.${k}`, String(v)])) };
}

/** Runs of non-zero samples: [first, last] inclusive, separated by at least `gap` zeros. */
function bursts(samples: Float32Array, gap: number, from = 0): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = -1;
  let last = -1;
  for (let i = from; i < samples.length; i++) {
    if (samples[i] === 0) continue;
    if (start >= 0 && i - last > gap) {
      out.push([start, last]);
      start = i;
    } else if (start < 0) start = i;
    last = i;
  }
  if (start >= 0) out.push([start, last]);
  return out;
}

/** Frequency from zero crossings (sign changes), over a burst. */
function frequency(samples: Float32Array, [first, last]: [number, number], sampleRate: number): number {
  let crossings = 0;
  let firstCrossing = -1;
  let lastCrossing = -1;
  for (let i = first + 1; i <= last; i++) {
    if ((samples[i - 1]! < 0) !== (samples[i]! < 0)) {
      crossings++;
      if (firstCrossing < 0) firstCrossing = i;
      lastCrossing = i;
    }
  }
  return ((crossings - 1) / 2 / (lastCrossing - firstCrossing)) * sampleRate;
}

interface Case {
  readonly sampleRate: number;
  readonly frameRate: string;
  readonly framesPerBuffer: number;
}

function makeProject(name: string, c: Case): { dir: string; rate: ReturnType<typeof parseFrameRate>; at: (label: string) => number } {
  const dir = path.join(work, name);
  const created = loopstage(['project', 'create', dir, '--rate', c.frameRate, '--sample-rate', String(c.sampleRate), '--start', '01:00:00:00', '--json']);
  expect(created.code, created.stderr).toBe(0);
  const csv = path.join(work, `${name}.csv`);
  writeFileSync(csv, 'Cue,Character,TC In,TC Out,Dialogue,Scene\nR101,ROBIN,01:00:10:00,01:00:12:00,"Halt! Who goes there?",4\nR102,ROBIN,01:00:20:00,01:00:40:00,"A long line.",4\n');
  const imported = loopstage(['import', csv, '--project', dir]);
  expect(imported.code, imported.stderr).toBe(0);
  const rate = parseFrameRate(c.frameRate);
  return { dir, rate, at: (label) => labelToPosition(label, rate, c.sampleRate) };
}

describe.each<Case>([
  { sampleRate: 48000, frameRate: '25', framesPerBuffer: 256 },
  { sampleRate: 96000, frameRate: '23.976', framesPerBuffer: 512 },
])('recording through the rig at $sampleRate Hz, $frameRate fps', (c) => {
  let rig: Rig;
  beforeAll(() => {
    rig = startRig(2, c.sampleRate);
    writeRampMic(rig, 60, c.sampleRate, 2);
  });
  afterAll(() => rig?.stop());

  it('places a guide click recorded back through the loopback at exactly its timeline sample, and the beeps on their frames', { timeout: 120_000 }, () => {
    const { dir, rate, at } = makeProject(`loop-${c.sampleRate}`, c);
    // The guide: 12 s of silence from 01:00:05:00 with one click at 01:00:09:12 plus 37 samples —
    // off any frame boundary, between the second and third beeps.
    const guideStart = at('01:00:05:00');
    const click = at('01:00:09:12') + 37;
    const raw = new Float32Array(12 * c.sampleRate);
    raw[click - guideStart] = 0.9;
    const rawFile = path.join(work, `guide-${c.sampleRate}.f32`);
    writeFileSync(rawFile, Buffer.from(raw.buffer));
    const guide = path.join(work, `guide-${c.sampleRate}.wav`);
    execFileSync('sox', ['-t', 'f32', '-r', String(c.sampleRate), '-c', '1', rawFile, '-b', '24', '-e', 'signed-integer', guide]);
    const added = loopstage(['guide', 'add', '--project', dir, guide, '--at', '01:00:05:00', '--json']);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ start: guideStart, length: raw.length, channels: 1 });

    const recorded = loopstage(
      ['record', '--project', dir, '--cue', 'R101', '--input', 'rig_loopback', '--output', 'rig_loopback', '--channels', '1',
        '--frames-per-buffer', String(c.framesPerBuffer), '--format', 'float32', '--monitor', 'guide,beeps', '--calibrate', '--json'],
      { env: rig.env },
    );
    expect(recorded.code, recorded.stderr).toBe(0);
    const take = JSON.parse(recorded.stdout) as { file: string; start: number; length: number; latency: number; latencySource: string; status: string; number: number };
    expect(take, `${recorded.stdout}${recorded.stderr}`).toMatchObject({ status: 'complete', latencySource: 'measured', number: 1 });

    // Placement, read by ffprobe from the bext chunk.
    const tags = ffprobeTags(take.file);
    const timeReference = Number(tags.time_reference);
    expect(timeReference).toBe(take.start);

    // The roll: 3 s pre-roll before the in point, widened to the first beep; 1 s post-roll.
    const inPoint = at('01:00:10:00');
    const spacing = rate.timecodeBase; // frames in one timecode second
    const inFrame = positionToFrame(inPoint as never, rate, c.sampleRate);
    const beepStarts = [3, 2, 1].map((n) => frameToPosition(inFrame - n * spacing, rate, c.sampleRate) as number);
    const rollStart = Math.min(inPoint - 3 * c.sampleRate, beepStarts[0]!);
    expect(timeReference).toBe(rollStart);
    expect(take.length).toBe(at('01:00:12:00') + c.sampleRate - rollStart);

    const samples = soxSamples(take.file);
    expect(samples.length).toBe(take.length);
    // The click: the loudest sample of the take.
    let peak = 0;
    for (let i = 1; i < samples.length; i++) if (Math.abs(samples[i]!) > Math.abs(samples[peak]!)) peak = i;
    expect(timeReference + peak).toBe(click);

    // The beeps are rendered from the same position as the guide: in what was played they sit at
    // exactly their timeline distance from the click, so they too land on their frames. (The take
    // itself is not searched for beep onsets: the rig's PulseAudio monitor path adds a shifted
    // ghost copy of some buffers — a sink rewind — which blurs "first non-zero sample"; a single
    // full-scale click stands out of it.)
    const beepLength = (frameToPosition(inFrame + 1, rate, c.sampleRate) as number) - (frameToPosition(inFrame, rate, c.sampleRate) as number);

    // The rig's own copy of what was played: one frame long, a timecode second apart, 1 kHz.
    const playedFile = readdirSync(rig.dir).find((name) => name.startsWith(`played-${c.sampleRate}-2-`));
    expect(playedFile).toBeDefined();
    const played = soxPlayed(path.join(rig.dir, playedFile!), c.sampleRate);
    const playedBursts = bursts(played, c.sampleRate / 100);
    // The click is the last one-sample burst; the beeps, the three bursts of about a frame before it.
    const clickBurst = playedBursts.filter(([first, last]) => first === last && played[first]! > 0.5).at(-1);
    expect(clickBurst, JSON.stringify(playedBursts.slice(-8))).toBeDefined();
    const beepsPlayed = playedBursts.filter(([first, last]) => last < clickBurst![0] + c.sampleRate && Math.abs(last - first + 1 - beepLength) < beepLength / 2).slice(-3);
    expect(beepsPlayed.map(([first, last]) => last - first + 1), JSON.stringify(playedBursts.slice(-8))).toEqual([beepLength, beepLength, beepLength]);
    const [b1, b2, b3] = beepsPlayed;
    for (const beep of beepsPlayed) {
      expect(frequency(played, beep, c.sampleRate)).toBeGreaterThan(990);
      expect(frequency(played, beep, c.sampleRate)).toBeLessThan(1010);
    }
    // Same offsets between beeps and click in the output as on the timeline.
    expect([b1![0], b2![0], b3![0]].map((p) => p - clickBurst![0])).toEqual(beepStarts.map((b) => b - click));
  });
});

/** The played file: float32 little-endian interleaved, 2 channels, named played-RATE-2-FORMAT.raw. */
function soxPlayed(file: string, sampleRate: number): Float32Array {
  const bytes = readFileSync(file);
  const name = path.basename(file);
  const format = /played-\d+-\d+-(\w+)\.raw/.exec(name)?.[1] ?? '';
  // The stream is opened as 32-bit float, so the rig writes float32 ("32").
  const float = format === '32' || format.includes('FLOAT');
  const channel0 = new Float32Array(Math.floor(bytes.length / (float ? 8 : 4)));
  if (float) {
    for (let i = 0; i < channel0.length; i++) channel0[i] = bytes.readFloatLE(i * 8);
  } else if (format.includes('S16')) {
    for (let i = 0; i < channel0.length; i++) channel0[i] = bytes.readInt16LE(i * 4) / 32768;
  } else {
    throw new Error(`unexpected played-file format ${name} at ${sampleRate} Hz`);
  }
  return channel0;
}

export { BIN, spawn, createInterface, statSync };
