/**
 * The one contract between the UI and the engine: every method with its params and result schema,
 * every event with its payload schema. Hosts validate what arrives with these schemas; the UI's
 * client is typed from them. Nothing here knows which transport carries it.
 */
import { z } from 'zod';

const sample = z.number().int().nonnegative();

export const projectSettingsSchema = z.object({
  title: z.string().min(1).max(200),
  frameRate: z.string().min(1).max(16),
  sampleRate: z.number().int().positive(),
  /** Timeline sample (since midnight) where the session's picture starts. */
  start: sample,
});
export type ProjectSettings = z.infer<typeof projectSettingsSchema>;

export const projectInfoSchema = projectSettingsSchema.extend({
  dir: z.string(),
  schemaVersion: z.number().int(),
  createdAt: z.string(),
});
export type ProjectInfo = z.infer<typeof projectInfoSchema>;

export const audioDeviceSchema = z.object({
  /** Stable across runs on the same machine: the host API's device name. */
  name: z.string(),
  hostApi: z.string(),
  maxInputChannels: z.number().int().nonnegative(),
  maxOutputChannels: z.number().int().nonnegative(),
  defaultSampleRate: z.number(),
});
export type AudioDevice = z.infer<typeof audioDeviceSchema>;

export const midiPortSchema = z.object({ direction: z.enum(['input', 'output']), index: z.number().int(), name: z.string() });
export type MidiPort = z.infer<typeof midiPortSchema>;

export const SOFTWARE_CLOCK_DEVICE = 'Loopstage software clock';

export const audioSelectionSchema = z.object({
  /** Device names, or SOFTWARE_CLOCK_DEVICE for the OS-clocked stand-in. */
  input: z.string().min(1).max(256),
  output: z.string().min(1).max(256),
  framesPerBuffer: z.number().int().min(32).max(8192).default(256),
});
export type AudioSelection = z.infer<typeof audioSelectionSchema>;

export const audioStatusSchema = z.object({
  state: z.enum(['closed', 'opening', 'running', 'failed']),
  clockSource: z.enum(['audio-device', 'software-clock']),
  input: z.string().nullable(),
  output: z.string().nullable(),
  sampleRate: z.number().int().nullable(),
  framesPerBuffer: z.number().int().nullable(),
  /** Buffers that arrived later than three buffer periods after the previous one. */
  lateBuffers: z.number().int().nonnegative(),
  /** Callbacks in which PortAudio reported input lost before Loopstage saw it. */
  inputOverflows: z.number().int().nonnegative(),
  /** Callbacks in which the output ran dry. */
  outputUnderflows: z.number().int().nonnegative(),
  /** The reason for `failed`, or a notice such as why the software clock stands in. */
  message: z.string().nullable(),
  code: z.string().nullable(),
});
export type AudioStatus = z.infer<typeof audioStatusSchema>;

export const transportSnapshotSchema = z.object({
  state: z.enum(['stopped', 'rolling']),
  position: sample,
  streamFrame: sample,
});
export type TransportSnapshot = z.infer<typeof transportSnapshotSchema>;

export const clockTickSchema = transportSnapshotSchema.extend({
  /** Epoch milliseconds (high resolution) when the audio host counted `position`. */
  hostTime: z.number(),
  sampleRate: z.number().int().positive(),
});
export type ClockTick = z.infer<typeof clockTickSchema>;

const empty = z.object({}).strict();

export const methods = {
  'app.hello': { params: empty, result: z.object({ version: z.string(), host: z.enum(['electron', 'server', 'test']) }) },
  'project.current': { params: empty, result: projectInfoSchema.nullable() },
  'project.open': { params: z.object({ dir: z.string().min(1).max(4096) }).strict(), result: projectInfoSchema },
  'project.create': {
    params: z.object({ dir: z.string().min(1).max(4096), settings: projectSettingsSchema }).strict(),
    result: projectInfoSchema,
  },
  'project.update': { params: projectSettingsSchema.partial().strict(), result: projectInfoSchema },
  'audio.devices': {
    params: empty,
    result: z.object({ audio: z.array(audioDeviceSchema), midi: z.array(midiPortSchema) }),
  },
  'audio.select': { params: audioSelectionSchema.strict(), result: audioStatusSchema },
  'audio.status': { params: empty, result: audioStatusSchema },
  'transport.play': { params: empty, result: transportSnapshotSchema },
  'transport.stop': { params: empty, result: transportSnapshotSchema },
  'transport.locate': { params: z.object({ position: sample }).strict(), result: transportSnapshotSchema },
  'transport.state': { params: empty, result: transportSnapshotSchema },
} as const;

export const events = {
  'clock.tick': clockTickSchema,
  'transport.changed': transportSnapshotSchema,
  'audio.status': audioStatusSchema,
  'project.changed': projectInfoSchema.nullable(),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
export type Result<M extends MethodName> = z.output<Methods[M]['result']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

/** What a host implements: one async function per method, receiving validated params. */
export type ApiHandlers = { [M in MethodName]: (params: z.output<Methods[M]['params']>) => Promise<Result<M>> };

/** The error shape every transport carries: a stable code and a sentence for people. */
export const apiErrorSchema = z.object({ code: z.string(), message: z.string() });
export type ApiError = z.infer<typeof apiErrorSchema>;
