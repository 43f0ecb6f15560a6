/**
 * Foundation figures: timecode conversion cost, `loopstage tc` batch throughput, project create and
 * open time on real SQLite, and the master clock's tick rate and interval spread (software clock,
 * and PortAudio on the audio rig when its packages are installed). Prints one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { AudioProcessHost } from '../../src/adapters/audio/audio-process-host.js';
import { SqliteProjectStore } from '../../src/adapters/sqlite/project-store.js';
import { tcCommand } from '../../src/cli/commands/tc.js';
import { framesPerDay, framesToLabel, labelToFrames, parseFrameRate } from '../../src/core/time/index.js';
import { SOFTWARE_CLOCK_NAME, type AudioStats, type AudioStreamConfig } from '../../src/engine/ports/audio-host.js';
import { startRig, writeRampMic } from '../support/rig.js';

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function timecodeRoundTrip() {
  const rate = parseFrameRate('29.97df');
  const total = framesPerDay(rate);
  const started = performance.now();
  let check = 0;
  for (let frame = 0; frame < total; frame++) check += labelToFrames(framesToLabel(frame, rate), rate) === frame ? 1 : 0;
  const ms = performance.now() - started;
  return { rate: '29.97df', frames: total, allRoundTripped: check === total, nsPerRoundTrip: Math.round((ms * 1e6) / total) };
}

async function tcBatch() {
  const lines = 200_000;
  const rate = parseFrameRate('23.976');
  const input = Array.from({ length: lines }, (_, i) => framesToLabel(i * 7, rate)).join('\n');
  const stdout = new PassThrough();
  let bytes = 0;
  stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
  const started = performance.now();
  const code = await tcCommand(['--rate', '23.976', '--to', 'samples'], { stdin: Readable.from([input]), stdout, stderr: new PassThrough(), env: {}, cwd: process.cwd() });
  const ms = performance.now() - started;
  return { lines, exitCode: code, linesPerSecond: Math.round(lines / (ms / 1000)), outputBytes: bytes };
}

async function projectOpen() {
  const store = new SqliteProjectStore();
  const create: number[] = [];
  const open: number[] = [];
  for (let i = 0; i < 20; i++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'loopstage-bench-'));
    let t = performance.now();
    const handle = await store.create(path.join(dir, 'p'), { title: 'Bench', frameRate: '24', sampleRate: 48000, start: 172_800_000 }, new Date());
    create.push(performance.now() - t);
    await handle.close();
    t = performance.now();
    const reopened = await store.open(path.join(dir, 'p'));
    await reopened.info();
    open.push(performance.now() - t);
    await reopened.close();
    rmSync(dir, { recursive: true, force: true });
  }
  create.sort((a, b) => a - b);
  open.sort((a, b) => a - b);
  return { runs: 20, createMsMedian: +quantile(create, 0.5).toFixed(2), openMsMedian: +quantile(open, 0.5).toFixed(2), openMsP95: +quantile(open, 0.95).toFixed(2) };
}

async function clockTicks(config: AudioStreamConfig, seconds: number) {
  const host = new AudioProcessHost();
  const arrivals: number[] = [];
  const positions: number[] = [];
  let stats: AudioStats | null = null;
  host.on('stats', (s) => (stats = s));
  host.on('tick', (tick) => {
    if (tick.state === 'rolling') {
      arrivals.push(performance.now());
      positions.push(tick.position);
    }
  });
  try {
    await host.open(config);
    await host.transport({ kind: 'play' });
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    await host.transport({ kind: 'stop' });
  } finally {
    await host.close();
  }
  const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!).sort((a, b) => a - b);
  const elapsed = (arrivals.at(-1)! - arrivals[0]!) / 1000;
  return {
    device: config.input,
    seconds: +elapsed.toFixed(2),
    ticksPerSecond: +(arrivals.length / elapsed).toFixed(1),
    tickIntervalMsMedian: +quantile(gaps, 0.5).toFixed(2),
    tickIntervalMsP99: +quantile(gaps, 0.99).toFixed(2),
    tickIntervalMsMax: +gaps.at(-1)!.toFixed(2),
    samplesPerSecondOfHostTime: Math.round((positions.at(-1)! - positions[0]!) / elapsed),
    stats,
  };
}

const base = { sampleRate: 48000, framesPerBuffer: 256, inputChannels: 2, outputChannels: 2, startPosition: 0 };
const result: Record<string, unknown> = {
  timecode: timecodeRoundTrip(),
  tcBatch: await tcBatch(),
  project: await projectOpen(),
  softwareClock: await clockTicks({ ...base, input: SOFTWARE_CLOCK_NAME, output: SOFTWARE_CLOCK_NAME }, 5),
};
try {
  const rig = startRig(2, 48000);
  try {
    writeRampMic(rig, 30, 48000, 2);
    Object.assign(process.env, rig.env);
    result.portAudioOnRig = await clockTicks({ ...base, input: 'default', output: 'default' }, 10);
  } finally {
    rig.stop();
  }
} catch (error) {
  result.portAudioOnRig = { skipped: (error as Error).message };
}
console.log(JSON.stringify(result));
