/**
 * `loopstage project create DIR …` and `loopstage project info DIR`. The command receives the
 * arguments after the word `project` (e.g. ['info', 'my-film', '--json']).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LoopstageError, isLoopstageError } from '../../core/errors.js';
import { labelToPosition, parseFrameRate, position, positionToLabel } from '../../core/time/index.js';
import type { ProjectInfo, ProjectStore } from '../../engine/ports/project-store.js';
import { PROJECT_SAMPLE_RATES } from '../../engine/project/validate-settings.js';
import { SqliteProjectStore } from '../../adapters/sqlite/project-store.js';
import { LocalTakeFiles } from '../../adapters/files/take-files.js';
import { recoverTakes } from '../../engine/recording/record-service.js';
import { describeArgsError } from '../args.js';
import type { CliCommand, CliIo } from '../io.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

const USAGE = `Usage:
  loopstage project create DIR [--title TITLE] [--rate RATE] [--sample-rate HZ] [--start TIMECODE] [--json]
  loopstage project info DIR [--json]

create makes a new project folder. Defaults: --title the folder's name, --rate 24,
--sample-rate 48000, --start 01:00:00:00 (01:00:00;00 at drop-frame rates).
Rates: 23.976 24 25 29.97df 29.97ndf 30 47.952 48 50 59.94df 59.94ndf 60.
--json prints the result (or {"error":{"code","message"}}) as JSON on stdout.
`;

const USAGE_LINE = 'run `loopstage project --help` for usage';

class UsageError extends Error {}

export interface ProjectCommandDeps {
  readonly store?: ProjectStore;
  /** The clock that stamps createdAt. */
  readonly now?: () => Date;
}

/** The info as `project info --json` prints it. */
export interface ProjectInfoJson {
  title: string;
  frameRate: string;
  sampleRate: number;
  /** Timeline samples since midnight. */
  start: number;
  startTimecode: string;
  schemaVersion: number;
  createdAt: string;
  /** Absolute path of the project folder. */
  dir: string;
}

export function projectInfoJson(info: ProjectInfo): ProjectInfoJson {
  return {
    title: info.title,
    frameRate: info.frameRate,
    sampleRate: info.sampleRate,
    start: info.start,
    startTimecode: positionToLabel(position(info.start), parseFrameRate(info.frameRate), info.sampleRate),
    schemaVersion: info.schemaVersion,
    createdAt: info.createdAt,
    dir: info.dir,
  };
}

function formatInfo(json: ProjectInfoJson): string {
  return [
    `Title:        ${json.title}`,
    `Folder:       ${json.dir}`,
    `Frame rate:   ${json.frameRate}`,
    `Sample rate:  ${json.sampleRate} Hz`,
    `Start:        ${json.startTimecode} (sample ${json.start})`,
    `Schema:       ${json.schemaVersion}`,
    `Created:      ${json.createdAt}`,
  ].join('\n');
}

function oneDir(positionals: string[], subcommand: string): string {
  if (positionals.length === 0) throw new UsageError(`project ${subcommand} needs the project folder`);
  if (positionals.length > 1) throw new UsageError(`project ${subcommand} takes one folder, got ${positionals.length}`);
  return positionals[0]!;
}

async function withProject<T>(store: ProjectStore, dir: string, fn: (info: ProjectInfo) => T): Promise<T> {
  const handle = await store.open(dir);
  try {
    const info = await handle.info();
    // Every command that opens a project first files takes a crash left mid-recording.
    await recoverTakes(handle, new LocalTakeFiles(), info.dir, new Date());
    return fn(info);
  } finally {
    await handle.close();
  }
}

async function runCreate(args: string[], io: CliIo, deps: Required<ProjectCommandDeps>): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      title: { type: 'string' },
      rate: { type: 'string', default: '24' },
      'sample-rate': { type: 'string', default: '48000' },
      start: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const dir = path.resolve(io.cwd, oneDir(positionals, 'create'));
  const rate = parseFrameRate(values.rate);
  const sampleRateText = values['sample-rate'].trim();
  if (!/^\d+$/.test(sampleRateText)) {
    throw new LoopstageError(
      'PROJECT_SETTINGS_INVALID',
      `The sample rate "${values['sample-rate']}" is not a whole number of Hz; use one of ${PROJECT_SAMPLE_RATES.join(', ')}.`,
      { field: 'sampleRate', value: values['sample-rate'] },
    );
  }
  const sampleRate = Number(sampleRateText);
  const startLabel = values.start ?? (rate.dropFrame ? '01:00:00;00' : '01:00:00:00');
  const start = labelToPosition(startLabel.trim(), rate, sampleRate);
  const title = values.title ?? path.basename(dir);

  const handle = await deps.store.create(dir, { title, frameRate: rate.id, sampleRate, start }, deps.now());
  let json: ProjectInfoJson;
  try {
    json = projectInfoJson(await handle.info());
  } finally {
    await handle.close();
  }
  if (values.json) io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else io.stdout.write(`Created project "${json.title}" in ${json.dir}.\n${formatInfo(json)}\n`);
  return EXIT_OK;
}

async function runInfo(args: string[], io: CliIo, deps: Required<ProjectCommandDeps>): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { json: { type: 'boolean', default: false } },
  });
  const dir = path.resolve(io.cwd, oneDir(positionals, 'info'));
  const json = await withProject(deps.store, dir, projectInfoJson);
  io.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : `${formatInfo(json)}\n`);
  return EXIT_OK;
}

/** Builds the command with its dependencies; `projectCommand` uses SQLite and the system clock. */
export function makeProjectCommand(deps: ProjectCommandDeps = {}): CliCommand {
  const resolved: Required<ProjectCommandDeps> = {
    store: deps.store ?? new SqliteProjectStore(),
    now: deps.now ?? (() => new Date()),
  };
  return async (args, io) => {
    const json = args.includes('--json');
    const fail = (code: string, message: string, exit: number): number => {
      io.stderr.write(`loopstage: ${message}\n`);
      if (json) io.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
      return exit;
    };
    const [subcommand, ...rest] = args;
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    try {
      switch (subcommand) {
        case 'create':
          return await runCreate(rest, io, resolved);
        case 'info':
          return await runInfo(rest, io, resolved);
        case 'help':
        case '--help':
        case '-h':
          io.stdout.write(USAGE);
          return EXIT_OK;
        case undefined:
          throw new UsageError('project needs a subcommand, create or info');
        default:
          throw new UsageError(`unknown subcommand "${subcommand}", expected create or info`);
      }
    } catch (error) {
      if (isLoopstageError(error)) return fail(error.code, error.message, EXIT_FAILED);
      if (error instanceof UsageError) return fail('USAGE', `${error.message}; ${USAGE_LINE}.`, EXIT_USAGE);
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
        return fail('USAGE', `${describeArgsError(error)}; ${USAGE_LINE}.`, EXIT_USAGE);
      }
      const message = error instanceof Error ? error.message : String(error);
      if (debugEnabled(io)) io.stderr.write(`${error instanceof Error ? error.stack : message}\n`);
      return fail('INTERNAL', `Something unexpected went wrong (${message}); this is a bug, please report it.`, EXIT_FAILED);
    }
  };
}

function debugEnabled(io: CliIo): boolean {
  const value = io.env['LOOPSTAGE_DEBUG'];
  return value !== undefined && value !== '' && value !== '0';
}

export const projectCommand: CliCommand = makeProjectCommand();
