/**
 * The session log as CSV: one row per entry, oldest first, with the columns a supervisor's report
 * or a spreadsheet wants. Quoting and formula guarding as writeDelimited (./csv.ts) does them; a
 * UTF-8 byte order mark so Excel reads accented names.
 */
import type { SessionLogEntry } from '../../engine/ports/session-log.js';
import { writeDelimited } from './csv.js';

export const SESSION_LOG_COLUMNS = ['Time (UTC)', 'Stage', 'Who', 'Action', 'What', 'Cue id', 'Pass id', 'Take id', 'Data'] as const;

export function sessionLogCsv(entries: readonly SessionLogEntry[]): string {
  const id = (value: number | null) => (value === null ? '' : String(value));
  return writeDelimited(
    SESSION_LOG_COLUMNS,
    entries.map((e) => [e.at, e.stage, e.who, e.action, e.text, id(e.cueId), id(e.passId), id(e.takeId), JSON.stringify(e.data)]),
    ',',
    { bom: true },
  );
}
