/**
 * The recorder as the UI sees it: the engine's recorder state (`recorder.changed`), the project's
 * recording settings, the selected cue's takes (listed per cue, kept live with `takes.changed`)
 * and roll override, the record-arm switch, the last roll's warning, and the input meters. Shared
 * through context (`setRecorder` in the app, `useRecorder` in components); every action goes
 * through the typed client and every failure lands in `error` (or `settingsError`, `rollError`).
 */
import { getContext, setContext, untrack } from 'svelte';
import type { ApiError, Params, RecorderState as RecorderStateDto, RecordingSettings, Result, Take, TakeMarksPatch } from '../../api/contract.js';
import type { RpcClient } from '../../api/rpc.js';
import type { Cue } from '../../core/cues/cue.js';
import { LoopstageError } from '../../core/errors.js';
import type { RecordingSettingsPatch } from '../../core/recording/settings.js';
import type { CueListState } from './cues.svelte.js';
import { nextCue, type AdvanceMode } from '../../core/cues/advance.js';
import { engineCall, toUiError } from './engine-call.js';
import { IDLE_RECORDER, MeterBoard, comparePair, markedLocally, recordRefusal, lastPlayableTake, phaseText, playable, plannedRoll, upsertTake, type CueRollMs } from './recorder-model.js';
import type { SessionState } from './session.svelte.js';

export type RollStarted = Result<'recorder.roll'>;

export class RecorderState {
  readonly #session: SessionState;
  readonly #cues: CueListState;
  #client: RpcClient | null = null;
  #takesToken = 0;
  #rollToken = 0;
  #settingsToken = 0;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping; savingIds is the reactive view
  readonly #saving = new Map<number, number>();

  /** What the engine's recorder is doing. */
  state = $state.raw<RecorderStateDto>(IDLE_RECORDER);
  /** The project's recording settings, once loaded. */
  settings = $state.raw<RecordingSettings | null>(null);
  /** Record-arm: Record only rolls a take while armed (a switch of this window, not the engine's). */
  armed = $state(false);
  /** The cue whose takes `takes` holds, and the takes (in number order). */
  takesCueId = $state<number | null>(null);
  takes = $state.raw<readonly Take[]>([]);
  takesLoading = $state(false);
  /** The selected cue's roll override (ms; null = the project's). */
  cueRoll = $state.raw<CueRollMs | null>(null);
  /** The last roll started from here: its range and the engine's warning about it. */
  lastRoll = $state.raw<RollStarted | null>(null);
  /** The number of the take asked to play back, while it plays. */
  playingTake = $state<number | null>(null);
  /** The last failure of a roll, stop or take action. */
  error = $state.raw<ApiError | null>(null);
  /** The last failure of saving the recording settings. */
  settingsError = $state.raw<ApiError | null>(null);
  /** The last failure of saving a cue's roll override. */
  rollError = $state.raw<ApiError | null>(null);
  busy = $state(0);

  /** The input meters (not reactive: the meters draw them once per animation frame). */
  readonly meters = new MeterBoard();

  /** The selected cue, which Rehearse and Record roll. */
  cue: Cue | null = $derived.by(() => this.#cues.selected);
  rolling: boolean = $derived(this.state.phase !== 'idle');
  recording: boolean = $derived(this.state.phase === 'record');
  phaseLabel: string = $derived(
    phaseText(this.state, this.state.phase === 'playback' ? this.playingTake : null, (id) => this.takes.find((t) => t.id === id)?.number ?? null),
  );
  /** Rehearsals (and reviews) start over at their end until stopped. */
  loop = $state(false);
  /** Takes picked in the take list to compare as A and B (null: the default pick, see comparePair). */
  pickA = $state<number | null>(null);
  pickB = $state<number | null>(null);
  /** What Compare would play now: the picked takes, else the circled one against the marked one. */
  comparison = $derived.by(() => comparePair(this.takesCueId === (this.cue?.id ?? null) ? this.takes : [], { a: this.pickA, b: this.pickB }, this.markTarget));
  comparing: boolean = $derived(this.state.phase === 'playback' && this.state.compare !== null);
  /** Whether a cue can be rolled now (a take being recorded must be stopped first). */
  canRoll: boolean = $derived.by(() => this.cue !== null && this.#session.client !== null && !this.recording);
  /** Whether the round trip holds on this opening of the stream (recording needs it, or `uncalibrated`). */
  calibrated: boolean = $derived.by(() => this.#session.audio?.latency?.current === true);
  /** The operator chose to record without a current calibration (this window only, never the default). */
  uncalibrated = $state(false);
  canRecord: boolean = $derived(this.canRoll && this.armed && (this.calibrated || this.uncalibrated));
  /** Why Record cannot roll a take now, in a sentence for the stage (null when it can). */
  recordHeldBecause: string | null = $derived.by(() => {
    const audio = this.#session.audio;
    if (this.recording) return null;
    if (!this.#session.client) return 'Record is held: Loopstage is not connected to its engine.';
    if (!audio || audio.state !== 'running') return 'Record is held: no audio interface is running. Choose one under Audio devices.';
    if (audio.clockSource !== 'audio-device') return 'Record is held: the software clock stands in for an interface and has no inputs. Choose your audio interface under Audio devices.';
    if (!this.calibrated && !this.uncalibrated) return 'Record is held: the round trip is not measured on this stream. Calibrate (output patched to input), or tick “Record uncalibrated”.';
    if (!this.cue) return 'Select a cue to record.';
    if (!this.armed) return 'Arm recording (Record-arm) to record a take.';
    return null;
  });
  /** Where the session goes after a circled take (the project's, kept as it changes). */
  advance = $state<AdvanceMode>('off');
  /** Takes whose marks are shown but not yet saved by the engine (file and database). */
  savingIds = $state.raw<readonly number[]>([]);
  /** The take the mark keys act on, when one was chosen in the take list (else the newest). */
  chosenTakeId = $state<number | null>(null);
  /**
   * The take marks apply to: the one chosen in the take list, else the newest take of the selected
   * cue — the one just recorded, so it can be circled and noted while the next one rolls.
   */
  markTarget: Take | null = $derived.by(() => {
    if (this.takesCueId !== (this.cue?.id ?? null)) return null;
    return this.takes.find((t) => t.id === this.chosenTakeId) ?? this.takes.findLast((t) => t.status !== 'recording') ?? null;
  });
  /** The take Review plays: the marked take when it has audio, else the selected cue's last one that has. */
  lastTake: Take | null = $derived.by(() => {
    if (this.takesCueId !== (this.cue?.id ?? null)) return null;
    const marked = this.markTarget;
    return marked && playable(marked) ? marked : lastPlayableTake(this.takes);
  });
  /** The range the selected cue will roll over (or is rolling over). */
  plannedRange = $derived.by(() => {
    const cue = this.cue;
    const settings = this.settings;
    if (!cue || !settings) return null;
    return plannedRoll(cue, settings, this.cueRoll, this.#session.rate, this.#session.project?.sampleRate ?? null);
  });

  constructor(session: SessionState, cues: CueListState) {
    this.#session = session;
    this.#cues = cues;
  }

  /**
   * Call once while a component initialises (the app does): follows the connection for recorder
   * events, loads the settings per project, and the takes and roll override per selected cue.
   */
  follow(): void {
    $effect(() => {
      const client = this.#session.client;
      this.#client = client;
      if (!client) {
        untrack(() => {
          this.state = IDLE_RECORDER;
          this.meters.reset();
        });
        return;
      }
      const offs = [
        client.on('recorder.changed', (state) => this.#applyState(state)),
        client.on('takes.changed', ({ cueId, take }) => {
          if (cueId !== null && cueId === this.takesCueId) this.takes = upsertTake(this.takes, take);
        }),
        client.on('meters', (reading) => this.meters.receive(reading)),
      ];
      untrack(() => {
        client.call('recorder.state', {}).then(
          (state) => this.#applyState(state),
          () => undefined, // no project yet: the recorder is idle, and says so when one opens
        );
      });
      return () => offs.forEach((off) => off());
    });
    $effect(() => {
      const project = this.#session.project;
      const client = this.#session.client;
      const key = project && client ? `${project.dir}\u0000${project.createdAt}` : null;
      untrack(() => void this.#loadSettings(key));
    });
    $effect(() => {
      const cueId = this.cue?.id ?? null;
      const client = this.#session.client;
      untrack(() => void this.#loadCue(client ? cueId : null));
    });
  }

  dismissError(): void {
    this.error = null;
  }

  dismissSettingsError(): void {
    this.settingsError = null;
  }

  dismissRollError(): void {
    this.rollError = null;
  }

  toggleArm(): void {
    this.armed = !this.armed;
  }

  /** Rolls the selected cue without recording. */
  async rehearse(): Promise<boolean> {
    return this.#roll(false);
  }

  /** Rolls the selected cue and records a take; only while armed. */
  async record(): Promise<boolean> {
    const refusal = recordRefusal(this);
    if (refusal) {
      this.error = refusal;
      return false;
    }
    return this.#roll(true);
  }

  /** Stops the roll; a take being recorded is filed. */
  async stop(): Promise<boolean> {
    return this.#run(async (client) => {
      const take = await client.call('recorder.stop', {});
      if (take && take.cueId !== null && take.cueId === this.takesCueId) this.takes = upsertTake(this.takes, take);
    });
  }

  /** Chooses the take the mark keys act on (null: the newest). */
  chooseTake(take: Pick<Take, 'id'> | null): void {
    this.chosenTakeId = take?.id ?? null;
  }

  /**
   * Marks a take (circle, alternate, NG, false start, rating, note): the project, the take file's
   * iXML and the session log, through the engine. The takes it uncircled are updated too.
   */
  async mark(take: Pick<Take, 'id'>, marks: TakeMarksPatch): Promise<boolean> {
    // The list shows the mark at once, by the same rules the engine applies; the engine's answer
    // (the file's iXML rewritten, the database committed) replaces it, and a refusal puts it back.
    const before = this.takes;
    const cueId = this.takesCueId;
    const target = before.find((t) => t.id === take.id);
    const shown = markedLocally(before, take.id, marks);
    this.takes = shown;
    // A circled take moves the session on, as the project's auto-advance says, while it is saved.
    const cue = this.cue;
    let advancedTo: number | null = null;
    if (marks.circled === true && target && !target.circled && cue && target.cueId === cue.id && !this.rolling) {
      const next = nextCue(this.#cues.filtered, cue, this.advance);
      if (next) {
        this.#cues.select(next.id);
        advancedTo = next.id;
      }
    }
    this.#savingMark(take.id, +1);
    const saved = await this.#run(async (client) => {
      const outcome = await client.call('takes.mark', { takeId: take.id, marks });
      for (const changed of [outcome.take, ...outcome.others]) {
        if (changed.cueId !== null && changed.cueId === this.takesCueId) this.takes = upsertTake(this.takes, changed);
      }
    });
    this.#savingMark(take.id, -1);
    if (!saved) {
      // Refused: back to the cue it was on (if the session moved on for it and nobody moved since),
      // and the marks shown for it put back — only where nothing newer has replaced them.
      if (advancedTo !== null && cue && this.#cues.selectedId === advancedTo) this.#cues.select(cue.id);
      else if (this.takesCueId === cueId) {
        for (let i = 0; i < shown.length; i++) {
          const optimistic = shown[i]!;
          if (optimistic === before[i]) continue;
          const current = this.takes.find((t) => t.id === optimistic.id);
          if (current === optimistic) this.takes = this.takes.map((t) => (t === optimistic ? before[i]! : t));
        }
      }
    }
    return saved;
  }

  /** Sets where the session goes after a circled take, and keeps it with the project. */
  async setAdvance(mode: AdvanceMode): Promise<boolean> {
    this.advance = mode;
    return this.#run(async (client) => {
      this.advance = (await client.call('session.setPlace', { advance: mode })).advance;
    });
  }

  /** Marks the selected cue done, or back to do (D). */
  async toggleDone(): Promise<boolean> {
    const cue = this.cue;
    if (!cue) return false;
    return this.#cues.edit(cue.id, { status: cue.status === 'done' ? 'todo' : 'done' });
  }

  /** Turns a flag on the mark target on or off (the keys C, A, X, F). */
  async toggleMark(flag: 'circled' | 'alternate' | 'noGood' | 'falseStart'): Promise<boolean> {
    const take = this.markTarget;
    if (!take) {
      this.error = { code: 'TAKE_NONE', message: 'There is no take of this cue to mark yet; record one first.' };
      return false;
    }
    return this.mark(take, { [flag]: !take[flag] });
  }

  /** Review: plays a take back at its place on the timeline, against picture (looped when `loop`). */
  async play(take: Pick<Take, 'id' | 'number'>): Promise<boolean> {
    return this.#run(async (client) => {
      this.lastRoll = null;
      this.playingTake = take.number;
      const loop = this.loop;
      const started = await client.call('takes.play', { takeId: take.id, loop });
      this.lastRoll = started;
      this.#applyState({ phase: started.phase, cueId: started.cueId, passId: started.passId, take: null, flushedFrames: 0, range: started.range, loop, compare: null }, take.number);
    });
  }

  /** Picks a take as A or B of the comparison (again: unpicks it). */
  pick(which: 'a' | 'b', take: Pick<Take, 'id'>): void {
    const other = which === 'a' ? 'pickB' : 'pickA';
    const own = which === 'a' ? 'pickA' : 'pickB';
    if (this[own] === take.id) {
      this[own] = null;
      return;
    }
    this[own] = take.id;
    if (this[other] === take.id) this[other] = null;
  }

  /** A/B compare: plays takes A and B against picture, A heard first; `switchListen` flips. */
  async compare(): Promise<boolean> {
    const pair = this.comparison;
    if (!pair) {
      this.error = { code: 'TAKE_COMPARE_NONE', message: 'Comparing needs two takes of this cue with audio; record another take first.' };
      return false;
    }
    return this.#run(async (client) => {
      this.lastRoll = null;
      this.playingTake = null;
      const loop = this.loop;
      const started = await client.call('takes.compare', { a: pair.a.id, b: pair.b.id, listen: 'a', loop });
      this.lastRoll = started;
      this.#applyState({ phase: started.phase, cueId: started.cueId, passId: started.passId, take: null, flushedFrames: 0, range: started.range, loop, compare: { a: pair.a.id, b: pair.b.id, listen: 'a' } });
    });
  }

  /** While comparing, hears the other take (the roll goes on). */
  async switchListen(): Promise<boolean> {
    const compare = this.state.compare;
    if (!compare || this.state.phase !== 'playback') {
      this.error = { code: 'COMPARE_NOT_PLAYING', message: 'No A/B comparison is playing; start one with Compare first.' };
      return false;
    }
    return this.#run(async (client) => {
      this.#applyState(await client.call('takes.listen', { take: compare.listen === 'a' ? 'b' : 'a' }));
    });
  }

  /** Saves what changed of the recording settings (nothing changed is a success). */
  async updateSettings(patch: RecordingSettingsPatch): Promise<boolean> {
    if (Object.keys(patch).length === 0) return true;
    this.settingsError = null;
    return engineCall(this, this.#client, notConnected('the recording settings cannot change'), (error) => (this.settingsError = error), async (client) => {
      this.settings = await client.call('recording.update', patch as Params<'recording.update'>);
    });
  }

  reportSettingsError(error: ApiError): void {
    this.settingsError = error;
  }

  /** Sets the selected cue's pre/post roll (ms; null = the project's). */
  async setCueRoll(roll: CueRollMs): Promise<boolean> {
    const cue = this.cue;
    if (!cue) return false;
    this.rollError = null;
    return engineCall(this, this.#client, notConnected('the cue roll cannot change'), (error) => (this.rollError = error), async (client) => {
      const saved = await client.call('cueRoll.set', { cueId: cue.id, preRollMs: roll.preRollMs, postRollMs: roll.postRollMs });
      if (saved.cueId === this.cue?.id) this.cueRoll = { preRollMs: saved.preRollMs, postRollMs: saved.postRollMs };
    });
  }

  reportRollError(error: ApiError): void {
    this.rollError = error;
  }

  async #roll(record: boolean): Promise<boolean> {
    const cue = this.cue;
    if (!cue) {
      this.error = { code: 'RECORD_NO_CUE', message: 'Select a cue in the cue list first, then rehearse or record it.' };
      return false;
    }
    // A new take makes the newest the marked one again (a row clicked earlier no longer holds).
    if (record) this.chosenTakeId = null;
    return this.#run(async (client) => {
      this.lastRoll = null;
      this.playingTake = null;
      const loop = !record && this.loop;
      const started = await client.call('recorder.roll', { cueId: cue.id, record, ...(loop ? { loop } : {}), ...(record && this.uncalibrated && !this.calibrated ? { uncalibrated: true } : {}) });
      this.lastRoll = started;
      if (started.take && started.cueId !== null && started.cueId === this.takesCueId) this.takes = upsertTake(this.takes, started.take);
      this.#applyState({ phase: started.phase, cueId: started.cueId, passId: started.passId, take: started.take, flushedFrames: 0, range: started.range, loop, compare: null });
    });
  }

  /** Counts marks in flight per take (two quick marks of one take overlap). */
  #savingMark(takeId: number, delta: 1 | -1): void {
    const count = (this.#saving.get(takeId) ?? 0) + delta;
    if (count > 0) this.#saving.set(takeId, count);
    else this.#saving.delete(takeId);
    this.savingIds = [...this.#saving.keys()];
  }

  #applyState(state: RecorderStateDto, playing: number | null = this.playingTake): void {
    this.state = state;
    this.playingTake = state.phase === 'playback' ? playing : null;
  }

  async #loadSettings(key: string | null): Promise<void> {
    const token = ++this.#settingsToken;
    this.settings = null;
    this.settingsError = null;
    this.lastRoll = null;
    this.meters.reset();
    const client = this.#client;
    if (key === null || !client) return;
    try {
      const [settings, place] = await Promise.all([client.call('recording.settings', {}), client.call('session.place', {})]);
      if (token === this.#settingsToken) {
        this.settings = settings;
        this.advance = place.advance;
      }
    } catch (error) {
      if (token === this.#settingsToken) this.settingsError = toUiError(error);
    }
  }

  async #loadCue(cueId: number | null): Promise<void> {
    const token = ++this.#takesToken;
    const rollToken = ++this.#rollToken;
    this.takesCueId = cueId;
    this.takes = [];
    this.chosenTakeId = null;
    this.pickA = null;
    this.pickB = null;
    this.cueRoll = null;
    this.rollError = null;
    const client = this.#client;
    if (cueId === null || !client) {
      this.takesLoading = false;
      return;
    }
    this.takesLoading = true;
    // Takes that change while the list is on its way are kept by upsertTake when it lands.
    const seen: Take[] = [];
    const off = client.on('takes.changed', (event) => {
      if (event.cueId === cueId) seen.push(event.take);
    });
    try {
      const [takes, roll] = await Promise.all([client.call('takes.list', { cueId }), client.call('cueRoll.get', { cueId })]);
      if (token === this.#takesToken) {
        this.takes = seen.reduce<Take[]>((list, take) => upsertTake(list, take), [...takes].sort((a, b) => a.number - b.number));
      }
      if (rollToken === this.#rollToken) this.cueRoll = { preRollMs: roll.preRollMs, postRollMs: roll.postRollMs };
    } catch (error) {
      if (token === this.#takesToken) this.error = toUiError(error);
    } finally {
      off();
      if (token === this.#takesToken) this.takesLoading = false;
    }
  }

  async #run(work: (client: RpcClient) => Promise<void>): Promise<boolean> {
    this.error = null;
    return engineCall(this, this.#client, notConnected('nothing can roll'), (error) => (this.error = error), work);
  }
}

function notConnected(what: string): ApiError {
  return { code: 'ENGINE_NOT_CONNECTED', message: `Loopstage is not connected to its engine, so ${what}. Wait a moment; if this stays, reload the page.` };
}

const RECORDER = Symbol('loopstage.recorder');

export function setRecorder(recorder: RecorderState): RecorderState {
  return setContext(RECORDER, recorder);
}

export function useRecorder(): RecorderState {
  const recorder = getContext<RecorderState | undefined>(RECORDER);
  if (!recorder) throw new LoopstageError('UI_NO_RECORDER', 'A recorder panel was shown outside the app; this is a bug in the UI.');
  return recorder;
}
