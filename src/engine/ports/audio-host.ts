import type { TransportCommand, TransportSnapshot } from '../../core/transport/transport-clock.js';
import type { MeterReading } from '../../core/audio/meters.js';
import type { SampleEncoding } from '../../core/audio/pcm.js';
import type { BextFields } from '../../core/bwf/bext.js';
import type { TakeIxml } from '../../core/bwf/ixml.js';
import type { Beep, BeepSettings } from '../../core/cueing/beeps.js';

/** The engine's view of the audio interface: one duplex stream that is the session's master clock. */
export interface AudioDeviceInfo {
  readonly name: string;
  readonly hostApi: string;
  readonly maxInputChannels: number;
  readonly maxOutputChannels: number;
  readonly defaultSampleRate: number;
}

export interface AudioStreamConfig {
  /** Device names as listed, or the software clock's name. */
  readonly input: string;
  readonly output: string;
  readonly sampleRate: number;
  readonly framesPerBuffer: number;
  readonly inputChannels: number;
  readonly outputChannels: number;
  /** Timeline sample the transport starts at. */
  readonly startPosition: number;
}

export interface OpenedStream {
  readonly clockSource: 'audio-device' | 'software-clock';
  readonly input: string;
  readonly output: string;
  readonly sampleRate: number;
  readonly framesPerBuffer: number;
}

export interface ClockTick extends TransportSnapshot {
  /** Epoch milliseconds (high resolution) when the buffer that ends at `position` reached the host. */
  readonly hostTime: number;
}

export interface AudioStats {
  /** Buffers that reached the engine more than three buffer periods after the previous one. */
  readonly lateBuffers: number;
  readonly buffers: number;
  /** Callbacks in which PortAudio reported input lost (frames dropped before we saw them). */
  readonly inputOverflows: number;
  /** Callbacks in which the output ran dry (silence played where audio was due). */
  readonly outputUnderflows: number;
  /**
   * Callbacks PortAudio ran without input from the interface (after an xrun it restarts the output
   * before the input) and filled with silence: frames the interface never delivered were counted,
   * so the timeline moved against it.
   */
  readonly inputUnderflows: number;
  /** Frames of guide or review audio that were due before the disk delivered them (played as silence). */
  readonly guideMisses: number;
}

/** A round-trip latency measured on the open stream (output written at frame n is heard at n + roundTrip). */
export interface LatencyMeasurement {
  readonly roundTrip: number;
  readonly count: number;
  readonly agreeing: number;
  readonly min: number;
  readonly max: number;
  readonly confidence: number;
  readonly gain: number;
}

/** Which part of a session a roll belongs to; each has its own monitor switches. */
export type RollPhase = 'idle' | 'rehearse' | 'record' | 'playback';

export interface MonitorSwitches {
  readonly guide: boolean;
  readonly beeps: boolean;
  readonly input: boolean;
}

/** An audio file placed on the timeline (a guide track, or a take played for review). */
export interface PlacedFileSpec {
  /** Absolute path. */
  readonly path: string;
  /** Timeline sample of the file's first sample. */
  readonly start: number;
  /** Linear gain. */
  readonly gain: number;
}

/** What the output plays while the transport rolls. */
export interface OutputProgramSpec {
  readonly phase: RollPhase;
  readonly monitor: MonitorSwitches;
  readonly beeps: readonly Beep[];
  readonly beepSettings: BeepSettings;
  /** Guide tracks: sound when `monitor.guide`. */
  readonly guides: readonly PlacedFileSpec[];
  /** Takes played for review: in the playback phase the one at `listen` sounds (A/B compare loads two). */
  readonly takes: readonly PlacedFileSpec[];
  /** Which of `takes` sounds (an index; 0 when absent). */
  readonly listen?: number;
  /** Input channels (0-based) sent to the output when `monitor.input`. */
  readonly inputMonitor: readonly number[];
  /** Where the roll will start: files are read ahead from here. */
  readonly from: number;
}

/** A take to cut from the running stream (see adapters/audio/take-capture.ts). */
export interface TakeCaptureSpec {
  /** Absolute path of the new file (never replaced). */
  readonly path: string;
  readonly encoding: SampleEncoding;
  /** Input channels (0-based) recorded, in file channel order. */
  readonly inputChannels: readonly number[];
  readonly sampleRate: number;
  readonly bext: BextFields;
  readonly ixml: TakeIxml;
  /** Timeline samples [start, end) the take holds. */
  readonly start: number;
  readonly end: number;
  /** Stream frames from the callback that writes a sample out to the input frame that hears it (round trip + manual offset). */
  readonly latency: number;
}

export interface TakeCaptureResult {
  readonly path: string;
  /** Frames in the file. */
  readonly frames: number;
  /** Timeline sample of the first frame (= bext TimeReference). */
  readonly start: number;
  /** Frames of silence at the head, when the roll began inside the take's range. */
  readonly padded: number;
  /** Why the take ended before its end, or null for a whole take. */
  readonly cut: string | null;
  /** A failure that stopped the take (disk full…); the file keeps what was written. */
  readonly error: { readonly code: string; readonly message: string } | null;
}

export interface AudioHostEvents {
  tick: ClockTick;
  /** The transport changed by itself (a roll reached its end). */
  transport: TransportSnapshot;
  /** Input levels since the last reading, about 30 a second. */
  meters: MeterReading;
  /** A take's header was refreshed: `frames` are safely on disk. */
  takeFlushed: { readonly takeId: number; readonly frames: number };
  /** A take ended and its file is closed. */
  takeFinished: { readonly takeId: number; readonly result: TakeCaptureResult };
  /** The stream stopped on its own (device gone, process died): the sentence says why. */
  failure: { code: string; message: string };
  stats: AudioStats;
}

export interface MidiPortInfo {
  readonly direction: 'input' | 'output';
  readonly index: number;
  readonly name: string;
}

export interface DeviceList {
  readonly audio: AudioDeviceInfo[];
  readonly midi: MidiPortInfo[];
  /** Why a list is empty or partial (no MIDI system, no audio system), for the user. */
  readonly problems: string[];
}

export interface AudioHost {
  listDevices(): Promise<DeviceList>;
  /** Opens the duplex stream; resolves once the first buffer has arrived, so the clock is proven running. */
  open(config: AudioStreamConfig): Promise<OpenedStream>;
  /** Applies a transport command at the next buffer boundary and resolves with the state on either side. */
  transport(command: TransportCommand): Promise<{ before: TransportSnapshot; after: TransportSnapshot }>;
  /** Measures the open stream's round trip by loopback, `times` times; the stream must be open. */
  /** Measures the round trip `times` times, listening on input `inputChannel` (0-based). */
  calibrate(times: number, inputChannel: number): Promise<LatencyMeasurement>;
  /** Loads what the output plays; resolves when its files are read ahead and ready to roll. */
  loadProgram(program: OutputProgramSpec): Promise<void>;
  /** Makes take `index` of the program the one heard (A/B compare), from the next buffer on. */
  listen(index: number): Promise<void>;
  /** Creates a take's file (header synced) and arms it; resolves with the id its events carry. */
  armTake(take: TakeCaptureSpec): Promise<{ takeId: number }>;
  /** Ends the armed or recording take now, keeping what was recorded (null if there is none). */
  stopTake(why: string | null): Promise<TakeCaptureResult | null>;
  on<K extends keyof AudioHostEvents>(name: K, listener: (payload: AudioHostEvents[K]) => void): () => void;
  close(): Promise<void>;
}

export const SOFTWARE_CLOCK_NAME = 'Loopstage software clock';

/** The failure code when the audio process itself is gone (anything it was writing is left as it was). */
export const AUDIO_PROCESS_EXITED = 'AUDIO_PROCESS_EXITED';
