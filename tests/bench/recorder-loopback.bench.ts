/**
 * The loopback sync check, repeated: on the rig's rig_loopback, a guide click at timeline sample P
 * and the engine's beeps are played out and recorded back after calibrating on the same open
 * stream, five takes per setting; prints, per take, where the click and the beeps landed relative
 * to their timeline samples (0 = exact), the round trip and the dropouts the recorder reported.
 * tests/integration/recorder-rig.test.ts asserts the same on one take (LOOPSTAGE_RIG_LOOPBACK=1);
 * here the spread of the rig itself is visible: its PulseAudio path sometimes repeats or drops a
 * buffer without PortAudio reporting it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { frameToPosition, labelToPosition, parseFrameRate, positionToFrame, position } from '../../src/core/time/index.js';
import { startRig, writeRampMic } from '../support/rig.js';

const BIN = fileURLToPath(new URL('../../bin/loopstage.js', import.meta.url));
const work = mkdtempSync(path.join(os.tmpdir(), 'loopstage-loopback-bench-'));
const cli = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });

const results: Record<string, unknown> = {};
for (const c of [{ sampleRate: 48000, frameRate: '25', framesPerBuffer: 1024 }, { sampleRate: 96000, frameRate: '23.976', framesPerBuffer: 512 }]) {
  const rig = startRig(2, c.sampleRate);
  writeRampMic(rig, 10, c.sampleRate, 2);
  const takes: unknown[] = [];
  try {
    const dir = path.join(work, `p${c.sampleRate}`);
    cli(['project', 'create', dir, '--rate', c.frameRate, '--sample-rate', String(c.sampleRate)]);
    const csv = path.join(work, `cues${c.sampleRate}.csv`);
    writeFileSync(csv, 'Cue,Character,TC In,TC Out,Dialogue\nR101,ROBIN,01:00:10:00,01:00:12:00,"Halt!"\n');
    cli(['import', csv, '--project', dir]);
    const rate = parseFrameRate(c.frameRate);
    const at = (label: string) => labelToPosition(label, rate, c.sampleRate) as number;
    const guideStart = at('01:00:05:00');
    const click = at('01:00:09:12') + 37;
    const raw = new Float32Array(12 * c.sampleRate);
    raw[click - guideStart] = 0.9;
    writeFileSync(path.join(work, 'g.f32'), Buffer.from(raw.buffer));
    const guide = path.join(work, `g${c.sampleRate}.wav`);
    execFileSync('sox', ['-t', 'f32', '-r', String(c.sampleRate), '-c', '1', path.join(work, 'g.f32'), '-b', '24', '-e', 'signed-integer', guide]);
    cli(['guide', 'add', '--project', dir, guide, '--at', '01:00:05:00']);
    const inFrame = positionToFrame(position(at('01:00:10:00')), rate, c.sampleRate);
    const beeps = [3, 2, 1].map((n) => frameToPosition(inFrame - n * rate.timecodeBase, rate, c.sampleRate) as number);
    for (let i = 0; i < 5; i++) {
      const run = cli(['record', '--project', dir, '--cue', 'R101', '--input', 'rig_loopback', '--output', 'rig_loopback', '--channels', '1',
        '--frames-per-buffer', String(c.framesPerBuffer), '--format', 'float32', '--monitor', 'guide,beeps', '--calibrate', '--json'], rig.env);
      if (run.status !== 0) {
        takes.push({ error: run.stderr.trim().split('\n').at(-1) });
        continue;
      }
      const take = JSON.parse(run.stdout) as { file: string; start: number; latency: number; dropouts: number };
      const bytes = execFileSync('sox', [take.file, '-t', 'f32', '-'], { maxBuffer: 1 << 30 });
      const samples = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
      let peak = 0;
      for (let k = 1; k < samples.length; k++) if (Math.abs(samples[k]!) > Math.abs(samples[peak]!)) peak = k;
      // A beep's onset: the first non-zero sample within 30 ms either side of where it belongs.
      const onset = (b: number) => {
        const from = Math.max(0, b - take.start - Math.round(0.03 * c.sampleRate));
        for (let k = from; k < from + Math.round(0.06 * c.sampleRate); k++) if (samples[k] !== 0) return take.start + k - b;
        return null;
      };
      takes.push({ clickError: take.start + peak - click, beepErrors: beeps.map(onset), roundTrip: take.latency, dropouts: take.dropouts });
    }
  } finally {
    rig.stop();
  }
  const exact = takes.filter((t) => (t as { clickError?: number }).clickError === 0).length;
  results[`${c.sampleRate}Hz_${c.frameRate}fps_${c.framesPerBuffer}`] = { exactClicks: `${exact}/${takes.length}`, takes };
}
rmSync(work, { recursive: true, force: true });
console.log(JSON.stringify(results));
