/**
 * The selects as an editor wants them: per cue, the circled take and its alternates with their
 * notes and ratings, and which cues have no circled take yet. Built from every take of the project
 * (kept live with `takes.changed`) and the cue list.
 */
import { untrack } from 'svelte';
import type { Take } from '../../api/contract.js';
import type { CueListState } from './cues.svelte.js';
import { upsertTake } from './recorder-model.js';
import { selectsOf, type CueSelects } from './selects-model.js';
import type { SessionState } from './session.svelte.js';

export class SelectsState {
  readonly #session: SessionState;
  readonly #cues: CueListState;
  takes = $state.raw<readonly Take[]>([]);
  /** Show only the cues that still have no circled take. */
  onlyUncircled = $state(false);
  rows: readonly CueSelects[] = $derived.by(() => {
    const all = selectsOf(this.#cues.all, this.takes);
    return this.onlyUncircled ? all.filter((row) => row.circled === null && row.cue.status !== 'omitted') : all;
  });

  constructor(session: SessionState, cues: CueListState) {
    this.#session = session;
    this.#cues = cues;
  }

  follow(): void {
    $effect(() => {
      const client = this.#session.client;
      const project = this.#session.project;
      if (!client || !project) {
        untrack(() => (this.takes = []));
        return;
      }
      untrack(() => {
        client.call('takes.list', {}).then((takes) => (this.takes = takes), () => undefined);
      });
      return client.on('takes.changed', ({ take }) => (this.takes = upsertTake(this.takes, take)));
    });
  }
}
