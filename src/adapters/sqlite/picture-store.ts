/**
 * Pictures, the picture each cue was spotted on, and sync logs in SQLite (migration 0004). Values
 * are checked here first so a caller gets a sentence naming the field; the schema's constraints stay
 * as the last line.
 */
import { LoopstageError } from '../../core/errors.js';
import type {
  NewPicture,
  NewSyncLog,
  PictureRecord,
  PictureStartSource,
  PictureStore,
  ProxyReason,
  SyncLogEntry,
  SyncLogRecord,
  SyncLogSummary,
} from '../../engine/ports/picture-store.js';
import type { Database, SqlValue } from './database.js';
import { checkRule, isInt, isIntIn, isIso, message, pathProblem, show, updateRow } from './values.js';

interface PictureRow {
  id: number;
  name: string;
  path: string;
  source_path: string;
  start_sample: number;
  end_sample: number;
  start_source: PictureStartSource;
  frame_rate: string;
  frames: number;
  width: number;
  height: number;
  codec: string;
  source_codec: string;
  proxy_reasons: string;
  added_at: string;
}

interface SyncLogRow {
  id: number;
  picture_id: number | null;
  cue_id: number | null;
  started_at: string;
  screen: string;
  frame_rate: string;
  display_offset_ms: number;
  frame_count: number;
}

const PICTURE_COLUMNS = `id, name, path, source_path, start_sample, end_sample, start_source, frame_rate, frames, width, height,
  codec, source_codec, proxy_reasons, added_at`;
const SYNC_LOG_COLUMNS = 'id, picture_id, cue_id, started_at, screen, frame_rate, display_offset_ms, json_array_length(frames) AS frame_count';

const START_SOURCES: readonly PictureStartSource[] = ['timecode-track', 'metadata', 'typed', 'project-start'];
const PROXY_REASONS: readonly ProxyReason[] = ['codec', 'container', 'pixel-format', 'interlaced', 'variable-frame-rate', 'long-gop', 'size'];
const MAX_NAME = 500;
const MAX_SOURCE_PATH = 4000;
const MAX_SIZE = 65_535;

function toPicture(row: PictureRow): PictureRecord {
  return {
    id: row.id,
    name: row.name,
    path: row.path,
    sourcePath: row.source_path,
    start: row.start_sample,
    end: row.end_sample,
    startSource: row.start_source,
    frameRate: row.frame_rate,
    frames: row.frames,
    width: row.width,
    height: row.height,
    codec: row.codec,
    sourceCodec: row.source_codec,
    proxyReasons: JSON.parse(row.proxy_reasons) as ProxyReason[],
    addedAt: row.added_at,
  };
}

function toSummary(row: SyncLogRow): SyncLogSummary {
  return {
    id: row.id,
    pictureId: row.picture_id,
    cueId: row.cue_id,
    startedAt: row.started_at,
    screen: row.screen,
    frameRate: row.frame_rate,
    displayOffsetMs: row.display_offset_ms,
    frameCount: row.frame_count,
  };
}

function pictureInvalid(what: string, details: Record<string, unknown> = {}): LoopstageError {
  return new LoopstageError('PICTURE_VALUE_INVALID', `The picture cannot be stored: ${what}; check the file and the values given.`, details);
}

function pictureNotFound(id: number): LoopstageError {
  return new LoopstageError('PICTURE_NOT_FOUND', `There is no picture ${id} in this project; reload the picture list.`, { id });
}

function syncLogInvalid(what: string): LoopstageError {
  return new LoopstageError('SYNC_LOG_INVALID', `The sync log was not stored: ${what}; this is a fault in the player, so report it to the Loopstage developers.`);
}

function checkPictureFields(p: Partial<NewPicture>): void {
  if (p.name !== undefined && (typeof p.name !== 'string' || p.name.trim().length === 0 || p.name.trim().length > MAX_NAME)) {
    throw pictureInvalid(`its name must be 1 to ${MAX_NAME} characters`);
  }
  if (p.path !== undefined) {
    const bad = pathProblem(p.path);
    if (bad) throw pictureInvalid(`its path ${show(p.path)} is not usable (${bad})`, { path: p.path });
  }
  if (p.sourcePath !== undefined && (typeof p.sourcePath !== 'string' || p.sourcePath.length === 0 || p.sourcePath.length > MAX_SOURCE_PATH)) {
    throw pictureInvalid(`its source path must be 1 to ${MAX_SOURCE_PATH} characters`);
  }
  if (p.start !== undefined && (!isInt(p.start) || p.start < 0)) throw pictureInvalid(`its start ${show(p.start)} is not a timeline sample from 0`);
  if (p.end !== undefined && (!isInt(p.end) || p.end < 1)) throw pictureInvalid(`its end ${show(p.end)} is not a timeline sample after its start`);
  if (p.start !== undefined && p.end !== undefined && p.end <= p.start) throw pictureInvalid(`its end ${p.end} is not after its start ${p.start}`);
  if (p.startSource !== undefined && !START_SOURCES.includes(p.startSource)) throw pictureInvalid(`its start source ${show(p.startSource)} is not one of ${START_SOURCES.join(', ')}`);
  if (p.frames !== undefined && (!isInt(p.frames) || p.frames < 1)) throw pictureInvalid(`its frame count ${show(p.frames)} is not a whole number from 1`);
  for (const side of ['width', 'height'] as const) {
    if (p[side] !== undefined && !isIntIn(p[side], 1, MAX_SIZE)) throw pictureInvalid(`its ${side} ${show(p[side])} is not 1 to ${MAX_SIZE} pixels`);
  }
  for (const field of ['frameRate', 'codec', 'sourceCodec'] as const) {
    if (p[field] !== undefined && (typeof p[field] !== 'string' || p[field].length === 0)) throw pictureInvalid(`its ${field} must be named`);
  }
  if (p.proxyReasons !== undefined && (!Array.isArray(p.proxyReasons) || !p.proxyReasons.every((r) => PROXY_REASONS.includes(r)))) {
    throw pictureInvalid(`its proxy reasons ${show(p.proxyReasons)} are not among ${PROXY_REASONS.join(', ')}`);
  }
  if (p.addedAt !== undefined && !isIso(p.addedAt)) throw pictureInvalid(`its time added ${show(p.addedAt)} is not an ISO 8601 UTC time`);
}

function constraintError(error: unknown, path: string | undefined): LoopstageError | null {
  const text = message(error);
  if (/UNIQUE constraint failed: pictures\.path/.test(text)) {
    return new LoopstageError('PICTURE_PATH_TAKEN', `Another picture already uses the file ${path ?? ''} (paths ignore case); add the picture under another name.`, { path });
  }
  if (/CHECK constraint failed/.test(text)) return pictureInvalid(`the database refused a value (${checkRule(error)})`);
  return null;
}

function checkSyncLog(log: NewSyncLog): void {
  if (log.pictureId !== null && !isInt(log.pictureId)) throw syncLogInvalid(`its picture id ${show(log.pictureId)} is not a whole number`);
  if (log.cueId !== null && !isInt(log.cueId)) throw syncLogInvalid(`its cue id ${show(log.cueId)} is not a whole number`);
  if (!isIso(log.startedAt)) throw syncLogInvalid(`its start ${show(log.startedAt)} is not an ISO 8601 UTC time`);
  if (typeof log.screen !== 'string' || log.screen.length < 1 || log.screen.length > 50) throw syncLogInvalid('its screen must be named in 1 to 50 characters');
  if (typeof log.frameRate !== 'string' || log.frameRate.length === 0) throw syncLogInvalid('its frame rate must be named');
  if (!Number.isFinite(log.displayOffsetMs)) throw syncLogInvalid(`its display offset ${show(log.displayOffsetMs)} is not a number of milliseconds`);
  const entryOk = (e: SyncLogEntry) => Array.isArray(e) && e.length === 3 && Number.isFinite(e[0]) && isInt(e[1]) && isInt(e[2]);
  if (!Array.isArray(log.frames) || !log.frames.every(entryOk)) throw syncLogInvalid('each frame must be [ms, frame asked for, frame shown] with whole frame numbers');
}

export class SqlitePictureStore implements PictureStore {
  constructor(private readonly db: Database) {}

  async add(picture: NewPicture): Promise<PictureRecord> {
    checkPictureFields(picture);
    const fields = ['name', 'path', 'sourcePath', 'start', 'end', 'startSource', 'frameRate', 'frames', 'width', 'height', 'codec', 'sourceCodec', 'proxyReasons', 'addedAt'] as const;
    for (const field of fields) if (picture[field] === undefined) throw pictureInvalid(`it has no ${field}`);
    try {
      const [row] = await this.db.all<PictureRow>(
        `INSERT INTO pictures (name, path, source_path, start_sample, end_sample, start_source, frame_rate, frames, width, height, codec,
           source_codec, proxy_reasons, added_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         RETURNING ${PICTURE_COLUMNS}`,
        [
          picture.name.trim(), picture.path, picture.sourcePath, picture.start, picture.end, picture.startSource, picture.frameRate, picture.frames,
          picture.width, picture.height, picture.codec, picture.sourceCodec, JSON.stringify(picture.proxyReasons), picture.addedAt,
        ],
      );
      return toPicture(row!);
    } catch (error) {
      throw constraintError(error, picture.path) ?? error;
    }
  }

  async list(): Promise<PictureRecord[]> {
    return (await this.db.all<PictureRow>(`SELECT ${PICTURE_COLUMNS} FROM pictures ORDER BY id`)).map(toPicture);
  }

  async get(id: number): Promise<PictureRecord | null> {
    const row = await this.db.get<PictureRow>(`SELECT ${PICTURE_COLUMNS} FROM pictures WHERE id = ?`, [id]);
    return row ? toPicture(row) : null;
  }

  async update(id: number, patch: Partial<Pick<PictureRecord, 'name' | 'start' | 'end' | 'startSource'>>): Promise<PictureRecord> {
    checkPictureFields(patch);
    const sets: [string, SqlValue][] = [];
    if (patch.name !== undefined) sets.push(['name', patch.name.trim()]);
    if (patch.start !== undefined) sets.push(['start_sample', patch.start]);
    if (patch.end !== undefined) sets.push(['end_sample', patch.end]);
    if (patch.startSource !== undefined) sets.push(['start_source', patch.startSource]);
    let row: PictureRow | undefined;
    try {
      row = await updateRow<PictureRow>(this.db, 'pictures', PICTURE_COLUMNS, id, sets);
    } catch (error) {
      throw constraintError(error, undefined) ?? error;
    }
    if (!row) throw pictureNotFound(id);
    return toPicture(row);
  }

  async assignCues(): Promise<number> {
    // The newest picture holding the in point: a new picture version takes over from the old one.
    const assigned = await this.db.all<{ cue_id: number }>(
      `INSERT INTO cue_pictures (cue_id, picture_id)
       SELECT c.id, (SELECT p.id FROM pictures p WHERE c.in_sample >= p.start_sample AND c.in_sample < p.end_sample ORDER BY p.id DESC LIMIT 1) AS pid
       FROM cues c
       WHERE c.id NOT IN (SELECT cue_id FROM cue_pictures) AND pid IS NOT NULL
       RETURNING cue_id`,
    );
    return assigned.length;
  }

  async setCuePicture(cueId: number, pictureId: number | null): Promise<void> {
    if (pictureId === null) {
      await this.db.run('DELETE FROM cue_pictures WHERE cue_id = ?', [cueId]);
      return;
    }
    if (!(await this.db.get('SELECT 1 FROM cues WHERE id = ?', [cueId]))) {
      throw new LoopstageError('CUE_NOT_FOUND', `There is no cue ${cueId} in this project (it may have been deleted or undone); reload the cue list.`, { cueId });
    }
    if (!(await this.get(pictureId))) throw pictureNotFound(pictureId);
    await this.db.run('INSERT INTO cue_pictures (cue_id, picture_id) VALUES (?, ?) ON CONFLICT (cue_id) DO UPDATE SET picture_id = excluded.picture_id', [cueId, pictureId]);
  }

  async cuePictures(): Promise<Map<number, number>> {
    const rows = await this.db.all<{ cue_id: number; picture_id: number }>('SELECT cue_id, picture_id FROM cue_pictures');
    return new Map(rows.map((r) => [r.cue_id, r.picture_id]));
  }

  async addSyncLog(log: NewSyncLog): Promise<SyncLogSummary> {
    checkSyncLog(log);
    // A picture or cue deleted since the roll began leaves the log without it rather than losing the log.
    const pictureId = log.pictureId !== null && (await this.db.get('SELECT 1 FROM pictures WHERE id = ?', [log.pictureId])) ? log.pictureId : null;
    const cueId = log.cueId !== null && (await this.db.get('SELECT 1 FROM cues WHERE id = ?', [log.cueId])) ? log.cueId : null;
    const [row] = await this.db.all<SyncLogRow>(
      `INSERT INTO sync_logs (picture_id, cue_id, started_at, screen, frame_rate, display_offset_ms, frames)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${SYNC_LOG_COLUMNS}`,
      [pictureId, cueId, log.startedAt, log.screen, log.frameRate, log.displayOffsetMs, JSON.stringify(log.frames)],
    );
    return toSummary(row!);
  }

  async listSyncLogs(limit = 100): Promise<SyncLogSummary[]> {
    const rows = await this.db.all<SyncLogRow>(`SELECT ${SYNC_LOG_COLUMNS} FROM sync_logs ORDER BY id DESC LIMIT ?`, [limit]);
    return rows.map(toSummary);
  }

  async getSyncLog(id: number): Promise<SyncLogRecord | null> {
    const row = await this.db.get<SyncLogRow & { frames: string }>(`SELECT ${SYNC_LOG_COLUMNS}, frames FROM sync_logs WHERE id = ?`, [id]);
    if (!row) return null;
    return { ...toSummary(row), frames: JSON.parse(row.frames) as SyncLogEntry[] };
  }
}
