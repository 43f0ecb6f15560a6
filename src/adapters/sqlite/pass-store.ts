/**
 * Foley passes in SQLite (migration 0005). A pass and its events are written in one transaction;
 * characters, scenes and reels are stored by id and read back by name.
 */
import { LoopstageError } from '../../core/errors.js';
import { FOLEY_PASSES, type FoleyPass } from '../../core/cues/cue.js';
import type { PassScope } from '../../core/recording/foley-passes.js';
import type { FoleyPassRecord, NewFoleyPass, PassStatus, PassStore } from '../../engine/ports/pass-store.js';
import type { Database, Queryable } from './database.js';
import { checkRule, isInt, isIso, message, show } from './values.js';

interface PassRow {
  id: number;
  name: string;
  pass: FoleyPass;
  character: string | null;
  scope: PassScope;
  scene: string | null;
  reel: string | null;
  in_sample: number;
  out_sample: number;
  status: PassStatus;
  created_at: string;
  event_ids: string;
}

const SELECT = `SELECT p.id, p.name, p.pass, ch.name AS character, p.scope, sc.number AS scene, r.name AS reel, p.in_sample, p.out_sample,
    p.status, p.created_at,
    (SELECT json_group_array(cue_id) FROM (SELECT e.cue_id FROM foley_pass_events e JOIN cues c ON c.id = e.cue_id WHERE e.pass_id = p.id ORDER BY c.in_sample, c.number)) AS event_ids
  FROM foley_passes p
  LEFT JOIN characters ch ON ch.id = p.character_id
  LEFT JOIN scenes sc ON sc.id = p.scene_id
  LEFT JOIN reels r ON r.id = p.reel_id`;

const SCOPES: readonly PassScope[] = ['scene', 'reel', 'selection'];
const STATUSES: readonly PassStatus[] = ['todo', 'in_progress', 'done'];

function toPass(row: PassRow): FoleyPassRecord {
  return {
    id: row.id,
    name: row.name,
    pass: row.pass,
    character: row.character,
    scope: row.scope,
    scene: row.scene,
    reel: row.reel,
    in: row.in_sample,
    out: row.out_sample,
    status: row.status,
    createdAt: row.created_at,
    eventIds: JSON.parse(row.event_ids) as number[],
  };
}

function invalid(what: string): LoopstageError {
  return new LoopstageError('PASS_VALUE_INVALID', `The Foley pass was not saved: ${what}.`);
}

function notFound(id: number): LoopstageError {
  return new LoopstageError('PASS_NOT_FOUND', `There is no Foley pass ${id} in this project; reload the pass list.`, { id });
}

function checkNew(pass: NewFoleyPass): void {
  if (typeof pass.name !== 'string' || pass.name.trim().length === 0 || pass.name.trim().length > 200) throw invalid('its name must be 1 to 200 characters');
  if (!FOLEY_PASSES.includes(pass.pass)) throw invalid(`${show(pass.pass)} is not a kind of pass (${FOLEY_PASSES.join(', ')})`);
  if (!SCOPES.includes(pass.scope)) throw invalid(`${show(pass.scope)} is not a scope (scene, reel or selection)`);
  if (!isInt(pass.in) || pass.in < 0 || !isInt(pass.out) || pass.out <= pass.in) throw invalid(`${show(pass.in)}…${show(pass.out)} is not a range of timeline samples`);
  if (!isIso(pass.createdAt)) throw invalid(`its creation time ${show(pass.createdAt)} is not an ISO 8601 UTC time`);
  if (!Array.isArray(pass.eventIds) || !pass.eventIds.every((id) => isInt(id) && id >= 1)) throw invalid('its events must be cue ids');
}

async function idByName(tx: Queryable, sql: string, name: string | null, what: string): Promise<number | null> {
  if (name === null) return null;
  const row = await tx.get<{ id: number }>(sql, [name]);
  if (!row) throw new LoopstageError('PASS_VALUE_INVALID', `The Foley pass was not saved: there is no ${what} "${name}" in this project.`, { [what]: name });
  return row.id;
}

export class SqlitePassStore implements PassStore {
  constructor(private readonly db: Database) {}

  async create(pass: NewFoleyPass): Promise<FoleyPassRecord> {
    checkNew(pass);
    try {
      const id = await this.db.transaction(async (tx) => {
        const characterId = await idByName(tx, 'SELECT id FROM characters WHERE name = ? COLLATE NOCASE', pass.character, 'character');
        const sceneId = await idByName(tx, 'SELECT id FROM scenes WHERE number = ? COLLATE NOCASE', pass.scene, 'scene');
        const reelId = await idByName(tx, 'SELECT id FROM reels WHERE name = ? COLLATE NOCASE', pass.reel, 'reel');
        const [row] = await tx.all<{ id: number }>(
          `INSERT INTO foley_passes (name, pass, character_id, scope, scene_id, reel_id, in_sample, out_sample, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
          [pass.name.trim(), pass.pass, characterId, pass.scope, sceneId, reelId, pass.in, pass.out, pass.createdAt],
        );
        if (pass.eventIds.length > 0) {
          await tx.run('INSERT INTO foley_pass_events (pass_id, cue_id) SELECT ?, value FROM json_each(?)', [row!.id, JSON.stringify([...new Set(pass.eventIds)])]);
        }
        return row!.id;
      });
      return (await this.get(id))!;
    } catch (error) {
      const text = message(error);
      if (/UNIQUE constraint failed: foley_passes\.name/.test(text)) {
        throw new LoopstageError('PASS_NAME_TAKEN', `A Foley pass is already called "${pass.name.trim()}" (names ignore case); name this one differently.`, { name: pass.name });
      }
      if (/FOREIGN KEY constraint failed/.test(text)) throw new LoopstageError('CUE_NOT_FOUND', 'An event of the pass is not in this project any more; reload the cue list and try again.');
      if (/CHECK constraint failed/.test(text)) throw invalid(`the database refused a value (${checkRule(error)})`);
      throw error;
    }
  }

  async list(): Promise<FoleyPassRecord[]> {
    return (await this.db.all<PassRow>(`${SELECT} ORDER BY p.in_sample, p.name`)).map(toPass);
  }

  async get(id: number): Promise<FoleyPassRecord | null> {
    const row = await this.db.get<PassRow>(`${SELECT} WHERE p.id = ?`, [id]);
    return row ? toPass(row) : null;
  }

  async setStatus(id: number, status: PassStatus): Promise<FoleyPassRecord> {
    if (!STATUSES.includes(status)) throw invalid(`${show(status)} is not a pass status (todo, in_progress, done)`);
    const result = await this.db.run('UPDATE foley_passes SET status = ? WHERE id = ?', [status, id]);
    if (result.changes === 0) throw notFound(id);
    return (await this.get(id))!;
  }
}
