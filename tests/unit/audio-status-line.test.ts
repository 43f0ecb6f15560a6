/**
 * naudiodon's status lines, in the exact form its PaContext::checkStatus prints them (one line per
 * buffer read, the flags of that callback space-separated with a trailing space), as the audio host
 * counts them. The lines below are copied from the rig's logs and from that format.
 */
import { describe, expect, it } from 'vitest';
import { countStatusLine, NO_STATS } from '../../src/adapters/audio/audio-process-host.js';

describe('counting PortAudio status lines', () => {
  it('counts each flag of a line once, the input underflow among them', () => {
    let stats = countStatusLine(NO_STATS, 'AudioIO: portAudio status - output underflow ');
    stats = countStatusLine(stats, 'AudioIO: portAudio status - input underflow output underflow ');
    stats = countStatusLine(stats, 'AudioIO: portAudio status - input overflow ');
    expect(stats).toMatchObject({ inputOverflows: 1, outputUnderflows: 2, inputUnderflows: 1 });
  });

  it('leaves the counts alone for ALSA and PortAudio diagnostics that are not status lines', () => {
    for (const line of [
      'ALSA lib pcm.c:8570:(snd_pcm_recover) underrun occurred',
      "Expression 'PaAlsaStream_WaitForFrames( stream, &framesAvail, &xrun )' failed in 'src/hostapi/alsa/pa_linux_alsa.c', line: 4289",
      'Finishing output - 2048 bytes not available to fill the last buffer',
    ]) {
      expect(countStatusLine(NO_STATS, line)).toBe(NO_STATS);
    }
  });
});
