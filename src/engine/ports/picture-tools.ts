/**
 * The port to the tools that read and convert picture files (adapters/picture: ffprobe and ffmpeg).
 * Paths are absolute. Long jobs report progress and stop when their signal aborts, leaving nothing
 * behind at the target.
 */
import type { FrameRate } from '../../core/time/index.js';
import type { VideoFacts } from '../../core/picture/picture-format.js';

export interface ProxyJob {
  readonly source: string;
  /** Written under a temporary name and renamed into place only when complete. */
  readonly target: string;
  /** The constant rate the proxy is made at. */
  readonly rate: FrameRate;
  /** Frames expected, for progress. */
  readonly frames: number;
  readonly deinterlace: boolean;
  readonly maxWidth: number;
  readonly maxHeight: number;
  /** Frames between keyframes. */
  readonly keyframeInterval: number;
  /** Start timecode written into the proxy for other tools, or null. */
  readonly timecode: string | null;
}

export interface PictureTools {
  /**
   * Facts about a file's first video stream, with the keyframe gaps of its first `scanSeconds`.
   * PICTURE_FFMPEG_MISSING when ffprobe cannot be found, PICTURE_UNREADABLE or PICTURE_NO_VIDEO.
   */
  probe(file: string, scanSeconds: number): Promise<VideoFacts>;
  /** Makes a proxy; `progress` gets frames done. PICTURE_PROXY_CANCELLED when `signal` aborts. */
  makeProxy(job: ProxyJob, progress: (framesDone: number) => void, signal: AbortSignal): Promise<void>;
  /** Puts the original at `target` (a hard link where it can, else a copy); `progress` gets 0…1. */
  importOriginal(source: string, target: string, progress: (fraction: number) => void, signal: AbortSignal): Promise<void>;
  /**
   * Writes the file's first audio stream as a Broadcast WAV at `sampleRate` (24-bit) whose bext
   * TimeReference is `timeReference`, for use as a guide track.
   */
  extractAudio(source: string, target: string, sampleRate: number, timeReference: number): Promise<void>;
  /** Removes a file this port wrote (a temporary guide); missing files are fine. */
  remove(file: string): Promise<void>;
}
