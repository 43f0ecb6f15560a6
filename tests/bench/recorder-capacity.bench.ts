/**
 * The recorder's capacity through the rig, with real PortAudio, as `loopstage record` runs it:
 *
 * - sustain: the most input channels recorded for LOOPSTAGE_BENCH_SUSTAIN_S (default 600 s) at 48
 *   and 96 kHz, 32-bit float, with zero dropped frames. "Dropped" is judged twice: the dropouts the
 *   recorder itself reported (PortAudio's overflow/underflow flags), and independently by reading
 *   the take back with ffmpeg — the rig's mic plays a frame counter on channels 1–2, so every frame
 *   of the take must be its predecessor plus one, and the take must be as long as the roll.
 *   Channel counts are screened for LOOPSTAGE_BENCH_SCREEN_S (default 30 s) from the most down;
 *   the first clean one is then sustained.
 * - cpu: the recorder's CPU (the CLI and its audio process, from /proc) per channel, side by side
 *   with `arecord` recording the same device for the same time.
 * - stop → filed: the time from the stop command to the take row being complete (the engine in
 *   this process, as the UI's Stop button calls it), 20 takes at 2 and at 32 channels.
 * - long take: resident memory of the CLI and the audio process over a LOOPSTAGE_BENCH_LONG_TAKE_S
 *   (default 3600 s) take of 8 channels at 48 kHz float (an RF64 file), read back for continuity.
 *
 * LOOPSTAGE_BENCH_PARTS=sustain,cpu,stop,long picks parts (default all). It takes about 1 h 40 min
 * with the defaults. Prints one JSON document.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { labelToPosition, parseFrameRate } from '../../src/core/time/index.js';
import { startRig, type Rig } from '../support/rig.js';
import { commandLine, cpuPercent, processTree, sampleTree, type ProcessSample } from '../support/proc.js';

const BIN = fileURLToPath(new URL('../../bin/loopstage.js', import.meta.url));
const SUSTAIN_S = Number(process.env.LOOPSTAGE_BENCH_SUSTAIN_S ?? 600);
const SCREEN_S = Number(process.env.LOOPSTAGE_BENCH_SCREEN_S ?? 30);
const LONG_TAKE_S = Number(process.env.LOOPSTAGE_BENCH_LONG_TAKE_S ?? 3600);
const PARTS = new Set((process.env.LOOPSTAGE_BENCH_PARTS ?? 'sustain,cpu,stop,long').split(','));
const CHANNEL_STEPS = [32, 24, 16, 8, 4, 2];
/** About 10.7 ms per buffer at both rates. */
const FRAMES_PER_BUFFER: Record<number, number> = { 48000: 512, 96000: 1024 };
const FRAME_RATE = '25';
const PRE_S = 1;
const POST_S = 0;
/** The roll starts at the first beep, 3 s before the in point, whatever the pre-roll. */
const ROLL_LEAD_S = 3;

const work = mkdtempSync(path.join(os.tmpdir(), 'loopstage-capacity-'));
const log = (line: string) => process.stderr.write(`[capacity] ${line}\n`);

/**
 * The rig's mic content: channel 1 holds the low 16 bits of the frame counter, channel 2 the high 16
 * (each /65536, exact in float32), the others a constant per channel.
 */
function writeCounterMic(rig: Rig, seconds: number, sampleRate: number, channels: number): void {
  const fd = openSync(rig.micFile, 'w');
  try {
    const chunk = new Float32Array(sampleRate * channels);
    for (let second = 0; second < seconds; second++) {
      for (let i = 0; i < sampleRate; i++) {
        const frame = second * sampleRate + i;
        const at = i * channels;
        chunk[at] = (frame & 0xffff) / 65536;
        chunk[at + 1] = Math.floor(frame / 65536) / 65536;
        for (let c = 2; c < channels; c++) chunk[at + c] = c / 64;
      }
      writeSync(fd, chunk);
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads channels 1–2 of a take with ffmpeg (an independent reader) and checks the frame counter. */
async function counterCheck(file: string): Promise<{ frames: number; discontinuities: number; firstBreaks: string[] }> {
  const ffmpeg = spawn('ffmpeg', ['-v', 'error', '-i', file, '-af', 'pan=stereo|c0=c0|c1=c1', '-c:a', 'pcm_f32le', '-f', 'f32le', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  ffmpeg.stderr.setEncoding('utf8').on('data', (text: string) => (errors += text));
  let carry = Buffer.alloc(0);
  let frames = 0;
  let previous = -1;
  let discontinuities = 0;
  const firstBreaks: string[] = [];
  for await (const data of ffmpeg.stdout as AsyncIterable<Buffer>) {
    const bytes = carry.length ? Buffer.concat([carry, data]) : data;
    const whole = bytes.length - (bytes.length % 8);
    for (let at = 0; at < whole; at += 8) {
      const counter = Math.round(bytes.readFloatLE(at) * 65536) + Math.round(bytes.readFloatLE(at + 4) * 65536) * 65536;
      if (previous >= 0 && counter !== previous + 1) {
        discontinuities++;
        if (firstBreaks.length < 5) firstBreaks.push(`frame ${frames}: ${previous} then ${counter}`);
      }
      previous = counter;
      frames++;
    }
    carry = Buffer.from(bytes.subarray(whole));
  }
  const code = await new Promise<number | null>((resolve) => ffmpeg.once('close', resolve));
  if (code !== 0) throw new Error(`ffmpeg could not read ${file}: ${errors.trim()}`);
  return { frames, discontinuities, firstBreaks };
}

function cli(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`loopstage ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

interface Project {
  readonly dir: string;
  readonly sampleRate: number;
  /** The timeline sample of cue C<seconds>'s out point. */
  readonly outPoint: (seconds: number) => number;
}

/** A project with one cue C<seconds> per length asked for, each from 01:00:10:00. */
function makeProject(name: string, sampleRate: number, lengths: number[]): Project {
  const dir = path.join(work, name);
  cli(['project', 'create', dir, '--rate', FRAME_RATE, '--sample-rate', String(sampleRate), '--start', '01:00:00:00']);
  const rate = parseFrameRate(FRAME_RATE);
  const label = (seconds: number) => {
    const s = 10 + seconds;
    return `${String(1 + Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}:00`;
  };
  const csv = path.join(work, `${name}.csv`);
  writeFileSync(csv, `Cue,Character,TC In,TC Out,Dialogue\n${lengths.map((s) => `C${s},BENCH,${label(0)},${label(s)},"${s} seconds"`).join('\n')}\n`);
  cli(['import', csv, '--project', dir]);
  return { dir, sampleRate, outPoint: (seconds) => labelToPosition(label(seconds), rate, sampleRate) as number };
}

interface TakeJson { file: string; start: number; length: number; status: string; dropouts: number; problem: string | null; channels: number }

interface RecordRun {
  readonly take: TakeJson | null;
  readonly error: string | null;
  readonly samples: ProcessSample[];
  /** performance.now() when "Rolling" was printed. */
  readonly rolledAt: number;
  readonly audioPid: number | null;
  readonly cliPid: number;
}

/** `loopstage record` of cue C<seconds> on `channels` inputs; the CLI tree sampled every `intervalMs`. */
async function record(project: Project, rig: Rig, seconds: number, channels: number, intervalMs: number): Promise<RecordRun> {
  const list = Array.from({ length: channels }, (_, i) => i + 1).join(',');
  const child = spawn(process.execPath, [BIN, 'record', '--project', project.dir, '--cue', `C${seconds}`, '--input', 'default', '--output', 'default',
    '--channels', list, '--format', 'float32', '--frames-per-buffer', String(FRAMES_PER_BUFFER[project.sampleRate]), '--pre', String(PRE_S), '--post', String(POST_S), '--json', '--uncalibrated'], {
    env: { ...process.env, ...rig.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sampler = sampleTree(child.pid!, intervalMs);
  // Long runs show their progress: the tree's resident memory every five minutes.
  const progress = setInterval(() => {
    const last = sampler.samples.at(-1);
    if (last) log(`  ${Math.round((performance.now() - rolledAt) / 1000)} s rolled: ${[...last.rss].map(([pid, rss]) => `${pid} ${mb(rss)} MB`).join(', ')}`);
  }, 300_000);
  let stdout = '';
  let stderr = '';
  let rolledAt = Number.NaN;
  let audioPid: number | null = null;
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderr += `${line}\n`;
    if (!line.startsWith('Rolling')) return;
    rolledAt = performance.now();
    audioPid = processTree(child.pid!).find((pid) => commandLine(pid).includes('audio-process')) ?? null;
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  sampler.stop();
  clearInterval(progress);
  const take = stdout.trim() ? (JSON.parse(stdout.trim().split('\n').at(-1)!) as TakeJson) : null;
  return { take, error: code === 0 ? null : stderr.trim().split('\n').at(-1) ?? `exit ${code}`, samples: sampler.samples, rolledAt, audioPid, cliPid: child.pid! };
}

/**
 * The samples inside the recording itself: from 2 s after it began to 1 s before it was due to end
 * (the processes then close files and exit, which is not what is measured).
 */
function steady(samples: ProcessSample[], startedAt: number, seconds: number): [ProcessSample, ProcessSample] | null {
  const inside = samples.filter((s) => s.at >= startedAt + 2000 && s.at <= startedAt + (seconds - 1) * 1000);
  return inside.length >= 2 ? [inside[0]!, inside.at(-1)!] : null;
}

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;

/** One recording of `seconds` on `channels`, judged: reported dropouts, counter continuity, length. */
interface Trial {
  readonly channels: number;
  readonly seconds: number;
  readonly cpuPercent: number | null;
  readonly clean: boolean;
  readonly [more: string]: unknown;
}

async function trial(project: Project, rig: Rig, seconds: number, channels: number): Promise<Trial> {
  log(`${project.sampleRate} Hz, ${channels} ch, ${seconds} s`);
  writeCounterMic(rig, seconds + ROLL_LEAD_S + PRE_S + 15, project.sampleRate, channels);
  const run = await record(project, rig, seconds, channels, 1000);
  const window = steady(run.samples, run.rolledAt, seconds + ROLL_LEAD_S + POST_S);
  const result = {
    channels,
    seconds,
    cpuPercent: window ? Math.round(cpuPercent(...window) * 10) / 10 : null,
  };
  if (!run.take) {
    log(`  failed: ${run.error}`);
    return { ...result, clean: false, error: run.error };
  }
  const expectedLength = project.outPoint(seconds) + POST_S * project.sampleRate - run.take.start;
  const check = await counterCheck(run.take.file);
  const fileBytes = statSync(run.take.file).size;
  rmSync(run.take.file);
  const clean = run.take.status === 'complete' && run.take.dropouts === 0 && check.discontinuities === 0 && run.take.length === expectedLength && check.frames === run.take.length;
  log(`  ${clean ? 'clean' : 'NOT clean'}: ${run.take.dropouts} reported dropouts, ${check.discontinuities} counter breaks ${JSON.stringify(check.firstBreaks)}, length ${run.take.length} of ${expectedLength}, ${check.frames} read${run.take.problem ? `, ${run.take.problem}` : ''}`);
  return {
    ...result,
    clean,
    status: run.take.status,
    reportedDropouts: run.take.dropouts,
    counterDiscontinuities: check.discontinuities,
    firstBreaks: check.firstBreaks,
    length: run.take.length,
    expectedLength,
    framesRead: check.frames,
    fileMB: mb(fileBytes),
    problem: run.take.problem,
  };
}

/** `arecord` on the same device, same channels and rate, float: its CPU (from /proc) in steady state. */
async function arecordCpu(rig: Rig, sampleRate: number, channels: number, seconds: number): Promise<{ cpuPercent: number | null } | { error: string }> {
  writeCounterMic(rig, seconds + 15, sampleRate, channels);
  const out = path.join(work, 'arecord.wav');
  const child = spawn('arecord', ['-q', '-D', 'rig_mic', '-c', String(channels), '-r', String(sampleRate), '-f', 'FLOAT_LE', '-t', 'wav', '-d', String(seconds), out], {
    env: { ...process.env, ...rig.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (errors += text));
  const startedAt = performance.now();
  const sampler = sampleTree(child.pid!, 1000);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  sampler.stop();
  const window = steady(sampler.samples, startedAt, seconds);
  rmSync(out, { force: true });
  if (code !== 0) return { error: errors.trim() };
  return { cpuPercent: window ? Math.round(cpuPercent(...window) * 10) / 10 : null };
}

async function sustainAndCpu(sampleRate: number) {
  const rig = startRig(32, sampleRate);
  try {
    const project = makeProject(`sustain-${sampleRate}`, sampleRate, [SCREEN_S, SUSTAIN_S]);
    const screened: Trial[] = [];
    let best: number | null = null;
    for (const channels of CHANNEL_STEPS) {
      const screen = await trial(project, rig, SCREEN_S, channels);
      screened.push(screen);
      if (screen.clean) {
        best = channels;
        break;
      }
    }
    const out: Record<string, unknown> = { sampleRate, framesPerBuffer: FRAMES_PER_BUFFER[sampleRate], format: 'float32', screened };
    if (PARTS.has('sustain') && best !== null) {
      // Sustained at the best screened count; if that fails, one step down, and so on.
      const sustained: Trial[] = [];
      for (const channels of CHANNEL_STEPS.filter((c) => c <= best!)) {
        const run = await trial(project, rig, SUSTAIN_S, channels);
        sustained.push(run);
        if (run.clean) break;
      }
      out.sustained = sustained;
      out.mostChannelsSustained = sustained.find((run) => run.clean)?.channels ?? 0;
    }
    if (PARTS.has('cpu')) {
      const cpu: Array<Record<string, unknown> & { channels: number }> = [];
      for (const channels of [2, 8, 32]) {
        const loopstage = channels === best ? screened.at(-1)!.cpuPercent : (await trial(project, rig, SCREEN_S, channels)).cpuPercent;
        const arecord = await arecordCpu(rig, sampleRate, channels, SCREEN_S);
        cpu.push({
          channels,
          loopstagePercent: loopstage,
          loopstagePercentPerChannel: loopstage === null ? null : Math.round((loopstage / channels) * 100) / 100,
          arecordPercent: 'cpuPercent' in arecord ? arecord.cpuPercent : arecord,
          arecordPercentPerChannel: 'cpuPercent' in arecord && arecord.cpuPercent !== null ? Math.round((arecord.cpuPercent / channels) * 100) / 100 : null,
        });
      }
      out.cpu = cpu;
      // What one more channel costs, apart from the fixed cost of running at all (the slope from 2 to 32).
      const at = (channels: number, key: 'loopstagePercent' | 'arecordPercent') => (cpu.find((row) => row.channels === channels)?.[key] as number | null | undefined) ?? null;
      const slope = (key: 'loopstagePercent' | 'arecordPercent') => {
        const low = at(2, key);
        const high = at(32, key);
        return low === null || high === null ? null : Math.round(((high - low) / 30) * 1000) / 1000;
      };
      out.marginalPercentPerChannel = { loopstage: slope('loopstagePercent'), arecord: slope('arecordPercent') };
    }
    return out;
  } finally {
    rig.stop();
  }
}

/** Stop → filed through the engine in this process, as the UI's Stop button calls it. */
async function stopToFiled() {
  const { createEngine } = await import('../../src/host/create-engine.js');
  const rig = startRig(32, 48000);
  const results: Record<string, unknown> = {};
  try {
    const project = makeProject('stop-latency', 48000, [60]);
    for (const channels of [2, 32]) {
      writeCounterMic(rig, 20 * 3 + 30, 48000, channels);
      // The audio process the engine starts inherits this environment: the rig's ALSA devices.
      Object.assign(process.env, rig.env);
      const engine = createEngine();
      try {
        await engine.openProject(project.dir, { input: 'default', output: 'default', framesPerBuffer: 256 });
        if (engine.audioStatus.state !== 'running' || engine.audioStatus.clockSource !== 'audio-device') throw new Error(`the rig did not open: ${engine.audioStatus.message}`);
        await engine.updateRecordingSettings({ inputChannels: Array.from({ length: channels }, (_, i) => i), encoding: 'float32' });
        const cue = engine.cues.findByNumber('C60');
        const latencies: number[] = [];
        const statuses: string[] = [];
        for (let i = 0; i < 20; i++) {
          await engine.recorder.start({ cueId: cue.id, record: true, preRollSeconds: 0, uncalibrated: true });
          // Stop once the writer has flushed two seconds of the take to disk: a take as it usually ends.
          await new Promise<void>((resolve) => {
            const off = engine.events.on('recorder', (state) => {
              if (state.flushedFrames < 2 * 48000) return;
              off();
              resolve();
            });
          });
          const before = performance.now();
          const filed = await engine.recorder.stop();
          latencies.push(performance.now() - before);
          statuses.push(filed?.status ?? 'none');
        }
        latencies.sort((a, b) => a - b);
        results[`channels${channels}`] = {
          takes: latencies.length,
          medianMs: Math.round(latencies[latencies.length >> 1]! * 10) / 10,
          p90Ms: Math.round(latencies[Math.floor(latencies.length * 0.9)]! * 10) / 10,
          maxMs: Math.round(latencies.at(-1)! * 10) / 10,
          statuses: [...new Set(statuses)],
        };
      } finally {
        await engine.close();
      }
    }
    return { sampleRate: 48000, framesPerBuffer: 256, format: 'float32', ...results };
  } finally {
    rig.stop();
  }
}

/** Resident memory over one long take, sampled every 2 s. */
async function longTake() {
  const sampleRate = 48000;
  const channels = 8;
  const rig = startRig(channels, sampleRate);
  try {
    const project = makeProject('long', sampleRate, [LONG_TAKE_S]);
    log(`long take: ${LONG_TAKE_S} s, ${channels} ch`);
    writeCounterMic(rig, LONG_TAKE_S + ROLL_LEAD_S + PRE_S + 15, sampleRate, channels);
    const run = await record(project, rig, LONG_TAKE_S, channels, 2000);
    const window = steady(run.samples, run.rolledAt, LONG_TAKE_S + ROLL_LEAD_S + POST_S);
    const inside = run.samples.filter((s) => s.at >= run.rolledAt + 60_000 && s.at <= run.rolledAt + (LONG_TAKE_S + ROLL_LEAD_S - 1) * 1000);
    const rssOf = (pid: number | null) => inside.map((s) => (pid === null ? 0 : s.rss.get(pid) ?? 0)).filter((v) => v > 0);
    const series = (pid: number | null) => {
      const values = rssOf(pid);
      if (values.length < 2) return null;
      return { afterFirstMinuteMB: mb(values[0]!), atEndMB: mb(values.at(-1)!), maxMB: mb(Math.max(...values)), growthMB: mb(values.at(-1)! - values[0]!) };
    };
    const out: Record<string, unknown> = {
      seconds: LONG_TAKE_S,
      channels,
      sampleRate,
      format: 'float32',
      audioProcess: series(run.audioPid),
      cli: series(run.cliPid),
      cpuPercent: window ? Math.round(cpuPercent(...window) * 10) / 10 : null,
    };
    if (!run.take) return { ...out, error: run.error };
    const check = await counterCheck(run.take.file);
    const header = Buffer.alloc(4);
    const fd = openSync(run.take.file, 'r');
    readSync(fd, header, 0, 4, 0);
    closeSync(fd);
    out.take = { status: run.take.status, reportedDropouts: run.take.dropouts, length: run.take.length, framesRead: check.frames, counterDiscontinuities: check.discontinuities, firstBreaks: check.firstBreaks, fileMB: mb(statSync(run.take.file).size), container: header.toString('latin1') };
    rmSync(run.take.file);
    return out;
  } finally {
    rig.stop();
  }
}

// LOOPSTAGE_BENCH_RATES=48000 (or 96000) measures one rate only.
const RATES = (process.env.LOOPSTAGE_BENCH_RATES ?? '48000,96000').split(',').map(Number);
const results: Record<string, unknown> = { sustainSeconds: SUSTAIN_S, screenSeconds: SCREEN_S };
try {
  if (PARTS.has('sustain') || PARTS.has('cpu')) {
    for (const sampleRate of RATES) results[`rate${sampleRate}`] = await sustainAndCpu(sampleRate);
  }
  if (PARTS.has('stop')) results.stopToFiled = await stopToFiled();
  if (PARTS.has('long')) results.longTake = await longTake();
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(results)}\n`);
