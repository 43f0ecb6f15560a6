/**
 * The engine: one open project, one audio stream that is the session's master clock, and the
 * transport on top of it. Hosts (Electron, the headless server, the CLI) drive it through the API;
 * it reaches the outside world only through its ports.
 */
import { cleanOverrides, type KeymapOverrides } from '../../core/keys/keymap.js';
import { loadIdentity, SESSION_IDENTITY_KEY, type SessionIdentity } from './session-identity.js';
import { ADVANCE_MODES, type AdvanceMode } from '../../core/cues/advance.js';

/** Where a session was (the project setting `session.place`). */
export interface SessionPlace {
  readonly cueId: number | null;
  readonly passId: number | null;
  /** Where the session goes after a circled take. */
  readonly advance: AdvanceMode;
}
const SESSION_PLACE_KEY = 'session.place';
const SESSION_KEYMAP_KEY = 'session.keymap';
import type { SessionLogEntry } from '../ports/session-log.js';
import { Emitter } from '../../core/emitter.js';
import { LoopstageError } from '../../core/errors.js';
import { frameToPosition, parseFrameRate, position, positionToFrame } from '../../core/time/index.js';
import type { TransportCommand, TransportSnapshot } from '../../core/transport/transport-clock.js';
import {
  SOFTWARE_CLOCK_NAME,
  type AudioHost,
  type ClockTick,
  type DeviceList,
} from '../ports/audio-host.js';
import { CueService, type CueChangeEvent } from '../cues/cue-service.js';
import type { CueFormats } from '../ports/cue-formats.js';
import type { ProjectHandle, ProjectInfo, ProjectSettings, ProjectStore } from '../ports/project-store.js';
import type { TakeFiles } from '../ports/take-files.js';
import type { MeterReading } from '../../core/audio/meters.js';
import { loopbackChannel, streamInputChannels, type RecordingSettings, type RecordingSettingsPatch } from '../../core/recording/settings.js';
import { recoverTakes, RecordService, type RecorderState, type TakesChanged } from '../recording/record-service.js';
import { PictureService, type PictureList, type PictureProgress, type PictureSettings } from '../picture/picture-service.js';
import type { PictureTools } from '../ports/picture-tools.js';
import { SerialQueue } from '../../core/serial-queue.js';

export interface AudioSelection {
  readonly input: string;
  readonly output: string;
  readonly framesPerBuffer: number;
}

export interface LatencyState {
  readonly roundTrip: number;
  readonly measuredAt: string;
  readonly confidence: number;
  /** False once the stream was reopened or an output underflow shifted the output since. */
  readonly current: boolean;
  readonly note: string | null;
}

export interface AudioStatus {
  readonly state: 'closed' | 'opening' | 'running' | 'failed';
  readonly clockSource: 'audio-device' | 'software-clock';
  readonly input: string | null;
  readonly output: string | null;
  readonly sampleRate: number | null;
  readonly framesPerBuffer: number | null;
  readonly lateBuffers: number;
  readonly inputOverflows: number;
  readonly outputUnderflows: number;
  readonly inputUnderflows: number;
  readonly latency: LatencyState | null;
  readonly message: string | null;
  readonly code: string | null;
}

export interface EngineEvents {
  tick: ClockTick & { sampleRate: number };
  transport: TransportSnapshot;
  audio: AudioStatus;
  project: ProjectInfo | null;
  cues: CueChangeEvent;
  takes: TakesChanged;
  recorder: RecorderState;
  meters: MeterReading & { readonly channels: readonly number[] };
  pictures: PictureList;
  pictureProgress: PictureProgress & { readonly file: string };
  pictureSettings: PictureSettings;
}

export interface EngineDeps {
  readonly projects: ProjectStore;
  readonly audio: AudioHost;
  readonly formats: CueFormats;
  readonly files: TakeFiles;
  /** ffprobe/ffmpeg, for adding pictures. */
  readonly pictureTools: PictureTools;
  readonly now: () => Date;
  /** Resolves after `ms`: the one wait the engine needs (a take that does not end by itself). */
  readonly delay: (ms: number) => Promise<void>;
  readonly log?: (line: string) => void;
}

const AUDIO_SELECTION_KEY = 'audio.selection';
/**
 * A stream that fails by itself (a stall, a stream error, the audio process gone) is reopened on
 * the same devices after these waits, so a glitch on the interface does not leave the stage dead
 * until someone finds the device menu. One that still fails after the last stays failed.
 */
const REOPEN_WAITS_MS = [500, 2000, 5000];
const REOPENABLE_FAILURES = new Set(['AUDIO_STREAM_STALLED', 'AUDIO_STREAM_ERROR', 'AUDIO_PROCESS_EXITED']);
const DEFAULT_FRAMES_PER_BUFFER = 256;
const CLOSED_AUDIO: AudioStatus = {
  state: 'closed',
  clockSource: 'software-clock',
  input: null,
  output: null,
  sampleRate: null,
  framesPerBuffer: null,
  lateBuffers: 0,
  inputOverflows: 0,
  outputUnderflows: 0,
  inputUnderflows: 0,
  latency: null,
  message: null,
  code: null,
};

export class Engine {
  readonly events = new Emitter<EngineEvents>();
  /** The open project's cue list. */
  readonly cues: CueService;
  /** Rolling cues, recording and reviewing takes. */
  readonly recorder: RecordService;
  /** The open project's pictures, sync logs and overlay settings. */
  readonly pictures: PictureService;
  #deviceList: DeviceList | null = null;
  #project: ProjectHandle | null = null;
  /** Input channels the open stream has. */
  #inputChannels = 0;
  /** The devices the stream was last opened on (null: the software clock), and how many openings so far. */
  #selection: AudioSelection | null = null;
  #openings = 0;
  /** Set by close(): no more reopening of a failed stream. */
  #closing = false;
  #info: ProjectInfo | null = null;
  #audio: AudioStatus = CLOSED_AUDIO;
  #transport: TransportSnapshot = { state: 'stopped', position: 0, streamFrame: 0 };
  /** When the stream opened, and when it last reported an output underflow (ms, from deps.now). */
  #quietSince = 0;
  /** Serialises project and device changes so two clicks cannot open two streams. */
  readonly #queue = new SerialQueue();

  constructor(private readonly deps: EngineDeps) {
    this.cues = new CueService({ formats: deps.formats, now: deps.now, emit: (event) => this.events.emit('cues', event) });
    this.pictures = new PictureService({
      tools: deps.pictureTools,
      files: deps.files,
      now: deps.now,
      project: () => ({ handle: this.#requireProject(), info: this.#requireInfo() }),
      emit: {
        changed: (list) => this.events.emit('pictures', list),
        progress: (progress) => this.events.emit('pictureProgress', progress),
        settings: (settings) => this.events.emit('pictureSettings', settings),
      },
    });
    this.recorder = new RecordService({
      audio: deps.audio,
      files: deps.files,
      now: deps.now,
      delay: deps.delay,
      log: deps.log,
      project: () => ({ handle: this.#requireProject(), info: this.#requireInfo() }),
      cue: (id) => this.cues.get(id),
      stream: () => ({
        running: this.#audio.state === 'running',
        clockSource: this.#audio.clockSource,
        input: this.#audio.input ?? '',
        output: this.#audio.output ?? '',
        sampleRate: this.#audio.sampleRate ?? 0,
        inputChannels: this.#inputChannels,
        dropouts: this.#audio.inputOverflows + this.#audio.outputUnderflows + this.#audio.inputUnderflows,
        latency: this.#audio.latency ? { roundTrip: this.#audio.latency.roundTrip, current: this.#audio.latency.current, note: this.#audio.latency.note } : null,
      }),
      transport: (command) => this.#command(command),
      settled: () => this.#settled(),
      emitTakes: (event) => this.events.emit('takes', event),
      emitRecorder: (state) => this.events.emit('recorder', state),
    });
    deps.audio.on('transport', (snapshot) => {
      this.#setTransport(snapshot);
      this.recorder.transportChanged(snapshot);
    });
    deps.audio.on('meters', (reading) => {
      this.events.emit('meters', { ...reading, channels: reading.peak.map((_: number, i: number) => i) });
    });
    deps.audio.on('tick', (tick) => {
      this.#transport = { state: tick.state, position: tick.position, streamFrame: tick.streamFrame };
      if (this.#audio.sampleRate) this.events.emit('tick', { ...tick, sampleRate: this.#audio.sampleRate });
    });
    deps.audio.on('stats', ({ lateBuffers, inputOverflows, outputUnderflows, inputUnderflows }) => {
      const audio = this.#audio;
      if (lateBuffers !== audio.lateBuffers || inputOverflows !== audio.inputOverflows || outputUnderflows !== audio.outputUnderflows || inputUnderflows !== audio.inputUnderflows) {
        // An output underflow plays silence where audio was due, and an input underflow counts
        // frames the interface never gave: either way what follows is shifted against the timeline,
        // so the measured round trip no longer holds.
        const shifted = outputUnderflows > audio.outputUnderflows ? 'output' : inputUnderflows > audio.inputUnderflows ? 'input' : null;
        if (shifted) this.#quietSince = this.deps.now().getTime();
        const latency = shifted && audio.latency?.current
          ? { ...audio.latency, current: false, note: `An ${shifted} underflow shifted the ${shifted} after the calibration; calibrate again before recording.` }
          : audio.latency;
        this.#setAudio({ ...audio, lateBuffers, inputOverflows, outputUnderflows, inputUnderflows, latency });
      }
    });
    deps.audio.on('failure', (failure) => {
      deps.log?.(`audio: failed: ${failure.code}: ${failure.message}`);
      const reopening = REOPENABLE_FAILURES.has(failure.code);
      // The failure's own advice ("reopen it") is what the engine is now doing: say that instead.
      const message = reopening ? `${failure.message.replace(/;.*$/, '')}; Loopstage is reopening it…` : failure.message;
      this.#setAudio({ ...this.#audio, state: 'failed', message, code: failure.code });
      this.#setTransport({ ...this.#transport, state: 'stopped' });
      this.recorder.interrupted();
      if (reopening) void this.#reopenAfter(failure, this.#openings);
    });
  }

  get project(): ProjectInfo | null {
    return this.#info;
  }

  get audioStatus(): AudioStatus {
    return this.#audio;
  }

  get transportState(): TransportSnapshot {
    return this.#transport;
  }

  /** Opens a project and its audio: the stored device choice, an override, or the software clock. */
  openProject(dir: string, audioOverride?: AudioSelection): Promise<ProjectInfo> {
    return this.#serial(async () => {
      const handle = await this.deps.projects.open(dir);
      return this.#adopt(handle, audioOverride);
    });
  }

  createProject(dir: string, settings: ProjectSettings): Promise<ProjectInfo> {
    return this.#serial(async () => {
      const handle = await this.deps.projects.create(dir, settings, this.deps.now());
      return this.#adopt(handle);
    });
  }

  updateProject(patch: Partial<ProjectSettings>): Promise<ProjectInfo> {
    return this.#serial(async () => {
      const handle = this.#requireProject();
      const before = this.#requireInfo();
      if (this.#transport.state === 'rolling') {
        throw new LoopstageError('TRANSPORT_ROLLING', 'Stop the transport before changing project settings.');
      }
      const info = await handle.updateSettings(keepStartLabel(before, patch));
      this.cues.setInfo(info);
      this.#setProject(info);
      if (info.sampleRate !== before.sampleRate) {
        // A new rate means a new stream (and, later, a new latency calibration).
        await this.#openAudio(await this.#storedSelection(handle), this.#transport.position);
      } else if (info.start !== before.start && this.#audio.state !== 'running') {
        this.#setTransport({ ...this.#transport, position: info.start });
      }
      return info;
    });
  }

  /**
   * The devices, probed afresh when asked (`refresh`), the first time, or while no stream runs.
   * Otherwise the last list: probing opens every ALSA device, and on PulseAudio that can make the
   * running stream underrun and PortAudio's callback thread give up (seen on the test rig: the
   * stream stopped 0.4 s after a page load listed the devices). A list is a choice offered, not a
   * reading, so a stale one costs nothing until the user asks for a new one.
   */
  async listDevices(options: { refresh?: boolean } = {}): Promise<DeviceList> {
    const probe = options.refresh || !this.#deviceList || this.#audio.state !== 'running';
    if (probe) {
      this.#deviceList = await this.deps.audio.listDevices().catch((error: unknown) => ({
        audio: [],
        midi: [],
        problems: [error instanceof LoopstageError ? error.message : String(error)],
      }));
    }
    const list = this.#deviceList!;
    return {
      ...list,
      audio: [
        ...list.audio,
        { name: SOFTWARE_CLOCK_NAME, hostApi: 'Loopstage', maxInputChannels: 32, maxOutputChannels: 32, defaultSampleRate: 48000 },
      ],
    };
  }

  /** Chooses the audio devices for this project, remembers the choice and reopens the stream. */
  selectAudio(selection: AudioSelection): Promise<AudioStatus> {
    return this.#serial(async () => {
      const handle = this.#requireProject();
      if (this.#transport.state === 'rolling') {
        throw new LoopstageError('TRANSPORT_ROLLING', 'Stop the transport before changing audio devices.');
      }
      await this.#openAudio(selection, this.#transport.position);
      if (this.#audio.state === 'running') await handle.setSetting(AUDIO_SELECTION_KEY, selection);
      return this.#audio;
    });
  }

  /**
   * Measures the round-trip latency of the open stream by loopback (output patched to input), and
   * remembers it for this device, rate and buffer size. It holds until the stream is reopened.
   */
  calibrate(): Promise<AudioStatus> {
    return this.#serial(async () => {
      const handle = this.#requireProject();
      const audio = this.#audio;
      if (audio.state !== 'running') {
        throw new LoopstageError('AUDIO_NOT_RUNNING', 'Calibration needs a running audio interface: choose one under Audio devices first.');
      }
      if (this.#transport.state === 'rolling') throw new LoopstageError('TRANSPORT_ROLLING', 'Stop the transport before calibrating.');
      await this.#settled();
      const result = await this.deps.audio.calibrate(3, loopbackChannel(await this.recorder.settings()));
      const latency: LatencyState = { roundTrip: result.roundTrip, measuredAt: this.deps.now().toISOString(), confidence: result.confidence, current: true, note: null };
      await handle.setSetting(latencyKey(audio), latency);
      this.deps.log?.(`audio: calibrated round trip ${result.roundTrip} samples (${result.agreeing}/${result.count} agree, confidence ${result.confidence.toFixed(1)})`);
      this.#setAudio({ ...this.#audio, latency });
      return this.#audio;
    });
  }

  /** The session log of the open project: the newest `limit` entries before `beforeId`, oldest first. */
  sessionLog(options: { readonly limit?: number; readonly beforeId?: number } = {}): Promise<SessionLogEntry[]> {
    return this.#requireProject().log.list(options);
  }

  /** Where the session was: the cue (or Foley pass) selected, so reopening the project returns there. */
  async sessionState(): Promise<SessionPlace> {
    const stored = await this.#requireProject().getSetting<Partial<SessionPlace>>(SESSION_PLACE_KEY);
    const id = (value: unknown) => (Number.isSafeInteger(value) && (value as number) > 0 ? (value as number) : null);
    const advance = ADVANCE_MODES.includes(stored?.advance as AdvanceMode) ? (stored!.advance as AdvanceMode) : 'off';
    return { cueId: id(stored?.cueId), passId: id(stored?.passId), advance };
  }

  /** Saves where the session is, as it changes (autosave: there is no Save). */
  async setSessionState(patch: Partial<SessionPlace>): Promise<SessionPlace> {
    const handle = this.#requireProject();
    const next = { ...(await this.sessionState()), ...patch };
    await handle.setSetting(SESSION_PLACE_KEY, next);
    return next;
  }

  /** Who runs the session (stage and operator), as the session log names them. */
  identity(): Promise<SessionIdentity> {
    return loadIdentity(this.#requireProject());
  }

  async setIdentity(patch: Partial<SessionIdentity>): Promise<SessionIdentity> {
    const handle = this.#requireProject();
    const next = { ...(await loadIdentity(handle)), ...patch };
    const clean = { stage: next.stage.trim(), operator: next.operator.trim() };
    await handle.setSetting(SESSION_IDENTITY_KEY, clean);
    return loadIdentity(handle);
  }

  /** The operator's key changes (commands whose keys differ from the defaults), kept with the project. */
  async keymap(): Promise<KeymapOverrides> {
    return cleanOverrides(await this.#requireProject().getSetting(SESSION_KEYMAP_KEY));
  }

  /** Replaces the key changes; what is not a command or a chord is dropped (see core/keys/keymap). */
  async setKeymap(overrides: KeymapOverrides): Promise<KeymapOverrides> {
    const handle = this.#requireProject();
    await handle.setSetting(SESSION_KEYMAP_KEY, cleanOverrides(overrides));
    return this.keymap();
  }

  /** The project's recording settings (defaults filled in). */
  recordingSettings(): Promise<RecordingSettings> {
    return this.recorder.settings();
  }

  /** Changes recording settings; a change of channel counts reopens the stream (and asks for a new calibration). */
  updateRecordingSettings(patch: RecordingSettingsPatch): Promise<RecordingSettings> {
    return this.#serial(async () => {
      const handle = this.#requireProject();
      const before = await this.recorder.settings();
      if (this.#transport.state === 'rolling') throw new LoopstageError('TRANSPORT_ROLLING', 'Stop the transport before changing recording settings.');
      const next = await this.recorder.updateSettings(patch);
      if (streamInputChannels(next) !== streamInputChannels(before) || next.outputChannels !== before.outputChannels) {
        await this.#openAudio(await this.#storedSelection(handle), this.#transport.position);
      }
      return next;
    });
  }

  /**
   * Waits until the output has run half a second without an underflow (up to 5 s): a stream often
   * starves a few times just after it opens, and each starve shifts the output against the input —
   * a round trip measured across one would not hold, and beeps played across one land late. A
   * stream that has been running quietly costs no wait.
   */
  async #settled(): Promise<void> {
    for (let waited = 0; waited < 5000; waited += 100) {
      if (this.deps.now().getTime() - this.#quietSince >= 500) return;
      await this.deps.delay(100);
    }
  }

  play(): Promise<TransportSnapshot> {
    return this.#command({ kind: 'play' });
  }

  /** Stops the transport by hand; a rehearsal or review rolling is over (a take is stopped through the recorder). */
  async stop(): Promise<TransportSnapshot> {
    const after = await this.#command({ kind: 'stop' });
    this.recorder.interrupted();
    return after;
  }

  /** Locates by hand; a rehearsal or review rolling is over. */
  async locate(position: number): Promise<TransportSnapshot> {
    const after = await this.#command({ kind: 'locate', position });
    this.recorder.interrupted();
    return after;
  }

  async close(): Promise<void> {
    this.#closing = true;
    // The audio first, outside the queue: an open stuck in a driver (an interface gone mid-reopen)
    // would otherwise hold the queue, and the close, for ever; closing the process ends it.
    await this.deps.audio.close();
    return this.#serial(async () => {
      await this.deps.audio.close();
      this.cues.unload();
      await this.#project?.close();
      this.#project = null;
      this.#info = null;
    });
  }

  async #command(command: TransportCommand): Promise<TransportSnapshot> {
    if (this.#audio.state !== 'running') {
      throw new LoopstageError(
        'AUDIO_NOT_RUNNING',
        this.#audio.message
          ? `The transport needs a running audio clock, and there is none: ${this.#audio.message}`
          : 'The transport needs a running audio clock: open a project and choose an audio device first.',
      );
    }
    const { after } = await this.deps.audio.transport(command);
    this.deps.log?.(`transport: ${command.kind} -> ${after.state} at sample ${after.position} (stream frame ${after.streamFrame})`);
    this.#setTransport(after);
    return after;
  }

  async #adopt(handle: ProjectHandle, audioOverride?: AudioSelection): Promise<ProjectInfo> {
    await this.deps.audio.close();
    await this.#project?.close();
    this.#project = handle;
    const info = await handle.info();
    // Before anything else: takes a crash left mid-recording are repaired and filed.
    await recoverTakes(handle, this.deps.files, info.dir, this.deps.now(), this.deps.log);
    await this.cues.load(handle, info);
    this.#setProject(info);
    this.deps.log?.(`project: opened ${info.dir} (${info.frameRate} fps, ${info.sampleRate} Hz, schema ${info.schemaVersion})`);
    this.#setTransport({ state: 'stopped', position: info.start, streamFrame: 0 });
    const selection = audioOverride ?? (await this.#storedSelection(handle));
    await this.#openAudio(selection, info.start);
    if (audioOverride && this.#audio.state === 'running') await handle.setSetting(AUDIO_SELECTION_KEY, audioOverride);
    return info;
  }

  /**
   * Reopens the stream that failed on its own, unless something else opened or closed it meanwhile
   * (a device chosen, a project opened). Says what happened either way.
   */
  async #reopenAfter(failure: { code: string; message: string }, opening: number): Promise<void> {
    const at = this.deps.now().toTimeString().slice(0, 8);
    let last = failure.message;
    for (const [attempt, wait] of REOPEN_WAITS_MS.entries()) {
      await this.deps.delay(wait);
      const outcome = await this.#serial(async () => {
        if (this.#closing || this.#openings !== opening + attempt || this.#audio.state !== 'failed' || !this.#project) return 'moot' as const;
        this.deps.log?.(`audio: reopening after ${failure.code} (try ${attempt + 1} of ${REOPEN_WAITS_MS.length})`);
        await this.#openAudio(this.#selection, this.#transport.position);
        return this.audioStatus.state === 'running' ? ('running' as const) : ('failed' as const);
      }).catch(() => 'failed' as const);
      if (outcome === 'moot') return;
      if (outcome === 'running') {
        this.#setAudio({
          ...this.#audio,
          message: `${failure.message.replace(/;.*$/, '')} at ${at}; Loopstage reopened it (a take it cut short is filed up to that point); calibrate again before recording.`,
        });
        return;
      }
      last = this.#audio.message ?? last;
    }
    this.#setAudio({
      ...this.#audio,
      state: 'failed',
      message: `${failure.message.replace(/;.*$/, '')} at ${at}, and reopening it failed ${REOPEN_WAITS_MS.length} times (${last.replace(/\.$/, '')}). Check the interface is connected and on, then choose it again under Audio devices.`,
      code: failure.code,
    });
  }

  async #storedSelection(handle: ProjectHandle): Promise<AudioSelection | null> {
    return (await handle.getSetting<AudioSelection>(AUDIO_SELECTION_KEY)) ?? null;
  }

  /**
   * Opens the stream. With no device chosen the software clock stands in, and says so. A chosen
   * device that fails leaves the audio `failed` with the reason, rather than silently falling back:
   * recording on the wrong clock is worse than not rolling.
   */
  async #openAudio(selection: AudioSelection | null, startPosition: number): Promise<void> {
    const info = this.#requireInfo();
    const chosen = selection ?? { input: SOFTWARE_CLOCK_NAME, output: SOFTWARE_CLOCK_NAME, framesPerBuffer: DEFAULT_FRAMES_PER_BUFFER };
    const notice = selection
      ? null
      : 'No audio device is chosen for this project, so the software clock stands in; choose your interface under Audio devices.';
    this.#selection = selection;
    this.#openings++;
    this.#setAudio({
      ...CLOSED_AUDIO,
      state: 'opening',
      input: chosen.input,
      output: chosen.output,
      sampleRate: info.sampleRate,
      framesPerBuffer: chosen.framesPerBuffer,
    });
    await this.deps.audio.close();
    try {
      const recording = await this.recorder.settings();
      const inputChannels = streamInputChannels(recording);
      const opened = await this.deps.audio.open({
        input: chosen.input,
        output: chosen.output,
        sampleRate: info.sampleRate,
        framesPerBuffer: chosen.framesPerBuffer,
        inputChannels,
        outputChannels: recording.outputChannels,
        startPosition,
      });
      this.#inputChannels = inputChannels;
      this.#quietSince = this.deps.now().getTime();
      this.#setTransport({ state: 'stopped', position: startPosition, streamFrame: 0 });
      this.deps.log?.(`audio: running on ${opened.input} / ${opened.output} at ${opened.sampleRate} Hz, ${opened.framesPerBuffer}-frame buffers (${opened.clockSource})`);
      // A round trip measured on an earlier opening is shown, but does not hold for this one.
      const stored = await this.#project?.getSetting<LatencyState>(latencyKey({ input: chosen.input, output: chosen.output, sampleRate: opened.sampleRate, framesPerBuffer: opened.framesPerBuffer }));
      this.#setAudio({
        ...this.#audio,
        latency: stored ? { ...stored, current: false, note: 'Measured when the stream was last opened; calibrate again for this session.' } : null,
        state: 'running',
        clockSource: opened.clockSource,
        sampleRate: opened.sampleRate,
        framesPerBuffer: opened.framesPerBuffer,
        message: notice,
      });
    } catch (error) {
      const failure = error instanceof LoopstageError ? error : new LoopstageError('AUDIO_OPEN_FAILED', String(error));
      this.deps.log?.(`audio: ${failure.code}: ${failure.message}`);
      await this.deps.audio.close();
      this.#setAudio({ ...this.#audio, state: 'failed', message: failure.message, code: failure.code });
    }
  }

  #requireProject(): ProjectHandle {
    if (!this.#project) throw new LoopstageError('PROJECT_NONE_OPEN', 'No project is open; open or create one first.');
    return this.#project;
  }

  #requireInfo(): ProjectInfo {
    if (!this.#info) throw new LoopstageError('PROJECT_NONE_OPEN', 'No project is open; open or create one first.');
    return this.#info;
  }

  #setProject(info: ProjectInfo | null): void {
    this.#info = info;
    this.events.emit('project', info);
  }

  #setAudio(status: AudioStatus): void {
    this.#audio = status;
    this.events.emit('audio', status);
  }

  #setTransport(snapshot: TransportSnapshot): void {
    this.#transport = snapshot;
    this.events.emit('transport', snapshot);
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    return this.#queue.run(work);
  }
}

/**
 * The start is stored in samples; when the sample rate changes and no new start is given, the start
 * keeps its timecode (01:00:00:00 stays 01:00:00:00), which is what a user changing rates means.
 */
export function keepStartLabel(before: ProjectSettings, patch: Partial<ProjectSettings>): Partial<ProjectSettings> {
  if (patch.start !== undefined || patch.sampleRate === undefined || patch.sampleRate === before.sampleRate) return patch;
  const oldRate = parseFrameRate(before.frameRate);
  const frame = positionToFrame(position(before.start), oldRate, before.sampleRate);
  const newRate = parseFrameRate(patch.frameRate ?? before.frameRate);
  if (newRate.id !== oldRate.id) return patch;
  return { ...patch, start: frameToPosition(frame, newRate, patch.sampleRate) };
}

/** Where a round trip is remembered: it belongs to one pair of devices at one rate and buffer size. */
function latencyKey(audio: { input: string | null; output: string | null; sampleRate: number | null; framesPerBuffer: number | null }): string {
  const key = `latency.${JSON.stringify([audio.input, audio.output, audio.sampleRate, audio.framesPerBuffer])}`;
  // Settings keys are at most 200 characters; long device names are folded into a hash.
  return key.length <= 200 ? key : `latency.${key.slice(8, 150)}#${fnv1a(key)}`;
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}
