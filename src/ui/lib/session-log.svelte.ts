/**
 * The session log as the UI shows it: the newest entries (reloaded when takes change, as most
 * entries are about takes), who is running the session (stage and operator, named in every entry),
 * and the whole log as CSV.
 */
import { untrack } from 'svelte';
import type { ApiError, SessionLogEntryDto } from '../../api/contract.js';
import type { RpcClient } from '../../api/rpc.js';
import { downloadFile } from './download.js';
import { engineCall } from './engine-call.js';
import type { SessionState } from './session.svelte.js';

/** Entries shown; the CSV export has them all. */
const SHOWN = 200;

export class SessionLogState {
  readonly #session: SessionState;
  #client: RpcClient | null = null;
  #token = 0;
  entries = $state.raw<readonly SessionLogEntryDto[]>([]);
  stage = $state('');
  operator = $state('');
  error = $state.raw<ApiError | null>(null);
  busy = $state(0);

  constructor(session: SessionState) {
    this.#session = session;
  }

  /** Call once while a component initialises: loads per project and follows take changes. */
  follow(): void {
    $effect(() => {
      const client = this.#session.client;
      const project = this.#session.project;
      this.#client = client;
      if (!client || !project) {
        untrack(() => (this.entries = []));
        return;
      }
      untrack(() => void this.#load(true));
      return client.on('takes.changed', () => void this.#load(false));
    });
  }

  async #load(withIdentity: boolean): Promise<void> {
    const client = this.#client;
    if (!client) return;
    const token = ++this.#token;
    try {
      const entries = await client.call('log.list', { limit: SHOWN });
      if (token === this.#token) this.entries = entries;
      if (withIdentity) {
        const identity = await client.call('session.identity', {});
        this.stage = identity.stage;
        this.operator = identity.operator;
      }
    } catch {
      // No project yet, or it closed: the panel stays empty until the next load.
    }
  }

  refresh(): Promise<void> {
    return this.#load(false);
  }

  /** Saves who runs the session; every entry from now on names them. */
  async saveIdentity(): Promise<boolean> {
    return engineCall(this, this.#client, null, (error) => (this.error = error), async (client) => {
      const saved = await client.call('session.setIdentity', { stage: this.stage.trim(), operator: this.operator.trim() });
      this.stage = saved.stage;
      this.operator = saved.operator;
    });
  }

  /** Downloads the whole log as CSV. */
  async exportCsv(): Promise<boolean> {
    return engineCall(this, this.#client, null, (error) => (this.error = error), async (client) => {
      downloadFile(await client.call('log.export', {}));
    });
  }
}
