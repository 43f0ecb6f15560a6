/**
 * Latency calibration on the rig's real loopback (rig_loopback): five opens of the stream, two
 * calibrations each, with the output underflows PortAudio reported. Prints one JSON line.
 */
import { AudioProcessHost } from '../../src/adapters/audio/audio-process-host.js';
import type { AudioStats } from '../../src/engine/ports/audio-host.js';
import { startRig, writeRampMic } from '../support/rig.js';

const rig = startRig(2, 48000);
writeRampMic(rig, 10, 48000, 2);
Object.assign(process.env, rig.env);
const opens: unknown[] = [];
try {
  for (let open = 0; open < 5; open++) {
    const host = new AudioProcessHost();
    let stats: AudioStats | null = null;
    host.on('stats', (s) => (stats = s));
    const run: Record<string, unknown> = {};
    try {
      await host.open({ input: 'rig_loopback', output: 'rig_loopback', sampleRate: 48000, framesPerBuffer: 256, inputChannels: 2, outputChannels: 2, startPosition: 0 });
      for (const name of ['first', 'second']) {
        const started = performance.now();
        try {
          const result = await host.calibrate(3, 0);
          run[name] = { roundTrip: result.roundTrip, agreeing: result.agreeing, confidence: +result.confidence.toFixed(1), ms: Math.round(performance.now() - started) };
        } catch (error) {
          run[name] = { error: (error as { code?: string }).code ?? String(error) };
        }
      }
      run.outputUnderflows = (stats as AudioStats | null)?.outputUnderflows ?? 0;
    } finally {
      await host.close();
    }
    opens.push(run);
  }
} finally {
  rig.stop();
}
console.log(JSON.stringify({ calibrationOnRigLoopback: opens }));
