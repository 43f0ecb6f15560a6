/**
 * The open project's cue list as the spotting view sees it: every cue (listed once per project,
 * then kept in step with `cues.changed` events, never refetched per edit), the lists that go with
 * them, undo/redo labels, the filter and the selection. Shared through context (`setCueList` in
 * the app, `useCueList` in components); every action goes through the typed client and every
 * failure lands in `error`.
 */
import { getContext, setContext, untrack } from 'svelte';
import type { ApiError, ImportPreviewDto, Params, Result } from '../../api/contract.js';
import type { RpcClient } from '../../api/rpc.js';
import type { Cue, CueKind } from '../../core/cues/cue.js';
import { LoopstageError } from '../../core/errors.js';
import {
  CueCollection,
  EMPTY_FILTER,
  EMPTY_HISTORY,
  EMPTY_LISTS,
  isEmptyFilter,
  moveSelection,
  selectionAfterRemoval,
  toCueFilter,
  type CueChangeEvent,
  type CueHistory,
  type CueLists,
  type CuePatch,
  type FilterForm,
} from './cue-model.js';
import { countUsage, type ListsSection, type ListUsage } from './project-lists.js';
import { engineCall, toUiError } from './engine-call.js';
import type { SessionState } from './session.svelte.js';

export type ExportFormat = Params<'cues.export'>['format'];
export type ExportedFile = Result<'cues.export'>;
export type CharacterPatch = Params<'characters.update'>['patch'];
export type ReelPatch = Params<'reels.update'>['patch'];
export type ReasonPatch = Params<'reasons.update'>['patch'];
export type NumberingScheme = Params<'cues.numbering'>;

/** A failed project lists action: the sentence, and the part of the panel it belongs to. */
export interface ListsError {
  section: ListsSection;
  error: ApiError;
}

export class CueListState {
  /** Bumped on every change to the collection (which is not itself reactive). */
  #version = $state(0);
  readonly #data = new CueCollection();
  readonly #session: SessionState;
  #client: RpcClient | null = null;
  /** Events that arrived while the list was loading, applied after it. */
  #queued: CueChangeEvent[] | null = null;
  #loadToken = 0;
  /** The project whose cues we hold (folder and creation time), or null. */
  #currentKey: string | null = null;

  /** Whether the cue list of the open project has been loaded. */
  loaded = $state(false);
  loading = $state(false);
  error = $state.raw<ApiError | null>(null);
  /** The last failure of a project lists action (characters, reason codes, numbering). */
  listsError = $state.raw<ListsError | null>(null);
  busy = $state(0);
  /** The label of the last change (ours or another window's), for the status line. */
  lastChange = $state<string | null>(null);
  filterForm = $state<FilterForm>({ ...EMPTY_FILTER });
  selectedId = $state<number | null>(null);
  lists = $state.raw<CueLists>(EMPTY_LISTS);
  history = $state.raw<CueHistory>(EMPTY_HISTORY);

  filter = $derived(toCueFilter(this.filterForm));
  /** The cues the filter lets through, in timeline order. */
  filtered: readonly Cue[] = $derived.by(() => {
    void this.#version;
    return this.#data.filter(this.filter);
  });
  /** Every cue of the project, whatever the filter, in timeline order. */
  all: readonly Cue[] = $derived.by(() => {
    void this.#version;
    return this.#data.filter({});
  });
  total: number = $derived.by(() => {
    void this.#version;
    return this.#data.size;
  });
  selected: Cue | null = $derived.by(() => {
    void this.#version;
    return this.selectedId === null ? null : (this.#data.get(this.selectedId) ?? null);
  });
  /** The selection's row in `filtered`, or -1 when nothing is selected or the filter hides it. */
  selectedIndex: number = $derived.by(() => {
    const id = this.selectedId;
    return id === null ? -1 : this.filtered.findIndex((cue) => cue.id === id);
  });
  /** The project's character, reel and scene names, sorted (imports and edits add to the lists). */
  characterNames: readonly string[] = $derived.by(() => names(this.lists.characters.map((c) => c.name)));
  reelNames: readonly string[] = $derived.by(() => names(this.lists.reels.map((r) => r.name)));
  sceneNames: readonly string[] = $derived.by(() => names(this.lists.scenes.map((s) => s.number)));
  /** How many cues use each character and each reason code. */
  usage: ListUsage = $derived.by(() => {
    void this.#version;
    return countUsage(this.#data.cues);
  });

  constructor(session: SessionState) {
    this.#session = session;
  }

  /**
   * Call once while a component initialises (the app does): follows the engine connection for
   * change events, and lists the cues whenever another project is opened.
   */
  follow(): void {
    $effect(() => {
      const client = this.#session.client;
      this.#client = client;
      if (!client) return;
      return client.on('cues.changed', (event) => this.#receive(event));
    });
    $effect(() => {
      const project = this.#session.project;
      const client = this.#session.client;
      const key = project && client ? `${project.dir}\u0000${project.createdAt}` : null;
      untrack(() => void this.#reload(key));
    });
  }

  /** The cue with this id, whether or not the filter shows it. */
  get(id: number): Cue | null {
    void this.#version;
    return this.#data.get(id) ?? null;
  }

  setFilter(change: Partial<FilterForm>): void {
    Object.assign(this.filterForm, change);
    // Keep the selection when the filter still shows it; otherwise the first row the filter shows.
    if (this.selectedIndex < 0) this.selectedId = this.filtered[0]?.id ?? null;
  }

  clearFilter(): void {
    this.setFilter({ ...EMPTY_FILTER });
  }

  select(id: number | null): void {
    this.selectedId = id;
    this.#keepPlace();
  }

  /** Moves the selection `delta` rows through the filtered list. */
  move(delta: number): void {
    this.selectedId = moveSelection(this.filtered, this.selectedId, delta);
    this.#keepPlace();
  }

  /**
   * Saves the cue the operator chose, so reopening the project returns to it (autosave; only choices
   * a person makes, not the first row a load or a filter falls back to).
   */
  #keepPlace(): void {
    const client = this.#client;
    const cueId = this.selectedId;
    if (!client || !this.loaded) return;
    client.call('session.setPlace', { cueId }).catch(() => undefined); // the next choice saves again
  }

  dismissError(): void {
    this.error = null;
  }

  /** The project lists failure that belongs to `section`, if any. */
  listsErrorIn(section: ListsSection): ApiError | null {
    return this.listsError?.section === section ? this.listsError.error : null;
  }

  dismissListsError(): void {
    this.listsError = null;
  }

  /** Saves what changed of one cue as one edit (one undo step). Nothing to change is a success. */
  async edit(id: number, patch: CuePatch): Promise<boolean> {
    if (Object.keys(patch).length === 0) return true;
    return this.#run(async (client) => {
      this.#receive(await client.call('cues.edit', { id, patch }));
    });
  }

  /** A new cue (numbered by the project's scheme unless given a number); it becomes the selection. */
  async create(fields: Params<'cues.create'>): Promise<boolean> {
    return this.#run(async (client) => {
      const event = await client.call('cues.create', fields);
      this.#receive(event);
      const created = event.cues[0];
      if (created) {
        // A new cue the filter would hide is shown by clearing the filter.
        if (!this.filtered.some((cue) => cue.id === created.id)) this.filterForm = { ...EMPTY_FILTER };
        this.selectedId = created.id;
      }
    });
  }

  /** Deletes the given cues (the selection by default); undo brings them back. */
  async remove(ids: readonly number[] = this.selectedId === null ? [] : [this.selectedId]): Promise<boolean> {
    if (ids.length === 0) return true;
    const next = selectionAfterRemoval(this.filtered, this.selectedId, ids);
    return this.#run(async (client) => {
      this.#receive(await client.call('cues.delete', { ids: [...ids] }));
      this.selectedId = next;
    });
  }

  async undo(): Promise<boolean> {
    return this.#run(async (client) => this.#afterHistory(await client.call('cues.undo', {})));
  }

  async redo(): Promise<boolean> {
    return this.#run(async (client) => this.#afterHistory(await client.call('cues.redo', {})));
  }

  /** Renumbers the cues the filter shows (all when unfiltered), in timeline order: one undo step. */
  async renumber(): Promise<boolean> {
    const filter = this.filter;
    return this.#run(async (client) => {
      this.#receive(await client.call('cues.renumber', isEmptyFilter(filter) ? {} : { filter }));
    });
  }

  /**
   * Changes a character's name, actor, prefix or colour: one undo step. A rename reaches the cues
   * (the event says so, and the list is fetched again).
   */
  async updateCharacter(id: number, patch: CharacterPatch): Promise<boolean> {
    if (Object.keys(patch).length === 0) return true;
    return this.#run(async (client) => {
      this.#receive(await client.call('characters.update', { id, patch }));
    }, 'characters');
  }

  async updateReel(id: number, patch: ReelPatch): Promise<boolean> {
    if (Object.keys(patch).length === 0) return true;
    return this.#run(async (client) => {
      this.#receive(await client.call('reels.update', { id, patch }));
    }, 'reels');
  }

  async addReason(code: string, label: string): Promise<boolean> {
    return this.#run(async (client) => {
      this.#receive(await client.call('reasons.add', { code, label }));
    }, 'reasons');
  }

  async updateReason(id: number, patch: ReasonPatch): Promise<boolean> {
    if (Object.keys(patch).length === 0) return true;
    return this.#run(async (client) => {
      this.#receive(await client.call('reasons.update', { id, patch }));
    }, 'reasons');
  }

  /** Removes a reason code; the cues that had it lose it, and undo gives it back to them. */
  async removeReason(id: number): Promise<boolean> {
    return this.#run(async (client) => {
      this.#receive(await client.call('reasons.remove', { id }));
    }, 'reasons');
  }

  /**
   * Saves the numbering templates new cues (and Renumber) use. Not an undo step, and the engine
   * answers with the scheme rather than a change event, so the lists we hold are updated here.
   */
  async setNumbering(scheme: NumberingScheme): Promise<boolean> {
    return this.#run(async (client) => {
      const saved = await client.call('cues.numbering', scheme);
      this.#data.setNumbering(saved);
      this.#published(`Numbering ADR ${saved.adr}, Foley ${saved.foley}`);
    }, 'numbering');
  }

  /** Reports a project lists problem found before anything was sent (e.g. an empty name). */
  reportListsError(section: ListsSection, error: ApiError): void {
    this.listsError = { section, error };
  }

  async previewImport(request: Params<'cues.importPreview'>): Promise<ImportPreviewDto | null> {
    let preview: ImportPreviewDto | null = null;
    await this.#run(async (client) => {
      preview = await client.call('cues.importPreview', request);
    });
    return preview;
  }

  async applyImport(previewId: string): Promise<boolean> {
    return this.#run(async (client) => {
      const event = await client.call('cues.importApply', { previewId });
      this.#receive(event);
      if (this.selectedId === null) this.selectedId = this.filtered[0]?.id ?? null;
    });
  }

  /** The filtered list (or talent sides for `sides`) as a file; null when it failed (see `error`). */
  async export(format: ExportFormat, sides?: string): Promise<ExportedFile | null> {
    const filter = this.filter;
    let file: ExportedFile | null = null;
    await this.#run(async (client) => {
      const params: Params<'cues.export'> = { format };
      if (!isEmptyFilter(filter)) params.filter = filter;
      if (sides) params.sides = sides;
      file = await client.call('cues.export', params);
    });
    return file;
  }

  /** The kind new cues get: the filter's, else ADR. */
  get newCueKind(): CueKind {
    return this.filterForm.kind || 'adr';
  }

  #afterHistory(event: CueChangeEvent | null): void {
    if (!event) return;
    this.#receive(event);
    // Show what was undone or redone: a single restored or changed cue becomes the selection.
    const [only] = event.cues;
    if (event.cues.length === 1 && only) {
      if (!this.filtered.some((cue) => cue.id === only.id)) this.filterForm = { ...EMPTY_FILTER };
      this.selectedId = only.id;
    } else if (this.selectedId !== null && event.removedCueIds.includes(this.selectedId)) {
      this.selectedId = this.filtered[0]?.id ?? null;
    }
  }

  #receive(event: CueChangeEvent): void {
    if (this.#queued) {
      this.#queued.push(event);
      return;
    }
    const outcome = this.#data.apply(event);
    if (outcome === 'stale') return;
    this.#published(event.label);
    // A missed event means our copy may be wrong: list again (rare; e.g. a dropped message).
    if (outcome === 'gap') void this.#reload(this.#currentKey, true);
  }

  #published(label: string | null): void {
    this.lists = this.#data.lists;
    this.history = this.#data.history;
    if (label !== null) this.lastChange = label;
    if (this.selectedId !== null && !this.#data.get(this.selectedId)) this.selectedId = null;
    this.#version++;
  }

  async #reload(key: string | null, force = false): Promise<void> {
    if (key === this.#currentKey && !force) return;
    const token = ++this.#loadToken;
    const reopened = key !== this.#currentKey;
    this.#currentKey = key;
    const client = this.#client;
    if (reopened) {
      this.#data.clear();
      this.selectedId = null;
      this.filterForm = { ...EMPTY_FILTER };
      this.lastChange = null;
      this.listsError = null;
      this.loaded = false;
      this.#published(null);
    }
    if (key === null || !client) {
      this.#queued = null;
      return;
    }
    this.#queued = [];
    this.loading = true;
    try {
      const result = await client.call('cues.list', {});
      if (token !== this.#loadToken) return;
      const queued = this.#queued ?? [];
      this.#queued = null;
      this.#data.load(result);
      for (const event of queued) this.#data.apply(event);
      this.loaded = true;
      this.#published(null);
      if (this.selectedId === null) {
        // Back where the session was, if that cue is still there; else the first row.
        const place = reopened ? await client.call('session.place', {}).catch(() => null) : null;
        if (token !== this.#loadToken) return;
        this.selectedId = place?.cueId != null && this.#data.get(place.cueId) ? place.cueId : (this.filtered[0]?.id ?? null);
      }
    } catch (error) {
      if (token !== this.#loadToken) return;
      this.#queued = null;
      this.error = toUiError(error);
    } finally {
      if (token === this.#loadToken) this.loading = false;
    }
  }

  /** Runs one action; its failure lands in `error`, or in `listsError` for a project lists section. */
  async #run(work: (client: RpcClient) => Promise<void>, section: ListsSection | null = null): Promise<boolean> {
    const fail = (error: ApiError): void => {
      if (section) this.listsError = { section, error };
      else this.error = error;
    };
    if (section) this.listsError = null;
    else this.error = null;
    return engineCall(
      this,
      this.#client,
      {
        code: 'ENGINE_NOT_CONNECTED',
        message: section
          ? 'Loopstage is not connected to its engine, so the project lists cannot change. Wait a moment; if this stays, reload the page.'
          : 'Loopstage is not connected to its engine, so the cue list cannot change. Wait a moment; if this stays, reload the page.',
      },
      fail,
      work,
    );
  }
}

/** Sorted, unique, non-empty names. */
function names(list: readonly string[]): string[] {
  return [...new Set(list.filter(Boolean))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' }));
}

const CUE_LIST = Symbol('loopstage.cueList');

export function setCueList(cues: CueListState): CueListState {
  return setContext(CUE_LIST, cues);
}

export function useCueList(): CueListState {
  const cues = getContext<CueListState | undefined>(CUE_LIST);
  if (!cues) throw new LoopstageError('UI_NO_CUE_LIST', 'A spotting panel was shown outside the app; this is a bug in the UI.');
  return cues;
}
