/**
 * Review, A/B compare and the rehearsal loop through real PortAudio on the audio rig, driven over
 * the engine's WebSocket API as the UI drives it, and proven by what the rig actually played.
 *
 * The rig's mic plays a ramp (frame f of the capture = f / 2^24), so every sample of a float take
 * names the capture frame it came from. Two takes of one cue hold different stretches of the ramp;
 * during the comparison each sample the output played therefore says which take it came from and
 * which timeline sample it belongs to. The test checks the switch from A to B happened without a
 * sample lost or repeated on the timeline, and that each take played at its own place.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcClient } from '../../src/api/rpc.js';
import type { TransportSnapshot } from '../../src/core/transport/transport-clock.js';
import { loopstage, loopstageServe, stopChild } from '../support/cli.js';
import { startRig, writeRampMic, type Rig } from '../support/rig.js';
import { connectRpc, until } from '../support/rpc.js';

const RATE = 48_000;
const RAMP = 16_777_216;
/** Where take B's ramp starts: above anything take A can hold (160 s of ramp is 7.68 M frames), below 2^24. */
const B_BASE = 8_000_000;
let rig: Rig;
let serve: Awaited<ReturnType<typeof loopstageServe>>;
let rpc: Awaited<ReturnType<typeof connectRpc>>;
let client: RpcClient;
let dir: string;
let cueId: number;

beforeAll(async () => {
  rig = startRig(2, RATE);
  // The stream opens one input (the default recording settings), so the ramp is mono.
  writeRampMic(rig, 160, RATE, 1);
  const work = mkdtempSync(path.join(os.tmpdir(), 'loopstage-compare-'));
  dir = path.join(work, 'Compare');
  expect(loopstage(['project', 'create', dir, '--rate', '25', '--sample-rate', String(RATE), '--start', '01:00:00:00']).code).toBe(0);
  const csv = path.join(work, 'cues.csv');
  writeFileSync(csv, 'Cue #,Character,TC In,TC Out,Dialogue\r\nR1,ROBIN,01:00:10:00,01:00:11:00,"Hold."');
  const imported = loopstage(['import', csv, '--project', dir]);
  expect(imported.code, imported.stderr).toBe(0);
  serve = await loopstageServe(['serve', '--project', dir, '--port', '0', '--input', 'default', '--output', 'default', '--json'], rig.env);
  const started = JSON.parse(serve.firstLine) as { url: string };
  rpc = await connectRpc(started.url);
  client = rpc.client;
  cueId = (await client.call('cues.list', {})).cues.find((c) => c.number === 'R1')!.id;
  // Float takes keep the ramp exact; playback plays the take alone (no beeps, guide or input).
  await client.call('recording.update', { encoding: 'float32', monitor: { playback: { beeps: false, guide: false, input: false } } });
}, 60_000);

afterAll(async () => {
  rpc?.close();
  if (serve) await stopChild(serve.child);
  rig?.stop();
});

const idle = () => until(() => client.call('recorder.state', {}), (s) => s.phase === 'idle', 20_000, 'the recorder going idle');

/** Channel 0 of the rig's copy of the output, from frame `from` on. */
function played(from: number): Float32Array {
  const name = readdirSync(rig.dir).find((n) => n.startsWith(`played-${RATE}-2-`))!;
  const bytes = readFileSync(path.join(rig.dir, name));
  const frames = Math.floor(bytes.length / 8);
  const out = new Float32Array(Math.max(0, frames - from));
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE((from + i) * 8);
  return out;
}

function playedFrames(): number {
  const name = readdirSync(rig.dir).find((n) => n.startsWith(`played-${RATE}-2-`));
  return name ? Math.floor(statSync(path.join(rig.dir, name)).size / 8) : 0;
}

/** A take's first channel as sox decodes it (an independent reader). */
function takeSamples(relative: string): Float32Array {
  const raw = execFileSync('sox', [path.join(dir, relative), '-t', 'f32', '-', 'remix', '1'], { maxBuffer: 1 << 28 });
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
}

/** Rewrites the mic's ramp in place from `base` on (frame f = (base + f) / 2^24), keeping its length. */
function rampInPlace(base: number): void {
  const frames = statSync(rig.micFile).size / 4;
  const data = new Float32Array(frames);
  for (let frame = 0; frame < frames; frame++) data[frame] = (base + frame) / RAMP;
  const fd = openSync(rig.micFile, 'r+');
  try {
    writeSync(fd, Buffer.from(data.buffer), 0, data.byteLength, 0);
  } finally {
    closeSync(fd);
  }
}

async function recordTake(): Promise<{ id: number; number: number; start: number; length: number; path: string }> {
  await client.call('recorder.roll', { cueId, record: true, uncalibrated: true, preRollSeconds: 1, postRollSeconds: 0.5 });
  await idle();
  const takes = await client.call('takes.list', { cueId });
  const take = takes.at(-1)!;
  expect(take).toMatchObject({ status: 'complete', channels: 1 });
  return take;
}

describe('review, A/B compare and loop on the rig', () => {
  it('compares two takes against picture and switches from A to B mid-roll without losing or repeating a timeline sample', { timeout: 180_000 }, async () => {
    const a = await recordTake();
    // Take B is recorded from the upper half of the ramp: the mic file is overwritten in place (the
    // capture reads on at its offset), so B's samples can never be mistaken for A's.
    rampInPlace(B_BASE);
    const b = await recordTake();
    const firstA = Math.round(takeSamples(a.path)[0]! * RAMP);
    const firstB = Math.round(takeSamples(b.path)[0]! * RAMP);
    expect(firstA).toBeLessThan(B_BASE);
    expect(firstB).toBeGreaterThanOrEqual(B_BASE);

    // Two different cues' takes, or a take against itself, are refused with a reason.
    await expect(client.call('takes.compare', { a: a.id, b: a.id })).rejects.toMatchObject({ code: 'TAKE_COMPARE_SAME' });
    await expect(client.call('takes.listen', { take: 'b' })).rejects.toMatchObject({ code: 'COMPARE_NOT_PLAYING' });

    const before = playedFrames();
    const started = await client.call('takes.compare', { a: a.id, b: b.id });
    expect(started.phase).toBe('playback');
    expect(await client.call('recorder.state', {})).toMatchObject({ phase: 'playback', compare: { a: a.id, b: b.id, listen: 'a' } });
    // Switch once A has played a second of the roll (read from the transport, not a timer).
    await until(() => client.call('transport.state', {}), (s) => s.state === 'rolling' && s.position >= started.range.start + RATE, 20_000, 'a second of the comparison played');
    const switched = await client.call('takes.listen', { take: 'b' });
    expect(switched.compare).toEqual({ a: a.id, b: b.id, listen: 'b' });
    const ended = await idle();
    expect(ended.compare).toBeNull();

    // What the output played from the comparison on: each sample is take A's or take B's.
    const out = played(before);
    const heard: Array<{ take: 'a' | 'b'; t: number }> = [];
    for (const value of out) {
      const frame = Math.round(value * RAMP);
      if (value === 0) continue;
      if (frame < B_BASE && frame >= firstA && frame < firstA + a.length) heard.push({ take: 'a', t: a.start + frame - firstA });
      else if (frame >= firstB && frame < firstB + b.length) heard.push({ take: 'b', t: b.start + frame - firstB });
    }
    // Input monitored after take B (the record phase's program stays loaded while stopped) may
    // reach the rig's file just before the comparison: the comparison starts at its first A sample.
    const firstHeardA = heard.findIndex((h) => h.take === 'a');
    expect(firstHeardA, 'A was heard').toBeGreaterThanOrEqual(0);
    heard.splice(0, firstHeardA);
    const switchAt = heard.findIndex((h) => h.take === 'b');
    expect(switchAt, 'A was heard first').toBeGreaterThan(RATE / 2);
    expect(heard.slice(switchAt).every((h) => h.take === 'b'), 'once switched, only B').toBe(true);
    expect(heard.slice(0, switchAt).every((h) => h.take === 'a')).toBe(true);
    // The timeline runs on through the switch: the first B sample is the one after the last A sample.
    expect(heard[switchAt]!.t - heard[switchAt - 1]!.t).toBe(1);
    let jumps = 0;
    for (let i = 1; i < heard.length; i++) if (heard[i]!.t - heard[i - 1]!.t !== 1) jumps++;
    const status = await client.call('audio.status', {});
    // A rig underflow shows as a jump; with none reported there must be none.
    if (status.outputUnderflows === 0) expect(jumps).toBe(0);
    // The switch took effect at a buffer boundary of the roll (the roll starts on one).
    expect((heard[switchAt]!.t - started.range.start) % status.framesPerBuffer!).toBe(0);
    // Both takes were heard at their own place: the roll covered all of A before the switch point
    // and B to its end.
    expect(heard[0]!.t).toBe(Math.max(a.start, started.range.start));
    expect(heard.at(-1)!.t).toBe(b.start + b.length - 1);
    console.log(JSON.stringify({ compare: { heardA: switchAt, heardB: heard.length - switchAt, switchTimelineSample: heard[switchAt]!.t, jumps, underflows: status.outputUnderflows } }));
  });

  it('loops a rehearsal from the same first sample until stopped, and never loops a take', { timeout: 120_000 }, async () => {
    await expect(client.call('recorder.roll', { cueId, record: true, loop: true, uncalibrated: true })).rejects.toMatchObject({ code: 'ROLL_LOOP_RECORD' });

    const snapshots: TransportSnapshot[] = [];
    const off = client.on('transport.changed', (snapshot) => snapshots.push(snapshot));
    const started = await client.call('recorder.roll', { cueId, record: false, loop: true, preRollSeconds: 0.5, postRollSeconds: 0.3 });
    const length = started.range.end - started.range.start;
    // Three passes: it reached its end and started over twice.
    await new Promise((resolve) => setTimeout(resolve, (3 * length) / RATE * 1000 + 500));
    const state = await client.call('recorder.state', {});
    expect(state).toMatchObject({ phase: 'rehearse', loop: true });
    await client.call('recorder.stop', {});
    const stopped = await idle();
    expect(stopped.loop).toBe(false);
    off();

    const endings = snapshots.filter((s) => s.state === 'stopped' && s.position >= started.range.end);
    const restarts = snapshots.filter((s) => s.state === 'rolling' && s.position === started.range.start);
    expect(endings.length, JSON.stringify(snapshots.map((s) => [s.state, s.position]))).toBeGreaterThanOrEqual(2);
    expect(restarts.length).toBeGreaterThanOrEqual(2);
    // Stopped by hand, it stays stopped.
    await new Promise((resolve) => setTimeout(resolve, (length / RATE) * 1000));
    expect((await client.call('transport.state', {})).state).toBe('stopped');
    expect((await client.call('recorder.state', {})).phase).toBe('idle');
  });
});
