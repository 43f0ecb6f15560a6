/**
 * Who is running the session, for the session log: the stage (the room, a project setting) and
 * the operator. The UI sets the operator's name; the command line uses the user running it.
 */
import type { ProjectHandle } from '../ports/project-store.js';
import type { Actor } from '../recording/take-marking.js';

export const SESSION_IDENTITY_KEY = 'session.identity';
const MAX_NAME = 100;

export interface SessionIdentity {
  readonly stage: string;
  readonly operator: string;
}

export const NO_IDENTITY: SessionIdentity = { stage: '', operator: '' };

/** A stored identity, with anything unusable in it read as empty (a hand-edited settings row). */
export async function loadIdentity(handle: ProjectHandle): Promise<SessionIdentity> {
  const stored = await handle.getSetting<Partial<SessionIdentity>>(SESSION_IDENTITY_KEY);
  const text = (value: unknown) => (typeof value === 'string' ? value.trim().slice(0, MAX_NAME) : '');
  return { stage: text(stored?.stage), operator: text(stored?.operator) };
}

/** The actor for a log entry: the project's stage, and `who` (or the stored operator). */
export async function loadActor(handle: ProjectHandle, who?: string): Promise<Actor> {
  const identity = await loadIdentity(handle);
  return { stage: identity.stage, who: (who ?? identity.operator).trim().slice(0, MAX_NAME) };
}
