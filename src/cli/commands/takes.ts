/**
 * `loopstage takes list` and `loopstage takes mark`: the takes of a project, and what people say
 * about them (circled, alternate, NG, false start, rating, note), for scripts and batch work. A
 * mark goes through the same use-case as the UI's: the database, the take file's iXML and the
 * session log together.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LoopstageError } from '../../core/errors.js';
import type { TakeMarkChange } from '../../core/recording/take-marks.js';
import { LocalTakeFiles } from '../../adapters/files/take-files.js';
import { openCueSession, type CueSession } from '../../host/cue-session.js';
import { markTake } from '../../engine/recording/take-marking.js';
import { loadActor } from '../../engine/session/session-identity.js';
import type { TakeRecord } from '../../engine/ports/take-store.js';
import type { CliCommand, CliIo } from '../io.js';
import { takeJson, takeLine } from './record.js';
import { usageError } from './usage.js';

export const TAKES_USAGE = `usage: loopstage takes list --project DIR [--cue NUMBER] [--json]
       loopstage takes mark --project DIR TAKE [--circle | --uncircle] [--alt | --no-alt] [--rating N | --no-rating]
                            [--ng | --no-ng] [--false-start | --no-false-start] [--note TEXT] [--who NAME] [--json]
  list: the takes recorded in a project (all, or one cue's), with their files and placement.
  mark: marks one take, in the project and in the take file's iXML (the audio is never rewritten),
  and writes it to the session log. TAKE is CUE:N (R101:3 is take 3 of cue R101), the take's file
  name, or #ID (PASS:N for a Foley pass's take). The latest mark wins: --circle clears alternate, NG and false start and uncircles
  the cue's other circled take; --ng or --false-start clear circled and alternate. --rating is 0 to
  5 stars. --who names who marked it in the log (default: the user running the command).`;

export const takesCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${TAKES_USAGE}\n`);
    return 0;
  }
  if (sub === 'list') return listTakes(rest, io);
  if (sub === 'mark') return markCommand(rest, io);
  throw usageError(sub === undefined ? 'say what to do with takes: list or mark.' : `there is no "takes ${sub}"; use takes list or takes mark.`, TAKES_USAGE);
};

async function listTakes(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { project: { type: 'string' }, cue: { type: 'string' }, json: { type: 'boolean', default: false } } });
  if (!values.project) throw usageError('--project DIR is required.', TAKES_USAGE);
  const session = await withPassNames(await openCueSession(path.resolve(io.cwd, values.project)));
  try {
    const cue = values.cue === undefined ? null : session.service.findByNumber(values.cue);
    const takes = await session.handle.takes.list(cue ? { cueId: cue.id } : {});
    const rows = takes.map((take) => takeJson(take, session.info, ownerName(session, take)));
    if (values.json) io.stdout.write(`${JSON.stringify(rows)}\n`);
    else io.stdout.write(rows.length === 0 ? 'No takes yet.\n' : `${rows.map(takeLine).join('\n')}\n`);
    return 0;
  } finally {
    await session.close();
  }
}

async function markCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      project: { type: 'string' },
      circle: { type: 'boolean' },
      uncircle: { type: 'boolean' },
      alt: { type: 'boolean' },
      'no-alt': { type: 'boolean' },
      rating: { type: 'string' },
      'no-rating': { type: 'boolean' },
      ng: { type: 'boolean' },
      'no-ng': { type: 'boolean' },
      'false-start': { type: 'boolean' },
      'no-false-start': { type: 'boolean' },
      note: { type: 'string' },
      who: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.project) throw usageError('--project DIR is required.', TAKES_USAGE);
  if (positionals.length !== 1) throw usageError(positionals.length === 0 ? 'say which take to mark (CUE:N, its file name or #ID).' : `mark one take at a time, not ${positionals.length}.`, TAKES_USAGE);
  const marks = marksFrom(values);
  if (Object.keys(marks).length === 0) throw usageError('say what to mark: --circle, --alt, --rating N, --ng, --false-start or --note TEXT (or their --no-/--un- forms).', TAKES_USAGE);
  const session = await withPassNames(await openCueSession(path.resolve(io.cwd, values.project)));
  try {
    const take = await findTake(session, positionals[0]!);
    const actor = await loadActor(session.handle, values.who ?? os.userInfo().username);
    const outcome = await markTake(
      { handle: session.handle, files: new LocalTakeFiles(), now: () => new Date(), actor, nameOf: (t) => `${ownerName(session, t)} T${String(t.number).padStart(2, '0')}` },
      take.id,
      marks,
    );
    const rows = [outcome.take, ...outcome.others].map((change) => takeJson(change.after, session.info, ownerName(session, change.after)));
    if (values.json) io.stdout.write(`${JSON.stringify({ take: rows[0], others: rows.slice(1) })}\n`);
    else io.stdout.write(`${rows.map((row, i) => `${i === 0 ? '' : 'also: '}${row.cue} take ${row.number}: ${markSummary(row)}`).join('\n')}\n`);
    return 0;
  } finally {
    await session.close();
  }
}

type MarkOptions = {
  circle?: boolean;
  uncircle?: boolean;
  alt?: boolean;
  'no-alt'?: boolean;
  rating?: string;
  'no-rating'?: boolean;
  ng?: boolean;
  'no-ng'?: boolean;
  'false-start'?: boolean;
  'no-false-start'?: boolean;
  note?: string;
};

function marksFrom(values: MarkOptions): TakeMarkChange {
  const pair = (on: boolean | undefined, off: boolean | undefined, names: string): boolean | undefined => {
    if (on && off) throw usageError(`${names} contradict each other; give one.`, TAKES_USAGE);
    return on ? true : off ? false : undefined;
  };
  const marks: { -readonly [K in keyof TakeMarkChange]: TakeMarkChange[K] } = {};
  const circled = pair(values.circle, values.uncircle, '--circle and --uncircle');
  const alternate = pair(values.alt, values['no-alt'], '--alt and --no-alt');
  const noGood = pair(values.ng, values['no-ng'], '--ng and --no-ng');
  const falseStart = pair(values['false-start'], values['no-false-start'], '--false-start and --no-false-start');
  if (circled !== undefined) marks.circled = circled;
  if (alternate !== undefined) marks.alternate = alternate;
  if (noGood !== undefined) marks.noGood = noGood;
  if (falseStart !== undefined) marks.falseStart = falseStart;
  if (values.rating !== undefined && values['no-rating']) throw usageError('--rating and --no-rating contradict each other; give one.', TAKES_USAGE);
  if (values.rating !== undefined) {
    if (!/^[0-5]$/.test(values.rating.trim())) throw usageError(`--rating takes 0 to 5 stars, not "${values.rating}".`, TAKES_USAGE);
    marks.rating = Number(values.rating.trim());
  }
  if (values['no-rating']) marks.rating = null;
  if (values.note !== undefined) marks.note = values.note;
  return marks;
}

/** A take by CUE:N, by its file name (or path in the project), or by #ID. */
async function findTake(session: CueSession, which: string): Promise<TakeRecord> {
  const notFound = (why: string) => new LoopstageError('TAKE_NOT_FOUND', `There is no take ${which} in this project (${why}); \`loopstage takes list\` shows them.`, { take: which });
  const byId = /^#(\d+)$/.exec(which);
  if (byId) return (await session.handle.takes.get(Number(byId[1]))) ?? Promise.reject(notFound('no take has that id'));
  const byNumber = /^(.+):(\d+)$/.exec(which);
  if (byNumber && !/[\\/]/.test(which)) {
    const owner = byNumber[1]!.toLowerCase();
    const cue = session.service.list().find((c) => c.number.toLowerCase() === owner);
    const pass = cue ? undefined : (await session.handle.passes.list()).find((p) => p.name.toLowerCase() === owner);
    if (!cue && !pass) throw notFound(`there is no cue or Foley pass ${byNumber[1]}`);
    const take = (await session.handle.takes.list(cue ? { cueId: cue.id } : { passId: pass!.id })).find((t) => t.number === Number(byNumber[2]));
    if (!take) throw notFound(`${cue ? `cue ${cue.number}` : `pass ${pass!.name}`} has no take ${Number(byNumber[2])}`);
    return take;
  }
  const relative = path.isAbsolute(which) ? path.relative(session.info.dir, which).split(path.sep).join('/') : which.split(path.sep).join('/');
  const wanted = relative.toLowerCase();
  const take = (await session.handle.takes.list()).find((t) => t.path.toLowerCase() === wanted || t.path.slice(t.path.lastIndexOf('/') + 1).toLowerCase() === wanted);
  if (!take) throw notFound('no take has that file name');
  return take;
}

/** The cue's number or the pass's name a take belongs to. */
function ownerName(session: CueSession & { passNames?: Map<number, string> }, take: TakeRecord): string {
  if (take.cueId !== null) return session.service.list().find((c) => c.id === take.cueId)?.number ?? `cue ${take.cueId}`;
  return session.passNames?.get(take.passId!) ?? `pass ${take.passId}`;
}

async function withPassNames(session: CueSession): Promise<CueSession & { passNames: Map<number, string> }> {
  return Object.assign(session, { passNames: new Map((await session.handle.passes.list()).map((p) => [p.id, p.name])) });
}

function markSummary(take: TakeRecord): string {
  const flags = [take.circled ? 'circled' : null, take.alternate ? 'alternate' : null, take.noGood ? 'NG' : null, take.falseStart ? 'false start' : null].filter(Boolean);
  const rating = take.rating === null ? null : `${take.rating} star${take.rating === 1 ? '' : 's'}`;
  const note = take.note ? `note “${take.note}”` : null;
  const parts = [...flags, rating, note].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'no marks';
}
