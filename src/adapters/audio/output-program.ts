/**
 * What the output plays while the transport rolls, rendered in the audio process one buffer at a
 * time from the transport position: beeps at their exact samples, guide tracks and takes (review)
 * placed on the timeline, and the inputs being recorded (input monitoring). The monitor matrix of
 * the current phase says which of these sound. Nothing here waits: audio not yet read from disk
 * plays as silence and is counted.
 */
import { DEFAULT_BEEP_SETTINGS, renderBeeps } from '../../core/cueing/beeps.js';
import type { OutputProgramSpec, PlacedFileSpec } from '../../engine/ports/audio-host.js';
import { PlacedAudio } from './placed-audio.js';

export type ProgramSpec = OutputProgramSpec;

export const SILENT_PROGRAM: ProgramSpec = {
  phase: 'idle',
  monitor: { guide: false, beeps: false, input: false },
  beeps: [],
  beepSettings: DEFAULT_BEEP_SETTINGS,
  guides: [],
  takes: [],
  inputMonitor: [],
  from: 0,
};

interface Placed {
  readonly spec: PlacedFileSpec;
  readonly audio: PlacedAudio;
}

export class OutputProgram {
  #spec: ProgramSpec = SILENT_PROGRAM;
  #guides: Placed[] = [];
  #takes: Placed[] = [];
  /** The take that sounds in playback (A/B compare switches it while rolling). */
  #listen = 0;
  /** Open files by path and start, kept across programs so a re-roll does not reopen them. */
  readonly #open = new Map<string, PlacedAudio>();

  constructor(
    private readonly sampleRate: number,
    private readonly inputChannels: number,
    private readonly outputChannels: number,
  ) {}

  /** Frames of placed audio that were due but not yet read from disk (played as silence). */
  get misses(): number {
    let total = 0;
    for (const audio of this.#open.values()) total += audio.misses;
    return total;
  }

  /** Loads a program: opens its files and reads ahead from `spec.from`; resolves when they are ready to play. */
  async load(spec: ProgramSpec): Promise<void> {
    const wanted = new Set([...spec.guides, ...spec.takes].map(keyOf));
    for (const [key, audio] of this.#open) {
      if (!wanted.has(key)) {
        this.#open.delete(key);
        await audio.close();
      }
    }
    const place = async (file: PlacedFileSpec): Promise<Placed> => {
      const key = keyOf(file);
      let audio = this.#open.get(key);
      if (!audio) {
        audio = await PlacedAudio.open(file.path, { start: file.start, sampleRate: this.sampleRate });
        this.#open.set(key, audio);
      }
      return { spec: file, audio };
    };
    const guides = await Promise.all(spec.guides.map(place));
    const takes = await Promise.all(spec.takes.map(place));
    await Promise.all([...guides, ...takes].map((p) => p.audio.prepare(spec.from)));
    this.#guides = guides;
    this.#takes = takes;
    this.#listen = spec.listen ?? 0;
    this.#spec = spec;
  }

  /**
   * The output buffer for one callback, or null for silence. `position` is the timeline sample of
   * the buffer's first frame when rolling (null when stopped); `input` the same callback's input.
   */
  render(position: number | null, frames: number, input: Float32Array | null, out: Float32Array | null): Float32Array | null {
    const spec = this.#spec;
    if (spec.phase === 'idle') return out;
    const channels = this.outputChannels;
    const ensure = (): Float32Array => (out ??= new Float32Array(frames * channels));
    if (spec.monitor.input && input && spec.inputMonitor.length > 0) {
      const target = ensure();
      const inChannels = this.inputChannels;
      // Each monitored input goes to output channel (k mod outputs): a mono boom to 1, a pair to 1/2;
      // one input alone goes to every output, so a mono mic is heard in both ears.
      const spread = spec.inputMonitor.length === 1;
      for (let k = 0; k < spec.inputMonitor.length; k++) {
        const source = spec.inputMonitor[k]!;
        for (let f = 0; f < frames; f++) {
          const value = input[f * inChannels + source]!;
          if (spread) for (let c = 0; c < channels; c++) target[f * channels + c]! += value;
          else target[f * channels + (k % channels)]! += value;
        }
      }
    }
    if (position === null) return out;
    if (spec.monitor.beeps && spec.beeps.length > 0) {
      const last = spec.beeps[spec.beeps.length - 1]!;
      if (position < last.start + last.length && position + frames > spec.beeps[0]!.start) {
        renderBeeps(spec.beeps, position as never, frames, channels, this.sampleRate, spec.beepSettings, ensure());
      }
    }
    const mix = ({ spec: file, audio }: Placed): void => {
      if (position + frames <= audio.start || position >= audio.start + audio.length) return;
      audio.mix(position, frames, ensure(), channels, file.gain);
    };
    if (spec.monitor.guide) for (const guide of this.#guides) mix(guide);
    const heard = spec.phase === 'playback' ? this.#takes[this.#listen] : undefined;
    if (heard) mix(heard);
    return out;
  }

  /** Which take sounds from the next buffer on (an index into the program's takes). */
  listen(index: number): void {
    this.#listen = index;
  }

  async close(): Promise<void> {
    for (const audio of this.#open.values()) await audio.close();
    this.#open.clear();
    this.#guides = [];
    this.#takes = [];
    this.#spec = SILENT_PROGRAM;
  }
}

function keyOf(file: PlacedFileSpec): string {
  return `${file.start}:${file.path}`;
}
