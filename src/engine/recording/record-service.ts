/**
 * Rolling cues, recording takes and playing them back: the recorder's use-cases, on top of the
 * engine's project, audio stream and transport.
 *
 * A roll: the beeps for the cue's in point, the roll range (pre-roll to out + post-roll, widened
 * to hold every beep), and what the output plays (beeps, guide, monitoring per the phase's monitor
 * switches) are computed here and loaded into the audio process; then the transport is located to
 * the range's start and plays until its end, stopping by itself.
 *
 * A take: its row is committed (status `recording`) before its file exists, the file and its header
 * are created and synced before the roll starts, and the audio process cuts the take from the
 * stream by sample count. When the file is closed the row is completed; if the audio process dies
 * instead, the file is repaired and the row filed as recovered — as at every project open.
 */
import { LoopstageError, isLoopstageError } from '../../core/errors.js';
import { resolveBeepSettings, type Beep, type RollRange } from '../../core/cueing/beeps.js';
import { planRoll } from '../../core/recording/roll-plan.js';
import { coveredEvents, type PassRequest } from '../../core/recording/foley-passes.js';
import { createPass, listPasses, type PassWithCoverage } from './foley-pass-service.js';
import { codingHistoryLine, originationStamp, type BextFields } from '../../core/bwf/bext.js';
import type { TakeIxml } from '../../core/bwf/ixml.js';
import { nextFreeName, takeFileName } from '../../core/files/take-name.js';
import { safeFileName } from '../../core/files/safe-file-name.js';
import { channelName, DEFAULT_RECORDING_SETTINGS, resolveRecordingSettings, type RecordingSettings, type RecordingSettingsPatch } from '../../core/recording/settings.js';
import { parseFrameRate, position } from '../../core/time/index.js';
import { FOLEY_PASS_LABELS, type Cue, type FoleyPass } from '../../core/cues/cue.js';
import type { SampleEncoding } from '../../core/audio/pcm.js';
import { AUDIO_PROCESS_EXITED, type AudioHost, type OutputProgramSpec, type PlacedFileSpec, type RollPhase, type TakeCaptureResult } from '../ports/audio-host.js';
import type { ProjectHandle, ProjectInfo } from '../ports/project-store.js';
import { baseName, joinPath } from '../../core/files/project-path.js';
import type { CueRoll, GuideRecord, LatencySource, MarkOutcome, TakeRecord } from '../ports/take-store.js';
import type { TakeMarkChange } from '../../core/recording/take-marks.js';
import { markTake } from './take-marking.js';
import { loadActor } from '../session/session-identity.js';
import type { TakeFiles } from '../ports/take-files.js';
import type { FoleyPassRecord } from '../ports/pass-store.js';
import type { TransportSnapshot } from '../../core/transport/transport-clock.js';
import { takeNote, writeLog } from '../session/session-log.js';

export const RECORDING_SETTINGS_KEY = 'recording';
export const TAKES_FOLDER = 'takes';
export const GUIDE_FOLDER = 'guide';
const APP_NAME = 'Loopstage';

/** What the engine lends the recorder. */
export interface RecordContext {
  readonly audio: AudioHost;
  readonly files: TakeFiles;
  readonly now: () => Date;
  /** Resolves after `ms` (the engine reads no clocks itself). */
  readonly delay: (ms: number) => Promise<void>;
  readonly log?: (line: string) => void;
  project(): { readonly handle: ProjectHandle; readonly info: ProjectInfo };
  cue(id: number): Cue;
  /** The stream as it runs: devices, channels, and the round trip in force. */
  stream(): StreamFacts;
  transport(command: { kind: 'locate'; position: number } | { kind: 'play'; until?: number } | { kind: 'stop' }): Promise<TransportSnapshot>;
  /** Resolves once the output has run a moment without starving (at once on a stream that has). */
  settled(): Promise<void>;
  emitTakes(event: TakesChanged): void;
  emitRecorder(state: RecorderState): void;
}

export interface StreamFacts {
  readonly running: boolean;
  readonly clockSource: 'audio-device' | 'software-clock';
  readonly input: string;
  readonly output: string;
  readonly sampleRate: number;
  readonly inputChannels: number;
  /** Output underflows plus input overflows reported on this stream so far. */
  readonly dropouts: number;
  /** Round trip in stream frames, whether it was measured on this opening of the stream, and why not. */
  readonly latency: { readonly roundTrip: number; readonly current: boolean; readonly note?: string | null } | null;
}

export interface TakesChanged {
  readonly cueId: number | null;
  readonly passId: number | null;
  readonly take: TakeRecord;
}

/** The event that says a take was added or changed. */
export function takesChanged(take: TakeRecord): TakesChanged {
  return { cueId: take.cueId, passId: take.passId, take };
}

export interface RecorderState {
  readonly phase: RollPhase;
  readonly cueId: number | null;
  readonly passId: number | null;
  /** The take being recorded, while it is. */
  readonly take: TakeRecord | null;
  /** Frames of the current take safely on disk (the last header refresh). */
  readonly flushedFrames: number;
  readonly range: RollRange | null;
  /** The roll starts over when it reaches its end (a looped rehearsal or review), until stopped. */
  readonly loop: boolean;
  /** While two takes are compared: which take is A, which B, and which one is heard. */
  readonly compare: TakeComparison | null;
}

export interface TakeComparison {
  readonly a: number;
  readonly b: number;
  readonly listen: 'a' | 'b';
}

/** How a review or comparison plays. */
export interface PlayOptions {
  /** Start over at the end until stopped. */
  readonly loop?: boolean;
}

export interface RollRequest {
  /** The cue to roll; or give `passId` to roll a Foley pass. */
  readonly cueId?: number;
  readonly passId?: number;
  readonly record: boolean;
  /** Override the cue's and project's rolls for this roll only (seconds). */
  readonly preRollSeconds?: number;
  readonly postRollSeconds?: number;
  /** Override the phase's monitor switches for this roll only. */
  readonly monitor?: Partial<RecordingSettings['monitor']['record']>;
  /**
   * Record although the round trip was not measured on this opening of the stream: a decision the
   * operator makes on purpose (no loopback on this stage), never the default. The take is placed
   * by the stored round trip or the manual offset, and says so.
   */
  readonly uncalibrated?: boolean;
  /** A rehearsal that starts over at its end until stopped (never a take: each take is its own roll). */
  readonly loop?: boolean;
}

export interface RollStarted {
  readonly phase: RollPhase;
  /** The cue rolled, or null for a Foley pass. */
  readonly cueId: number | null;
  readonly passId: number | null;
  readonly range: RollRange;
  readonly beeps: readonly Beep[];
  readonly take: TakeRecord | null;
  /** Why the take's placement may be off (no calibration on this opening), or null. */
  readonly warning: string | null;
}

/** What a roll is for: a cue (an ADR line or one Foley event) or a Foley pass. */
interface RollTarget {
  readonly cueId: number | null;
  readonly passId: number | null;
  readonly span: { readonly in: number; readonly out: number };
  /** The cue's number or the pass's name: names the take's file, its bext and the log. */
  readonly label: string;
  readonly character: string;
  readonly scene: string;
  /** The ADR line, the Foley event's description, or the events a pass holds. */
  readonly line: string;
  /** The kind of Foley, for its track template. */
  readonly foleyPass: FoleyPass | null;
  /** The cue's own pre/post-roll (a pass has none). */
  readonly roll: CueRoll | null;
}

interface ActiveTake {
  readonly record: TakeRecord;
  readonly absolutePath: string;
  readonly takeId: number;
  /** The stream's dropout count when the take was armed. */
  readonly dropoutsBefore: number;
  readonly done: Promise<TakeRecord>;
  settle(take: TakeRecord): void;
  fail(error: unknown): void;
  flushedFrames: number;
}

/** A stop (or another roll) came while this roll was getting ready: it does not start. */
function rollStopped(): LoopstageError {
  return new LoopstageError('ROLL_STOPPED', 'The roll was stopped before it started; nothing rolled and nothing was recorded.');
}

const IDLE_STATE: RecorderState = { phase: 'idle', cueId: null, passId: null, take: null, flushedFrames: 0, range: null, loop: false, compare: null };

export class RecordService {
  #state: RecorderState = IDLE_STATE;
  /** Counts rolls, so a loop's restart that lost a race with a new roll or a stop stands down. */
  #rolls = 0;
  #active: ActiveTake | null = null;
  /** Take results that arrived before the arm call returned (a zero-length take). */
  readonly #early = new Map<number, TakeCaptureResult>();

  constructor(private readonly ctx: RecordContext) {
    ctx.audio.on('takeFinished', ({ takeId, result }) => {
      const active = this.#active;
      if (!active || active.takeId !== takeId) {
        this.#early.set(takeId, result);
        return;
      }
      void this.#complete(active, result);
    });
    ctx.audio.on('takeFlushed', ({ takeId, frames }) => {
      const active = this.#active;
      if (active?.takeId === takeId) {
        active.flushedFrames = frames;
        this.#setState({ ...this.#state, flushedFrames: frames });
      }
    });
    ctx.audio.on('failure', ({ code }) => {
      // A stream that failed inside a living audio process closes the take itself and reports it
      // (takeFinished); only a dead process leaves a half-written file to repair here — repairing
      // while the writer still closes it would race the writer's own header patches.
      const active = this.#active;
      if (active && code === AUDIO_PROCESS_EXITED) void this.#recoverActive(active, 'The audio process stopped during the take');
    });
  }

  get state(): RecorderState {
    return this.#state;
  }

  // -------------------------------------------------------------------------------------------
  // Settings

  settings(): Promise<RecordingSettings> {
    return loadRecordingSettings(this.ctx.project().handle, this.ctx.log);
  }

  updateSettings(patch: RecordingSettingsPatch): Promise<RecordingSettings> {
    const { handle, info } = this.ctx.project();
    return saveRecordingSettings(handle, info, patch, this.ctx.log);
  }

  async roll(cueId: number): Promise<CueRoll> {
    return this.ctx.project().handle.takes.getRoll(cueId);
  }

  async setRoll(roll: CueRoll): Promise<CueRoll> {
    this.ctx.cue(roll.cueId);
    return this.ctx.project().handle.takes.setRoll(roll);
  }

  // -------------------------------------------------------------------------------------------
  // Guide tracks

  /**
   * Adds a guide track: the WAV/BWF is copied into the project's guide folder (so copying the
   * folder copies the project) and placed at `at`, else at its bext timestamp.
   */
  addGuide(file: string, at?: number): Promise<GuideRecord> {
    const { handle, info } = this.ctx.project();
    return addGuide(handle, info, this.ctx.files, this.ctx.now(), file, at);
  }

  guides(): Promise<GuideRecord[]> {
    return this.ctx.project().handle.takes.listGuides();
  }

  updateGuide(id: number, patch: Partial<Pick<GuideRecord, 'name' | 'start' | 'enabled'>>): Promise<GuideRecord> {
    return this.ctx.project().handle.takes.updateGuide(id, patch);
  }

  /** Every take, or one cue's, or one Foley pass's. */
  takes(filter: { readonly cueId?: number | undefined; readonly passId?: number | undefined } = {}): Promise<TakeRecord[]> {
    return this.ctx.project().handle.takes.list({ ...(filter.cueId !== undefined ? { cueId: filter.cueId } : {}), ...(filter.passId !== undefined ? { passId: filter.passId } : {}) });
  }

  /**
   * Marks a take (circled, alternate, NG, false start, rating, note) in the database, its file's
   * iXML and the session log (take-marking.ts); every take whose marks changed is announced.
   */
  async mark(takeId: number, marks: TakeMarkChange, who?: string): Promise<MarkOutcome> {
    const { handle } = this.ctx.project();
    const outcome = await markTake(
      { handle, files: this.ctx.files, now: this.ctx.now, actor: await loadActor(handle, who), nameOf: (take) => this.#takeName(take) },
      takeId,
      marks,
    );
    for (const change of [outcome.take, ...outcome.others]) {
      if (change.before !== change.after) this.ctx.emitTakes(takesChanged(change.after));
    }
    return outcome;
  }

  #takeName(take: TakeRecord): string {
    let owner = take.passId !== null ? `pass ${take.passId}` : `cue ${take.cueId}`;
    if (take.cueId !== null) {
      try {
        owner = this.ctx.cue(take.cueId).number;
      } catch {
        // A cue undone since: the id still names it.
      }
    }
    return `${owner} T${String(take.number).padStart(2, '0')}`;
  }

  // -------------------------------------------------------------------------------------------
  // Foley passes

  createPass(request: PassRequest & { readonly name?: string }): Promise<FoleyPassRecord> {
    return createPass(this.ctx.project().handle, this.ctx.now(), request, this.ctx.log);
  }

  passes(): Promise<PassWithCoverage[]> {
    return listPasses(this.ctx.project().handle);
  }

  // -------------------------------------------------------------------------------------------
  // Rolling and recording

  /** What a request rolls: its cue, or its Foley pass (PASS_NOT_FOUND, CUE_NOT_FOUND). */
  async #target(request: Pick<RollRequest, 'cueId' | 'passId'>): Promise<RollTarget> {
    const { handle } = this.ctx.project();
    if (request.passId !== undefined) {
      const pass = await handle.passes.get(request.passId);
      if (!pass) throw new LoopstageError('PASS_NOT_FOUND', `There is no Foley pass ${request.passId} in this project; reload the pass list.`, { passId: request.passId });
      const events = pass.eventIds.map((id) => this.#cueOrNull(id)?.number).filter(Boolean);
      return {
        cueId: null, passId: pass.id, span: pass, label: pass.name, character: pass.character ?? FOLEY_PASS_LABELS[pass.pass], scene: pass.scene ?? '',
        line: events.length > 0 ? `${FOLEY_PASS_LABELS[pass.pass]}: ${events.join(', ')}` : FOLEY_PASS_LABELS[pass.pass], foleyPass: pass.pass, roll: null,
      };
    }
    if (request.cueId === undefined) throw new LoopstageError('ROLL_NO_TARGET', 'Say what to roll: a cue, or a Foley pass.');
    const cue = this.ctx.cue(request.cueId);
    return {
      cueId: cue.id, passId: null, span: cue, label: cue.number,
      character: cue.kind === 'foley' ? (cue.character ?? cue.pass ?? cue.prop ?? 'Foley') : (cue.character ?? ''),
      scene: cue.scene ?? '', line: cue.kind === 'adr' ? cue.lineText : cue.description, foleyPass: cue.kind === 'foley' ? cue.pass : null,
      roll: await handle.takes.getRoll(cue.id),
    };
  }

  #cueOrNull(id: number): Cue | null {
    try {
      return this.ctx.cue(id);
    } catch {
      return null;
    }
  }

  /** Plans a roll for a cue: its beeps and its range, with the cue's and project's rolls. */
  async plan(cueId: number, overrides: Pick<RollRequest, 'preRollSeconds' | 'postRollSeconds'> = {}): Promise<{ range: RollRange; beeps: Beep[]; settings: RecordingSettings }> {
    return this.#plan(await this.#target({ cueId }), overrides);
  }

  async #plan(target: RollTarget, overrides: Pick<RollRequest, 'preRollSeconds' | 'postRollSeconds'> = {}): Promise<{ range: RollRange; beeps: Beep[]; settings: RecordingSettings }> {
    const { info } = this.ctx.project();
    const settings = await this.settings();
    const { range, beeps } = planRoll(target.span, settings, target.roll, parseFrameRate(info.frameRate), info.sampleRate, overrides);
    return { range, beeps, settings: channelsFor(settings, target.foleyPass) };
  }

  /** Rolls a cue: rehearsal, or a take when `record`. Resolves once the transport is rolling. */
  async start(request: RollRequest): Promise<RollStarted> {
    const stream = this.ctx.stream();
    if (!stream.running) throw new LoopstageError('AUDIO_NOT_RUNNING', 'Rolling a cue needs a running audio interface: choose one under Audio devices first.');
    if (this.#active) throw new LoopstageError('RECORD_BUSY', 'A take is still being recorded; stop it first.');
    if (request.record && request.loop) throw new LoopstageError('ROLL_LOOP_RECORD', 'Only rehearsals loop: each take is one roll. Turn the loop off to record, or rehearse instead.');
    const target = await this.#target(request);
    const { range, beeps, settings } = await this.#plan(target, request);
    const phase = request.record ? 'record' : 'rehearse';
    if (request.record && stream.clockSource !== 'audio-device') {
      throw new LoopstageError('RECORD_NO_INPUT', 'The software clock has no inputs to record from; choose your audio interface under Audio devices.');
    }
    const missing = settings.inputChannels.find((c) => c >= stream.inputChannels);
    if (missing !== undefined) {
      throw new LoopstageError('RECORD_CHANNELS_INVALID', `Input channel ${missing + 1} is not open on ${stream.input} (${stream.inputChannels} open); choose other channels in the recording settings.`, { channel: missing });
    }
    // Refused before anything moves: a take is recorded only where it will be placed right.
    if (request.record && stream.latency?.current !== true && !request.uncalibrated) throw notCalibrated(stream);
    const roll = ++this.#rolls;
    await this.ctx.transport({ kind: 'stop' });
    await this.ctx.audio.loadProgram(await this.#program(phase, range, beeps, settings, [], request.monitor));
    let take: ActiveTake | null = null;
    let warning: string | null = null;
    if (request.record) {
      const latency = this.#latency(stream, settings);
      warning = latency.warning;
      take = await this.#arm(target, range, settings, stream, latency);
    }
    try {
      // Beeps played into a starving output would land late: a stream just opened settles first.
      await this.ctx.settled();
      if (roll !== this.#rolls) throw rollStopped();
      await this.ctx.transport({ kind: 'locate', position: range.start });
      await this.ctx.transport({ kind: 'play', until: range.end });
    } catch (error) {
      if (take) await this.ctx.audio.stopTake('the transport did not start').catch(() => null);
      throw error;
    }
    if (roll !== this.#rolls) this.ctx.log?.(`recorder: a later roll or stop overtook ${phase} ${target.label}`);
    this.#setState({ phase, cueId: target.cueId, passId: target.passId, take: take?.record ?? null, flushedFrames: 0, range, loop: !request.record && request.loop === true, compare: null });
    this.ctx.log?.(`recorder: ${phase} ${target.label} ${range.start}..${range.end}${take ? ` take ${take.record.number} → ${take.record.path}` : ''}`);
    return { phase, cueId: target.cueId, passId: target.passId, range, beeps, take: take?.record ?? null, warning };
  }

  /** Review: plays a take back at its place on the timeline, with guide and beeps per the playback switches. */
  async review(takeId: number, options: PlayOptions = {}): Promise<RollStarted> {
    const take = await this.#playableTake(takeId);
    return this.#playTakes([take], null, options);
  }

  /**
   * A/B compare: plays two takes of one cue (or pass) against picture, each at its own place,
   * with one heard at a time; `listen` switches between them while they roll.
   */
  async compare(aTakeId: number, bTakeId: number, options: PlayOptions & { listen?: 'a' | 'b' } = {}): Promise<RollStarted> {
    if (aTakeId === bTakeId) throw new LoopstageError('TAKE_COMPARE_SAME', 'Choose two different takes to compare (A and B).', { takeId: aTakeId });
    const a = await this.#playableTake(aTakeId);
    const b = await this.#playableTake(bTakeId);
    if (a.cueId !== b.cueId || a.passId !== b.passId) {
      throw new LoopstageError('TAKE_COMPARE_MISMATCH', `Takes ${a.number} and ${b.number} belong to different cues or passes; compare two takes of the same one.`, { a: aTakeId, b: bTakeId });
    }
    const listen = options.listen ?? 'a';
    return this.#playTakes([a, b], { a: a.id, b: b.id, listen }, options);
  }

  /** Switches which compared take is heard (from the next audio buffer, the roll going on). */
  async listen(which: 'a' | 'b'): Promise<RecorderState> {
    const compare = this.#state.compare;
    if (!compare || this.#state.phase !== 'playback') throw new LoopstageError('COMPARE_NOT_PLAYING', 'No A/B comparison is playing; start one (Compare) first.');
    const roll = this.#rolls;
    await this.ctx.audio.listen(which === 'a' ? 0 : 1);
    // Only the comparison that was asked about: one stopped or replaced meanwhile stays as it is.
    if (roll === this.#rolls && this.#state.compare === compare) this.#setState({ ...this.#state, compare: { ...compare, listen: which } });
    return this.#state;
  }

  async #playableTake(takeId: number): Promise<TakeRecord> {
    const take = await this.ctx.project().handle.takes.get(takeId);
    if (!take) throw new LoopstageError('TAKE_NOT_FOUND', 'That take is not in this project.', { takeId });
    if (take.length === 0) throw new LoopstageError('TAKE_EMPTY', `Take ${take.number} holds no audio, so there is nothing to play.`, { takeId });
    return take;
  }

  async #playTakes(takes: readonly TakeRecord[], compare: TakeComparison | null, options: PlayOptions): Promise<RollStarted> {
    const stream = this.ctx.stream();
    if (!stream.running) throw new LoopstageError('AUDIO_NOT_RUNNING', 'Playing a take needs a running audio interface (or the software clock).');
    if (this.#active) throw new LoopstageError('RECORD_BUSY', 'A take is still being recorded; stop it first.');
    const { info } = this.ctx.project();
    const first = takes[0]!;
    // Takes play inside their cue's (or pass's) roll, beeps and all.
    const { range: cueRange, beeps, settings } = await this.#plan(await this.#target(first.passId !== null ? { passId: first.passId } : { cueId: first.cueId ?? undefined }));
    const range: RollRange = {
      start: position(Math.min(cueRange.start, ...takes.map((t) => t.start))),
      end: position(Math.max(cueRange.end, ...takes.map((t) => t.start + t.length))),
    };
    const roll = ++this.#rolls;
    await this.ctx.transport({ kind: 'stop' });
    const placed: PlacedFileSpec[] = takes.map((take) => ({ path: joinPath(info.dir, take.path), start: take.start, gain: 1 }));
    await this.ctx.audio.loadProgram({ ...(await this.#program('playback', range, beeps, settings, placed)), listen: compare?.listen === 'b' ? 1 : 0 });
    await this.ctx.settled();
    if (roll !== this.#rolls) throw rollStopped();
    await this.ctx.transport({ kind: 'locate', position: range.start });
    await this.ctx.transport({ kind: 'play', until: range.end });
    if (roll !== this.#rolls) this.ctx.log?.(`recorder: a later roll or stop overtook the playback of take ${first.number}`);
    this.#setState({ phase: 'playback', cueId: first.cueId, passId: first.passId, take: null, flushedFrames: 0, range, loop: options.loop === true, compare });
    return { phase: 'playback', cueId: first.cueId, passId: first.passId, range, beeps, take: first, warning: null };
  }

  /**
   * Stops the transport; a take being recorded ends where the audio stopped and is filed. Resolves
   * with the filed take, if there was one.
   */
  async stop(): Promise<TakeRecord | null> {
    const active = this.#active;
    this.#rolls++; // a loop waiting to start over stands down
    this.#state = { ...this.#state, loop: false };
    await this.ctx.transport({ kind: 'stop' }).catch((error: unknown) => {
      if (!active) throw error;
    });
    if (!active) {
      this.#setState({ ...this.#state, phase: 'idle', take: null, compare: null });
      return null;
    }
    // The take ends by itself once the last sound played before the stop has come back in (the
    // round trip); if the stream is gone or silent, end it here.
    const ended = await Promise.race([active.done, this.ctx.delay(2000).then(() => null)]);
    if (ended) return ended;
    await this.ctx.audio.stopTake('the transport stopped').catch(() => null);
    return active.done;
  }

  /** Resolves when the current take is filed (or at once when none is being recorded). */
  async takeFiled(): Promise<TakeRecord | null> {
    return this.#active ? this.#active.done : null;
  }

  /** The transport stopped by itself at the end of a roll. */
  transportChanged(snapshot: TransportSnapshot): void {
    if (snapshot.state !== 'stopped' || this.#active || this.#state.phase === 'idle') return;
    const range = this.#state.range;
    // A looped roll that ran to its end by itself starts over; one that stopped short ends (hand
    // stops and locates come through interrupted(), stop() ends its own).
    if (this.#state.loop && range && snapshot.position >= range.end) {
      void this.#startOver(range, this.#rolls);
      return;
    }
    this.#setState({ ...this.#state, phase: 'idle', compare: null, loop: false });
  }

  /**
   * The transport was taken from the roll — the stream failed under it, or someone stopped or
   * located by hand: a rehearsal, review or comparison is over (and does not loop on). A take
   * being recorded is ended by the audio host's own events, or stopped through stop().
   */
  interrupted(): void {
    this.#rolls++;
    if (this.#active || this.#state.phase === 'idle') return;
    this.#setState({ ...this.#state, phase: 'idle', compare: null, loop: false });
  }

  async #startOver(range: RollRange, roll: number): Promise<void> {
    try {
      await this.ctx.transport({ kind: 'locate', position: range.start });
      if (roll !== this.#rolls) return; // stopped or rolled anew meanwhile
      await this.ctx.transport({ kind: 'play', until: range.end });
    } catch (error) {
      this.ctx.log?.(`recorder: the loop could not start over (${error instanceof Error ? error.message : String(error)})`);
      if (roll === this.#rolls) this.#setState({ ...this.#state, phase: 'idle', compare: null, loop: false });
    }
  }

  async #program(phase: Exclude<RollPhase, 'idle'>, range: RollRange, beeps: readonly Beep[], settings: RecordingSettings, takes: readonly PlacedFileSpec[], monitor?: RollRequest['monitor']): Promise<OutputProgramSpec> {
    const { handle, info } = this.ctx.project();
    const guides = (await handle.takes.listGuides()).filter((g) => g.enabled && overlaps(g, range));
    const switches = { ...settings.monitor[phase], ...monitor };
    const gain = 10 ** (settings.guideGainDb / 20);
    return {
      phase,
      monitor: switches,
      beeps,
      beepSettings: settings.beeps,
      guides: guides.map((g) => ({ path: joinPath(info.dir, g.path), start: g.start, gain })),
      takes,
      inputMonitor: settings.inputChannels,
      from: range.start,
    };
  }

  #latency(stream: StreamFacts, settings: RecordingSettings): { value: number; source: LatencySource; warning: string | null } {
    const measured = stream.latency;
    if (measured?.current) return { value: measured.roundTrip + settings.manualOffset, source: 'measured', warning: null };
    if (measured) {
      return {
        value: measured.roundTrip + settings.manualOffset,
        source: 'stored',
        warning: 'The round trip was measured on an earlier opening of the stream, so this take may be placed a few samples off; calibrate before the next take.',
      };
    }
    return {
      value: settings.manualOffset,
      source: 'none',
      warning: 'No round trip has been measured for these devices, so this take is placed without latency compensation; calibrate (output patched to input) before recording.',
    };
  }

  async #arm(target: RollTarget, range: RollRange, settings: RecordingSettings, stream: StreamFacts, latency: { value: number; source: LatencySource }): Promise<ActiveTake> {
    const { handle, info } = this.ctx.project();
    const now = this.ctx.now();
    const number = target.passId !== null ? await handle.takes.nextPassNumber(target.passId) : await handle.takes.nextNumber(target.cueId!);
    const folder = joinPath(info.dir, TAKES_FOLDER);
    await this.ctx.files.ensureFolder(folder);
    const wanted = takeFileName(settings.takeTemplate, { cue: target.label, character: target.character, take: number, scene: target.scene, project: info.title, date: now });
    // Never over a file on disk, nor a name a take row already holds (its file may be on another disk).
    const used = new Set([
      ...(await this.ctx.files.list(folder)).map((name) => name.toLowerCase()),
      ...(await handle.takes.list()).map((t) => t.path.slice(TAKES_FOLDER.length + 1).toLowerCase()),
    ]);
    const fileName = nextFreeName(wanted, (name) => used.has(name.toLowerCase()));
    return this.#begin(target, range, settings, stream, latency, number, fileName, now);
  }

  async #begin(target: RollTarget, range: RollRange, settings: RecordingSettings, stream: StreamFacts, latency: { value: number; source: LatencySource }, number: number, fileName: string, now: Date): Promise<ActiveTake> {
    const { handle, info } = this.ctx.project();
    const relative = `${TAKES_FOLDER}/${fileName}`;
    const channelNames = settings.inputChannels.map((c) => channelName(settings, c));
    const format = formatOf(settings.encoding);
    const record = await handle.takes.begin({
      cueId: target.cueId,
      passId: target.passId,
      number,
      path: relative,
      channels: settings.inputChannels.length,
      channelNames,
      inputChannels: settings.inputChannels,
      sampleRate: info.sampleRate,
      bitsPerSample: format.bitsPerSample,
      float: format.float,
      start: range.start,
      latency: latency.value,
      latencySource: latency.source,
      inputDevice: stream.input,
      outputDevice: stream.output,
      createdAt: now.toISOString(),
    });
    const rate = parseFrameRate(info.frameRate);
    const tape = settings.tape || originationStamp(now).originationDate;
    const bext: BextFields = {
      description: bextDescription(target, number),
      originator: APP_NAME,
      originatorReference: originatorReference(info, record.id, now),
      ...originationStamp(now),
      timeReference: range.start,
      codingHistory: codingHistoryLine({ sampleRate: info.sampleRate, channels: channelNames.length, bitsPerSample: format.bitsPerSample, float: format.float }, `${APP_NAME}; ${stream.input}`),
    };
    const ixml: TakeIxml = {
      project: info.title,
      scene: target.scene,
      take: number,
      tape,
      circled: false,
      alternate: false,
      noGood: false,
      falseStart: false,
      rating: null,
      note: '',
      frameRate: rate,
      sampleRate: info.sampleRate,
      bitsPerSample: format.bitsPerSample,
      timestamp: range.start,
      tracks: channelNames,
      cue: { number: target.label, character: target.character, line: target.line },
      fileName,
    };
    const absolutePath = joinPath(info.dir, relative);
    let takeId: number;
    try {
      ({ takeId } = await this.ctx.audio.armTake({
        path: absolutePath,
        encoding: settings.encoding,
        inputChannels: settings.inputChannels,
        sampleRate: info.sampleRate,
        bext,
        ixml,
        start: range.start,
        end: range.end,
        latency: latency.value,
      }));
    } catch (error) {
      const reason = isLoopstageError(error) ? error.message : String(error);
      const aborted = await handle.takes.finish(record.id, { status: 'aborted', length: 0, completedAt: this.ctx.now().toISOString(), problem: `The take could not start: ${reason}` });
      await logFiled(handle, this.ctx.now(), aborted, this.ctx.log);
      this.ctx.emitTakes(takesChanged(aborted));
      throw error;
    }
    let settle!: (take: TakeRecord) => void;
    let fail!: (error: unknown) => void;
    const done = new Promise<TakeRecord>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    done.catch(() => undefined);
    const active: ActiveTake = { record, absolutePath, takeId, dropoutsBefore: stream.dropouts, done, settle, fail, flushedFrames: 0 };
    this.#active = active;
    this.ctx.emitTakes(takesChanged(record));
    const early = this.#early.get(takeId);
    if (early) {
      this.#early.delete(takeId);
      void this.#complete(active, early);
    }
    return active;
  }

  async #complete(active: ActiveTake, result: TakeCaptureResult): Promise<void> {
    if (this.#active !== active) return;
    this.#active = null;
    const { handle } = this.ctx.project();
    const dropouts = Math.max(0, this.ctx.stream().dropouts - active.dropoutsBefore);
    const problems = [
      result.cut ? `Cut short: ${result.cut}.` : null,
      dropouts > 0 ? `The interface reported ${dropouts} dropout${dropouts === 1 ? '' : 's'} (an underflow or overflow) during the take, so its sync after ${dropouts === 1 ? 'it' : 'them'} may have slipped; record it again if sync matters.` : null, result.padded > 0 ? `The roll began inside the take, so its first ${result.padded} samples are silence.` : null, result.error?.message ?? null].filter(Boolean);
    try {
      const take = await handle.takes.finish(active.record.id, {
        status: result.frames === 0 ? 'aborted' : 'complete',
        length: result.frames,
        completedAt: this.ctx.now().toISOString(),
        problem: problems.length > 0 ? problems.join(' ') : null,
        dropouts,
      });
      const covered = await linkPassCoverage(handle, take);
      this.ctx.log?.(`recorder: take ${take.number} of ${take.passId !== null ? `pass ${take.passId} (covering ${covered.length} events)` : `cue ${take.cueId}`} filed: ${take.length} frames at ${take.start} (${take.status})`);
      await logFiled(handle, this.ctx.now(), take, this.ctx.log);
      this.#setState({ ...this.#state, phase: 'idle', take: null, flushedFrames: take.length });
      this.ctx.emitTakes(takesChanged(take));
      active.settle(take);
    } catch (error) {
      this.#setState({ ...this.#state, phase: 'idle', take: null });
      active.fail(error);
    }
  }

  async #recoverActive(active: ActiveTake, why: string): Promise<void> {
    if (this.#active !== active) return;
    this.#active = null;
    try {
      const take = await recoverTake(this.ctx.project().handle, this.ctx.files, active.record, this.ctx.project().info.dir, this.ctx.now(), why);
      await linkPassCoverage(this.ctx.project().handle, take);
      await logFiled(this.ctx.project().handle, this.ctx.now(), take, this.ctx.log);
      this.#setState({ ...this.#state, phase: 'idle', take: null });
      this.ctx.emitTakes(takesChanged(take));
      active.settle(take);
    } catch (error) {
      active.fail(error);
    }
  }

  #setState(state: RecorderState): void {
    this.#state = state;
    this.ctx.emitRecorder(state);
  }
}

/** A project's recording settings; a stored value that no longer passes is logged and replaced by the defaults. */
export async function loadRecordingSettings(handle: ProjectHandle, log?: (line: string) => void): Promise<RecordingSettings> {
  const stored = await handle.getSetting<RecordingSettingsPatch>(RECORDING_SETTINGS_KEY);
  try {
    return resolveRecordingSettings(stored ?? {});
  } catch (error) {
    // Edited by hand, or an older version's rules: say so, run on defaults.
    log?.(`recording: stored settings refused (${isLoopstageError(error) ? error.message : String(error)}); using defaults`);
    return DEFAULT_RECORDING_SETTINGS;
  }
}

/**
 * Merges `patch` over the stored settings, checks the result (the beeps against the project's frame
 * rate too, so a spacing that is no whole number of frames is refused now, not at the next roll) and
 * stores it.
 */
export async function saveRecordingSettings(handle: ProjectHandle, info: ProjectInfo, patch: RecordingSettingsPatch, log?: (line: string) => void): Promise<RecordingSettings> {
  const next = resolveRecordingSettings(patch, await loadRecordingSettings(handle, log));
  resolveBeepSettings(next.beeps, parseFrameRate(info.frameRate));
  await handle.setSetting(RECORDING_SETTINGS_KEY, next);
  return next;
}

/**
 * Adds a guide track: the WAV/BWF is copied into the project's guide folder (so copying the folder
 * copies the project) and placed at `at`, else at its bext timestamp. `name` names it (and its
 * copy) instead of the file's own name.
 */
export async function addGuide(handle: ProjectHandle, info: ProjectInfo, files: TakeFiles, now: Date, file: string, at?: number, name?: string): Promise<GuideRecord> {
  const probe = await files.probe(file);
  const base = name ?? baseName(file);
  if (probe.sampleRate !== info.sampleRate) {
    throw new LoopstageError(
      'GUIDE_RATE_MISMATCH',
      `${base} is at ${probe.sampleRate} Hz and the project at ${info.sampleRate} Hz; convert it first (for example \`sox "${base}" -r ${info.sampleRate} guide.wav\`), then add it again.`,
      { fileRate: probe.sampleRate, projectRate: info.sampleRate },
    );
  }
  const start = at ?? probe.timeReference;
  if (start === null) {
    throw new LoopstageError('GUIDE_NO_PLACE', `${base} carries no timestamp (no bext chunk); give the timecode its first sample belongs at (\`--at 01:00:00:00\`).`, { path: file });
  }
  if (probe.frames === 0) throw new LoopstageError('GUIDE_EMPTY', `${base} holds no audio.`, { path: file });
  const folder = joinPath(info.dir, GUIDE_FOLDER);
  await files.ensureFolder(folder);
  const used = new Set((await files.list(folder)).map((n) => n.toLowerCase()));
  const stem = safeFileName(base.replace(/\.(wav|bwf|wave|rf64)$/i, ''), 'Guide');
  const fileName = nextFreeName(`${stem}.wav`, (name) => used.has(name.toLowerCase()));
  await files.copy(file, joinPath(folder, fileName));
  return handle.takes.addGuide({
    path: `${GUIDE_FOLDER}/${fileName}`,
    name: base,
    start,
    length: probe.frames,
    channels: probe.channels,
    sampleRate: probe.sampleRate,
    enabled: true,
    addedAt: now.toISOString(),
  });
}

/**
 * Repairs and files every take a crash left `recording`. Every way of opening a project runs it
 * before anything else, so the database and the takes folder always agree.
 */
export async function recoverTakes(handle: ProjectHandle, files: TakeFiles, dir: string, now: Date, log?: (line: string) => void): Promise<TakeRecord[]> {
  const recovered: TakeRecord[] = [];
  for (const take of await handle.takes.unfinished()) {
    const filed = await recoverTake(handle, files, take, dir, now, 'Recording was interrupted (the program stopped or the machine lost power)');
    await linkPassCoverage(handle, filed);
    log?.(`recorder: take ${take.path} ${filed.status}: ${filed.length} frames (${filed.problem ?? ''})`);
    await logFiled(handle, now, filed, log);
    recovered.push(filed);
  }
  return recovered;
}

/** Why recording is held on this stream, and what to do: RECORD_NOT_CALIBRATED. */
export function notCalibrated(stream: Pick<StreamFacts, 'latency'>): LoopstageError {
  // The engine's note says what happened since ("An output underflow shifted the output…"); a
  // stored round trip is from an earlier opening.
  const shifted = stream.latency?.note && /underflow/.test(stream.latency.note) ? stream.latency.note.replace(/;.*$/, '') : null;
  const why = stream.latency === null
    ? 'no round trip has been measured for these devices'
    : shifted
      ? `${shifted.charAt(0).toLowerCase()}${shifted.slice(1)}`
      : 'the round trip was measured on an earlier opening of the stream, and a reopened stream can differ';
  return new LoopstageError(
    'RECORD_NOT_CALIBRATED',
    `Recording is held because ${why}, so a take would not land in sync. Patch the output to the input and calibrate (Calibrate, or loopstage record --calibrate); to record without it on purpose, choose "Record uncalibrated" (--uncalibrated).`,
    { latency: stream.latency },
  );
}

/**
 * Links a pass take to the events of its pass that it covers (wholly inside what it recorded), so
 * they show as covered. Nothing for a cue's take or a take without audio.
 */
async function linkPassCoverage(handle: ProjectHandle, take: TakeRecord): Promise<readonly number[]> {
  if (take.passId === null || take.length === 0) return [];
  const pass = await handle.passes.get(take.passId);
  if (!pass || pass.eventIds.length === 0) return [];
  const wanted = new Set(pass.eventIds);
  const events = (await handle.cues.listCues()).filter((cue) => wanted.has(cue.id));
  const covered = coveredEvents(events, take.start, take.length);
  await handle.takes.coverEvents(take.id, covered);
  return covered;
}

/** The session log's entry for a take that was filed: recorded, recovered or aborted. */
async function logFiled(handle: ProjectHandle, now: Date, take: TakeRecord, log?: (line: string) => void): Promise<void> {
  const seconds = (take.length / take.sampleRate).toFixed(1);
  const text = take.status === 'complete' ? `recorded, ${seconds} s` : take.status === 'recovered' ? `recovered, ${seconds} s kept` : 'aborted';
  const action = take.status === 'complete' ? 'take.recorded' : `take.${take.status}`;
  // The take is filed whatever happens here: a log that cannot be written is reported, not fatal.
  await writeLog(handle, now, { ...takeNote(action, take, `${text}${take.problem ? `. ${take.problem}` : ''}`), who: take.status === 'complete' ? undefined : '' })
    .catch((error: unknown) => log?.(`session log: could not note take ${take.path} (${String(error)})`));
}

async function recoverTake(handle: ProjectHandle, files: TakeFiles, take: TakeRecord, dir: string, now: Date, why: string): Promise<TakeRecord> {
  try {
    const { frames, repaired } = await files.repair(joinPath(dir, take.path));
    return await handle.takes.finish(take.id, {
      status: frames > 0 ? 'recovered' : 'aborted',
      length: frames,
      completedAt: now.toISOString(),
      problem: frames > 0
        ? `${why}; the take was recovered with ${frames} samples${repaired ? ' (its header was repaired)' : ''}.`
        : `${why} before any audio reached the file.`,
    });
  } catch (error) {
    const reason = isLoopstageError(error) ? error.message : String(error);
    return handle.takes.finish(take.id, { status: 'aborted', length: 0, completedAt: now.toISOString(), problem: `${why}, and the take could not be recovered: ${reason}` });
  }
}

function formatOf(encoding: SampleEncoding): { bitsPerSample: 16 | 24 | 32; float: boolean } {
  return encoding === 'float32' ? { bitsPerSample: 32, float: true } : { bitsPerSample: encoding === 'pcm16' ? 16 : 24, float: false };
}

function overlaps(guide: GuideRecord, range: RollRange): boolean {
  return guide.start < range.end && guide.start + guide.length > range.start;
}

function bextDescription(target: RollTarget, take: number): string {
  const who = target.character && target.passId === null ? ` ${target.character}` : '';
  return `${target.label}${who} T${take}${target.line ? `: ${target.line}` : ''}`;
}

/**
 * The channels a take records: the track template of its kind of Foley when the project has one
 * (close mic + room for feet, say), else the project's recorded inputs.
 */
function channelsFor(settings: RecordingSettings, foleyPass: FoleyPass | null): RecordingSettings {
  const template = foleyPass ? settings.passTemplates[foleyPass] : undefined;
  if (!template) return settings;
  const channelNames = [...settings.channelNames];
  template.inputChannels.forEach((input, i) => {
    const name = template.names[i];
    if (name) channelNames[input] = name;
  });
  return { ...settings, inputChannels: template.inputChannels, channelNames };
}

/** At most 32 characters, unique per take: project folder initials, take row id, and the time. */
function originatorReference(info: ProjectInfo, id: number, now: Date): string {
  const stem = safeFileName(info.title, 'LS').replace(/[^A-Za-z0-9]/g, '').slice(0, 8).toUpperCase() || 'LS';
  const stamp = now.toISOString().replace(/[-:T.Z]/g, '').slice(0, 14);
  return `LS${stem}${stamp}${id}`.slice(0, 32);
}
