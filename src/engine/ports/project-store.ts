import type { SessionLogStore } from './session-log.js';
import type { PassStore } from './pass-store.js';
import type { CueStore } from './cue-store.js';
import type { PictureStore } from './picture-store.js';
import type { TakeStore } from './take-store.js';

/**
 * The port through which the engine reaches a project's persistent state. A project is a folder
 * (see DESIGN §4); how it is stored is the adapter's business.
 */

/** The settings a user chooses when creating a project and may change later. */
export interface ProjectSettings {
  title: string;
  /** A FrameRate id from src/core/time, e.g. '23.976', '29.97df'. */
  frameRate: string;
  /** Session sample rate in Hz. */
  sampleRate: number;
  /** Timeline samples since midnight (at `sampleRate`) where the session starts. */
  start: number;
}

export interface ProjectInfo extends ProjectSettings {
  /** Absolute path of the project folder. */
  dir: string;
  /** The database schema version (the number of the newest migration applied). */
  schemaVersion: number;
  /** ISO 8601 instant at which the project was created. */
  createdAt: string;
}

export interface ProjectStore {
  /** Makes a new project in `dir`; refuses (PROJECT_EXISTS) if the folder already holds one. */
  create(dir: string, settings: ProjectSettings, now: Date): Promise<ProjectHandle>;
  /** Opens an existing project, upgrading an older schema; refuses newer or damaged ones untouched. */
  open(dir: string): Promise<ProjectHandle>;
}

export interface ProjectHandle {
  /** Absolute path of the project folder. */
  readonly dir: string;
  /** The project's cue database. */
  readonly cues: CueStore;
  /** The project's takes, guide tracks and per-cue rolls. */
  readonly takes: TakeStore;
  /** The project's pictures, the picture each cue was spotted on, and sync logs. */
  readonly pictures: PictureStore;
  /** The session log: every action with its time, stage and who. */
  readonly log: SessionLogStore;
  /** Foley passes and the events they hold. */
  readonly passes: PassStore;
  info(): Promise<ProjectInfo>;
  /** Validates the merged settings and stores them; returns the updated info. */
  updateSettings(patch: Partial<ProjectSettings>): Promise<ProjectInfo>;
  /** Reads a JSON value stored with `setSetting` (audio devices, UI choices…). */
  getSetting<T>(key: string): Promise<T | undefined>;
  /** Stores any JSON-serialisable value under `key`; `undefined` removes the key. */
  setSetting(key: string, value: unknown): Promise<void>;
  /** Closes the project; further calls fail with PROJECT_CLOSED. Calling it twice is harmless. */
  close(): Promise<void>;
}
