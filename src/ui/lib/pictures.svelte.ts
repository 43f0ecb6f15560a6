/**
 * The project's pictures as the UI sees them: the list and which cue belongs to which picture, the
 * overlay and display settings, a picture being added (progress, cancel), and the sync logs the
 * player saves after each roll. Shared through context (`setPictures` / `usePictures`).
 */
import { getContext, setContext, untrack } from 'svelte';
import type { ApiError, Params, PictureList, PictureSettings, Result } from '../../api/contract.js';
import type { RpcClient } from '../../api/rpc.js';
import { engineCall } from './engine-call.js';
import type { SessionState } from './session.svelte.js';

export { pictureFor, pictureMediaUrl } from './picture-model.js';

export interface AddProgress {
  readonly file: string;
  readonly phase: 'probing' | 'proxy' | 'linking' | 'guide';
  readonly fraction: number;
}

export type Screen = 'operator' | 'talent';

const NOT_CONNECTED: ApiError = { code: 'ENGINE_UNREACHABLE', message: 'The engine is not connected; wait for it to reconnect, then try again.' };

export class PictureState {
  readonly #session: SessionState;
  #client: RpcClient | null = null;

  list = $state.raw<PictureList>({ pictures: [], cuePictures: [] });
  settings = $state.raw<PictureSettings | null>(null);
  adding = $state.raw<AddProgress | null>(null);
  /** What the last add said (proxy reasons, placement note), for the operator. */
  lastAdded = $state<string | null>(null);
  error = $state.raw<ApiError | null>(null);
  busy = $state(0);
  /** Bumped when a roll's sync log is saved, so the sync log view reloads. */
  savedLogs = $state(0);

  constructor(session: SessionState) {
    this.#session = session;
  }

  /** Call once while a component initialises: follows the connection and reloads per project. */
  follow(): void {
    $effect(() => {
      const client = this.#session.client;
      this.#client = client;
      if (!client) return;
      const offs = [
        client.on('pictures.changed', (list) => (this.list = list)),
        client.on('pictures.progress', (progress) => {
          if (this.adding) this.adding = progress; // our own add; others' adds show when they land
        }),
        client.on('pictures.settings', (settings) => (this.settings = settings)),
      ];
      return () => offs.forEach((off) => off());
    });
    $effect(() => {
      const project = this.#session.project;
      const client = this.#session.client;
      untrack(() => {
        if (!project || !client) {
          this.list = { pictures: [], cuePictures: [] };
          this.settings = null;
          return;
        }
        void this.#call(async (c) => {
          const [list, settings] = await Promise.all([c.call('pictures.list', {}), c.call('pictures.settings', {})]);
          this.list = list;
          this.settings = settings;
        });
      });
    });
  }

  dismissError(): void {
    this.error = null;
  }

  async add(params: Params<'pictures.add'>): Promise<boolean> {
    this.lastAdded = null;
    this.adding = { file: params.file, phase: 'probing', fraction: 0 };
    try {
      return await this.#call(async (c) => {
        const added = await c.call('pictures.add', params);
        const said = [`Added ${added.picture.name}${added.proxyWhy.length ? ` as a proxy, because ${added.proxyWhy.join('; ')}` : ''}.`];
        if (added.note) said.push(added.note);
        said.push(`${added.assignedCues} cue(s) now belong to it.`);
        this.lastAdded = said.join(' ');
      });
    } finally {
      this.adding = null;
    }
  }

  async cancel(): Promise<boolean> {
    return this.#call(async (c) => void (await c.call('pictures.cancel', {})));
  }

  async update(params: Params<'pictures.update'>): Promise<boolean> {
    return this.#call(async (c) => void (await c.call('pictures.update', params)));
  }

  async setCue(cueId: number, pictureId: number | null): Promise<boolean> {
    return this.#call(async (c) => {
      this.list = await c.call('pictures.setCue', { cueId, pictureId });
    });
  }

  async updateSettings(patch: Params<'pictures.updateSettings'>): Promise<boolean> {
    return this.#call(async (c) => {
      this.settings = await c.call('pictures.updateSettings', patch);
    });
  }

  /** Saves a roll's sync log; failures are reported but never interrupt the session. */
  async saveSyncLog(log: Params<'syncLogs.add'>): Promise<number | null> {
    let id: number | null = null;
    await this.#call(async (c) => {
      id = (await c.call('syncLogs.add', log)).id;
      this.savedLogs++;
    });
    return id;
  }

  /** The rolls played against picture, newest first (empty when the engine cannot say). */
  async syncLogs(limit = 50): Promise<Result<'syncLogs.list'>> {
    let logs: Result<'syncLogs.list'> = [];
    await this.#call(async (c) => {
      logs = await c.call('syncLogs.list', { limit });
    });
    return logs;
  }

  async syncLog(id: number): Promise<Result<'syncLogs.get'>> {
    let log: Result<'syncLogs.get'> = null;
    await this.#call(async (c) => {
      log = await c.call('syncLogs.get', { id });
    });
    return log;
  }

  #call(work: (client: RpcClient) => Promise<void>): Promise<boolean> {
    return engineCall(this, this.#client, NOT_CONNECTED, (error) => (this.error = error), work);
  }
}

const KEY = Symbol('pictures');

export function setPictures(state: PictureState): PictureState {
  return setContext(KEY, state);
}

export function usePictures(): PictureState {
  const state = getContext<PictureState | undefined>(KEY);
  if (!state) throw new Error('usePictures() needs setPictures() in an ancestor component.');
  return state;
}
