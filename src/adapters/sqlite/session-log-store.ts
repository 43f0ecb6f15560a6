/**
 * The session log in SQLite (migration 0005). Only ever added to: an entry is one INSERT.
 */
import { LoopstageError } from '../../core/errors.js';
import type { NewSessionLogEntry, SessionLogEntry, SessionLogStore } from '../../engine/ports/session-log.js';
import type { Database } from './database.js';
import { checkRule, isInt, isIso, message, show } from './values.js';

interface LogRow {
  id: number;
  at: string;
  stage: string;
  who: string;
  action: string;
  cue_id: number | null;
  pass_id: number | null;
  take_id: number | null;
  text: string;
  data: string;
}

const COLUMNS = 'id, at, stage, who, action, cue_id, pass_id, take_id, text, data';
const MAX_NAME = 100;
const MAX_TEXT = 2000;
const MAX_LIST = 100_000;

function toEntry(row: LogRow): SessionLogEntry {
  return {
    id: row.id,
    at: row.at,
    stage: row.stage,
    who: row.who,
    action: row.action,
    cueId: row.cue_id,
    passId: row.pass_id,
    takeId: row.take_id,
    text: row.text,
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

function invalid(what: string): LoopstageError {
  return new LoopstageError('SESSION_LOG_INVALID', `The session log entry was not written: ${what}.`);
}

/** A log line is one line: its text is cut to the column's length rather than refused. */
function oneLine(text: string): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return flat.length > MAX_TEXT ? `${flat.slice(0, MAX_TEXT - 1)}…` : flat;
}

export class SqliteSessionLogStore implements SessionLogStore {
  constructor(private readonly db: Database) {}

  async add(entry: NewSessionLogEntry): Promise<SessionLogEntry> {
    if (!isIso(entry.at)) throw invalid(`its time ${show(entry.at)} is not an ISO 8601 UTC time`);
    for (const [name, value] of [['stage', entry.stage], ['who', entry.who]] as const) {
      if (typeof value !== 'string' || value.length > MAX_NAME) throw invalid(`its ${name} must be text of at most ${MAX_NAME} characters`);
    }
    if (typeof entry.action !== 'string' || !/^[a-z][a-z0-9.-]{0,49}$/.test(entry.action)) throw invalid(`its action ${show(entry.action)} is not a name such as take.marked`);
    for (const [name, value] of [['cue', entry.cueId], ['pass', entry.passId], ['take', entry.takeId]] as const) {
      if (value !== null && !(isInt(value) && value >= 1)) throw invalid(`its ${name} id ${show(value)} is not a positive integer or null`);
    }
    const text = typeof entry.text === 'string' ? oneLine(entry.text) : '';
    if (text.length === 0) throw invalid('it says nothing');
    let data: string;
    try {
      data = JSON.stringify(entry.data ?? {});
    } catch (error) {
      throw invalid(`its data is not JSON (${message(error)})`);
    }
    try {
      const [row] = await this.db.all<LogRow>(
        `INSERT INTO session_log (at, stage, who, action, cue_id, pass_id, take_id, text, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
        [entry.at, entry.stage, entry.who, entry.action, entry.cueId, entry.passId, entry.takeId, text, data],
      );
      return toEntry(row!);
    } catch (error) {
      if (/CHECK constraint failed/.test(message(error))) throw invalid(`the database refused a value (${checkRule(error)})`);
      throw error;
    }
  }

  async list(options: { readonly limit?: number; readonly beforeId?: number } = {}): Promise<SessionLogEntry[]> {
    const limit = options.limit ?? MAX_LIST;
    if (!isInt(limit) || limit < 1 || limit > MAX_LIST) {
      throw new LoopstageError('SESSION_LOG_LIMIT', `Ask for 1 to ${MAX_LIST} log entries, not ${show(limit)}.`);
    }
    const rows = await this.db.all<LogRow>(
      `SELECT ${COLUMNS} FROM (SELECT ${COLUMNS} FROM session_log WHERE id < ? ORDER BY id DESC LIMIT ?) ORDER BY id`,
      [options.beforeId ?? Number.MAX_SAFE_INTEGER, limit],
    );
    return rows.map(toEntry);
  }
}
