/**
 * `loopstage record`, `loopstage beeps` and `loopstage guide`: rolling a cue and recording a take
 * from a terminal, setting the beeps, adding guide tracks. The same engine and recorder as the UI.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LoopstageError } from '../../core/errors.js';
import { labelToPosition, parseFrameRate, position, positionToLabel } from '../../core/time/index.js';
import { AUDIO_OPTIONS, audioSelection, cliEngine, openWithAudio } from '../audio-options.js';
import { openCueSession } from '../../host/cue-session.js';
import { LocalTakeFiles } from '../../adapters/files/take-files.js';
import { addGuide, loadRecordingSettings, saveRecordingSettings } from '../../engine/recording/record-service.js';
import type { BeepSettings } from '../../core/cueing/beeps.js';
import type { TakeRecord } from '../../engine/ports/take-store.js';
import type { ProjectInfo } from '../../engine/ports/project-store.js';
import type { CliCommand } from '../io.js';
import { usageError } from './usage.js';

export const RECORD_USAGE = `usage: loopstage record --project DIR (--cue NUMBER | --pass NAME) [--pre S] [--post S] [--input DEVICE --output DEVICE]
                       [--channels 1,2] [--names boom,lav] [--format pcm16|pcm24|float32] [--monitor guide,beeps,input]
                       [--frames-per-buffer N] [--calibrate | --uncalibrated] [--json]
  Rolls the cue from its pre-roll to its out point plus post-roll, with beeps before the in point,
  records a take from the chosen inputs, files it against the cue and prints it. --pass records a
  Foley pass (loopstage pass create) free-running over its range with its track template, and links
  the take to every event it covers. --calibrate first
  measures the round trip on the same open stream (patch the output to the input for it); without
  a round trip measured on this stream recording is refused, unless --uncalibrated says to record
  anyway (placed by the stored round trip or the manual offset).
  --names names the recorded channels in order (iXML TRACK_LIST). --input/--output, --channels,
  --names and --format are remembered for the project. Ctrl-C stops the take
  early; what was recorded is kept.`;

export const BEEPS_USAGE = `usage: loopstage beeps --project DIR [--count N] [--frequency HZ] [--frames N] [--spacing S]
                      [--level DBFS] [--on-in | --no-on-in] [--json]
  Shows the project's beeps before each cue, or changes them: --count beeps (0 to 100), a tone of
  --frequency Hz, --frames long, --spacing timecode seconds apart (the last one that far before the
  in point), at --level dBFS (a sine's peak, such as -18); --on-in also sounds the in point.`;

export const GUIDE_USAGE = `usage: loopstage guide add --project DIR FILE [--at TC] [--json]
       loopstage guide list --project DIR [--json]
  Adds a guide track (WAV or Broadcast WAV at the project's sample rate): it is copied into the
  project and placed at its bext timestamp, or at --at (a timecode such as 01:00:10:00).`;

function parseChannels(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  const channels = parts.map(Number);
  if (parts.length === 0 || channels.some((c) => !Number.isInteger(c) || c < 1 || c > 64)) {
    throw usageError(`--channels lists input channels from 1 to 64, separated by commas (such as 1,2), not "${text}".`, RECORD_USAGE);
  }
  return channels.map((c) => c - 1);
}

function parseMonitor(text: string): { guide: boolean; beeps: boolean; input: boolean } {
  const parts = text === '' || text === 'none' ? [] : text.split(',').map((part) => part.trim());
  const unknown = parts.find((part) => !['guide', 'beeps', 'input'].includes(part));
  if (unknown !== undefined) throw usageError(`--monitor lists guide, beeps and input (or none), not "${unknown}".`, RECORD_USAGE);
  return { guide: parts.includes('guide'), beeps: parts.includes('beeps'), input: parts.includes('input') };
}

function seconds(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 60) throw usageError(`${flag} is a number of seconds from 0 to 60, not "${text}".`, RECORD_USAGE);
  return value;
}

export function takeJson(take: TakeRecord, info: ProjectInfo, cueNumber: string) {
  const rate = parseFrameRate(info.frameRate);
  return {
    ...take,
    cue: cueNumber,
    file: path.join(info.dir, take.path),
    startTimecode: positionToLabel(position(take.start), rate, info.sampleRate),
    seconds: take.length / take.sampleRate,
  };
}

export function takeLine(take: ReturnType<typeof takeJson>): string {
  const format = take.float ? '32-bit float' : `${take.bitsPerSample}-bit`;
  const problem = take.problem ? `\n    ${take.problem}` : '';
  return `${take.cue} take ${take.number} (${take.status}): ${take.path}, ${take.channels} ch [${take.channelNames.join(', ')}] ${format} ${take.sampleRate} Hz, starts ${take.startTimecode} (sample ${take.start}), ${take.seconds.toFixed(3)} s, latency ${take.latency} samples (${take.latencySource})${problem}`;
}

export const recordCommand: CliCommand = async (args, io) => {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${RECORD_USAGE}\n`);
    return 0;
  }
  const { values } = parseArgs({
    args,
    options: {
      project: { type: 'string' },
      cue: { type: 'string' },
      pass: { type: 'string' },
      pre: { type: 'string' },
      post: { type: 'string' },
      ...AUDIO_OPTIONS,
      channels: { type: 'string' },
      names: { type: 'string' },
      format: { type: 'string' },
      monitor: { type: 'string' },
      calibrate: { type: 'boolean', default: false },
      uncalibrated: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.project) throw usageError('--project DIR is required.', RECORD_USAGE);
  if (values.calibrate && values.uncalibrated) throw usageError('--calibrate and --uncalibrated contradict each other; give one.', RECORD_USAGE);
  if (!values.cue === !values.pass) throw usageError(values.cue ? '--cue and --pass are two things to record; give one.' : '--cue NUMBER (or --pass NAME) is required.', RECORD_USAGE);
  const selection = audioSelection(values, RECORD_USAGE);
  if (values.format !== undefined && !['pcm16', 'pcm24', 'float32'].includes(values.format)) throw usageError(`--format is pcm16, pcm24 or float32, not "${values.format}".`, RECORD_USAGE);
  const preRollSeconds = seconds(values.pre, '--pre');
  const postRollSeconds = seconds(values.post, '--post');
  const monitor = values.monitor === undefined ? undefined : parseMonitor(values.monitor);
  const channels = values.channels === undefined ? undefined : parseChannels(values.channels);
  const names = values.names === undefined ? undefined : values.names.split(',').map((name) => name.trim());
  if (names && (names.some((name) => name.length === 0 || name.length > 64))) throw usageError('--names lists a name of 1 to 64 characters per channel, separated by commas.', RECORD_USAGE);

  const engine = cliEngine(io);
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    io.stderr.write('loopstage: stopping the take…\n');
    void engine.recorder.stop().catch(() => undefined);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const info = await openWithAudio(engine, io, values.project, selection);
    if (channels || names || values.format) {
      const current = await engine.recordingSettings();
      const recorded = channels ?? [...current.inputChannels];
      if (names && names.length !== recorded.length) throw usageError(`--names gives ${names.length} names for ${recorded.length} recorded channels; name each once.`, RECORD_USAGE);
      const channelNames = [...current.channelNames];
      names?.forEach((name, i) => {
        const input = recorded[i]!;
        while (channelNames.length <= input) channelNames.push('');
        channelNames[input] = name;
      });
      await engine.updateRecordingSettings({
        ...(channels ? { inputChannels: channels } : {}),
        ...(names ? { channelNames } : {}),
        ...(values.format ? { encoding: values.format as 'pcm16' | 'pcm24' | 'float32' } : {}),
      });
    }
    const target = values.cue !== undefined
      ? { cueId: engine.cues.findByNumber(values.cue).id, label: engine.cues.findByNumber(values.cue).number }
      : await findPass(engine, values.pass!);
    if (values.calibrate) {
      const status = await engine.calibrate();
      if (!values.json) io.stderr.write(`Round trip: ${status.latency!.roundTrip} samples.\n`);
    }
    const started = await engine.recorder.start({
      ...('passId' in target ? { passId: target.passId } : { cueId: target.cueId }),
      record: true,
      ...(preRollSeconds !== undefined ? { preRollSeconds } : {}),
      ...(postRollSeconds !== undefined ? { postRollSeconds } : {}),
      ...(monitor ? { monitor } : {}),
      ...(values.uncalibrated ? { uncalibrated: true } : {}),
    });
    if (started.warning) io.stderr.write(`loopstage: ${started.warning}\n`);
    {
      // On stderr even with --json: it tells a person (or a script) the take is under way.
      const rate = parseFrameRate(info.frameRate);
      const label = (sample: number) => positionToLabel(position(sample), rate, info.sampleRate);
      io.stderr.write(`Rolling ${target.label} from ${label(started.range.start)} to ${label(started.range.end)}, recording take ${started.take!.number}…\n`);
    }
    const filed = await engine.recorder.takeFiled();
    if (!filed) throw new LoopstageError('TAKE_LOST', 'The take ended without being filed; check the project log.');
    const json = takeJson(filed, info, target.label);
    io.stdout.write(values.json ? `${JSON.stringify(json)}\n` : `${takeLine(json)}\n`);
    return filed.status === 'aborted' ? 1 : interrupted ? 130 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await engine.close();
  }
};

/** A Foley pass by its name (ignoring case) or #ID. */
async function findPass(engine: ReturnType<typeof cliEngine>, which: string): Promise<{ passId: number; label: string }> {
  const passes = await engine.recorder.passes();
  const byId = /^#(\d+)$/.exec(which.trim());
  const pass = byId ? passes.find((p) => p.id === Number(byId[1])) : passes.find((p) => p.name.toLowerCase() === which.trim().toLowerCase());
  if (!pass) throw new LoopstageError('PASS_NOT_FOUND', `There is no Foley pass "${which}" in this project; \`loopstage pass list\` shows them.`, { pass: which });
  return { passId: pass.id, label: pass.name };
}

function beepLine(beeps: BeepSettings): string {
  const inPoint = beeps.beepOnIn ? ', and one on the in point' : ', the in point silent';
  return `${beeps.count} beep${beeps.count === 1 ? '' : 's'} of ${beeps.frequencyHz} Hz, ${beeps.lengthFrames} frame${beeps.lengthFrames === 1 ? '' : 's'} long, ${beeps.spacingSeconds} timecode s apart at ${beeps.levelDb} dBFS${inPoint}`;
}

export const beepsCommand: CliCommand = async (args, io) => {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${BEEPS_USAGE}\n`);
    return 0;
  }
  const { values } = parseArgs({
    // Levels are negative: `--level -12` is a value, not an option.
    args: args.flatMap((arg, i) => (arg === '--level' && /^-\d/.test(args[i + 1] ?? '') ? [] : i > 0 && args[i - 1] === '--level' && /^-\d/.test(arg) ? [`--level=${arg}`] : [arg])),
    allowNegative: true,
    options: {
      project: { type: 'string' },
      count: { type: 'string' },
      frequency: { type: 'string' },
      frames: { type: 'string' },
      spacing: { type: 'string' },
      level: { type: 'string' },
      'on-in': { type: 'boolean' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.project) throw usageError('--project DIR is required.', BEEPS_USAGE);
  const number = (text: string | undefined, flag: string): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) throw usageError(`${flag} takes a number, not "${text}".`, BEEPS_USAGE);
    return value;
  };
  const patch: Partial<BeepSettings> = Object.fromEntries(Object.entries({
    count: number(values.count, '--count'),
    frequencyHz: number(values.frequency, '--frequency'),
    lengthFrames: number(values.frames, '--frames'),
    spacingSeconds: number(values.spacing, '--spacing'),
    levelDb: number(values.level, '--level'),
    beepOnIn: values['on-in'],
  }).filter(([, value]) => value !== undefined));
  const session = await openCueSession(path.resolve(io.cwd, values.project));
  try {
    const settings = Object.keys(patch).length > 0
      ? await saveRecordingSettings(session.handle, session.info, { beeps: patch })
      : await loadRecordingSettings(session.handle);
    io.stdout.write(values.json ? `${JSON.stringify(settings.beeps)}\n` : `${beepLine(settings.beeps)}\n`);
    return 0;
  } finally {
    await session.close();
  }
};

export const guideCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${GUIDE_USAGE}\n`);
    return 0;
  }
  if (sub !== 'add' && sub !== 'list') throw usageError(sub === undefined ? 'say what to do: guide add or guide list.' : `there is no "guide ${sub}"; use guide add or guide list.`, GUIDE_USAGE);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { project: { type: 'string' }, at: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (!values.project) throw usageError('--project DIR is required.', GUIDE_USAGE);
  if (sub === 'add' && positionals.length !== 1) throw usageError('guide add takes one FILE.', GUIDE_USAGE);
  if (sub === 'list' && positionals.length !== 0) throw usageError('guide list takes no FILE.', GUIDE_USAGE);
  const session = await openCueSession(path.resolve(io.cwd, values.project));
  try {
    const { info, handle } = session;
    const rate = parseFrameRate(info.frameRate);
    const label = (sample: number) => positionToLabel(position(sample), rate, info.sampleRate);
    const describe = (g: { name: string; path: string; start: number; length: number; channels: number; enabled: boolean }) =>
      `${g.name}: ${g.path}, ${g.channels} ch, ${(g.length / info.sampleRate).toFixed(3)} s from ${label(g.start)} (sample ${g.start})${g.enabled ? '' : ', muted'}`;
    if (sub === 'list') {
      const guides = await handle.takes.listGuides();
      io.stdout.write(values.json ? `${JSON.stringify(guides)}\n` : guides.length === 0 ? 'No guide tracks.\n' : `${guides.map(describe).join('\n')}\n`);
      return 0;
    }
    let at: number | undefined;
    if (values.at !== undefined) {
      try {
        at = labelToPosition(values.at, rate, info.sampleRate);
      } catch (error) {
        throw usageError(`--at is a timecode at ${rate.id} fps such as 01:00:10:00 (${error instanceof Error ? error.message : String(error)}).`, GUIDE_USAGE);
      }
    }
    const guide = await addGuide(handle, info, new LocalTakeFiles(), new Date(), path.resolve(io.cwd, positionals[0]!), at);
    io.stdout.write(values.json ? `${JSON.stringify({ ...guide, startTimecode: label(guide.start) })}\n` : `Added ${describe(guide)}.\n`);
    return 0;
  } finally {
    await session.close();
  }
};
