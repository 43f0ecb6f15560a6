/**
 * `loopstage log`: the session log of a project — every action with its time, stage and who — to
 * read in a terminal, as JSON, or exported as CSV.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../../adapters/files/text-file.js';
import { sessionLogCsv } from '../../adapters/interchange/session-log-csv.js';
import { openCueSession } from '../../host/cue-session.js';
import type { CliCommand } from '../io.js';
import { usageError } from './usage.js';

export const LOG_USAGE = `usage: loopstage log --project DIR [--last N] [--json | --csv FILE [--force]]
  Shows the session log: every take recorded, recovered or marked, with its time (UTC), stage and
  who. --last shows the newest N entries; --csv writes the whole log (or the last N) as CSV to FILE
  (not over an existing file unless --force; written whole or not at all), - for standard output.`;

export const logCommand: CliCommand = async (args, io) => {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${LOG_USAGE}\n`);
    return 0;
  }
  const { values } = parseArgs({ args, options: { project: { type: 'string' }, last: { type: 'string' }, json: { type: 'boolean', default: false }, csv: { type: 'string' }, force: { type: 'boolean', default: false } } });
  if (!values.project) throw usageError('--project DIR is required.', LOG_USAGE);
  if (values.json && values.csv !== undefined) throw usageError('--json and --csv are two ways to print; give one.', LOG_USAGE);
  let limit: number | undefined;
  if (values.last !== undefined) {
    if (!/^\d+$/.test(values.last) || Number(values.last) < 1) throw usageError(`--last takes a number of entries from 1, not "${values.last}".`, LOG_USAGE);
    limit = Math.min(Number(values.last), 100_000);
  }
  const session = await openCueSession(path.resolve(io.cwd, values.project));
  try {
    const entries = await session.handle.log.list(limit === undefined ? {} : { limit });
    if (values.csv !== undefined) {
      const text = sessionLogCsv(entries);
      if (values.csv === '-') io.stdout.write(text);
      else {
        const file = path.resolve(io.cwd, values.csv);
        await writeFileAtomic(file, Buffer.from(text, 'utf8'), values.force);
        io.stderr.write(`Wrote ${entries.length} log entr${entries.length === 1 ? 'y' : 'ies'} to ${file}\n`);
      }
    } else if (values.json) io.stdout.write(`${JSON.stringify(entries)}\n`);
    else io.stdout.write(entries.length === 0 ? 'The session log is empty.\n' : `${entries.map((e) => `${e.at}  ${e.stage ? `[${e.stage}] ` : ''}${e.who ? `${e.who}: ` : ''}${e.text}`).join('\n')}\n`);
    return 0;
  } finally {
    await session.close();
  }
};
