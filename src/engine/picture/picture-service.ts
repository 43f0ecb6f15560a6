/**
 * Adding a picture to a project: probe it, check its rate against the project's, place it on the
 * timeline, make a proxy when Chromium could not play it frame-accurately (or link the original
 * in), check the result, file it, and give it the cues it holds. Optionally its sound becomes a
 * guide track placed at the picture's start.
 */
import { LoopstageError } from '../../core/errors.js';
import { baseName, joinPath } from '../../core/files/project-path.js';
import { safeFileName } from '../../core/files/safe-file-name.js';
import { nextFreeName } from '../../core/files/take-name.js';
import {
  PROXY_MAX_HEIGHT,
  PROXY_MAX_WIDTH,
  describeProxyReason,
  isVariableRate,
  pictureFrameCount,
  pictureFrameRate,
  pictureStart,
  proxyKeyframeInterval,
  proxyReasons,
  type VideoFacts,
} from '../../core/picture/picture-format.js';
import { framesToLabel, frameToPosition, parseFrameRate } from '../../core/time/index.js';
import type { PictureTools } from '../ports/picture-tools.js';
import type { PictureRecord } from '../ports/picture-store.js';
import type { ProjectHandle, ProjectInfo } from '../ports/project-store.js';
import type { GuideRecord } from '../ports/take-store.js';
import type { TakeFiles } from '../ports/take-files.js';
import { addGuide } from '../recording/record-service.js';

export const PICTURE_FOLDER = 'picture';
/** How much of a file the keyframe scan reads (seconds): enough to see a typical GOP several times. */
export const KEYFRAME_SCAN_SECONDS = 30;

export type PicturePhase = 'probing' | 'proxy' | 'linking' | 'guide';

export interface PictureProgress {
  readonly phase: PicturePhase;
  /** 0…1 within the phase. */
  readonly fraction: number;
}

export interface AddPictureOptions {
  /** A timecode label at the project's rate for the first frame, overriding the file's. */
  readonly start?: string;
  /** What to call it (default: the file name). */
  readonly name?: string;
  /** Also take the file's sound as a guide track placed at the picture's start. */
  readonly guide?: boolean;
  readonly progress?: (progress: PictureProgress) => void;
  readonly signal?: AbortSignal;
}

export interface AddedPicture {
  readonly picture: PictureRecord;
  /** Cues that had no picture and now have this one. */
  readonly assignedCues: number;
  /** Why a proxy was made, as sentences (empty when the original plays as it is). */
  readonly proxyWhy: readonly string[];
  /** What the operator should know about the placement (no timecode in the file…), or null. */
  readonly note: string | null;
  readonly guide: GuideRecord | null;
}

export async function addPicture(
  handle: ProjectHandle,
  info: ProjectInfo,
  tools: PictureTools,
  files: TakeFiles,
  now: Date,
  file: string,
  options: AddPictureOptions = {},
): Promise<AddedPicture> {
  const signal = options.signal ?? new AbortController().signal;
  const report = options.progress ?? (() => undefined);
  const base = baseName(file);
  report({ phase: 'probing', fraction: 0 });
  const facts = await tools.probe(file, KEYFRAME_SCAN_SECONDS);
  const rate = pictureFrameRate(facts, parseFrameRate(info.frameRate), base);
  let frames = pictureFrameCount(facts, rate, base);
  const placed = pictureStart(facts, rate, info.sampleRate, info.start, options.start);
  const reasons = proxyReasons(facts);
  if (options.guide && !facts.audio) {
    throw new LoopstageError('PICTURE_NO_AUDIO', `${base} has no sound to take a guide track from; add the picture without a guide, and the guide as a WAV.`, { path: file });
  }
  report({ phase: 'probing', fraction: 1 });
  if (signal.aborted) throw cancelled(base);

  const folder = joinPath(info.dir, PICTURE_FOLDER);
  await files.ensureFolder(folder);
  const used = new Set((await files.list(folder)).map((n) => n.toLowerCase()));
  const stem = safeFileName(base.replace(/\.[A-Za-z0-9]{1,5}$/, ''), 'Picture');
  const extension = reasons.length > 0 ? '.mp4' : (/\.[A-Za-z0-9]{1,5}$/.exec(base)?.[0].toLowerCase() ?? '.mp4');
  const fileName = nextFreeName(`${stem}${reasons.length > 0 ? '.proxy' : ''}${extension}`, (n) => used.has(n.toLowerCase()));
  const target = joinPath(folder, fileName);

  let played: VideoFacts = facts;
  if (reasons.length > 0) {
    report({ phase: 'proxy', fraction: 0 });
    await tools.makeProxy(
      {
        source: file,
        target,
        rate,
        frames,
        deinterlace: reasons.includes('interlaced'),
        maxWidth: PROXY_MAX_WIDTH,
        maxHeight: PROXY_MAX_HEIGHT,
        keyframeInterval: proxyKeyframeInterval(rate),
        timecode: framesToLabel(placed.frame, rate),
      },
      (done) => report({ phase: 'proxy', fraction: done / frames }),
      signal,
    );
    // A proxy that gained or lost frames would put every later frame out of sync: check before filing.
    // A variable-rate original has no exact frame count to check against; its proxy's frames are the picture.
    try {
      played = await tools.probe(target, KEYFRAME_SCAN_SECONDS);
      const proxyFrames = pictureFrameCount(played, rate, fileName);
      const expected = isVariableRate(facts) ? Math.abs(proxyFrames - frames) <= 1 : proxyFrames === frames;
      if (!expected || proxyReasons(played).length > 0) {
        throw new LoopstageError(
          'PICTURE_PROXY_FAILED',
          `The playable copy of ${base} came out with ${proxyFrames} frames (${proxyReasons(played).join(', ') || 'playable'}) where the original has ${frames}; nothing was added. Report this with the file's details.`,
          { path: file, frames, proxyFrames },
        );
      }
      frames = proxyFrames;
    } catch (error) {
      await tools.remove(target);
      throw error;
    }
    report({ phase: 'proxy', fraction: 1 });
  } else {
    report({ phase: 'linking', fraction: 0 });
    await tools.importOriginal(file, target, (fraction) => report({ phase: 'linking', fraction }), signal);
  }

  let picture: PictureRecord;
  try {
    picture = await handle.pictures.add({
      name: options.name?.trim() || base,
      path: `${PICTURE_FOLDER}/${fileName}`,
      sourcePath: file,
      start: placed.start,
      end: frameToPosition(placed.frame + frames, rate, info.sampleRate),
      startSource: placed.source,
      frameRate: rate.id,
      frames,
      width: played.width,
      height: played.height,
      codec: played.codec,
      sourceCodec: facts.codec,
      proxyReasons: reasons,
      addedAt: now.toISOString(),
    });
  } catch (error) {
    await tools.remove(target);
    throw error;
  }
  const assignedCues = await handle.pictures.assignCues();

  let guide: GuideRecord | null = null;
  if (options.guide) {
    report({ phase: 'guide', fraction: 0 });
    const temp = joinPath(folder, `.${stem}.guide.wav`);
    await tools.extractAudio(file, temp, info.sampleRate, placed.start);
    try {
      guide = await addGuide(handle, info, files, now, temp, placed.start, `${stem} sound.wav`);
    } finally {
      await tools.remove(temp);
    }
    report({ phase: 'guide', fraction: 1 });
  }
  return { picture, assignedCues, proxyWhy: reasons.map((r) => describeProxyReason(r, facts)), note: placed.note, guide };
}

function cancelled(base: string): LoopstageError {
  return new LoopstageError('PICTURE_PROXY_CANCELLED', `Adding ${base} was cancelled; nothing was added.`, { name: base });
}
