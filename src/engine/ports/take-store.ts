/**
 * The port to a project's takes, guide tracks and per-cue roll settings (migration 0003).
 *
 * A take row is committed before its first sample is recorded (status `recording`) and completed
 * at stop; a row still `recording` when a project opens was cut short by a crash and is repaired
 * from its file (`recovered`) or, when no usable file exists, marked `aborted`. Rows are never
 * deleted: a take is what an actor gave, and the editor may want it back.
 */

import type { TakeMarkChange, TakeMarkState } from '../../core/recording/take-marks.js';

export type TakeStatus = 'recording' | 'complete' | 'recovered' | 'aborted';

/** How the latency subtracted from a take's placement was known. */
export type LatencySource = 'measured' | 'stored' | 'none';

/** A take's row; its marks (circled — at most one per cue or pass —, alternate, NG, false start, rating, note) are TakeMarkState's. */
export interface TakeRecord extends TakeMarkState {
  readonly id: number;
  /** The cue the take was recorded for (an ADR line or one Foley event), or null for a Foley pass take. */
  readonly cueId: number | null;
  /** The Foley pass the take was recorded across, or null. */
  readonly passId: number | null;
  /** Take number within its cue or pass, from 1; numbers are never reused, aborted takes keep theirs. */
  readonly number: number;
  /** Path relative to the project folder, with forward slashes (e.g. `takes/R101_ROBIN_T01.wav`). */
  readonly path: string;
  readonly channels: number;
  /** A name per channel, in file channel order (boom, lav, …). */
  readonly channelNames: readonly string[];
  /** The input channel (0-based, on the input device) each file channel was recorded from. */
  readonly inputChannels: readonly number[];
  readonly sampleRate: number;
  readonly bitsPerSample: 16 | 24 | 32;
  readonly float: boolean;
  /** Timeline sample of the take's first sample, after latency compensation (= bext TimeReference). */
  readonly start: number;
  /** Frames in the file (0 while recording). */
  readonly length: number;
  /** Samples subtracted from the stream position to place the take (round trip + manual offset). */
  readonly latency: number;
  readonly latencySource: LatencySource;
  /** Output underflows and input overflows reported during the take: sync after one may have slipped. */
  readonly dropouts: number;
  readonly inputDevice: string;
  readonly outputDevice: string;
  readonly status: TakeStatus;
  /** What went wrong (a take cut short or aborted), or what recovery found; null for a take without a story. */
  readonly problem: string | null;
  /** ISO 8601 UTC. */
  readonly createdAt: string;
  readonly completedAt: string | null;
}

export type NewTake = Omit<TakeRecord, 'id' | 'length' | 'dropouts' | 'status' | 'problem' | keyof TakeMarkState | 'completedAt'>;

export interface TakeCompletion {
  readonly status: Exclude<TakeStatus, 'recording'>;
  readonly length: number;
  readonly completedAt: string;
  readonly problem?: string | null;
  readonly dropouts?: number;
}

export type TakeMarks = TakeMarkChange;

/** A take's marks before and after a change. */
export interface MarkedTake {
  readonly before: TakeRecord;
  readonly after: TakeRecord;
}

/** What one mark changed: the take asked for, and the take of the same cue or pass it uncircled. */
export interface MarkOutcome {
  readonly take: MarkedTake;
  readonly others: readonly MarkedTake[];
}

/** A guide track: a WAV/BWF copied into the project, placed on the timeline. */
export interface GuideRecord {
  readonly id: number;
  /** Path relative to the project folder (`guide/…`). */
  readonly path: string;
  /** What the user calls it (the original file name by default). */
  readonly name: string;
  /** Timeline sample of the file's first sample. */
  readonly start: number;
  readonly length: number;
  readonly channels: number;
  readonly sampleRate: number;
  /** Played in rolls when the monitor matrix has guide on; a muted guide stays in the project. */
  readonly enabled: boolean;
  readonly addedAt: string;
}

export type NewGuide = Omit<GuideRecord, 'id'>;

/** Per-cue pre- and post-roll in milliseconds; null means the project's default. */
export interface CueRoll {
  readonly cueId: number;
  readonly preRollMs: number | null;
  readonly postRollMs: number | null;
}

export interface TakeStore {
  /** The next take number for a cue: one more than the highest ever used on it (1 for none). */
  nextNumber(cueId: number): Promise<number>;
  /** The next take number for a Foley pass, likewise. */
  nextPassNumber(passId: number): Promise<number>;
  /** Links a pass take to the events it covers (take_events); again is harmless. */
  coverEvents(takeId: number, cueIds: readonly number[]): Promise<void>;
  /** The events covered by a pass take that holds audio, each with its takes' ids. */
  coverage(): Promise<ReadonlyMap<number, readonly number[]>>;
  /** Inserts a take with status `recording`; TAKE_NUMBER_TAKEN if (cue, number) exists, TAKE_PATH_TAKEN if the path does. */
  begin(take: NewTake): Promise<TakeRecord>;
  /** Completes a take that is `recording`; TAKE_NOT_RECORDING otherwise. */
  finish(id: number, completion: TakeCompletion): Promise<TakeRecord>;
  /**
   * Marks what people say about a take (core/recording/take-marks.ts: the latest mark wins, one
   * circled take per cue or pass). One transaction: `beforeCommit` sees every take whose marks
   * change (the files are rewritten there) and, by throwing, leaves the database as it was.
   * TAKE_NOT_FOUND; TAKE_STILL_RECORDING (mark it once it stops); TAKE_NOT_USABLE to circle or
   * make an alternate of a take that holds no audio.
   */
  mark(id: number, marks: TakeMarks, beforeCommit?: (changes: readonly MarkedTake[]) => Promise<void>): Promise<MarkOutcome>;
  get(id: number): Promise<TakeRecord | null>;
  /** All takes (cue takes by cue, then pass takes by pass), or one cue's or pass's, by take number. */
  list(filter?: { readonly cueId?: number; readonly passId?: number }): Promise<TakeRecord[]>;
  /** Takes left `recording` (a crash cut them short). */
  unfinished(): Promise<TakeRecord[]>;

  addGuide(guide: NewGuide): Promise<GuideRecord>;
  listGuides(): Promise<GuideRecord[]>;
  updateGuide(id: number, patch: Partial<Pick<GuideRecord, 'name' | 'start' | 'enabled'>>): Promise<GuideRecord>;

  getRoll(cueId: number): Promise<CueRoll>;
  /** Sets a cue's rolls; both null removes the override. */
  setRoll(roll: CueRoll): Promise<CueRoll>;
}
