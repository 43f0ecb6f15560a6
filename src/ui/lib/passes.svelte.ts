/**
 * Foley passes as the UI sees them: the project's passes (with the events their takes cover and
 * how many takes each has), the selected pass and its takes (listed per pass, kept live with
 * `takes.changed`), and the actions of a Foley session: make a pass, rehearse it, record a take of
 * it, stop, mark a take and play it against picture. Rolls go through the one recorder: arm and
 * calibration are the recorder's (RecorderState), with the same rules as for cues. Shared through
 * context (`setPasses` in the stage, `usePasses` in components); every failure lands in `error`.
 */
import { getContext, setContext, untrack } from 'svelte';
import type { ApiError, FoleyPassDto, Take, TakeMarksPatch } from '../../api/contract.js';
import type { RpcClient } from '../../api/rpc.js';
import type { Cue } from '../../core/cues/cue.js';
import { LoopstageError } from '../../core/errors.js';
import type { CueListState } from './cues.svelte.js';
import { engineCall, toUiError } from './engine-call.js';
import { coveredByPasses, passRequestOf, type PassDraft, type PassRequestParams } from './passes-model.js';
import { recordRefusal } from './recorder-model.js';
import { lastPlayableTake, phaseText, upsertTake } from './recorder-model.js';
import type { RecorderState, RollStarted } from './recorder.svelte.js';
import type { SessionState } from './session.svelte.js';

export class PassesState {
  readonly #session: SessionState;
  readonly #cues: CueListState;
  readonly #recorder: RecorderState;
  #client: RpcClient | null = null;
  #projectKey: string | null = null;
  /** A newly opened project returns to the pass selected when it was last open. */
  #placePending = false;
  #passesToken = 0;
  #takesToken = 0;

  /** The project's passes, by in point. */
  passes = $state.raw<readonly FoleyPassDto[]>([]);
  loaded = $state(false);
  selectedId = $state<number | null>(null);
  /** The pass whose takes `takes` holds, and the takes (in number order). */
  takesPassId = $state<number | null>(null);
  takes = $state.raw<readonly Take[]>([]);
  takesLoading = $state(false);
  /** The last roll started from here: its range and the engine's warning about it. */
  lastRoll = $state.raw<RollStarted | null>(null);
  /** The number of the pass take asked to play back, while it plays. */
  playingTake = $state<number | null>(null);
  /** The last failure of a pass action. */
  error = $state.raw<ApiError | null>(null);
  busy = $state(0);

  selected: FoleyPassDto | null = $derived(this.passes.find((pass) => pass.id === this.selectedId) ?? null);
  /** The selected pass's events as the cue list has them (an event deleted since is left out). */
  events: readonly Cue[] = $derived.by(() => (this.selected?.eventIds ?? []).map((id) => this.#cues.get(id)).filter((cue): cue is Cue => cue !== null));
  /** Every event a pass take with audio covers: the cue list marks them. */
  covered: ReadonlySet<number> = $derived(coveredByPasses(this.passes));
  /** Whether the recorder's roll is the selected pass's. */
  rollingSelected: boolean = $derived.by(() => this.#recorder.rolling && this.#recorder.state.passId !== null && this.#recorder.state.passId === this.selectedId);
  canRoll: boolean = $derived.by(() => this.selected !== null && this.#session.client !== null && !this.#recorder.recording);
  canRecord: boolean = $derived.by(() => this.canRoll && recordRefusal(this.#recorder) === null);
  /** The selected pass's last take with audio. */
  lastTake: Take | null = $derived(this.takesPassId === this.selectedId ? lastPlayableTake(this.takes) : null);
  /** What the recorder is doing, said from the selected pass's side. */
  phase: string = $derived.by(() => {
    const state = this.#recorder.state;
    if (state.phase === 'idle') return 'Idle';
    if (this.rollingSelected) return phaseText(state, state.phase === 'playback' ? this.playingTake : null);
    return `${phaseText(state)} (${state.passId !== null ? 'another pass' : 'a cue'})`;
  });

  constructor(session: SessionState, cues: CueListState, recorder: RecorderState) {
    this.#session = session;
    this.#cues = cues;
    this.#recorder = recorder;
  }

  /** Call once while a component initialises (the stage does): loads per project, follows take changes. */
  follow(): void {
    $effect(() => {
      const client = this.#session.client;
      const project = this.#session.project;
      this.#client = client;
      const key = client && project ? `${project.dir}\u0000${project.createdAt}` : null;
      untrack(() => {
        if (key !== this.#projectKey) {
          this.#projectKey = key;
          this.passes = [];
          this.loaded = false;
          this.selectedId = null;
          this.lastRoll = null;
          this.#placePending = key !== null;
        }
      });
      if (!client || key === null) return;
      untrack(() => void this.#loadPasses());
      const offs = [
        client.on('takes.changed', ({ passId, take }) => {
          if (passId === null) return;
          if (passId === this.takesPassId) this.takes = upsertTake(this.takes, take);
          // A take begun or filed changes the pass's take count and what it covers.
          void this.#loadPasses();
        }),
        client.on('cues.changed', (event) => {
          // A deleted event leaves its passes (an event a take covers cannot be deleted).
          if (event.removedCueIds.length > 0 || event.cuesStale) void this.#loadPasses();
        }),
      ];
      return () => offs.forEach((off) => off());
    });
    $effect(() => {
      const passId = this.selectedId;
      const client = this.#session.client;
      untrack(() => void this.#loadTakes(client ? passId : null));
    });
  }

  dismissError(): void {
    this.error = null;
  }

  /** Selects a pass (null: none) and keeps the choice with the project, as the cue's is kept. */
  select(passId: number | null): void {
    this.selectedId = passId;
    this.#placePending = false;
    this.#client?.call('session.setPlace', { passId }).catch(() => undefined); // the next choice saves again
  }

  /** Makes a pass from the form (over a scene, a reel or the Foley events the cue list shows) and selects it. */
  async createFrom(draft: PassDraft): Promise<boolean> {
    const planned = passRequestOf(draft, this.#cues.filtered);
    if (!planned.ok) {
      this.error = planned.error;
      return false;
    }
    return this.create(planned.request);
  }

  async create(request: PassRequestParams): Promise<boolean> {
    return this.#run(async (client) => {
      const created = await client.call('passes.create', request);
      this.passes = [...this.passes.filter((pass) => pass.id !== created.id), created].sort((a, b) => a.in - b.in || a.name.localeCompare(b.name));
      this.select(created.id);
    });
  }

  /** Rolls the selected pass with beeps and records nothing. */
  rehearse(): Promise<boolean> {
    return this.#roll(false);
  }

  /** Rolls the selected pass and records a take of it: only while armed and calibrated (or recording uncalibrated on purpose). */
  async record(): Promise<boolean> {
    const refusal = recordRefusal(this.#recorder);
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
      if (take && take.passId !== null && take.passId === this.takesPassId) this.takes = upsertTake(this.takes, take);
    });
  }

  /** Marks a pass take (circle, alternate, NG, false start, rating, note) in the project, its file's iXML and the log. */
  async mark(take: Pick<Take, 'id'>, marks: TakeMarksPatch): Promise<boolean> {
    return this.#run(async (client) => {
      const outcome = await client.call('takes.mark', { takeId: take.id, marks });
      for (const changed of [outcome.take, ...outcome.others]) {
        if (changed.passId !== null && changed.passId === this.takesPassId) this.takes = upsertTake(this.takes, changed);
      }
    });
  }

  /** Plays a pass take at its place on the timeline, against picture. */
  async play(take: Pick<Take, 'id' | 'number'>): Promise<boolean> {
    return this.#run(async (client) => {
      this.lastRoll = null;
      this.playingTake = take.number;
      this.lastRoll = await client.call('takes.play', { takeId: take.id });
    });
  }

  async #roll(record: boolean): Promise<boolean> {
    const pass = this.selected;
    if (!pass) {
      this.error = { code: 'PASS_NONE', message: 'Select a Foley pass in the list first (or make one), then rehearse or record it.' };
      return false;
    }
    return this.#run(async (client) => {
      this.lastRoll = null;
      this.playingTake = null;
      const uncalibrated = record && this.#recorder.uncalibrated && !this.#recorder.calibrated;
      const started = await client.call('recorder.roll', { passId: pass.id, record, ...(uncalibrated ? { uncalibrated: true } : {}) });
      this.lastRoll = started;
      if (started.take && started.passId === this.takesPassId) this.takes = upsertTake(this.takes, started.take);
    });
  }

  async #loadPasses(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    const token = ++this.#passesToken;
    const restore = this.#placePending;
    try {
      const [passes, place] = await Promise.all([client.call('passes.list', {}), restore ? client.call('session.place', {}) : null]);
      if (token !== this.#passesToken) return;
      this.passes = passes;
      this.loaded = true;
      if (place && this.#placePending) {
        this.#placePending = false;
        if (this.selectedId === null && passes.some((pass) => pass.id === place.passId)) this.selectedId = place.passId;
      }
      if (this.selectedId !== null && !passes.some((pass) => pass.id === this.selectedId)) this.selectedId = null;
    } catch {
      // No project yet, or it closed: the list stays empty until the next load.
    }
  }

  async #loadTakes(passId: number | null): Promise<void> {
    const token = ++this.#takesToken;
    this.takesPassId = passId;
    this.takes = [];
    const client = this.#client;
    if (passId === null || !client) {
      this.takesLoading = false;
      return;
    }
    this.takesLoading = true;
    // Takes that change while the list is on its way are kept by upsertTake when it lands.
    const seen: Take[] = [];
    const off = client.on('takes.changed', (event) => {
      if (event.passId === passId) seen.push(event.take);
    });
    try {
      const takes = await client.call('takes.list', { passId });
      if (token === this.#takesToken) this.takes = seen.reduce<Take[]>((list, take) => upsertTake(list, take), [...takes].sort((a, b) => a.number - b.number));
    } catch (error) {
      if (token === this.#takesToken) this.error = toUiError(error);
    } finally {
      off();
      if (token === this.#takesToken) this.takesLoading = false;
    }
  }

  async #run(work: (client: RpcClient) => Promise<void>): Promise<boolean> {
    this.error = null;
    return engineCall(this, this.#client, NOT_CONNECTED, (error) => (this.error = error), work);
  }
}

const NOT_CONNECTED: ApiError = {
  code: 'ENGINE_NOT_CONNECTED',
  message: 'Loopstage is not connected to its engine, so no Foley pass can be made or rolled. Wait a moment; if this stays, reload the page.',
};

const PASSES = Symbol('loopstage.passes');

export function setPasses(passes: PassesState): PassesState {
  return setContext(PASSES, passes);
}

export function usePasses(): PassesState {
  const passes = getContext<PassesState | undefined>(PASSES);
  if (!passes) throw new LoopstageError('UI_NO_PASSES', 'A Foley pass panel was shown outside the app; this is a bug in the UI.');
  return passes;
}
