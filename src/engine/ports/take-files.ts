import type { TakeMarkState } from '../../core/recording/take-marks.js';

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
  /**
   * Rewrites the marks (circled, alternate, NG, false start, rating, note) in a take's iXML, in
   * place and synced; the audio bytes are never touched. IXML_NO_ROOM when they do not fit the
   * chunk (the file is then unchanged), TAKE_NO_IXML for a file without one, TAKE_FILE_MISSING.
   */
  writeMarks(file: string, marks: TakeMarkState): Promise<void>;
  /** Copies a file to `to`, never over an existing file (TAKE_FILE_EXISTS), and syncs it. */
  copy(from: string, to: string): Promise<void>;
}
