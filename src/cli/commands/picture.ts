/** `loopstage picture add|list` and `loopstage synclog`: the project's pictures and the sync of rolls against them. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { labelToFrames, parseFrameRate, position, positionToLabel, type FrameRate } from '../../core/time/index.js';
import { syncLogStats } from '../../core/picture/sync-log.js';
import { addPicture, type PictureProgress } from '../../engine/picture/picture-service.js';
import type { PictureRecord } from '../../engine/ports/picture-store.js';
import { FfmpegPictureTools, ffmpegPaths } from '../../adapters/picture/ffmpeg-tools.js';
import { LocalTakeFiles } from '../../adapters/files/take-files.js';
import { openCueSession } from '../../host/cue-session.js';
import type { CliCommand, CliIo } from '../io.js';
import { usageError } from './usage.js';

export const PICTURE_USAGE = `usage: loopstage picture add --project DIR FILE [--start TC] [--name NAME] [--guide] [--ffmpeg PATH] [--json]
       loopstage picture list --project DIR [--json]

  add     probe the file with ffprobe, make a playable proxy when the browser could not play it
          frame-accurately (ProRes, DNxHD, interlaced, variable frame rate, long GOP, larger than HD),
          and file it; cues it holds that have no picture yet are given it. Ctrl-C cancels.
  --start TC    where its first frame sits, when the file's timecode is missing or wrong
  --guide       also take its sound as a guide track placed at its start
  --ffmpeg PATH the ffmpeg to use (ffprobe beside it); default LOOPSTAGE_FFMPEG, else PATH`;

export const SYNCLOG_USAGE = `usage: loopstage synclog --project DIR [--last | --id N] [--json]

  Without --last or --id, lists the rolls played against picture (newest first). With one, prints
  that roll's log: per displayed frame, the frame the clock asked for and the frame shown.`;

const PHASE_WORDS: Record<PictureProgress['phase'], string> = {
  probing: 'Reading the file',
  proxy: 'Making a playable copy',
  linking: 'Bringing the file into the project',
  guide: 'Taking its sound as a guide track',
};

/** Progress on stderr: a bar redrawn in place on a terminal, a line per 10% otherwise. */
function progressPrinter(io: CliIo): { update(p: PictureProgress): void; end(): void } {
  const tty = (io.stderr as NodeJS.WriteStream).isTTY === true;
  let phase: PictureProgress['phase'] | null = null;
  let shown = -1;
  return {
    update(p) {
      const percent = Math.floor(Math.min(Math.max(p.fraction, 0), 1) * 100);
      if (p.phase !== phase) {
        if (tty && phase !== null) io.stderr.write('\n');
        phase = p.phase;
        shown = -1;
      }
      if (tty) {
        if (percent === shown) return;
        const filled = Math.round(percent / 5);
        io.stderr.write(`\r${PHASE_WORDS[p.phase]} [${'#'.repeat(filled)}${' '.repeat(20 - filled)}] ${String(percent).padStart(3)}%`);
      } else {
        const step = Math.floor(percent / 10) * 10;
        if (step <= shown) return;
        io.stderr.write(`${PHASE_WORDS[p.phase]}: ${step}%\n`);
        shown = step;
        return;
      }
      shown = percent;
    },
    end() {
      if (tty && phase !== null) io.stderr.write('\n');
    },
  };
}

function describe(p: PictureRecord, label: (sample: number) => string): string {
  const played = p.proxyReasons.length > 0 ? `proxy (${p.codec}) of ${p.sourceCodec}` : p.codec;
  return `${p.id}  ${p.name}: ${p.path}, ${p.width}×${p.height} ${played}, ${p.frames} frames at ${p.frameRate} from ${label(p.start)} (${p.startSource})`;
}

export const pictureCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${PICTURE_USAGE}\n`);
    return 0;
  }
  if (sub !== 'add' && sub !== 'list') {
    throw usageError(sub === undefined ? 'say what to do: picture add or picture list.' : `there is no "picture ${sub}"; use picture add or picture list.`, PICTURE_USAGE);
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      project: { type: 'string' },
      start: { type: 'string' },
      name: { type: 'string' },
      guide: { type: 'boolean', default: false },
      ffmpeg: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.project) throw usageError('--project DIR is required.', PICTURE_USAGE);
  if (sub === 'add' && positionals.length !== 1) throw usageError('picture add takes one FILE.', PICTURE_USAGE);
  if (sub === 'list' && positionals.length !== 0) throw usageError('picture list takes no FILE.', PICTURE_USAGE);
  const session = await openCueSession(path.resolve(io.cwd, values.project));
  try {
    const { info, handle } = session;
    const rate = parseFrameRate(info.frameRate);
    const label = (sample: number) => positionToLabel(position(sample), rate, info.sampleRate);
    if (sub === 'list') {
      const pictures = await handle.pictures.list();
      const cues = await handle.pictures.cuePictures();
      const rows = pictures.map((p) => ({ ...p, startTimecode: label(p.start), cues: [...cues.values()].filter((id) => id === p.id).length }));
      io.stdout.write(values.json ? `${JSON.stringify(rows)}\n` : rows.length === 0 ? 'No pictures.\n' : `${rows.map((p) => `${describe(p, label)}, ${p.cues} cues`).join('\n')}\n`);
      return 0;
    }
    if (values.start !== undefined) checkTimecode(values.start, rate);
    const tools = new FfmpegPictureTools(ffmpegPaths(values.ffmpeg, io.env as NodeJS.ProcessEnv));
    const controller = new AbortController();
    const onSignal = (): void => {
      io.stderr.write('\nloopstage: cancelling…\n');
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const printer = progressPrinter(io);
    try {
      const added = await addPicture(handle, info, tools, new LocalTakeFiles(), new Date(), path.resolve(io.cwd, positionals[0]!), {
        ...(values.start !== undefined ? { start: values.start } : {}),
        ...(values.name !== undefined ? { name: values.name } : {}),
        guide: values.guide,
        progress: (p) => printer.update(p),
        signal: controller.signal,
      });
      printer.end();
      const { picture } = added;
      if (values.json) {
        io.stdout.write(`${JSON.stringify({ ...added, picture: { ...picture, startTimecode: label(picture.start) } })}\n`);
      } else {
        const lines = [`Added ${describe(picture, label)}.`];
        if (added.proxyWhy.length > 0) lines.push(`A proxy was made because ${added.proxyWhy.join('; ')}.`);
        if (added.note) lines.push(added.note);
        lines.push(`${added.assignedCues} cue(s) now belong to it.`);
        if (added.guide) lines.push(`Its sound is the guide track ${added.guide.path}.`);
        io.stdout.write(`${lines.join('\n')}\n`);
      }
      return 0;
    } finally {
      printer.end();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  } finally {
    await session.close();
  }
};

function checkTimecode(text: string, rate: FrameRate): void {
  try {
    labelToFrames(text, rate);
  } catch (error) {
    throw usageError(`--start is a timecode at ${rate.id} fps such as 01:00:00:00 (${error instanceof Error ? error.message : String(error)}).`, PICTURE_USAGE);
  }
}

export const synclogCommand: CliCommand = async (args, io) => {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${SYNCLOG_USAGE}\n`);
    return 0;
  }
  const { values } = parseArgs({
    args,
    options: { project: { type: 'string' }, last: { type: 'boolean', default: false }, id: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (!values.project) throw usageError('--project DIR is required.', SYNCLOG_USAGE);
  if (values.last && values.id !== undefined) throw usageError('give --last or --id, not both.', SYNCLOG_USAGE);
  const id = values.id === undefined ? null : Number(values.id);
  if (id !== null && (!Number.isSafeInteger(id) || id < 1)) throw usageError(`--id is a sync log number from 1, not "${values.id}".`, SYNCLOG_USAGE);
  const session = await openCueSession(path.resolve(io.cwd, values.project));
  try {
    const { pictures } = session.handle;
    if (!values.last && id === null) {
      const logs = await pictures.listSyncLogs();
      io.stdout.write(values.json ? `${JSON.stringify(logs)}\n` : logs.length === 0 ? 'No rolls have been played against picture yet.\n' : `${logs.map((l) => `${l.id}  ${l.startedAt}  ${l.screen}, ${l.frameCount} frames at ${l.frameRate}`).join('\n')}\n`);
      return 0;
    }
    const wanted = id ?? (await pictures.listSyncLogs(1))[0]?.id ?? null;
    const log = wanted === null ? null : await pictures.getSyncLog(wanted);
    if (!log) {
      const what = id === null ? 'No rolls have been played against picture yet' : `There is no sync log ${id}`;
      io.stderr.write(`loopstage: ${what}; roll a cue with the picture showing, then ask again.\n`);
      if (values.json) io.stdout.write(`${JSON.stringify({ error: { code: 'SYNC_LOG_NOT_FOUND', message: what } })}\n`);
      return 1;
    }
    const stats = syncLogStats(log.frames);
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ ...log, stats })}\n`);
    } else {
      io.stdout.write(
        `Sync log ${log.id}, ${log.startedAt}, ${log.screen} screen, ${log.frameRate} fps, display offset ${log.displayOffsetMs} ms\n` +
          `${stats.frames} frames; locked after ${stats.lockMs ?? 'never'} ms; ${stats.withinOneFramePercent}% within one frame after lock; worst ${stats.worstError} frames\n` +
          `${log.frames.map(([ms, want, shown]) => `${String(Math.round(ms)).padStart(7)} ms  asked ${want}  shown ${shown}  ${shown - want >= 0 ? '+' : ''}${shown - want}`).join('\n')}\n`,
      );
    }
    return 0;
  } finally {
    await session.close();
  }
};
