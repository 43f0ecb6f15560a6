/**
 * Takes, guide tracks and per-cue rolls in SQLite (migrations 0003 and 0005). Values are checked here first,
 * so a caller gets a sentence that names the field; the schema's CHECK, UNIQUE and foreign-key
 * constraints stay as the last line and are mapped to the same codes. Every write is a single
 * statement (atomic on its own) that returns the row it wrote.
 *
 * Take rows are never deleted, and `cues.id` is referenced ON DELETE RESTRICT: the cue store refuses
 * to delete a cue with takes (CUE_HAS_TAKES) before SQLite would.
 */
import { LoopstageError } from '../../core/errors.js';
import { applyMarkChange, checkMarkChange, sameMarks, type TakeMarkState } from '../../core/recording/take-marks.js';
import type {
  CueRoll,
  GuideRecord,
  LatencySource,
  NewGuide,
  NewTake,
  TakeCompletion,
  MarkedTake,
  MarkOutcome,
  TakeMarks,
  TakeRecord,
  TakeStatus,
  TakeStore,
} from '../../engine/ports/take-store.js';
import type { Database, SqlValue } from './database.js';
import { checkRule, isInt, isIntIn, isIso, message, pathProblem, show, updateRow } from './values.js';

interface TakeRow {
  id: number;
  cue_id: number | null;
  pass_id: number | null;
  number: number;
  path: string;
  channels: number;
  channel_names: string;
  input_channels: string;
  sample_rate: number;
  bits_per_sample: 16 | 24 | 32;
  float: number;
  start_sample: number;
  length: number;
  latency: number;
  latency_source: LatencySource;
  dropouts: number;
  input_device: string;
  output_device: string;
  status: TakeStatus;
  problem: string | null;
  circled: number;
  alternate: number;
  no_good: number;
  false_start: number;
  rating: number | null;
  note: string;
  created_at: string;
  completed_at: string | null;
}

interface GuideRow {
  id: number;
  path: string;
  name: string;
  start_sample: number;
  length: number;
  channels: number;
  sample_rate: number;
  enabled: number;
  added_at: string;
}

function toTake(row: TakeRow): TakeRecord {
  return {
    id: row.id,
    cueId: row.cue_id,
    passId: row.pass_id,
    number: row.number,
    path: row.path,
    channels: row.channels,
    channelNames: JSON.parse(row.channel_names) as string[],
    inputChannels: JSON.parse(row.input_channels) as number[],
    sampleRate: row.sample_rate,
    bitsPerSample: row.bits_per_sample,
    float: row.float === 1,
    start: row.start_sample,
    length: row.length,
    latency: row.latency,
    latencySource: row.latency_source,
    dropouts: row.dropouts,
    inputDevice: row.input_device,
    outputDevice: row.output_device,
    status: row.status,
    problem: row.problem,
    circled: row.circled === 1,
    alternate: row.alternate === 1,
    noGood: row.no_good === 1,
    falseStart: row.false_start === 1,
    rating: row.rating,
    note: row.note,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}

function toGuide(row: GuideRow): GuideRecord {
  return {
    id: row.id,
    path: row.path,
    name: row.name,
    start: row.start_sample,
    length: row.length,
    channels: row.channels,
    sampleRate: row.sample_rate,
    enabled: row.enabled === 1,
    addedAt: row.added_at,
  };
}

const TAKE_COLUMNS = `id, cue_id, pass_id, number, path, channels, channel_names, input_channels, sample_rate, bits_per_sample,
  float, start_sample, length, latency, latency_source, dropouts, input_device, output_device, status, problem, circled, alternate,
  no_good, false_start, rating, note, created_at, completed_at`;
const GUIDE_COLUMNS = 'id, path, name, start_sample, length, channels, sample_rate, enabled, added_at';

const MAX_CHANNELS = 256;
const MIN_RATE = 8000;
const MAX_RATE = 768_000;
const MAX_GUIDE_NAME = 500;
const MAX_ROLL_MS = 60_000;
const LATENCY_SOURCES: readonly LatencySource[] = ['measured', 'stored', 'none'];
const FINISHED: readonly TakeStatus[] = ['complete', 'recovered', 'aborted'];

function takeInvalid(what: string, details: Record<string, unknown> = {}): LoopstageError {
  return new LoopstageError('TAKE_VALUE_INVALID', `The take cannot be stored: ${what}; this is a fault in the recorder, so report it to the Loopstage developers.`, details);
}

function guideInvalid(what: string, details: Record<string, unknown> = {}): LoopstageError {
  return new LoopstageError('GUIDE_VALUE_INVALID', `The guide track cannot be stored: ${what}; check the file and the values given.`, details);
}

function takeNotFound(id: number): LoopstageError {
  return new LoopstageError('TAKE_NOT_FOUND', `There is no take ${id} in this project; reload the take list.`, { id });
}

function guideNotFound(id: number): LoopstageError {
  return new LoopstageError('GUIDE_NOT_FOUND', `There is no guide track ${id} in this project; reload the guide list.`, { id });
}

function cueNotFound(cueId: number): LoopstageError {
  return new LoopstageError('CUE_NOT_FOUND', `There is no cue ${cueId} in this project (it may have been deleted or undone); reload the cue list.`, { cueId });
}

/** Checks a new take field by field (the schema would refuse the same values, less clearly). */
function checkNewTake(take: NewTake): void {
  const owner = (id: number | null) => id === null || (isInt(id) && id >= 1);
  if (!owner(take.cueId) || !owner(take.passId) || (take.cueId === null) === (take.passId === null)) {
    throw takeInvalid(`it belongs to a cue or a Foley pass (a positive id for exactly one), not cue ${show(take.cueId)} and pass ${show(take.passId)}`);
  }
  if (!isInt(take.number) || take.number < 1) throw takeInvalid(`its number ${show(take.number)} is not a whole number from 1`);
  const bad = pathProblem(take.path);
  if (bad) throw takeInvalid(`its path ${show(take.path)} is not usable (${bad})`, { path: take.path });
  if (!isIntIn(take.channels, 1, MAX_CHANNELS)) throw takeInvalid(`its channel count ${show(take.channels)} is not 1 to ${MAX_CHANNELS}`);
  if (!Array.isArray(take.channelNames) || take.channelNames.length !== take.channels || !take.channelNames.every((n) => typeof n === 'string')) {
    throw takeInvalid(`it needs one channel name (a string) for each of its ${take.channels} channels`);
  }
  if (!Array.isArray(take.inputChannels) || take.inputChannels.length !== take.channels || !take.inputChannels.every((c) => isInt(c) && c >= 0)) {
    throw takeInvalid(`it needs one input channel (0-based) for each of its ${take.channels} channels`);
  }
  if (!isIntIn(take.sampleRate, MIN_RATE, MAX_RATE)) throw takeInvalid(`its sample rate ${show(take.sampleRate)} is not ${MIN_RATE} to ${MAX_RATE} Hz`);
  if (take.bitsPerSample !== 16 && take.bitsPerSample !== 24 && take.bitsPerSample !== 32) {
    throw takeInvalid(`its sample size ${show(take.bitsPerSample)} is not 16, 24 or 32 bits`);
  }
  if (typeof take.float !== 'boolean' || (take.float && take.bitsPerSample !== 32)) {
    throw takeInvalid('only 32-bit samples may be floating point');
  }
  if (!isInt(take.start) || take.start < 0) throw takeInvalid(`its start ${show(take.start)} is not a timeline sample from 0`);
  if (!isInt(take.latency)) throw takeInvalid(`its latency ${show(take.latency)} is not a whole number of samples`);
  if (!LATENCY_SOURCES.includes(take.latencySource)) throw takeInvalid(`its latency source ${show(take.latencySource)} is not measured, stored or none`);
  if (typeof take.inputDevice !== 'string' || typeof take.outputDevice !== 'string') throw takeInvalid('its input and output device names must be strings');
  if (!isIso(take.createdAt)) throw takeInvalid(`its creation time ${show(take.createdAt)} is not an ISO 8601 UTC time`);
}

function checkGuideFields(guide: Partial<NewGuide>): void {
  if (guide.path !== undefined) {
    const bad = pathProblem(guide.path);
    if (bad) throw guideInvalid(`its path ${show(guide.path)} is not usable (${bad})`, { path: guide.path });
  }
  if (guide.name !== undefined && (typeof guide.name !== 'string' || guide.name.trim().length === 0 || guide.name.trim().length > MAX_GUIDE_NAME)) {
    throw guideInvalid(`its name must be 1 to ${MAX_GUIDE_NAME} characters`);
  }
  if (guide.start !== undefined && (!isInt(guide.start) || guide.start < 0)) throw guideInvalid(`its start ${show(guide.start)} is not a timeline sample from 0`);
  if (guide.length !== undefined && (!isInt(guide.length) || guide.length < 0)) throw guideInvalid(`its length ${show(guide.length)} is not a whole number of samples from 0`);
  if (guide.channels !== undefined && !isIntIn(guide.channels, 1, MAX_CHANNELS)) throw guideInvalid(`its channel count ${show(guide.channels)} is not 1 to ${MAX_CHANNELS}`);
  if (guide.sampleRate !== undefined && !isIntIn(guide.sampleRate, MIN_RATE, MAX_RATE)) throw guideInvalid(`its sample rate ${show(guide.sampleRate)} is not ${MIN_RATE} to ${MAX_RATE} Hz`);
  if (guide.enabled !== undefined && typeof guide.enabled !== 'boolean') throw guideInvalid('enabled must be true or false');
  if (guide.addedAt !== undefined && !isIso(guide.addedAt)) throw guideInvalid(`its time added ${show(guide.addedAt)} is not an ISO 8601 UTC time`);
}

function checkRoll(roll: CueRoll): void {
  const invalid = (what: string): LoopstageError =>
    new LoopstageError('ROLL_INVALID', `The cue's roll was not set because ${what}.`, { roll: { ...roll } });
  if (!isInt(roll.cueId) || roll.cueId < 1) throw invalid(`the cue id ${show(roll.cueId)} is not a positive integer; pick a cue from the list`);
  for (const [name, value] of [['pre-roll', roll.preRollMs], ['post-roll', roll.postRollMs]] as const) {
    if (value !== null && !isIntIn(value, 0, MAX_ROLL_MS)) {
      throw invalid(`the ${name} ${show(value)} is not 0 to ${MAX_ROLL_MS} ms; give whole milliseconds in that range, or none for the project's default`);
    }
  }
}

/** The rule a CHECK constraint message names (SQLite gives the constraint's first line). */
/** What a failed take or guide write means, from SQLite's constraint message; null if none applies. */
function constraintError(
  error: unknown,
  kind: 'take' | 'guide',
  context: { cueId?: number; cueNumber?: string; number?: number; path?: string },
): LoopstageError | null {
  const text = message(error);
  if (/UNIQUE constraint failed: takes\.(cue_id|pass_id), takes\.number/.test(text)) {
    return new LoopstageError(
      'TAKE_NUMBER_TAKEN',
      `Take ${context.number} of cue ${context.cueNumber ?? context.cueId} already exists and take numbers are never reused; ask for the next number and record again.`,
      { cueId: context.cueId, number: context.number },
    );
  }
  if (/UNIQUE constraint failed: takes\.path/.test(text)) {
    return new LoopstageError(
      'TAKE_PATH_TAKEN',
      `Another take already uses the file ${context.path} (paths ignore case); name the new take's file differently.`,
      { path: context.path },
    );
  }
  if (/UNIQUE constraint failed: guides\.path/.test(text)) {
    return new LoopstageError(
      'GUIDE_PATH_TAKEN',
      `A guide track already uses the file ${context.path} (paths ignore case); copy the new guide in under another name.`,
      { path: context.path },
    );
  }
  if (/FOREIGN KEY constraint failed/.test(text) && context.cueId !== undefined) return cueNotFound(context.cueId);
  if (/CHECK constraint failed/.test(text)) {
    return kind === 'take'
      ? takeInvalid(`the database refused a value (${checkRule(error)})`)
      : guideInvalid(`the database refused a value (${checkRule(error)})`);
  }
  return null;
}

export class SqliteTakeStore implements TakeStore {
  constructor(private readonly db: Database) {}

  async nextNumber(cueId: number): Promise<number> {
    // Rows are never deleted, so the highest number ever used is still in the table.
    const row = await this.db.get<{ next: number }>('SELECT coalesce(max(number), 0) + 1 AS next FROM takes WHERE cue_id = ?', [cueId]);
    return row!.next;
  }

  async nextPassNumber(passId: number): Promise<number> {
    const row = await this.db.get<{ next: number }>('SELECT coalesce(max(number), 0) + 1 AS next FROM takes WHERE pass_id = ?', [passId]);
    return row!.next;
  }

  async coverEvents(takeId: number, cueIds: readonly number[]): Promise<void> {
    if (!cueIds.every((id) => isInt(id) && id >= 1)) throw takeInvalid('the events it covers must be cue ids', { takeId });
    try {
      await this.db.run('INSERT OR IGNORE INTO take_events (take_id, cue_id) SELECT ?, value FROM json_each(?)', [takeId, JSON.stringify(cueIds)]);
    } catch (error) {
      if (/FOREIGN KEY constraint failed/.test(message(error))) {
        throw new LoopstageError('TAKE_EVENTS_INVALID', `The take ${takeId} or one of the events it covers is not in this project; reload the cue list.`, { takeId, cueIds: [...cueIds] });
      }
      throw error;
    }
  }

  async coverage(): Promise<ReadonlyMap<number, readonly number[]>> {
    const rows = await this.db.all<{ cue_id: number; take_ids: string }>(
      `SELECT e.cue_id, json_group_array(e.take_id) AS take_ids FROM take_events e JOIN takes t ON t.id = e.take_id
       WHERE t.status IN ('complete', 'recovered') AND t.length > 0 GROUP BY e.cue_id`,
    );
    return new Map(rows.map((row) => [row.cue_id, JSON.parse(row.take_ids) as number[]]));
  }

  async begin(take: NewTake): Promise<TakeRecord> {
    checkNewTake(take);
    try {
      const [row] = await this.db.all<TakeRow>(
        `INSERT INTO takes (cue_id, pass_id, number, path, channels, channel_names, input_channels, sample_rate, bits_per_sample,
           float, start_sample, latency, latency_source, input_device, output_device, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         RETURNING ${TAKE_COLUMNS}`,
        [
          take.cueId, take.passId, take.number, take.path, take.channels, JSON.stringify(take.channelNames), JSON.stringify(take.inputChannels),
          take.sampleRate, take.bitsPerSample, take.float ? 1 : 0, take.start, take.latency, take.latencySource,
          take.inputDevice, take.outputDevice, take.createdAt,
        ],
      );
      return toTake(row!);
    } catch (error) {
      const cue = /UNIQUE constraint failed: takes\.cue_id/.test(message(error))
        ? await this.db.get<{ number: string }>('SELECT number FROM cues WHERE id = ?', [take.cueId])
        : undefined;
      throw constraintError(error, 'take', { cueId: take.cueId ?? undefined, cueNumber: cue?.number, number: take.number, path: take.path }) ?? error;
    }
  }

  async finish(id: number, completion: TakeCompletion): Promise<TakeRecord> {
    if (!FINISHED.includes(completion.status)) {
      throw takeInvalid(`a take finishes as complete, recovered or aborted, not ${show(completion.status)}`, { id });
    }
    if (!isInt(completion.length) || completion.length < 0) throw takeInvalid(`its length ${show(completion.length)} is not a whole number of frames from 0`, { id });
    const dropouts = completion.dropouts ?? 0;
    if (!isInt(dropouts) || dropouts < 0) throw takeInvalid(`its dropout count ${show(dropouts)} is not a whole number from 0`, { id });
    if (!isIso(completion.completedAt)) throw takeInvalid(`its completion time ${show(completion.completedAt)} is not an ISO 8601 UTC time`, { id });
    const problem = completion.problem ?? null;
    if (problem !== null && typeof problem !== 'string') throw takeInvalid('its problem must be text or null', { id });
    let row: TakeRow | undefined;
    try {
      [row] = await this.db.all<TakeRow>(
        `UPDATE takes SET status = ?, length = ?, completed_at = ?, problem = ?, dropouts = ?
         WHERE id = ? AND status = 'recording'
         RETURNING ${TAKE_COLUMNS}`,
        [completion.status, completion.length, completion.completedAt, problem, dropouts, id],
      );
    } catch (error) {
      throw constraintError(error, 'take', {}) ?? error;
    }
    if (row) return toTake(row);
    const current = await this.get(id);
    if (!current) throw takeNotFound(id);
    throw new LoopstageError(
      'TAKE_NOT_RECORDING',
      `Take ${current.number} (${current.path}) is already ${current.status}, so it cannot be finished again; reload the take list.`,
      { id, status: current.status },
    );
  }

  async mark(id: number, marks: TakeMarks, beforeCommit?: (changes: readonly MarkedTake[]) => Promise<void>): Promise<MarkOutcome> {
    checkMarkChange(marks);
    return this.db.transaction(async (tx) => {
      const row = await tx.get<TakeRow>(`SELECT ${TAKE_COLUMNS} FROM takes WHERE id = ?`, [id]);
      if (!row) throw takeNotFound(id);
      const before = toTake(row);
      if (before.status === 'recording') {
        throw new LoopstageError('TAKE_STILL_RECORDING', `Take ${before.number} is still being recorded; mark it once it stops.`, { id });
      }
      const next = applyMarkChange(before, marks);
      if ((next.circled || next.alternate) && before.length === 0) {
        throw new LoopstageError(
          'TAKE_NOT_USABLE',
          `Take ${before.number} holds no audio${before.problem ? ` (${before.problem})` : ''}, so it cannot be ${next.circled ? 'circled' : 'an alternate'}; choose another take.`,
          { id, status: before.status },
        );
      }
      const changes: MarkedTake[] = [];
      const write = async (take: TakeRecord, state: TakeMarkState): Promise<MarkedTake> => {
        const [written] = await tx.all<TakeRow>(
          `UPDATE takes SET circled = ?, alternate = ?, no_good = ?, false_start = ?, rating = ?, note = ? WHERE id = ? RETURNING ${TAKE_COLUMNS}`,
          [state.circled ? 1 : 0, state.alternate ? 1 : 0, state.noGood ? 1 : 0, state.falseStart ? 1 : 0, state.rating, state.note, take.id],
        );
        return { before: take, after: toTake(written!) };
      };
      const take = sameMarks(before, next) ? { before, after: before } : await write(before, next);
      if (take.after !== before) changes.push(take);
      const others: MarkedTake[] = [];
      if (next.circled && !before.circled) {
        // One circled take per cue or pass: the one circled before gives way.
        const rows = await tx.all<TakeRow>(
          `SELECT ${TAKE_COLUMNS} FROM takes WHERE circled = 1 AND id <> ? AND ${before.cueId !== null ? 'cue_id' : 'pass_id'} = ?`,
          [id, before.cueId ?? before.passId],
        );
        for (const other of rows.map(toTake)) others.push(await write(other, { ...other, circled: false }));
      }
      changes.push(...others);
      if (changes.length > 0) await beforeCommit?.(changes);
      return { take, others };
    }).catch((error: unknown) => {
      if (/CHECK constraint failed/.test(message(error))) {
        throw new LoopstageError('TAKE_MARK_INVALID', `The take was not marked because the database refused a value (${checkRule(error)}); check the rating and flags.`, { id });
      }
      throw error;
    });
  }

  async get(id: number): Promise<TakeRecord | null> {
    const row = await this.db.get<TakeRow>(`SELECT ${TAKE_COLUMNS} FROM takes WHERE id = ?`, [id]);
    return row ? toTake(row) : null;
  }

  async list(filter: { readonly cueId?: number; readonly passId?: number } = {}): Promise<TakeRecord[]> {
    const rows = filter.cueId !== undefined
      ? await this.db.all<TakeRow>(`SELECT ${TAKE_COLUMNS} FROM takes WHERE cue_id = ? ORDER BY number`, [filter.cueId])
      : filter.passId !== undefined
        ? await this.db.all<TakeRow>(`SELECT ${TAKE_COLUMNS} FROM takes WHERE pass_id = ? ORDER BY number`, [filter.passId])
        : await this.db.all<TakeRow>(`SELECT ${TAKE_COLUMNS} FROM takes ORDER BY cue_id IS NULL, cue_id, pass_id, number`);
    return rows.map(toTake);
  }

  async unfinished(): Promise<TakeRecord[]> {
    const rows = await this.db.all<TakeRow>(`SELECT ${TAKE_COLUMNS} FROM takes WHERE status = 'recording' ORDER BY id`);
    return rows.map(toTake);
  }

  async addGuide(guide: NewGuide): Promise<GuideRecord> {
    checkGuideFields(guide);
    for (const field of ['path', 'name', 'start', 'length', 'channels', 'sampleRate', 'enabled', 'addedAt'] as const) {
      if (guide[field] === undefined) throw guideInvalid(`it has no ${field}`);
    }
    try {
      const [row] = await this.db.all<GuideRow>(
        `INSERT INTO guides (path, name, start_sample, length, channels, sample_rate, enabled, added_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         RETURNING ${GUIDE_COLUMNS}`,
        [guide.path, guide.name.trim(), guide.start, guide.length, guide.channels, guide.sampleRate, guide.enabled ? 1 : 0, guide.addedAt],
      );
      return toGuide(row!);
    } catch (error) {
      throw constraintError(error, 'guide', { path: guide.path }) ?? error;
    }
  }

  async listGuides(): Promise<GuideRecord[]> {
    return (await this.db.all<GuideRow>(`SELECT ${GUIDE_COLUMNS} FROM guides ORDER BY id`)).map(toGuide);
  }

  async updateGuide(id: number, patch: Partial<Pick<GuideRecord, 'name' | 'start' | 'enabled'>>): Promise<GuideRecord> {
    checkGuideFields(patch);
    const sets: [string, SqlValue][] = [];
    if (patch.name !== undefined) sets.push(['name', patch.name.trim()]);
    if (patch.start !== undefined) sets.push(['start_sample', patch.start]);
    if (patch.enabled !== undefined) sets.push(['enabled', patch.enabled ? 1 : 0]);
    let row: GuideRow | undefined;
    try {
      row = await updateRow<GuideRow>(this.db, 'guides', GUIDE_COLUMNS, id, sets);
    } catch (error) {
      throw constraintError(error, 'guide', {}) ?? error;
    }
    if (!row) throw guideNotFound(id);
    return toGuide(row);
  }

  async getRoll(cueId: number): Promise<CueRoll> {
    const row = await this.db.get<{ pre_roll_ms: number | null; post_roll_ms: number | null }>(
      'SELECT pre_roll_ms, post_roll_ms FROM cue_rolls WHERE cue_id = ?',
      [cueId],
    );
    return { cueId, preRollMs: row?.pre_roll_ms ?? null, postRollMs: row?.post_roll_ms ?? null };
  }

  async setRoll(roll: CueRoll): Promise<CueRoll> {
    checkRoll(roll);
    if (roll.preRollMs === null && roll.postRollMs === null) {
      await this.db.run('DELETE FROM cue_rolls WHERE cue_id = ?', [roll.cueId]);
      return { cueId: roll.cueId, preRollMs: null, postRollMs: null };
    }
    try {
      await this.db.run(
        `INSERT INTO cue_rolls (cue_id, pre_roll_ms, post_roll_ms) VALUES (?, ?, ?)
         ON CONFLICT (cue_id) DO UPDATE SET pre_roll_ms = excluded.pre_roll_ms, post_roll_ms = excluded.post_roll_ms`,
        [roll.cueId, roll.preRollMs, roll.postRollMs],
      );
    } catch (error) {
      const text = message(error);
      if (/FOREIGN KEY constraint failed/.test(text)) throw cueNotFound(roll.cueId);
      if (/CHECK constraint failed/.test(text)) {
        throw new LoopstageError('ROLL_INVALID', `The cue's roll was not set because the database refused a value (${checkRule(error)}); give 0 to ${MAX_ROLL_MS} ms, or none.`, { roll: { ...roll } });
      }
      throw error;
    }
    return { cueId: roll.cueId, preRollMs: roll.preRollMs, postRollMs: roll.postRollMs };
  }
}
