/**
 * Writing the session log from the engine's use-cases: every entry carries the time, the stage
 * and who (the stored operator unless the caller says who).
 */
import type { ProjectHandle } from '../ports/project-store.js';
import type { SessionLogEntry } from '../ports/session-log.js';
import type { TakeRecord } from '../ports/take-store.js';
import { loadActor } from './session-identity.js';

export interface LogNote {
  readonly action: string;
  readonly text: string;
  readonly cueId?: number | null;
  readonly passId?: number | null;
  readonly takeId?: number | null;
  readonly data?: Readonly<Record<string, unknown>>;
  /** Who did it; the stored operator when absent. */
  readonly who?: string;
}

export async function writeLog(handle: ProjectHandle, now: Date, note: LogNote): Promise<SessionLogEntry> {
  const actor = await loadActor(handle, note.who);
  return handle.log.add({
    at: now.toISOString(),
    ...actor,
    action: note.action,
    cueId: note.cueId ?? null,
    passId: note.passId ?? null,
    takeId: note.takeId ?? null,
    text: note.text,
    data: note.data ?? {},
  });
}

/** A note about a take, naming it by its file (which carries the cue, character and take number). */
export function takeNote(action: string, take: TakeRecord, text: string, data: Readonly<Record<string, unknown>> = {}): LogNote {
  const file = take.path.slice(take.path.lastIndexOf('/') + 1);
  return {
    action,
    cueId: take.cueId,
    passId: take.passId,
    takeId: take.id,
    text: `${file}: ${text}`,
    data: { path: take.path, status: take.status, length: take.length, start: take.start, dropouts: take.dropouts, ...data },
  };
}
