/** The port to the files takes and guide tracks live in (adapters/files). Paths are absolute. */

export interface AudioFileInfo {
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  readonly float: boolean;
  /** Frames of audio. */
  readonly frames: number;
  /** bext TimeReference (samples since midnight), or null when the file has none. */
  readonly timeReference: number | null;
}

export interface TakeFiles {
  exists(file: string): Promise<boolean>;
  /** Names of the files in a folder (empty when the folder does not exist). */
  list(folder: string): Promise<string[]>;
  /** Creates a folder (and its parents) if it is missing. */
  ensureFolder(folder: string): Promise<void>;
  /**
   * Makes a take left mid-recording playable: the header is made to describe every whole frame in
   * the file. TAKE_FILE_MISSING when the file is gone, TAKE_UNREADABLE when it has no WAV header.
   */
  repair(file: string): Promise<{ readonly frames: number; readonly repaired: boolean }>;
  /** Reads a WAV/BWF/RF64 header as playback will (PLACED_AUDIO_MISSING, _FORMAT or _READ with a sentence when it cannot). */
  probe(file: string): Promise<AudioFileInfo>;
  /** Copies a file to `to`, never over an existing file (TAKE_FILE_EXISTS), and syncs it. */
  copy(from: string, to: string): Promise<void>;
}
