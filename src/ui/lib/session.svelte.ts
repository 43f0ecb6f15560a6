/**
 * The session as the UI sees it: one reactive object, shared through context (`setSession` in the
 * root, `useSession` in components). It holds what the engine last told us and offers the
 * actions people take; every action goes through the typed RpcClient and every failure lands in
 * `error` as `{code, message}`.
 */
import { getContext, setContext } from 'svelte';
import type { RpcClient } from '../../api/rpc.js';
import type {
  ApiError,
  AudioDevice,
  AudioStatus,
  MidiPort,
  Params,
  ProjectInfo,
  ProjectSettings,
  Result,
  TransportSnapshot,
} from '../../api/contract.js';
import { engineCall, toUiError } from './engine-call.js';
import { LoopstageError } from '../../core/errors.js';
import { labelToPosition, parseFrameRate, positionToLabel, position, type FrameRate } from '../../core/time/index.js';
import { ClockInterpolator } from '../../core/transport/clock-interpolator.js';
import type { EngineConnection } from './connect.js';

/** The session sample rates offered when creating or changing a project. */
export { SESSION_SAMPLE_RATES as SAMPLE_RATES } from '../../core/time/index.js';

export type ConnectionState = 'connecting' | 'connected' | 'failed' | 'lost';

/** Local time for the clock: epoch ms at high resolution, the same scale as the engine's hostTime. */
export function localNow(): number {
  return performance.timeOrigin + performance.now();
}

export { toUiError } from './engine-call.js';

export class SessionState {
  connection = $state<ConnectionState>('connecting');
  /** Why the engine cannot be reached, when `connection` is failed or lost. */
  connectionError = $state.raw<ApiError | null>(null);
  host = $state.raw<Result<'app.hello'> | null>(null);
  project = $state.raw<ProjectInfo | null>(null);
  audio = $state.raw<AudioStatus | null>(null);
  devices = $state.raw<readonly AudioDevice[]>([]);
  midiPorts = $state.raw<readonly MidiPort[]>([]);
  transport = $state.raw<TransportSnapshot | null>(null);
  /**
   * Bumped whenever the engine's clock jumps or changes state (not on every tick), so the display
   * re-reads the clock in the same update that shows "Stopped" or "Rolling" rather than a frame later.
   */
  clockRevision = $state(0);
  /** The last failure of an action, until dismissed or the next action. */
  error = $state.raw<ApiError | null>(null);
  /** Actions in flight. */
  busy = $state(0);

  /** The project's frame rate, or null without a project (or with one whose rate is unreadable). */
  rate: FrameRate | null = $derived.by(() => {
    const project = this.project;
    if (!project) return null;
    try {
      return parseFrameRate(project.frameRate);
    } catch {
      return null;
    }
  });
  rolling: boolean = $derived(this.transport?.state === 'rolling');
  /** The project's start as a timecode label (null without a project). */
  startLabel: string | null = $derived.by(() => {
    const project = this.project;
    const rate = this.rate;
    if (!project || !rate) return null;
    try {
      return positionToLabel(position(project.start), rate, project.sampleRate);
    } catch {
      return null;
    }
  });

  /** Interpolates the engine's clock ticks for the display (not reactive: read it per frame). */
  readonly clock = new ClockInterpolator();
  readonly #now: () => number;
  #connection: EngineConnection | null = null;
  #detach: Array<() => void> = [];
  #lastTickPosition: number | null = null;
  /** Whether a refresh has completed since attaching. */
  #loaded = false;

  constructor(now: () => number = localNow) {
    this.#now = now;
  }

  /** Connects with `connect` (normally connectToEngine), subscribes to events and loads the state. */
  async connect(connect: () => Promise<EngineConnection>): Promise<void> {
    this.connection = 'connecting';
    this.connectionError = null;
    let connection: EngineConnection;
    try {
      connection = await connect();
    } catch (error) {
      this.connection = 'failed';
      this.connectionError = toUiError(error);
      return;
    }
    this.attach(connection);
    await this.refresh();
  }

  /** Starts listening to an open connection. */
  attach(connection: EngineConnection): void {
    this.detach();
    this.#connection = connection;
    this.#loaded = false;
    this.#lastTickPosition = null;
    this.clock.reset();
    const client = connection.client;
    this.#detach = [
      client.on('clock.tick', (tick) => {
        const before = { state: this.clock.state, position: this.#lastTickPosition };
        this.clock.update(tick, this.#now());
        this.#lastTickPosition = tick.position;
        if (tick.state !== before.state || (tick.state === 'stopped' && tick.position !== before.position)) this.clockRevision++;
        // Before the first refresh the state stays unknown, so "Stopped" never shows without the project.
        if (this.#loaded && this.transport?.state !== tick.state) {
          this.transport = { state: tick.state, position: tick.position, streamFrame: tick.streamFrame };
        }
      }),
      client.on('transport.changed', (snapshot) => this.#applyTransport(snapshot)),
      client.on('audio.status', (status) => {
        this.audio = status;
      }),
      client.on('project.changed', (project) => {
        this.project = project;
      }),
      connection.onLost(() => {
        this.connection = 'lost';
        this.transport = null; // unknown from now on; the clock display holds its last position
        this.connectionError = {
          code: 'ENGINE_DISCONNECTED',
          message: `The connection to Loopstage's engine at ${connection.where} was lost. Check that it is still running, then reload this page.`,
        };
      }),
    ];
    this.connection = 'connected';
  }

  detach(): void {
    for (const off of this.#detach) off();
    this.#detach = [];
    this.#connection = null;
  }

  /**
   * The engine's client while connected, for other state that talks to the engine (the cue list).
   * Reading it in an effect re-runs the effect when the connection comes or goes.
   */
  get client(): RpcClient | null {
    return this.connection === 'connected' ? (this.#connection?.client ?? null) : null;
  }

  /** The engine's current transport position (interpolated while rolling), or null before it is known. */
  currentPosition(): number | null {
    if (this.clock.hasClock) return this.clock.positionAt(this.#now());
    return this.transport?.position ?? null;
  }

  dismissError(): void {
    this.error = null;
  }

  /** Reloads everything the UI shows from the engine. */
  async refresh(): Promise<boolean> {
    return this.#run(async (client) => {
      // Each part independently: a device list that fails to load must not hide the project. Each
      // answer is applied as it arrives: answers and events share one ordered connection, so an
      // event sent after an answer (the audio failing, say) is never overwritten by it.
      const results = await Promise.allSettled([
        client.call('app.hello', {}).then((host) => (this.host = host)),
        client.call('project.current', {}).then((project) => (this.project = project)),
        client.call('audio.status', {}).then((audio) => (this.audio = audio)),
        client.call('audio.devices', {}).then((devices) => {
          this.devices = devices.audio;
          this.midiPorts = devices.midi;
        }),
        client.call('transport.state', {}).then((transport) => this.#applyTransport(transport)),
      ]);
      this.#loaded = true;
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    });
  }

  /** Probes the interfaces again (one plugged in since, say); the engine otherwise keeps its last list while a stream runs. */
  async refreshDevices(): Promise<boolean> {
    return this.#run(async (client) => {
      const devices = await client.call('audio.devices', { refresh: true });
      this.devices = devices.audio;
      this.midiPorts = devices.midi;
    });
  }

  async openProject(dir: string): Promise<boolean> {
    return this.#run(async (client) => {
      this.project = await client.call('project.open', { dir: requireText(dir, 'PROJECT_DIR_MISSING', 'Type the folder of the project to open.') });
    });
  }

  /** Creates a project; `startLabel` is the start timecode, read at the new project's rate. */
  async createProject(dir: string, settings: Omit<ProjectSettings, 'start'> & { startLabel: string }): Promise<boolean> {
    return this.#run(async (client) => {
      const folder = requireText(dir, 'PROJECT_DIR_MISSING', 'Type the folder to create the project in.');
      const { startLabel, ...rest } = settings;
      const title = requireText(rest.title, 'PROJECT_TITLE_MISSING', 'Give the new project a title.');
      const rate = parseFrameRate(rest.frameRate);
      const start = labelToPosition(startLabel.trim(), rate, rest.sampleRate);
      this.project = await client.call('project.create', {
        dir: folder,
        settings: { ...rest, title, frameRate: rate.id, start },
      });
    });
  }

  /** Saves settings; a `startLabel` is read at the rate and sample rate being saved. */
  async updateSettings(changes: Partial<Omit<ProjectSettings, 'start'>> & { startLabel?: string; start?: number }): Promise<boolean> {
    return this.#run(async (client) => {
      const project = this.#requireProject();
      const { startLabel, ...rest } = changes;
      const update: Params<'project.update'> = { ...rest };
      if (rest.title !== undefined) update.title = requireText(rest.title, 'PROJECT_TITLE_MISSING', 'A project needs a title; type one before saving.');
      if (rest.frameRate !== undefined) update.frameRate = parseFrameRate(rest.frameRate).id;
      if (startLabel !== undefined) {
        const rate = parseFrameRate(update.frameRate ?? project.frameRate);
        update.start = labelToPosition(startLabel.trim(), rate, update.sampleRate ?? project.sampleRate);
      }
      this.project = await client.call('project.update', update);
    });
  }

  async selectDevices(input: string, output: string, framesPerBuffer?: number): Promise<boolean> {
    return this.#run(async (client) => {
      const params: Params<'audio.select'> = { input, output };
      if (framesPerBuffer !== undefined) params.framesPerBuffer = framesPerBuffer;
      this.audio = await client.call('audio.select', params);
    });
  }

  /** Measures the round-trip latency of the open interface (output patched to input). */
  async calibrate(): Promise<boolean> {
    return this.#run(async (client) => {
      this.audio = await client.call('audio.calibrate', {});
    });
  }

  async play(): Promise<boolean> {
    return this.#run(async (client) => this.#applyTransport(await client.call('transport.play', {})));
  }

  async stop(): Promise<boolean> {
    return this.#run(async (client) => this.#applyTransport(await client.call('transport.stop', {})));
  }

  async togglePlay(): Promise<boolean> {
    return this.rolling ? this.stop() : this.play();
  }

  async locate(samples: number): Promise<boolean> {
    return this.#run(async (client) => this.#applyTransport(await client.call('transport.locate', { position: samples })));
  }

  /** Locates to a timecode label, read at the project's frame rate and sample rate. */
  async locateToLabel(label: string): Promise<boolean> {
    return this.#run(async (client) => {
      const project = this.#requireProject();
      const rate = parseFrameRate(project.frameRate);
      const target = labelToPosition(label.trim(), rate, project.sampleRate);
      this.#applyTransport(await client.call('transport.locate', { position: target }));
    });
  }

  /** Locates to the project's start (sample 0 without a project). */
  async goToStart(): Promise<boolean> {
    return this.locate(this.project?.start ?? 0);
  }

  #applyTransport(snapshot: TransportSnapshot): void {
    this.transport = snapshot;
    // Rolling needs the stream's rate to extrapolate; a stopped snapshot is shown as it is, so any
    // rate will do until ticks (which carry their own) arrive.
    const sampleRate = this.audio?.sampleRate ?? this.project?.sampleRate ?? null;
    if (sampleRate !== null || snapshot.state === 'stopped') {
      this.clock.applySnapshot(snapshot, sampleRate ?? 48_000, this.#now());
      this.clockRevision++;
    }
  }

  #requireProject(): ProjectInfo {
    if (!this.project) {
      throw new LoopstageError('PROJECT_NONE_OPEN', 'No project is open. Open or create a project first.');
    }
    return this.project;
  }

  async #run(work: (client: RpcClient) => Promise<void>): Promise<boolean> {
    this.error = null;
    const connected = this.connection === 'connected' ? this.#connection?.client : null;
    // A failed or lost connection already has its own notice; don't repeat it.
    const notConnected = this.connectionError
      ? null
      : { code: 'ENGINE_NOT_CONNECTED', message: 'Loopstage is not connected to its engine yet. Wait a moment; if this stays, reload the page.' };
    return engineCall(this, connected, notConnected, (error) => (this.error = error), work);
  }

}

function requireText(value: string, code: string, message: string): string {
  const trimmed = value.trim();
  if (!trimmed) throw new LoopstageError(code, message);
  return trimmed;
}

const SESSION = Symbol('loopstage.session');

export function setSession(session: SessionState): SessionState {
  return setContext(SESSION, session);
}

export function useSession(): SessionState {
  const session = getContext<SessionState | undefined>(SESSION);
  if (!session) throw new LoopstageError('UI_NO_SESSION', 'A Loopstage panel was shown outside the app; this is a bug in the UI.');
  return session;
}
