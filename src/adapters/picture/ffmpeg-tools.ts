/**
 * The PictureTools port on the system's ffmpeg and ffprobe (or ones the operator points at). Every
 * file is written under a temporary name beside its target and linked into place only when
 * complete, so a cancel, a crash or a full disk leaves nothing half written under the final name,
 * and an existing file is never overwritten.
 */
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { z } from 'zod';
import { LoopstageError, isLoopstageError } from '../../core/errors.js';
import type { VideoFacts } from '../../core/picture/picture-format.js';
import type { PictureTools, ProxyJob } from '../../engine/ports/picture-tools.js';
import { ffmpegProgress } from './ffmpeg-progress.js';

export interface FfmpegPaths {
  readonly ffmpeg: string;
  readonly ffprobe: string;
}

const INSTALL_HINT =
  'Install ffmpeg (Debian or Ubuntu: `sudo apt install ffmpeg`; macOS: `brew install ffmpeg`; Windows: a build from ffmpeg.org) ' +
  'or point Loopstage at it with LOOPSTAGE_FFMPEG=/path/to/ffmpeg (ffprobe must sit beside it).';

/**
 * Which ffmpeg and ffprobe to run: `configured` (a path to ffmpeg) or LOOPSTAGE_FFMPEG, with ffprobe
 * beside it; else both from PATH.
 */
export function ffmpegPaths(configured?: string | null, env: NodeJS.ProcessEnv = process.env): FfmpegPaths {
  const chosen = configured || env.LOOPSTAGE_FFMPEG;
  if (!chosen) return { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' };
  const dir = path.dirname(chosen);
  const base = path.basename(chosen);
  return { ffmpeg: chosen, ffprobe: path.join(dir, base.replace(/ffmpeg/i, 'ffprobe')) };
}

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function missing(tool: string, command: string): LoopstageError {
  return new LoopstageError('PICTURE_FFMPEG_MISSING', `Loopstage needs ${tool} to read and convert pictures, and "${command}" could not be run. ${INSTALL_HINT}`, { command });
}

/** Runs a tool to completion, collecting its output; stdout lines go to `onLine` when given. */
function run(command: string, tool: string, args: readonly string[], options: { signal?: AbortSignal; onLine?: (line: string) => void; background?: boolean } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // A transcode may take every core for minutes; at the lowest priority it never starves the
    // audio engine of the session that goes on meanwhile.
    if (options.background && child.pid !== undefined) {
      try {
        setPriority(child.pid, 19);
      } catch {
        // Not permitted here: it runs at normal priority.
      }
    }
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (!options.onLine) {
        stdout += chunk;
        return;
      }
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    const abort = () => child.kill('SIGKILL');
    options.signal?.addEventListener('abort', abort, { once: true });
    child.on('error', (error: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', abort);
      reject(error.code === 'ENOENT' || error.code === 'EACCES' ? missing(tool, command) : error);
    });
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', abort);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const lastLines = (text: string, n = 3) => text.trim().split('\n').slice(-n).join(' / ');

const tags = z.record(z.string(), z.string()).optional();
const ffprobeOutput = z.object({
  streams: z
    .array(
      z.object({
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        codec_tag_string: z.string().optional(),
        profile: z.string().optional(),
        pix_fmt: z.string().optional(),
        width: z.number().optional(),
        height: z.number().optional(),
        field_order: z.string().optional(),
        r_frame_rate: z.string().optional(),
        avg_frame_rate: z.string().optional(),
        nb_frames: z.string().optional(),
        duration: z.string().optional(),
        sample_rate: z.string().optional(),
        channels: z.number().optional(),
        disposition: z.object({ attached_pic: z.number().optional() }).optional(),
        tags,
      }),
    )
    .default([]),
  format: z.object({ format_name: z.string().optional(), duration: z.string().optional(), tags }).optional(),
});

const number = (text: string | undefined): number | null => {
  const value = text === undefined ? NaN : Number(text);
  return Number.isFinite(value) ? value : null;
};

const tagOf = (record: Record<string, string> | undefined, key: string): string | null => {
  if (!record) return null;
  const found = Object.entries(record).find(([k]) => k.toLowerCase() === key);
  return found ? found[1] : null;
};

export class FfmpegPictureTools implements PictureTools {
  constructor(readonly paths: FfmpegPaths = ffmpegPaths()) {}

  async probe(file: string, scanSeconds: number): Promise<VideoFacts> {
    const name = path.basename(file);
    await stat(file).catch((error: NodeJS.ErrnoException) => {
      throw new LoopstageError('PICTURE_NOT_FOUND', `There is no file ${file} (${error.code ?? 'unreadable'}); check the path.`, { path: file });
    });
    const result = await run(this.paths.ffprobe, 'ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]);
    if (result.code !== 0) {
      throw new LoopstageError('PICTURE_UNREADABLE', `${name} is not a picture file ffprobe can read (${lastLines(result.stderr) || `exit ${result.code}`}); check that it is complete and is a video file.`, { path: file });
    }
    let parsed: z.infer<typeof ffprobeOutput>;
    try {
      parsed = ffprobeOutput.parse(JSON.parse(result.stdout));
    } catch (error) {
      throw new LoopstageError('PICTURE_UNREADABLE', `ffprobe's description of ${name} could not be read (${error instanceof Error ? error.message : String(error)}); check the ffmpeg installation.`, { path: file });
    }
    const video = parsed.streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
    if (!video || !video.codec_name || !video.width || !video.height) {
      throw new LoopstageError('PICTURE_NO_VIDEO', `${name} holds no picture (no video stream); choose a video file.`, { path: file });
    }
    const audio = parsed.streams.find((s) => s.codec_type === 'audio');
    const track = parsed.streams.find((s) => s.codec_tag_string === 'tmcd' && tagOf(s.tags, 'timecode'));
    const metadata = tagOf(video.tags, 'timecode') ?? tagOf(parsed.format?.tags, 'timecode');
    const timecode = track ? tagOf(track.tags, 'timecode') : metadata;
    const nbFrames = number(video.nb_frames);
    return {
      container: parsed.format?.format_name ?? '',
      codec: video.codec_name,
      profile: video.profile ?? null,
      pixelFormat: video.pix_fmt ?? null,
      width: video.width,
      height: video.height,
      fieldOrder: video.field_order && video.field_order !== 'unknown' ? video.field_order : null,
      frameRate: video.r_frame_rate ?? null,
      averageFrameRate: video.avg_frame_rate ?? null,
      frames: nbFrames !== null && Number.isSafeInteger(nbFrames) && nbFrames > 0 ? nbFrames : null,
      durationSeconds: number(video.duration) ?? number(parsed.format?.duration),
      timecode,
      timecodeSource: track ? 'timecode-track' : metadata ? 'metadata' : null,
      longestKeyframeGapSeconds: await this.#longestKeyframeGap(file, scanSeconds),
      audio: audio && number(audio.sample_rate) ? { sampleRate: number(audio.sample_rate)!, channels: audio.channels ?? 1 } : null,
    };
  }

  /** The longest run without a keyframe over the first `seconds`, from packet flags (no decoding). */
  async #longestKeyframeGap(file: string, seconds: number): Promise<number | null> {
    const result = await run(this.paths.ffprobe, 'ffprobe', [
      '-v', 'error', '-select_streams', 'v:0', '-read_intervals', `%+${seconds}`,
      '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', file,
    ]);
    if (result.code !== 0) return null;
    let longest = 0;
    let lastKey: number | null = null;
    let lastPts: number | null = null;
    for (const line of result.stdout.split('\n')) {
      const [ptsText, flags] = line.trim().split(',');
      const pts = Number(ptsText);
      if (!ptsText || !Number.isFinite(pts)) continue;
      lastPts = lastPts === null ? pts : Math.max(lastPts, pts);
      if (flags?.includes('K')) {
        if (lastKey !== null) longest = Math.max(longest, pts - lastKey);
        lastKey = pts;
      }
    }
    if (lastKey === null || lastPts === null) return null;
    // The run after the last keyframe counts too: a file with one keyframe in the scan has a GOP at least that long.
    return Math.max(longest, lastPts - lastKey);
  }

  async makeProxy(job: ProxyJob, progress: (framesDone: number) => void, signal: AbortSignal): Promise<void> {
    const temp = temporaryBeside(job.target);
    const rate = `${job.rate.num}/${job.rate.den}`;
    const filters = [
      ...(job.deinterlace ? ['yadif=mode=send_frame'] : []),
      `scale=w='min(${job.maxWidth},iw)':h='min(${job.maxHeight},ih)':force_original_aspect_ratio=decrease:force_divisible_by=2`,
      'format=yuv420p',
    ];
    const args = [
      '-nostdin', '-v', 'error', '-y', '-i', job.source, '-map', '0:v:0', '-an', '-sn', '-dn',
      '-vf', filters.join(','), '-r', rate, '-vsync', 'cfr',
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-bf', '0',
      '-g', String(job.keyframeInterval), '-keyint_min', String(job.keyframeInterval), '-sc_threshold', '0',
      ...(job.timecode ? ['-timecode', job.timecode] : []),
      '-movflags', '+faststart', '-f', 'mp4', '-progress', 'pipe:1', '-stats_period', '0.25', '-nostats', temp,
    ];
    const reader = ffmpegProgress((frames) => progress(Math.min(frames, job.frames)));
    try {
      const result = await run(this.paths.ffmpeg, 'ffmpeg', args, { signal, onLine: reader, background: true });
      if (signal.aborted) throw cancelled(job.source);
      if (result.code !== 0) throw proxyFailed(job.source, result.stderr);
      await placeWithoutOverwriting(temp, job.target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw fileError(error, job.target);
    }
  }

  async importOriginal(source: string, target: string, progress: (fraction: number) => void, signal: AbortSignal): Promise<void> {
    try {
      await link(source, target);
      progress(1);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Another disk or a file system without hard links: copy. Anything else is a real failure.
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw fileError(error, target);
    }
    const temp = temporaryBeside(target);
    try {
      const { size } = await stat(source);
      let copied = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          copied += chunk.length;
          progress(size > 0 ? copied / size : 1);
          done(null, chunk);
        },
      });
      await pipeline(createReadStream(source), counter, createWriteStream(temp, { flags: 'wx' }), { signal });
      await placeWithoutOverwriting(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      if (signal.aborted) throw cancelled(source);
      throw fileError(error, target);
    }
  }

  async extractAudio(source: string, target: string, sampleRate: number, timeReference: number): Promise<void> {
    const temp = temporaryBeside(target);
    try {
      const result = await run(this.paths.ffmpeg, 'ffmpeg', [
        '-nostdin', '-v', 'error', '-y', '-i', source, '-map', '0:a:0', '-vn', '-ar', String(sampleRate), '-c:a', 'pcm_s24le',
        '-write_bext', '1', '-metadata', `time_reference=${timeReference}`, '-rf64', 'auto', '-f', 'wav', temp,
      ], { background: true });
      if (result.code !== 0) {
        throw new LoopstageError('PICTURE_AUDIO_FAILED', `The sound of ${path.basename(source)} could not be taken as a guide track (${lastLines(result.stderr)}); add a guide WAV instead.`, { path: source });
      }
      await placeWithoutOverwriting(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw fileError(error, target);
    }
  }

  async remove(file: string): Promise<void> {
    await unlink(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw fileError(error, file);
    });
  }
}

function temporaryBeside(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.partial`);
}

/** Links the finished temporary file to its name (which fails rather than replace a file) and drops the temporary name. */
async function placeWithoutOverwriting(temp: string, target: string): Promise<void> {
  await link(temp, target);
  await unlink(temp);
}

function cancelled(source: string): LoopstageError {
  return new LoopstageError('PICTURE_PROXY_CANCELLED', `Making a playable copy of ${path.basename(source)} was cancelled; nothing was added.`, { path: source });
}

function proxyFailed(source: string, stderr: string): LoopstageError {
  const full = /No space left on device/i.test(stderr);
  return full
    ? new LoopstageError('PICTURE_DISK_FULL', `The disk filled up while making a playable copy of ${path.basename(source)}; nothing was added. Free some space and add the picture again.`, { path: source })
    : new LoopstageError('PICTURE_PROXY_FAILED', `ffmpeg could not make a playable copy of ${path.basename(source)} (${lastLines(stderr)}); check that the file plays in another tool.`, { path: source });
}

function fileError(error: unknown, target: string): LoopstageError {
  if (isLoopstageError(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'UNKNOWN';
  const details = { path: target, errno: code };
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new LoopstageError('PICTURE_DISK_FULL', `The disk is full; nothing was added. Free some space and add the picture again.`, details);
    case 'EEXIST':
      return new LoopstageError('PICTURE_FILE_EXISTS', `A file named "${path.basename(target)}" is already in the picture folder; Loopstage never writes over a file.`, details);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new LoopstageError('PICTURE_FOLDER_NOT_WRITABLE', `Loopstage may not write in ${path.dirname(target)} (${code}); check the folder's permissions.`, details);
    default:
      return new LoopstageError('PICTURE_WRITE_FAILED', `Writing ${path.basename(target)} failed (${error instanceof Error ? error.message : code}).`, details);
  }
}
