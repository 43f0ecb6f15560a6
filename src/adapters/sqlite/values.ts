/**
 * Checks the SQLite stores make on values before writing them, so a caller gets a sentence naming
 * the field; the schema's CHECK constraints (migrations/) stay as the last line.
 */

import type { Database, SqlValue } from './database.js';

const MAX_PATH = 1000;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A value as a sentence shows it: numbers as they are (NaN stays NaN), everything else as JSON. */
export const show = (value: unknown): string => {
  if (typeof value === 'number') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};

export const isInt = (value: unknown): value is number => Number.isSafeInteger(value);
export const isIntIn = (value: unknown, min: number, max: number): value is number => isInt(value) && value >= min && value <= max;
export const isIso = (value: unknown): value is string => typeof value === 'string' && ISO_UTC.test(value) && !Number.isNaN(Date.parse(value));

/** The rule a CHECK constraint failure names, from SQLite's message. */
export const checkRule = (error: unknown): string => message(error).replace(/^.*CHECK constraint failed: /, '');

/** Why `p` is not a usable project-relative path (forward slashes, no `.`/`..`), or null. */
export function pathProblem(p: unknown): string | null {
  if (typeof p !== 'string' || p.length === 0) return 'it is empty';
  if (p.length > MAX_PATH) return `it is longer than ${MAX_PATH} characters`;
  if (p.includes('\\')) return 'it uses a backslash (use forward slashes)';
  if (p.includes('\u0000')) return 'it holds a NUL character';
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return 'it is absolute (it must be relative to the project folder)';
  if (p.split('/').some((part) => part === '' || part === '.' || part === '..')) return 'it has an empty, "." or ".." part';
  return null;
}

/**
 * Sets `sets` (column, value) on row `id` of `table` and returns the row as `columns` reads it; with
 * nothing to set, just reads it. Undefined when there is no such row.
 */
export async function updateRow<Row>(db: Database, table: string, columns: string, id: number, sets: ReadonlyArray<readonly [string, SqlValue]>): Promise<Row | undefined> {
  if (sets.length === 0) return db.get<Row>(`SELECT ${columns} FROM ${table} WHERE id = ?`, [id]);
  const [row] = await db.all<Row>(
    `UPDATE ${table} SET ${sets.map(([column]) => `${column} = ?`).join(', ')} WHERE id = ? RETURNING ${columns}`,
    [...sets.map(([, value]) => value), id],
  );
  return row;
}
