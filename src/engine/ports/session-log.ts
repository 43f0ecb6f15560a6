/**
 * The port to a project's session log (migration 0005): every action with its time, the stage
 * and who did it. Entries are only ever added; the log names cues and takes as they were called
 * at the time and keeps their ids, so it outlives what it mentions.
 */

export interface SessionLogEntry {
  readonly id: number;
  /** ISO 8601 UTC with milliseconds. */
  readonly at: string;
  /** The stage (room) the session ran on, as the project names it; '' when not set. */
  readonly stage: string;
  /** Who did it (the operator's name, or the user running the command line); '' when unknown. */
  readonly who: string;
  /** A stable name for what happened: `take.recorded`, `take.marked`, `cue.done`, … */
  readonly action: string;
  readonly cueId: number | null;
  readonly passId: number | null;
  readonly takeId: number | null;
  /** What a person reads: "R101 T03: circled, 4 stars". */
  readonly text: string;
  /** What a script reads. */
  readonly data: Readonly<Record<string, unknown>>;
}

export type NewSessionLogEntry = Omit<SessionLogEntry, 'id'>;

export interface SessionLogStore {
  /** Adds an entry; SESSION_LOG_INVALID when a field is out of range. */
  add(entry: NewSessionLogEntry): Promise<SessionLogEntry>;
  /** The newest `limit` entries before `beforeId` (all when absent), oldest first. */
  list(options?: { readonly limit?: number; readonly beforeId?: number }): Promise<SessionLogEntry[]>;
}
