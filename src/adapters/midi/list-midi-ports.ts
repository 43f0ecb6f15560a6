/** MIDI port listing through @julusian/midi (RtMidi, Node-API: no rebuild per Electron version). */
import { createRequire } from 'node:module';

/** Structurally the engine port's MidiPortInfo. */
export interface MidiPortInfo {
  readonly direction: 'input' | 'output';
  readonly index: number;
  readonly name: string;
}

interface MidiPortApi {
  getPortCount(): number;
  getPortName(index: number): string;
  closePort(): void;
}

interface MidiModule {
  Input: new () => MidiPortApi;
  Output: new () => MidiPortApi;
}

/**
 * Lists MIDI ports. A machine with no MIDI system (no ALSA sequencer) has no ports: that is an
 * answer, not an error, and `problem` says why the list is empty.
 */
export function listMidiPorts(): { ports: MidiPortInfo[]; problem: string | null } {
  let midi: MidiModule;
  try {
    midi = createRequire(import.meta.url)('@julusian/midi') as MidiModule;
  } catch (error) {
    return { ports: [], problem: `MIDI support could not be loaded (${(error as Error).message}).` };
  }
  const ports: MidiPortInfo[] = [];
  for (const direction of ['input', 'output'] as const) {
    try {
      const port = direction === 'input' ? new midi.Input() : new midi.Output();
      const count = port.getPortCount();
      for (let index = 0; index < count; index++) ports.push({ direction, index, name: port.getPortName(index) });
      port.closePort();
    } catch (error) {
      return { ports, problem: `The MIDI system is not available (${(error as Error).message}); is the ALSA sequencer (snd-seq) loaded?` };
    }
  }
  return { ports, problem: null };
}
