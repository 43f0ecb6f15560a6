/**
 * The port to a project's Foley passes (migration 0005): a kind of Foley performed free-running
 * over a range, with the events it holds. Characters, scenes and reels are named as the cue list
 * names them.
 */
import type { FoleyPass } from '../../core/cues/cue.js';
import type { PassScope } from '../../core/recording/foley-passes.js';

export type PassStatus = 'todo' | 'in_progress' | 'done';

export interface FoleyPassRecord {
  readonly id: number;
  readonly name: string;
  readonly pass: FoleyPass;
  readonly character: string | null;
  readonly scope: PassScope;
  readonly scene: string | null;
  readonly reel: string | null;
  /** Timeline samples: the first sample of the pass and the first after it. */
  readonly in: number;
  readonly out: number;
  readonly status: PassStatus;
  readonly createdAt: string;
  /** The events the pass holds, by in point. */
  readonly eventIds: readonly number[];
}

export type NewFoleyPass = Omit<FoleyPassRecord, 'id' | 'status'>;

export interface PassStore {
  /** PASS_NAME_TAKEN when another pass has the name (ignoring case); PASS_VALUE_INVALID for impossible values. */
  create(pass: NewFoleyPass): Promise<FoleyPassRecord>;
  list(): Promise<FoleyPassRecord[]>;
  get(id: number): Promise<FoleyPassRecord | null>;
  /** PASS_NOT_FOUND. */
  setStatus(id: number, status: PassStatus): Promise<FoleyPassRecord>;
}
