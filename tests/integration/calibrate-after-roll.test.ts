/**
 * Calibrating between takes, on the rig's loopback (its input hears its own output): after a roll
 * the output program stays loaded, and with input monitoring on it would send the input straight
 * back out — a second route from output to input that makes the sweep arrive twice
 * (CALIBRATION_AMBIGUOUS) or feed back. While a measurement runs only the sweep may play.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopstage, loopstageServe, stopChild } from '../support/cli.js';
import { startRig, type Rig } from '../support/rig.js';
import { connectRpc, until } from '../support/rpc.js';

let rig: Rig;
let serve: Awaited<ReturnType<typeof loopstageServe>>;
let rpc: Awaited<ReturnType<typeof connectRpc>>;

beforeAll(async () => {
  rig = startRig(2, 48_000);
  const work = mkdtempSync(path.join(os.tmpdir(), 'loopstage-calibrate-after-'));
  const dir = path.join(work, 'P');
  expect(loopstage(['project', 'create', dir, '--rate', '25', '--sample-rate', '48000', '--start', '01:00:00:00']).code).toBe(0);
  writeFileSync(path.join(work, 'cues.csv'), 'Cue #,Character,TC In,TC Out,Dialogue\r\nR1,ROBIN,01:00:04:00,01:00:05:00,"Hold."');
  expect(loopstage(['import', path.join(work, 'cues.csv'), '--project', dir]).code).toBe(0);
  serve = await loopstageServe(['serve', '--project', dir, '--port', '0', '--input', 'rig_loopback', '--output', 'rig_loopback', '--json'], rig.env);
  rpc = await connectRpc((JSON.parse(serve.firstLine) as { url: string }).url);
}, 60_000);

afterAll(async () => {
  rpc?.close();
  if (serve) await stopChild(serve.child);
  rig?.stop();
});

/**
 * Calibrates, again when the rig glitched during a measurement. Under load the rig's PulseAudio
 * can itself repeat a stretch of audio (a rewind), which reads as a second arrival now and then;
 * input monitoring left on failed every try before the fix (ambiguous, then not found under the
 * feedback), so a clean measurement within 5 tries is the proof.
 */
async function calibrate(): Promise<{ code: string | null; roundTrip: number | null; tries: string[] }> {
  const tries: string[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const status = await rpc.client.call('audio.calibrate', {});
      return { code: null, roundTrip: status.latency?.current ? status.latency.roundTrip : null, tries };
    } catch (error) {
      tries.push((error as { code: string }).code);
      await until(() => rpc.client.call('audio.status', {}), (s) => s.state === 'running', 20_000, 'the stream running again');
    }
  }
  return { code: tries.at(-1) ?? null, roundTrip: null, tries };
}

describe('calibrating between rolls on the rig loopback', () => {
  it('measures one round trip after a rehearsal with input monitoring on, as before it', { timeout: 120_000 }, async () => {
    const { client } = rpc;
    await client.call('recording.update', { monitor: { rehearse: { input: true, beeps: true } } });
    await until(() => client.call('audio.status', {}), (s) => s.state === 'running', 20_000, 'the stream running');
    const before = await calibrate();
    expect(before.code, `a clean measurement before the roll (tries: ${before.tries.join(', ')})`).toBeNull();
    expect(before.roundTrip).toBeGreaterThan(0);

    const cueId = (await client.call('cues.list', {})).cues[0]!.id;
    await client.call('recorder.roll', { cueId, record: false, preRollSeconds: 0.5, postRollSeconds: 0.2 });
    await until(() => client.call('recorder.state', {}), (s) => s.phase === 'idle', 20_000, 'the rehearsal ending');

    // The rehearsal's program (input monitoring on) is still loaded: the loopback now has a second
    // path, output → input → monitor → output. The measurement must not hear it.
    const after = await calibrate();
    expect(after.code, `the sweep came back once (tries: ${after.tries.join(', ')})`).toBeNull();
    // (Not compared with the first: the rig's round trip moves by a few ms when an underrun shifts
    // its output, as it may during the roll.)
    expect(after.roundTrip).toBeGreaterThan(0);
  });
});
