import type { TransportCommand, TransportSnapshot } from '../../core/transport/transport-clock.js';

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

export interface AudioHostEvents {
  tick: ClockTick;
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
  calibrate(times: number): Promise<LatencyMeasurement>;
  on<K extends keyof AudioHostEvents>(name: K, listener: (payload: AudioHostEvents[K]) => void): () => void;
  close(): Promise<void>;
}

export const SOFTWARE_CLOCK_NAME = 'Loopstage software clock';
