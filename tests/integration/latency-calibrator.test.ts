/**
 * The calibrator listens on the loopback input it is told, not always on input 1: the stream is fed
 * here buffer by buffer, with the sweep coming back on input 2 only, 300 frames late (the rig's
 * loopback returns the output on every input, so it cannot show which one was listened to). The
 * correlation runs on its real worker thread.
 */
import { describe, expect, it } from 'vitest';
import { LatencyCalibrator } from '../../src/adapters/audio/latency-calibrator.js';

const RATE = 48000;
const FRAMES = 256;
const ROUND_TRIP = 300;

/** Runs the stream until the measurement settles: output → delay line → input `loopInput` of 2. */
async function run(calibrator: LatencyCalibrator, measuring: Promise<unknown>): Promise<unknown> {
  let settled: { value?: unknown; error?: unknown } | null = null;
  measuring.then((value) => (settled = { value }), (error: unknown) => (settled = { error }));
  const returned: number[] = [];
  // Faster than real time, but each buffer yields, so the worker's answers come back in between.
  const giveUpAt = performance.now() + 45_000;
  for (let streamFrame = 0; !settled && performance.now() < giveUpAt; streamFrame += FRAMES) {
    const input = new Float32Array(FRAMES * 2);
    for (let i = 0; i < FRAMES; i++) {
      input[i * 2] = ((streamFrame + i) % 97) / 970 - 0.05; // input 1: something else entirely
      input[i * 2 + 1] = returned[streamFrame + i - ROUND_TRIP] ?? 0; // input 2: the loopback
    }
    calibrator.input(streamFrame, input);
    const out = calibrator.fill(streamFrame, FRAMES);
    for (let i = 0; i < FRAMES; i++) returned[streamFrame + i] = out ? out[i * 2]! : 0;
    await new Promise((resolve) => setImmediate(resolve));
  }
  const result = settled as { value?: unknown; error?: unknown } | null;
  if (!result) throw new Error('the calibration never finished');
  if ('error' in result) throw result.error;
  return result.value;
}

describe('LatencyCalibrator listening on a chosen input', () => {
  it('finds the round trip on input 2 when the loopback is patched there', { timeout: 60_000 }, async () => {
    const calibrator = new LatencyCalibrator(RATE, 2, 2);
    await expect(run(calibrator, calibrator.measure(2, 1))).resolves.toMatchObject({ roundTrip: ROUND_TRIP });
  });

  it('hears nothing on input 1, where the loopback is not', { timeout: 60_000 }, async () => {
    const calibrator = new LatencyCalibrator(RATE, 2, 2);
    await expect(run(calibrator, calibrator.measure(1, 0))).rejects.toMatchObject({ code: 'CALIBRATION_NOT_FOUND' });
  });

  it('refuses an input the stream does not have open', async () => {
    const calibrator = new LatencyCalibrator(RATE, 2, 2);
    await expect(calibrator.measure(1, 4)).rejects.toMatchObject({ code: 'CALIBRATION_NO_INPUT', message: expect.stringMatching(/Input 5 is not open \(2 open\)/) });
  });
});
