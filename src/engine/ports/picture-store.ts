/**
 * The port to a project's pictures, the picture each cue was spotted on, and the sync logs of rolls
 * played against picture (migration 0004).
 */

/** Where a picture's start on the timeline came from. */
export type PictureStartSource = 'timecode-track' | 'metadata' | 'typed' | 'project-start';

/** Why a picture is played from a proxy rather than as it is. */
export type ProxyReason = 'codec' | 'container' | 'pixel-format' | 'interlaced' | 'variable-frame-rate' | 'long-gop' | 'size';

export interface PictureRecord {
  readonly id: number;
  /** What the user calls it (the original file name by default). */
  readonly name: string;
  /** The file the player plays, relative to the project folder (`picture/…`). */
  readonly path: string;
  /** Where the original was when it was added (absolute). */
  readonly sourcePath: string;
  /** Timeline sample of the picture's first frame. */
  readonly start: number;
  /** The first timeline sample after its last frame. */
  readonly end: number;
  readonly startSource: PictureStartSource;
  /** A FrameRate id; always the project's. */
  readonly frameRate: string;
  /** Frames in the file. */
  readonly frames: number;
  readonly width: number;
  readonly height: number;
  /** Codec of the file played, and of the original. */
  readonly codec: string;
  readonly sourceCodec: string;
  /** Why a proxy was made; empty when the original plays as it is. */
  readonly proxyReasons: readonly ProxyReason[];
  readonly addedAt: string;
}

export type NewPicture = Omit<PictureRecord, 'id'>;

/** Per displayed frame: ms since the roll started, the frame the clock asked for, the frame shown. */
export type SyncLogEntry = readonly [ms: number, wanted: number, shown: number];

export interface SyncLogRecord {
  readonly id: number;
  readonly pictureId: number | null;
  readonly cueId: number | null;
  readonly startedAt: string;
  /** Which screen logged it: 'operator', 'talent', … */
  readonly screen: string;
  readonly frameRate: string;
  readonly displayOffsetMs: number;
  readonly frames: readonly SyncLogEntry[];
}

export type NewSyncLog = Omit<SyncLogRecord, 'id'>;

/** A sync log without its frames, for lists. */
export type SyncLogSummary = Omit<SyncLogRecord, 'frames'> & { readonly frameCount: number };

export interface PictureStore {
  /** Files a picture; PICTURE_PATH_TAKEN when its path is in use. */
  add(picture: NewPicture): Promise<PictureRecord>;
  list(): Promise<PictureRecord[]>;
  get(id: number): Promise<PictureRecord | null>;
  /** Renames or moves a picture on the timeline (a wrong or missing timecode). */
  update(id: number, patch: Partial<Pick<PictureRecord, 'name' | 'start' | 'end' | 'startSource'>>): Promise<PictureRecord>;

  /**
   * Gives every cue that has no picture yet the newest picture whose frames hold the cue's in
   * point. Returns how many cues it assigned.
   */
  assignCues(): Promise<number>;
  /** Sets (or, with null, clears) the picture a cue was spotted on. */
  setCuePicture(cueId: number, pictureId: number | null): Promise<void>;
  /** cue id → picture id, for every cue that has a picture. */
  cuePictures(): Promise<Map<number, number>>;

  addSyncLog(log: NewSyncLog): Promise<SyncLogSummary>;
  /** Newest first. */
  listSyncLogs(limit?: number): Promise<SyncLogSummary[]>;
  getSyncLog(id: number): Promise<SyncLogRecord | null>;
}
