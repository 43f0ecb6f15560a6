/**
 * What a picture file is and whether Chromium can play it frame-accurately as it is. The facts come
 * from ffprobe (adapters/picture); the judgements here are pure, so every rule is tested without
 * media:
 *
 * - The picture must run at the project's rate: a 25 fps reel in a 24 fps session would drift a
 *   frame every second, and re-timing picture is the editor's job, not the recordist's.
 * - Its start is the timecode track's, else the container's timecode metadata, else typed, else the
 *   project's start (and the operator is told).
 * - A proxy is made when the player could not seek it to an exact frame quickly: a codec or
 *   container Chromium does not play, a pixel format it does not decode, interlaced or variable
 *   frame rate picture, a keyframe interval over a second, or more than HD.
 */
import { LoopstageError } from '../errors.js';
import { FRAME_RATES, frameToPosition, labelToFrames, position, positionToFrame, type FrameRate, type Position } from '../time/index.js';

export type TimecodeSource = 'timecode-track' | 'metadata';

/** What ffprobe says about a file's first video stream (and the container around it). */
export interface VideoFacts {
  /** ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm". */
  readonly container: string;
  /** ffprobe's codec_name, e.g. "h264", "prores", "vp9". */
  readonly codec: string;
  readonly profile: string | null;
  /** ffprobe's pix_fmt, e.g. "yuv420p", "yuv422p10le". */
  readonly pixelFormat: string | null;
  readonly width: number;
  readonly height: number;
  /** ffprobe's field_order: "progressive", "tt", "bb", "tb", "bt", or null when unknown. */
  readonly fieldOrder: string | null;
  /** r_frame_rate and avg_frame_rate as ffprobe writes them ("30000/1001"). */
  readonly frameRate: string | null;
  readonly averageFrameRate: string | null;
  /** nb_frames when the container knows it. */
  readonly frames: number | null;
  readonly durationSeconds: number | null;
  /** The start timecode the file carries ("00:59:50;00"), and where it was found. */
  readonly timecode: string | null;
  readonly timecodeSource: TimecodeSource | null;
  /** The longest gap between keyframes over the part scanned, in seconds (null when not scanned). */
  readonly longestKeyframeGapSeconds: number | null;
  /** The first audio stream, if any (a guide track can be taken from it). */
  readonly audio: { readonly sampleRate: number; readonly channels: number } | null;
}

export type ProxyReason = 'codec' | 'container' | 'pixel-format' | 'interlaced' | 'variable-frame-rate' | 'long-gop' | 'size';

/** A keyframe at least this often (seconds) seeks fast enough; longer GOPs get a proxy. */
export const LONG_GOP_SECONDS = 1;
/** The largest picture played as it is; larger pictures are proxied down to fit. */
export const PROXY_MAX_WIDTH = 1920;
export const PROXY_MAX_HEIGHT = 1080;

const PLAYABLE_PIXEL_FORMATS = new Set(['yuv420p', 'yuvj420p']);
const INTERLACED = new Set(['tt', 'bb', 'tb', 'bt']);

/** Whether Chromium plays this codec in this container (ffprobe's format_name). */
function playableIn(codec: string, container: string): { codec: boolean; container: boolean } {
  const formats = container.split(',');
  const mp4 = formats.includes('mp4') || formats.includes('mov');
  const webm = formats.includes('webm');
  if (codec === 'h264') return { codec: true, container: mp4 };
  if (codec === 'vp9' || codec === 'vp8') return { codec: true, container: webm || mp4 };
  return { codec: false, container: mp4 || webm };
}

/** "30000/1001" → [30000, 1001]; null for "0/0", junk or a zero denominator. */
export function parseRatio(text: string | null): readonly [number, number] | null {
  const match = text === null ? null : /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return null;
  const num = Number(match[1]);
  const den = Number(match[2]);
  return num > 0 && den > 0 ? [num, den] : null;
}

function sameRatio(a: readonly [number, number], b: readonly [number, number]): boolean {
  return Math.abs(a[0] * b[1] - b[0] * a[1]) <= 1e-4 * a[0] * b[1];
}

function fps(ratio: readonly [number, number]): string {
  return String(Math.round((ratio[0] / ratio[1]) * 1000) / 1000);
}

/**
 * The picture's rate, which must be the project's. The average rate is used when the nominal one is
 * missing (some containers) — a variable-rate file is proxied at the project's rate anyway.
 */
export function pictureFrameRate(facts: VideoFacts, project: FrameRate, name: string): FrameRate {
  const ratio = parseRatio(facts.frameRate) ?? parseRatio(facts.averageFrameRate);
  if (!ratio) {
    throw new LoopstageError('PICTURE_RATE_UNKNOWN', `${name} does not say its frame rate; make a constant-frame-rate copy at ${project.id} fps and add that.`, { name });
  }
  const projectRatio: readonly [number, number] = [project.num, project.den];
  // A variable-rate file's nominal rate can be a field rate or a timebase; its average is what plays.
  const average = parseRatio(facts.averageFrameRate);
  if (sameRatio(ratio, projectRatio) || (average && sameRatio(average, projectRatio))) return project;
  const named = Object.values(FRAME_RATES).find((r) => sameRatio(ratio, [r.num, r.den]));
  throw new LoopstageError(
    'PICTURE_RATE_MISMATCH',
    `${name} runs at ${named ? named.id.replace(/(n?df)$/, '') : fps(ratio)} fps and the project at ${project.id}; ask for picture at ${project.id} fps, or make a project at the picture's rate.`,
    { name, pictureRate: facts.frameRate, projectRate: project.id },
  );
}

/**
 * Frames in the picture: the container's count, else its duration at the rate. A variable-rate
 * file's count is of the frames it stores, not of the frames it lasts, so its duration is used.
 */
export function pictureFrameCount(facts: VideoFacts, rate: FrameRate, name: string): number {
  const counted = facts.frames !== null && facts.frames > 0 && !isVariableRate(facts) ? facts.frames : null;
  const timed = facts.durationSeconds !== null && facts.durationSeconds > 0 ? Math.round((facts.durationSeconds * rate.num) / rate.den) : null;
  const frames = counted ?? timed;
  if (frames === null || frames < 1) {
    throw new LoopstageError('PICTURE_EMPTY', `${name} holds no frames of picture that ffprobe can count; check that the file is complete.`, { name });
  }
  return frames;
}

export interface PictureStart {
  /** Timeline sample of the first frame. */
  readonly start: Position;
  /** The frame (since midnight) of the first frame. */
  readonly frame: number;
  readonly source: TimecodeSource | 'typed' | 'project-start';
  /** Why the file's own timecode was not used, when it was not. */
  readonly note: string | null;
}

/**
 * Where the picture's first frame sits on the timeline: at `typed` (a timecode label at the
 * project's rate) when given, else at the file's timecode, else at the project's start. A file
 * timecode written with the other drop-frame separator is read at the project's rate.
 */
export function pictureStart(facts: VideoFacts, rate: FrameRate, sampleRate: number, projectStart: number, typed?: string): PictureStart {
  const at = (frame: number, source: PictureStart['source'], note: string | null): PictureStart => ({
    start: frameToPosition(frame, rate, sampleRate),
    frame,
    source,
    note,
  });
  if (typed !== undefined) return at(labelToFrames(typed, rate), 'typed', null);
  const projectFrame = positionToFrame(position(projectStart), rate, sampleRate);
  if (facts.timecode === null || facts.timecodeSource === null) {
    return at(projectFrame, 'project-start', 'The file carries no timecode, so it was placed at the project start; give its start if that is wrong.');
  }
  const separator = rate.dropFrame ? ';' : ':';
  const label = facts.timecode.trim().replace(/[:;.](\d+)$/, `${separator}$1`);
  try {
    return at(labelToFrames(label, rate), facts.timecodeSource, null);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return at(projectFrame, 'project-start', `The file's timecode "${facts.timecode}" could not be read at ${rate.id} fps (${why}), so it was placed at the project start; give its start.`);
  }
}

/** Nominal and average rates differ (or one is unknown): frames are not evenly spaced. */
export function isVariableRate(facts: VideoFacts): boolean {
  const nominal = parseRatio(facts.frameRate);
  const average = parseRatio(facts.averageFrameRate);
  return !nominal || !average || !sameRatio(nominal, average);
}

/** Why the picture needs a proxy to play frame-accurately; empty when it plays as it is. */
export function proxyReasons(facts: VideoFacts): ProxyReason[] {
  const reasons: ProxyReason[] = [];
  const playable = playableIn(facts.codec, facts.container);
  if (!playable.codec) reasons.push('codec');
  else if (!playable.container) reasons.push('container');
  if (facts.pixelFormat === null || !PLAYABLE_PIXEL_FORMATS.has(facts.pixelFormat)) reasons.push('pixel-format');
  if (facts.fieldOrder !== null && INTERLACED.has(facts.fieldOrder)) reasons.push('interlaced');
  if (isVariableRate(facts)) reasons.push('variable-frame-rate');
  if (facts.longestKeyframeGapSeconds !== null && facts.longestKeyframeGapSeconds > LONG_GOP_SECONDS) reasons.push('long-gop');
  if (facts.width > PROXY_MAX_WIDTH || facts.height > PROXY_MAX_HEIGHT) reasons.push('size');
  return reasons;
}

/** A sentence per reason, for the operator. */
export function describeProxyReason(reason: ProxyReason, facts: VideoFacts): string {
  switch (reason) {
    case 'codec':
      return `the browser cannot decode ${facts.codec}`;
    case 'container':
      return `the browser cannot play ${facts.codec} from a ${facts.container.split(',')[0]} file`;
    case 'pixel-format':
      return `its pixels (${facts.pixelFormat ?? 'unknown'}) are not 8-bit 4:2:0`;
    case 'interlaced':
      return 'it is interlaced';
    case 'variable-frame-rate':
      return `its frame rate varies (${facts.frameRate ?? '?'} nominal, ${facts.averageFrameRate ?? '?'} average)`;
    case 'long-gop':
      return `a keyframe comes only every ${facts.longestKeyframeGapSeconds?.toFixed(1) ?? '?'} s, so locating is slow`;
    case 'size':
      return `it is ${facts.width}×${facts.height}, more than HD`;
  }
}

/** The proxy's keyframe interval: two keyframes a second, so a locate decodes at most half a second. */
export function proxyKeyframeInterval(rate: FrameRate): number {
  return Math.max(1, Math.round(rate.num / rate.den / 2));
}
