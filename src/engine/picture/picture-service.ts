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
import { DEFAULT_OVERLAY, DEFAULT_TALENT_OVERRIDE, type OverlayOverride, type OverlayStyle } from '../../core/picture/overlays.js';
import { syncLogStats, type SyncStats } from '../../core/picture/sync-log.js';
import { framesToLabel, frameToPosition, labelToFrames, parseFrameRate, type FrameRate } from '../../core/time/index.js';
import type { PictureTools } from '../ports/picture-tools.js';
import type { NewSyncLog, PictureRecord, SyncLogRecord, SyncLogSummary } from '../ports/picture-store.js';
import type { ProjectHandle, ProjectInfo } from '../ports/project-store.js';
import type { GuideRecord } from '../ports/take-store.js';
import type { TakeFiles } from '../ports/take-files.js';
import { addGuide } from '../recording/record-service.js';
import { SerialQueue } from '../../core/serial-queue.js';

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
      ...span(placed.frame, frames, rate, info.sampleRate),
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

/** Where a picture of `frames` frames starting at timeline frame `first` lies on the timeline. */
function span(first: number, frames: number, rate: FrameRate, sampleRate: number): { start: number; end: number } {
  return { start: frameToPosition(first, rate, sampleRate), end: frameToPosition(first + frames, rate, sampleRate) };
}

function cancelled(base: string): LoopstageError {
  return new LoopstageError('PICTURE_PROXY_CANCELLED', `Adding ${base} was cancelled; nothing was added.`, { name: base });
}

/** The screens overlays and display offsets are set for. */
export const SCREENS = ['operator', 'talent'] as const;
export type Screen = (typeof SCREENS)[number];

/** How the picture is dressed and shown: project defaults, a profile per screen, overrides per cue. */
export interface PictureSettings {
  readonly overlay: OverlayStyle;
  readonly screens: Readonly<Record<Screen, OverlayOverride>>;
  readonly cues: Readonly<Record<string, OverlayOverride>>;
  /** How late each screen shows a frame (ms): its display latency, made up by showing the picture that much early. */
  readonly displayOffsetMs: Readonly<Record<Screen, number>>;
}

export const DEFAULT_PICTURE_SETTINGS: PictureSettings = {
  overlay: DEFAULT_OVERLAY,
  screens: { operator: {}, talent: DEFAULT_TALENT_OVERRIDE },
  cues: {},
  displayOffsetMs: { operator: 0, talent: 0 },
};

export const PICTURE_SETTINGS_KEY = 'picture.settings';

export interface PictureList {
  readonly pictures: readonly PictureRecord[];
  /** [cue id, picture id] for every cue that has a picture. */
  readonly cuePictures: ReadonlyArray<readonly [number, number]>;
}

export interface PictureServiceDeps {
  readonly tools: PictureTools;
  readonly files: TakeFiles;
  readonly now: () => Date;
  readonly project: () => { readonly handle: ProjectHandle; readonly info: ProjectInfo };
  readonly emit: {
    changed(list: PictureList): void;
    progress(progress: PictureProgress & { readonly file: string }): void;
    settings(settings: PictureSettings): void;
  };
}

/** The open project's pictures for the hosts: adding (one at a time, cancellable), placing, serving, sync logs and overlays. */
export class PictureService {
  #adding: AbortController | null = null;
  readonly #settingsWrites = new SerialQueue();

  constructor(private readonly deps: PictureServiceDeps) {}

  async list(): Promise<PictureList> {
    const { handle } = this.deps.project();
    return { pictures: await handle.pictures.list(), cuePictures: [...(await handle.pictures.cuePictures())] };
  }

  async add(file: string, options: Omit<AddPictureOptions, 'progress' | 'signal'> = {}): Promise<AddedPicture> {
    if (this.#adding) throw new LoopstageError('PICTURE_BUSY', 'A picture is already being added; wait for it to finish, or cancel it.');
    const { handle, info } = this.deps.project();
    const controller = new AbortController();
    this.#adding = controller;
    try {
      const added = await addPicture(handle, info, this.deps.tools, this.deps.files, this.deps.now(), file, {
        ...options,
        progress: (p) => this.deps.emit.progress({ ...p, file }),
        signal: controller.signal,
      });
      this.deps.emit.changed(await this.list());
      return added;
    } finally {
      this.#adding = null;
    }
  }

  /** Cancels the picture being added (its proxy is stopped and removed); false when none is. */
  cancel(): boolean {
    if (!this.#adding) return false;
    this.#adding.abort();
    return true;
  }

  /** Renames a picture, or moves it to start at timecode `start` (a wrong or missing timecode in the file). */
  async update(id: number, patch: { readonly name?: string; readonly start?: string }): Promise<PictureRecord> {
    const { handle, info } = this.deps.project();
    const picture = await handle.pictures.get(id);
    if (!picture) throw new LoopstageError('PICTURE_NOT_FOUND', `There is no picture ${id} in this project; reload the picture list.`, { id });
    let placement = {};
    if (patch.start !== undefined) {
      const rate = parseFrameRate(picture.frameRate);
      const frame = labelToFrames(patch.start, rate);
      placement = { ...span(frame, picture.frames, rate, info.sampleRate), startSource: 'typed' as const };
    }
    const updated = await handle.pictures.update(id, { ...(patch.name !== undefined ? { name: patch.name } : {}), ...placement });
    await handle.pictures.assignCues();
    this.deps.emit.changed(await this.list());
    return updated;
  }

  async setCuePicture(cueId: number, pictureId: number | null): Promise<PictureList> {
    await this.deps.project().handle.pictures.setCuePicture(cueId, pictureId);
    const list = await this.list();
    this.deps.emit.changed(list);
    return list;
  }

  /** The absolute path of the file a picture plays from, for the hosts' media route. */
  async mediaFile(id: number): Promise<string | null> {
    const { handle, info } = this.deps.project();
    const picture = await handle.pictures.get(id);
    return picture ? joinPath(info.dir, picture.path) : null;
  }

  addSyncLog(log: NewSyncLog): Promise<SyncLogSummary> {
    return this.deps.project().handle.pictures.addSyncLog(log);
  }

  listSyncLogs(limit?: number): Promise<SyncLogSummary[]> {
    return this.deps.project().handle.pictures.listSyncLogs(limit);
  }

  async syncLog(id: number): Promise<(SyncLogRecord & { readonly stats: SyncStats }) | null> {
    const log = await this.deps.project().handle.pictures.getSyncLog(id);
    return log && { ...log, stats: syncLogStats(log.frames) };
  }

  async settings(): Promise<PictureSettings> {
    const stored = await this.deps.project().handle.getSetting<Partial<PictureSettings>>(PICTURE_SETTINGS_KEY);
    return { ...DEFAULT_PICTURE_SETTINGS, ...stored };
  }

  /**
   * Replaces the parts given (the API validates their shape). One at a time: two screens changing
   * different parts at once must both be kept, not the later one written over a stale read.
   */
  updateSettings(patch: Partial<PictureSettings>): Promise<PictureSettings> {
    return this.#settingsWrites.run(async () => {
      const next = { ...(await this.settings()), ...patch };
      await this.deps.project().handle.setSetting(PICTURE_SETTINGS_KEY, next);
      this.deps.emit.settings(next);
      return next;
    });
  }
}
