/**
 * The port to a project's cue database: cues, characters, reels, scenes, reason codes, and the
 * journal that makes every change undoable. Each `apply` is one transaction and one undo step.
 */
import type { Cue, CueFields } from '../../core/cues/cue.js';

export interface Character {
  readonly id: number;
  readonly name: string;
  readonly actor: string;
  readonly prefix: string;
  readonly colour: string;
}

export interface Reel {
  readonly id: number;
  readonly name: string;
  readonly number: number | null;
  readonly pictureVersion: string;
  /** Where the reel starts on the session timeline. */
  readonly offset: number;
}

export interface Scene {
  readonly id: number;
  readonly number: string;
  readonly description: string;
  readonly reel: string | null;
  readonly in: number;
  readonly out: number;
}

export interface ReasonCode {
  readonly id: number;
  readonly code: string;
  readonly label: string;
}

export type CharacterFields = Omit<Character, 'id'>;
export type SceneFields = Omit<Scene, 'id'>;
export type ReelFields = Omit<Reel, 'id'>;

/**
 * One change within an action. Cues name their character, reel and scene; a character or reel
 * named but not yet in the project is created within the same action (and undone with it).
 */
export type CueChange =
  | { readonly type: 'create-cue'; readonly fields: CueFields }
  | { readonly type: 'update-cue'; readonly id: number; readonly patch: Partial<CueFields> }
  | { readonly type: 'delete-cue'; readonly id: number }
  | { readonly type: 'create-character'; readonly fields: Partial<CharacterFields> & { name: string } }
  | { readonly type: 'update-character'; readonly id: number; readonly patch: Partial<CharacterFields> }
  | { readonly type: 'create-reel'; readonly fields: Partial<ReelFields> & { name: string } }
  | { readonly type: 'update-reel'; readonly id: number; readonly patch: Partial<ReelFields> }
  | { readonly type: 'create-scene'; readonly fields: Partial<SceneFields> & { number: string; in: number; out: number } }
  | { readonly type: 'update-scene'; readonly number: string; readonly patch: Partial<SceneFields> }
  | { readonly type: 'create-reason'; readonly fields: { code: string; label: string } }
  | { readonly type: 'update-reason'; readonly id: number; readonly patch: Partial<{ code: string; label: string }> }
  /** Cues that use the code lose it (journaled with the action, so undo gives it back). */
  | { readonly type: 'delete-reason'; readonly id: number };

/** What an action (or its undo/redo) changed, so views can update without reloading everything. */
export interface ChangeSet {
  readonly label: string;
  readonly cues: readonly Cue[];
  readonly removedCueIds: readonly number[];
  /** Characters, reels, scenes or reason codes changed too: reload those lists. */
  readonly listsChanged: boolean;
  /**
   * A rename (of a character, reel or reason code) reached cues not listed in `cues`: reload all
   * cues. Rare, and cheaper than journaling every cue a rename touches.
   */
  readonly cuesStale: boolean;
}

export interface History {
  /** The label of the action undo would reverse, if any. */
  readonly undo: string | null;
  readonly redo: string | null;
}

export interface CueStore {
  listCues(): Promise<Cue[]>;
  listCharacters(): Promise<Character[]>;
  listReels(): Promise<Reel[]>;
  listScenes(): Promise<Scene[]>;
  listReasonCodes(): Promise<ReasonCode[]>;
  /** Applies all changes in one transaction, journaled as one undo step named `label`. */
  apply(label: string, changes: readonly CueChange[], now: Date): Promise<ChangeSet>;
  undo(now: Date): Promise<ChangeSet | null>;
  redo(now: Date): Promise<ChangeSet | null>;
  history(): Promise<History>;
}
