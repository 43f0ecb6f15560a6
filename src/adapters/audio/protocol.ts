/** Messages between the engine and the audio process (child_process IPC, JSON). */
import type { TransportCommand, TransportSnapshot } from '../../core/transport/transport-clock.js';
import type { MidiPortInfo } from '../../engine/ports/audio-host.js';
import type {
  AudioDeviceInfo,
  AudioStreamConfig,
  ClockTick,
  LatencyMeasurement,
  OpenedStream,
  OutputProgramSpec,
  TakeCaptureResult,
  TakeCaptureSpec,
} from '../../engine/ports/audio-host.js';
import type { MeterReading } from '../../core/audio/meters.js';

export type ToAudioProcess =
  | { type: 'list-devices'; id: number }
  | { type: 'open'; id: number; config: AudioStreamConfig }
  | { type: 'transport'; id: number; command: TransportCommand }
  | { type: 'calibrate'; id: number; times: number; channel: number }
  | { type: 'program'; id: number; program: OutputProgramSpec }
  | { type: 'listen'; id: number; index: number }
  | { type: 'arm-take'; id: number; take: TakeCaptureSpec }
  | { type: 'stop-take'; id: number; why: string | null }
  | { type: 'close'; id: number };

export type FromAudioProcess =
  | { type: 'devices'; id: number; devices: AudioDeviceInfo[]; midi: MidiPortInfo[]; midiProblem: string | null }
  | { type: 'opened'; id: number; stream: OpenedStream }
  | { type: 'transport-applied'; id: number; before: TransportSnapshot; after: TransportSnapshot }
  | { type: 'closed'; id: number }
  | { type: 'calibrated'; id: number; result: LatencyMeasurement }
  | { type: 'failed'; id: number | null; code: string; message: string }
  | { type: 'done'; id: number }
  | { type: 'take-armed'; id: number; takeId: number }
  | { type: 'take-stopped'; id: number; result: TakeCaptureResult | null }
  | { type: 'tick'; tick: ClockTick }
  | { type: 'transport-changed'; after: TransportSnapshot }
  | { type: 'meters'; reading: MeterReading }
  | { type: 'take-flushed'; takeId: number; frames: number }
  | { type: 'take-finished'; takeId: number; result: TakeCaptureResult }
  | { type: 'stats'; lateBuffers: number; buffers: number; guideMisses: number };
