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
  /** Callbacks PortAudio ran without input from the interface, counting frames it never delivered. */
  inputUnderflows: z.number().int().nonnegative(),
  /** The round-trip latency applied to placement, and whether it still holds for this open stream. */
  latency: z.object({
    roundTrip: z.number().int().nonnegative(),
    measuredAt: z.string(),
    confidence: z.number(),
    /** False once the stream was reopened or an output underflow shifted the output since. */
    current: z.boolean(),
    note: z.string().nullable(),
  }).nullable(),
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

// ---- Cues ------------------------------------------------------------------------------------
const text = (max: number) => z.string().max(max);
const name = z.string().trim().min(1).max(200);
export const cueKindSchema = z.enum(['adr', 'foley']);
export const cueStatusSchema = z.enum(['todo', 'in_progress', 'done', 'omitted']);
export const foleyPassSchema = z.enum(['feet', 'props', 'cloth', 'moves', 'specifics']);

/** The fields of a cue a user may set. */
export const cueFieldsSchema = z.object({
  kind: cueKindSchema,
  number: z.string().trim().min(1).max(50),
  in: sample,
  out: sample,
  reel: name.nullable(),
  scene: name.nullable(),
  character: name.nullable(),
  notes: text(10_000),
  engNotes: text(10_000),
  status: cueStatusSchema,
  colour: text(32),
  lineText: text(10_000),
  altText: text(10_000),
  reason: z.string().max(50).nullable(),
  priority: z.number().int().min(0).max(10).nullable(),
  onScreen: z.boolean().nullable(),
  tv: z.boolean(),
  tbw: z.boolean(),
  adlib: z.boolean(),
  optional: z.boolean(),
  pass: foleyPassSchema.nullable(),
  surface: text(200),
  footwear: text(200),
  prop: text(200),
  description: text(10_000),
  track: text(100),
});
export const cueSchema = cueFieldsSchema.extend({
  id: z.number().int().positive(),
  doneAt: z.string().nullable(),
  updatedAt: z.string(),
});
export type CueDto = z.infer<typeof cueSchema>;

export const cueFilterSchema = z.object({
  kind: cueKindSchema.optional(),
  character: z.string().max(200).optional(),
  reel: z.string().max(200).optional(),
  status: cueStatusSchema.optional(),
  search: z.string().max(500).optional(),
}).strict();

const historySchema = z.object({ undo: z.string().nullable(), redo: z.string().nullable() });
export const cueListsSchema = z.object({
  characters: z.array(z.object({ id: z.number().int(), name: z.string(), actor: z.string(), prefix: z.string(), colour: z.string() })),
  reels: z.array(z.object({ id: z.number().int(), name: z.string(), number: z.number().int().nullable(), pictureVersion: z.string(), offset: sample })),
  scenes: z.array(z.object({ id: z.number().int(), number: z.string(), description: z.string(), reel: z.string().nullable(), in: sample, out: sample })),
  reasonCodes: z.array(z.object({ id: z.number().int(), code: z.string(), label: z.string() })),
  numbering: z.object({ adr: z.string(), foley: z.string() }),
});

export const cueChangeEventSchema = z.object({
  label: z.string(),
  cues: z.array(cueSchema),
  removedCueIds: z.array(z.number().int()),
  listsChanged: z.boolean(),
  /** A rename reached cues this event does not list: fetch the cue list again. */
  cuesStale: z.boolean(),
  history: historySchema,
  revision: z.number().int(),
  /** Present when listsChanged: the new characters, reels, scenes and codes. */
  lists: cueListsSchema.optional(),
});

const issueSchema = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  message: z.string(),
  file: z.string(),
  line: z.number().int(),
  column: z.number().int().optional(),
});
const sourceSchema = z.object({ file: z.string(), line: z.number().int(), column: z.number().int().optional() }).optional();
export const importFormatSchema = z.enum(['csv', 'tsv', 'srt', 'vtt', 'edl', 'ptx', 'json']);
/** What an import will do, before anything is written (long lists are capped for the wire). */
export const importPreviewSchema = z.object({
  id: z.string(),
  format: importFormatSchema,
  fileName: z.string(),
  columns: z.array(z.object({ header: z.string(), field: z.string().nullable() })),
  counts: z.object({ create: z.number().int(), update: z.number().int(), unchanged: z.number().int(), errors: z.number().int(), warnings: z.number().int(), characters: z.number().int(), scenes: z.number().int() }),
  creates: z.array(z.object({ fields: cueFieldsSchema, source: sourceSchema })),
  updates: z.array(z.object({ id: z.number().int(), number: z.string(), changes: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })), source: sourceSchema })),
  characters: z.array(z.object({ name: z.string(), actor: z.string().nullable().optional() })),
  issues: z.array(issueSchema),
  canApply: z.boolean(),
});
export type ImportPreviewDto = z.infer<typeof importPreviewSchema>;

// ---- Recording ---------------------------------------------------------------------------------
const switches = z.object({ guide: z.boolean(), beeps: z.boolean(), input: z.boolean() });
export const monitorMatrixSchema = z.object({ rehearse: switches, record: switches, playback: switches });
export const beepSettingsSchema = z.object({
  count: z.number().int().min(0).max(100),
  frequencyHz: z.number().positive().max(20_000),
  lengthFrames: z.number().int().min(1).max(100),
  spacingSeconds: z.number().positive().max(10),
  levelDb: z.number().min(-96).max(0),
  beepOnIn: z.boolean(),
});
export const sampleEncodingSchema = z.enum(['pcm16', 'pcm24', 'float32']);
const passTemplateSchema = z.object({
  inputChannels: z.array(z.number().int().min(0).max(63)).min(1).max(64),
  names: z.array(z.string().max(64)).max(64),
});
export const recordingSettingsSchema = z.object({
  preRollSeconds: z.number().min(0).max(60),
  postRollSeconds: z.number().min(0).max(60),
  encoding: sampleEncodingSchema,
  /** Input channels recorded, 0-based, in file channel order. */
  inputChannels: z.array(z.number().int().min(0).max(63)).min(1).max(64),
  /** A name per input channel of the device (index = input channel). */
  channelNames: z.array(z.string().max(64)).max(64),
  outputChannels: z.number().int().min(1).max(32),
  takeTemplate: z.string().min(1).max(200),
  tape: z.string().max(64),
  monitor: monitorMatrixSchema,
  beeps: beepSettingsSchema,
  manualOffset: z.number().int().min(-192_000).max(192_000),
  loopbackInput: z.number().int().min(0).max(63).nullable(),
  guideGainDb: z.number().min(-96).max(12),
  /** Track templates per kind of Foley: the inputs its takes record, with their names. */
  passTemplates: z.object({
    feet: passTemplateSchema.optional(), props: passTemplateSchema.optional(), cloth: passTemplateSchema.optional(),
    moves: passTemplateSchema.optional(), specifics: passTemplateSchema.optional(),
  }),
});
export type RecordingSettings = z.infer<typeof recordingSettingsSchema>;
export const recordingSettingsPatchSchema = recordingSettingsSchema
  .extend({
    monitor: z.object({ rehearse: switches.partial(), record: switches.partial(), playback: switches.partial() }).partial(),
    beeps: beepSettingsSchema.partial(),
    passTemplates: z.object({
      feet: passTemplateSchema.nullable(), props: passTemplateSchema.nullable(), cloth: passTemplateSchema.nullable(),
      moves: passTemplateSchema.nullable(), specifics: passTemplateSchema.nullable(),
    }).partial().strict(),
  })
  .partial()
  .strict();

export const takeSchema = z.object({
  id: z.number().int(),
  /** The cue it was recorded for, or null for a Foley pass take. */
  cueId: z.number().int().nullable(),
  passId: z.number().int().nullable(),
  number: z.number().int(),
  path: z.string(),
  channels: z.number().int(),
  channelNames: z.array(z.string()),
  inputChannels: z.array(z.number().int()),
  sampleRate: z.number().int(),
  bitsPerSample: z.number().int(),
  float: z.boolean(),
  /** Timeline sample of the first sample (bext TimeReference). */
  start: sample,
  length: sample,
  latency: z.number().int(),
  latencySource: z.enum(['measured', 'stored', 'none']),
  /** Output underflows and input overflows during the take: sync after one may have slipped. */
  dropouts: z.number().int().nonnegative(),
  inputDevice: z.string(),
  outputDevice: z.string(),
  status: z.enum(['recording', 'complete', 'recovered', 'aborted']),
  problem: z.string().nullable(),
  circled: z.boolean(),
  alternate: z.boolean(),
  noGood: z.boolean(),
  falseStart: z.boolean(),
  rating: z.number().int().min(0).max(5).nullable(),
  note: z.string(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});
export type Take = z.infer<typeof takeSchema>;

export const takeMarksSchema = z.object({
  circled: z.boolean(),
  alternate: z.boolean(),
  noGood: z.boolean(),
  falseStart: z.boolean(),
  rating: z.number().int().min(0).max(5).nullable(),
  note: z.string().max(10_000),
}).partial();
export type TakeMarksPatch = z.infer<typeof takeMarksSchema>;

export const sessionLogEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  stage: z.string(),
  who: z.string(),
  action: z.string(),
  cueId: z.number().int().nullable(),
  passId: z.number().int().nullable(),
  takeId: z.number().int().nullable(),
  text: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type SessionLogEntryDto = z.infer<typeof sessionLogEntrySchema>;
export const passSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  pass: foleyPassSchema,
  character: z.string().nullable(),
  scope: z.enum(['scene', 'reel', 'selection']),
  scene: z.string().nullable(),
  reel: z.string().nullable(),
  in: sample,
  out: sample,
  status: z.enum(['todo', 'in_progress', 'done']),
  createdAt: z.string(),
  eventIds: z.array(z.number().int()),
  coveredEventIds: z.array(z.number().int()),
  /** Takes filed against the pass, whatever their status (numbers are never reused). */
  takeCount: z.number().int().nonnegative(),
});
export type FoleyPassDto = z.infer<typeof passSchema>;
export const sessionPlaceSchema = z.object({
  cueId: z.number().int().positive().nullable(),
  passId: z.number().int().positive().nullable(),
  /** Where the session goes after a circled take. */
  advance: z.enum(['off', 'number', 'character', 'not-done']),
});
/** Command id → its keys, for the commands whose keys differ from the defaults (see core/keys/keymap). */
export const keymapSchema = z.record(z.string().max(60), z.array(z.string().max(40)).max(3)).refine((map) => Object.keys(map).length <= 200, 'Too many commands in the keymap.');
export const sessionIdentitySchema = z.object({ stage: z.string().max(100), operator: z.string().max(100) });

export const rollRangeSchema = z.object({ start: sample, end: sample });
export const beepSchema = z.object({ frame: z.number().int(), start: sample, length: sample });
export const rollPhaseSchema = z.enum(['idle', 'rehearse', 'record', 'playback']);
export const rollStartedSchema = z.object({
  phase: rollPhaseSchema,
  cueId: z.number().int().nullable(),
  passId: z.number().int().nullable(),
  range: rollRangeSchema,
  beeps: z.array(beepSchema),
  take: takeSchema.nullable(),
  warning: z.string().nullable(),
});
export const recorderStateSchema = z.object({
  phase: rollPhaseSchema,
  cueId: z.number().int().nullable(),
  passId: z.number().int().nullable(),
  take: takeSchema.nullable(),
  flushedFrames: sample,
  range: rollRangeSchema.nullable(),
  /** The roll starts over at its end until stopped (a looped rehearsal or review). */
  loop: z.boolean(),
  /** While two takes are compared: take ids A and B, and which is heard. */
  compare: z.object({ a: z.number().int(), b: z.number().int(), listen: z.enum(['a', 'b']) }).nullable(),
});
export type RecorderState = z.infer<typeof recorderStateSchema>;
export const metersSchema = z.object({
  channels: z.array(z.number().int()),
  peak: z.array(z.number()),
  rms: z.array(z.number()),
  peakDb: z.array(z.number()),
  rmsDb: z.array(z.number()),
  clipped: z.array(z.boolean()),
});
export type Meters = z.infer<typeof metersSchema>;
export const guideSchema = z.object({
  id: z.number().int(),
  path: z.string(),
  name: z.string(),
  start: sample,
  length: sample,
  channels: z.number().int(),
  sampleRate: z.number().int(),
  enabled: z.boolean(),
  addedAt: z.string(),
});
export type Guide = z.infer<typeof guideSchema>;
export const cueRollSchema = z.object({
  cueId: z.number().int().positive(),
  preRollMs: z.number().int().min(0).max(60_000).nullable(),
  postRollMs: z.number().int().min(0).max(60_000).nullable(),
});

export const pictureSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  /** Relative to the project; the UI plays it from `media/picture/ID`. */
  path: z.string(),
  sourcePath: z.string(),
  start: sample,
  end: sample,
  startSource: z.enum(['timecode-track', 'metadata', 'typed', 'project-start']),
  frameRate: z.string(),
  frames: z.number().int().positive(),
  width: z.number().int(),
  height: z.number().int(),
  codec: z.string(),
  sourceCodec: z.string(),
  proxyReasons: z.array(z.enum(['codec', 'container', 'pixel-format', 'interlaced', 'variable-frame-rate', 'long-gop', 'size'])),
  addedAt: z.string(),
});
export type Picture = z.infer<typeof pictureSchema>;
export const pictureListSchema = z.object({ pictures: z.array(pictureSchema), cuePictures: z.array(z.tuple([z.number().int(), z.number().int()])) });
export type PictureList = z.infer<typeof pictureListSchema>;
export const pictureProgressSchema = z.object({ file: z.string(), phase: z.enum(['probing', 'proxy', 'linking', 'guide']), fraction: z.number().min(0).max(1) });

const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a colour is #rrggbb');
const fraction = z.number().min(0).max(1);
export const overlayStyleSchema = z.object({
  streamer: z.object({
    enabled: z.boolean(),
    seconds: z.number().min(0.25).max(20),
    direction: z.enum(['left-to-right', 'edges-to-centre']),
    colour,
    width: z.number().min(0.002).max(0.2),
    opacity: fraction,
    endBar: z.boolean(),
  }),
  punch: z.object({ enabled: z.boolean(), holes: z.union([z.literal(1), z.literal(3), z.literal(5), z.literal(7)]), size: z.number().min(0.02).max(0.5), colour, frames: z.number().int().min(1).max(12) }),
  flutters: z.number().int().min(0).max(12),
  countdown: z.number().int().min(0).max(10),
  cueText: z.boolean(),
  textSize: z.number().min(0.01).max(0.2),
  burnIn: z.enum(['off', 'timecode', 'feet-frames']),
});
export const overlayOverrideSchema = z.object({
  streamer: overlayStyleSchema.shape.streamer.partial().strict().optional(),
  punch: overlayStyleSchema.shape.punch.partial().strict().optional(),
  flutters: overlayStyleSchema.shape.flutters.optional(),
  countdown: overlayStyleSchema.shape.countdown.optional(),
  cueText: z.boolean().optional(),
  textSize: overlayStyleSchema.shape.textSize.optional(),
  burnIn: overlayStyleSchema.shape.burnIn.optional(),
}).strict();
const screenSchema = z.enum(['operator', 'talent']);
export const pictureSettingsSchema = z.object({
  overlay: overlayStyleSchema,
  screens: z.object({ operator: overlayOverrideSchema, talent: overlayOverrideSchema }),
  /** Per-cue overrides, by cue id. */
  cues: z.record(z.string().regex(/^\d+$/), overlayOverrideSchema),
  displayOffsetMs: z.object({ operator: z.number().min(-500).max(500), talent: z.number().min(-500).max(500) }),
});
export type PictureSettings = z.infer<typeof pictureSettingsSchema>;
const syncEntrySchema = z.tuple([z.number().min(0), z.number().int(), z.number().int()]);
export const syncLogSummarySchema = z.object({
  id: z.number().int(),
  pictureId: z.number().int().nullable(),
  cueId: z.number().int().nullable(),
  startedAt: z.string(),
  screen: z.string(),
  frameRate: z.string(),
  displayOffsetMs: z.number(),
  frameCount: z.number().int(),
});
export const syncStatsSchema = z.object({
  frames: z.number().int(),
  lockMs: z.number().nullable(),
  withinOneFramePercent: z.number(),
  worstError: z.number(),
  meanError: z.number(),
});
const rollMonitorSchema = switches.partial().strict();

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
    /** `refresh` probes the interfaces again; otherwise a stream that runs keeps the last list. */
    params: z.object({ refresh: z.boolean().optional() }).strict(),
    result: z.object({ audio: z.array(audioDeviceSchema), midi: z.array(midiPortSchema) }),
  },
  'audio.select': { params: audioSelectionSchema.strict(), result: audioStatusSchema },
  'audio.status': { params: empty, result: audioStatusSchema },
  'audio.calibrate': { params: empty, result: audioStatusSchema },
  'transport.play': { params: empty, result: transportSnapshotSchema },
  'transport.stop': { params: empty, result: transportSnapshotSchema },
  'transport.locate': { params: z.object({ position: sample }).strict(), result: transportSnapshotSchema },
  'transport.state': { params: empty, result: transportSnapshotSchema },
  'cues.list': {
    params: z.object({ filter: cueFilterSchema.optional() }).strict(),
    result: z.object({ cues: z.array(cueSchema), lists: cueListsSchema, history: historySchema, revision: z.number().int() }),
  },
  'cues.create': {
    params: cueFieldsSchema.partial().extend({ kind: cueKindSchema, in: sample, out: sample }).strict(),
    result: cueChangeEventSchema,
  },
  'cues.edit': { params: z.object({ id: z.number().int().positive(), patch: cueFieldsSchema.partial().strict() }).strict(), result: cueChangeEventSchema },
  'cues.delete': { params: z.object({ ids: z.array(z.number().int().positive()).min(1).max(100_000) }).strict(), result: cueChangeEventSchema },
  'cues.undo': { params: empty, result: cueChangeEventSchema.nullable() },
  'cues.redo': { params: empty, result: cueChangeEventSchema.nullable() },
  'cues.renumber': { params: z.object({ filter: cueFilterSchema.optional() }).strict(), result: cueChangeEventSchema },
  'cues.numbering': {
    params: z.object({ adr: z.string().min(1).max(40), foley: z.string().min(1).max(40) }).strict(),
    result: z.object({ adr: z.string(), foley: z.string() }),
  },
  'characters.update': {
    params: z.object({
      id: z.number().int().positive(),
      patch: z.object({ name: name.optional(), actor: text(200).optional(), prefix: z.string().max(16).optional(), colour: text(32).optional() }).strict(),
    }).strict(),
    result: cueChangeEventSchema,
  },
  'reels.update': {
    params: z.object({
      id: z.number().int().positive(),
      patch: z.object({ name: name.optional(), number: z.number().int().min(0).max(999).nullable().optional(), pictureVersion: text(100).optional(), offset: sample.optional() }).strict(),
    }).strict(),
    result: cueChangeEventSchema,
  },
  'reasons.add': { params: z.object({ code: z.string().trim().min(1).max(50), label: z.string().trim().min(1).max(100) }).strict(), result: cueChangeEventSchema },
  'reasons.update': {
    params: z.object({ id: z.number().int().positive(), patch: z.object({ code: z.string().trim().min(1).max(50).optional(), label: z.string().trim().min(1).max(100).optional() }).strict() }).strict(),
    result: cueChangeEventSchema,
  },
  'reasons.remove': { params: z.object({ id: z.number().int().positive() }).strict(), result: cueChangeEventSchema },
  'cues.importPreview': {
    params: z.object({
      fileName: z.string().min(1).max(1000),
      text: z.string().max(64 * 1024 * 1024),
      format: importFormatSchema.optional(),
      mapping: z.array(z.string().max(200)).max(100).optional(),
      kind: cueKindSchema.optional(),
      edlEvents: z.enum(['scenes', 'shots']).optional(),
    }).strict(),
    result: importPreviewSchema,
  },
  'cues.importApply': { params: z.object({ previewId: z.string().max(100) }).strict(), result: cueChangeEventSchema },
  'cues.export': {
    params: z.object({ format: z.enum(['csv', 'tsv', 'json', 'pdf']), filter: cueFilterSchema.optional(), sides: z.string().max(200).optional() }).strict(),
    result: z.object({ fileName: z.string(), mimeType: z.string(), base64: z.string() }),
  },
  'recording.settings': { params: empty, result: recordingSettingsSchema },
  'recording.update': { params: recordingSettingsPatchSchema, result: recordingSettingsSchema },
  'recorder.state': { params: empty, result: recorderStateSchema },
  'recorder.roll': {
    params: z.object({
      /** The cue to roll; or `passId`, a Foley pass. */
      cueId: z.number().int().positive().optional(),
      passId: z.number().int().positive().optional(),
      record: z.boolean(),
      preRollSeconds: z.number().min(0).max(60).optional(),
      postRollSeconds: z.number().min(0).max(60).optional(),
      monitor: rollMonitorSchema.optional(),
      /** Record although the round trip was not measured on this stream (the operator's decision). */
      uncalibrated: z.boolean().optional(),
      /** Rehearsals only: start over at the end until stopped. */
      loop: z.boolean().optional(),
    }).strict().refine((p) => (p.cueId === undefined) !== (p.passId === undefined), { message: 'Roll a cue or a Foley pass: give cueId or passId, not both.' }),
    result: rollStartedSchema,
  },
  'passes.list': { params: empty, result: z.array(passSchema) },
  'passes.create': {
    params: z.object({
      pass: foleyPassSchema,
      character: z.string().max(200).nullable(),
      scope: z.enum(['scene', 'reel', 'selection']),
      scene: z.string().max(100).optional(),
      reel: z.string().max(100).optional(),
      cueIds: z.array(z.number().int().positive()).max(10_000).optional(),
      name: z.string().trim().max(200).optional(),
    }).strict(),
    result: passSchema,
  },
  /** Stops the transport; resolves with the take filed, if one was recording. */
  'recorder.stop': { params: empty, result: takeSchema.nullable() },
  /** Every take, or one cue's (`cueId`), or one Foley pass's (`passId`), by take number. */
  'takes.list': { params: z.object({ cueId: z.number().int().positive().optional(), passId: z.number().int().positive().optional() }).strict(), result: z.array(takeSchema) },
  /** Review: plays a take against picture at its place (looped: until stopped). */
  'takes.play': { params: z.object({ takeId: z.number().int().positive(), loop: z.boolean().optional() }).strict(), result: rollStartedSchema },
  /** A/B compare: two takes of one cue or pass against picture, one heard at a time. */
  'takes.compare': {
    params: z.object({ a: z.number().int().positive(), b: z.number().int().positive(), listen: z.enum(['a', 'b']).optional(), loop: z.boolean().optional() }).strict(),
    result: rollStartedSchema,
  },
  /** Switches which compared take is heard, while they roll. */
  'takes.listen': { params: z.object({ take: z.enum(['a', 'b']) }).strict(), result: recorderStateSchema },
  /** Marks a take in the project, its file's iXML and the session log; `others` are the takes it uncircled. */
  'takes.mark': {
    params: z.object({ takeId: z.number().int().positive(), marks: takeMarksSchema.strict() }).strict(),
    result: z.object({ take: takeSchema, others: z.array(takeSchema) }),
  },
  'log.list': {
    params: z.object({ limit: z.number().int().min(1).max(5000).optional(), beforeId: z.number().int().positive().optional() }).strict(),
    result: z.array(sessionLogEntrySchema),
  },
  'log.export': { params: empty, result: z.object({ fileName: z.string(), mimeType: z.string(), base64: z.string() }) },
  /** Where the session was (the cue or Foley pass selected), kept as it changes so a reopened project returns there. */
  'session.place': { params: empty, result: sessionPlaceSchema },
  'session.setPlace': { params: sessionPlaceSchema.partial().strict(), result: sessionPlaceSchema },
  'session.identity': { params: empty, result: sessionIdentitySchema },
  'session.setIdentity': { params: sessionIdentitySchema.partial().strict(), result: sessionIdentitySchema },
  /** The keyboard map's changes from the defaults, kept with the project. */
  'session.keymap': { params: empty, result: keymapSchema },
  'session.setKeymap': { params: z.object({ overrides: keymapSchema }).strict(), result: keymapSchema },
  'cueRoll.get': { params: z.object({ cueId: z.number().int().positive() }).strict(), result: cueRollSchema },
  'cueRoll.set': { params: cueRollSchema.strict(), result: cueRollSchema },
  'guides.list': { params: empty, result: z.array(guideSchema) },
  'pictures.list': { params: empty, result: pictureListSchema },
  'pictures.add': {
    params: z.object({ file: z.string().min(1).max(4096), start: z.string().max(20).optional(), name: z.string().trim().min(1).max(200).optional(), guide: z.boolean().optional() }).strict(),
    result: z.object({ picture: pictureSchema, assignedCues: z.number().int(), proxyWhy: z.array(z.string()), note: z.string().nullable(), guide: guideSchema.nullable() }),
  },
  'pictures.cancel': { params: empty, result: z.object({ cancelled: z.boolean() }) },
  'pictures.update': {
    params: z.object({ id: z.number().int().positive(), name: z.string().trim().min(1).max(200).optional(), start: z.string().max(20).optional() }).strict(),
    result: pictureSchema,
  },
  'pictures.setCue': { params: z.object({ cueId: z.number().int().positive(), pictureId: z.number().int().positive().nullable() }).strict(), result: pictureListSchema },
  'pictures.settings': { params: empty, result: pictureSettingsSchema },
  'pictures.updateSettings': { params: pictureSettingsSchema.partial().strict(), result: pictureSettingsSchema },
  'syncLogs.add': {
    params: z.object({
      pictureId: z.number().int().positive().nullable(),
      cueId: z.number().int().positive().nullable(),
      startedAt: z.string().max(40),
      screen: screenSchema,
      frameRate: z.string().max(16),
      displayOffsetMs: z.number().min(-500).max(500),
      frames: z.array(syncEntrySchema).max(200_000),
    }).strict(),
    result: syncLogSummarySchema,
  },
  'syncLogs.list': { params: z.object({ limit: z.number().int().min(1).max(1000).optional() }).strict(), result: z.array(syncLogSummarySchema) },
  'syncLogs.get': {
    params: z.object({ id: z.number().int().positive() }).strict(),
    result: syncLogSummarySchema.omit({ frameCount: true }).extend({ frames: z.array(syncEntrySchema), stats: syncStatsSchema }).nullable(),
  },
  'guides.update': {
    params: z.object({ id: z.number().int().positive(), patch: z.object({ name: z.string().trim().min(1).max(200), start: sample, enabled: z.boolean() }).partial().strict() }).strict(),
    result: guideSchema,
  },
} as const;

export const events = {
  'clock.tick': clockTickSchema,
  'transport.changed': transportSnapshotSchema,
  'audio.status': audioStatusSchema,
  'project.changed': projectInfoSchema.nullable(),
  'cues.changed': cueChangeEventSchema,
  'takes.changed': z.object({ cueId: z.number().int().nullable(), passId: z.number().int().nullable(), take: takeSchema }),
  'recorder.changed': recorderStateSchema,
  'meters': metersSchema,
  'pictures.changed': pictureListSchema,
  'pictures.progress': pictureProgressSchema,
  'pictures.settings': pictureSettingsSchema,
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
