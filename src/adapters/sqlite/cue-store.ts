/**
 * The cue database in SQLite (migration 0002). Every `apply` runs in one IMMEDIATE transaction and
 * journals each row it touches as JSON before and after, so undo and redo restore rows exactly and
 * a failure part-way leaves nothing behind. Bulk creates go through multi-row INSERTs and the
 * journal is filled from the rows themselves with `json_object`, which keeps a 10,000-cue import
 * within a few hundred milliseconds.
 *
 * Takes refer to their cue, or cover Foley events (take_events), and are never deleted (migrations
 * 0003 and 0005), so no action, undo or redo may delete a cue that has takes: each checks first and refuses with CUE_HAS_TAKES before it changes
 * anything. A cue's roll override (`cue_rolls`) goes with the cue and is journaled with its delete.
 */
import { LoopstageError } from '../../core/errors.js';
import type { Cue, CueFields, CueKind, CueStatus, FoleyPass } from '../../core/cues/cue.js';
import type {
  ChangeSet,
  Character,
  CueChange,
  CueStore,
  History,
  ReasonCode,
  Reel,
  Scene,
} from '../../engine/ports/cue-store.js';
import type { Database, Queryable, SqlValue } from './database.js';

type Entity = 'cue' | 'character' | 'reel' | 'scene' | 'reason_code';
const TABLE: Record<Entity, string> = { cue: 'cues', character: 'characters', reel: 'reels', scene: 'scenes', reason_code: 'reason_codes' };

/** Columns of each journaled table, in order, as 0002 defines them. */
const COLUMNS: Record<Entity, readonly string[]> = {
  cue: ['id', 'kind', 'number', 'reel_id', 'scene_id', 'character_id', 'in_sample', 'out_sample', 'notes', 'eng_notes',
    'status', 'done_at', 'colour', 'line_text', 'alt_text', 'reason_code', 'priority', 'on_screen', 'flag_tv', 'flag_tbw',
    'flag_adlib', 'flag_optional', 'foley_pass', 'surface', 'footwear', 'prop', 'description', 'track', 'created_at', 'updated_at'],
  character: ['id', 'name', 'actor', 'prefix', 'colour', 'sort'],
  reel: ['id', 'name', 'number', 'picture_version', 'offset_sample'],
  scene: ['id', 'number', 'description', 'reel_id', 'in_sample', 'out_sample'],
  reason_code: ['id', 'code', 'label', 'sort'],
};

const jsonRow = (entity: Entity, alias = '') =>
  `json_object(${COLUMNS[entity].map((c) => `'${c}', ${alias}${c}`).join(', ')})`;

const CUE_SELECT = `
  SELECT c.*, ch.name AS character_name, r.name AS reel_name, s.number AS scene_number
  FROM cues c
  LEFT JOIN characters ch ON ch.id = c.character_id
  LEFT JOIN reels r ON r.id = c.reel_id
  LEFT JOIN scenes s ON s.id = c.scene_id`;

interface CueRow {
  id: number; kind: CueKind; number: string; in_sample: number; out_sample: number; notes: string; eng_notes: string;
  status: CueStatus; done_at: string | null; colour: string; line_text: string; alt_text: string; reason_code: string | null;
  priority: number | null; on_screen: number | null; flag_tv: number; flag_tbw: number; flag_adlib: number; flag_optional: number;
  foley_pass: FoleyPass | null; surface: string; footwear: string; prop: string; description: string; track: string;
  updated_at: string; character_name: string | null; reel_name: string | null; scene_number: string | null;
}

function toCue(row: CueRow): Cue {
  return {
    id: row.id, kind: row.kind, number: row.number, in: row.in_sample, out: row.out_sample,
    reel: row.reel_name, scene: row.scene_number, character: row.character_name,
    notes: row.notes, engNotes: row.eng_notes, status: row.status, doneAt: row.done_at, colour: row.colour,
    lineText: row.line_text, altText: row.alt_text, reason: row.reason_code, priority: row.priority,
    onScreen: row.on_screen === null ? null : row.on_screen === 1,
    tv: row.flag_tv === 1, tbw: row.flag_tbw === 1, adlib: row.flag_adlib === 1, optional: row.flag_optional === 1,
    pass: row.foley_pass, surface: row.surface, footwear: row.footwear, prop: row.prop, description: row.description,
    track: row.track, updatedAt: row.updated_at,
  };
}

/** Cue field → column, for the plain (non-relational) fields. */
const PLAIN: Partial<Record<keyof CueFields, { column: string; toDb?: (value: unknown) => SqlValue }>> = {
  kind: { column: 'kind' }, number: { column: 'number' }, in: { column: 'in_sample' }, out: { column: 'out_sample' },
  notes: { column: 'notes' }, engNotes: { column: 'eng_notes' }, status: { column: 'status' }, colour: { column: 'colour' },
  lineText: { column: 'line_text' }, altText: { column: 'alt_text' }, reason: { column: 'reason_code' },
  priority: { column: 'priority' },
  onScreen: { column: 'on_screen', toDb: (v) => (v === null || v === undefined ? null : v ? 1 : 0) },
  tv: { column: 'flag_tv', toDb: (v) => (v ? 1 : 0) }, tbw: { column: 'flag_tbw', toDb: (v) => (v ? 1 : 0) },
  adlib: { column: 'flag_adlib', toDb: (v) => (v ? 1 : 0) }, optional: { column: 'flag_optional', toDb: (v) => (v ? 1 : 0) },
  pass: { column: 'foley_pass' }, surface: { column: 'surface' }, footwear: { column: 'footwear' }, prop: { column: 'prop' },
  description: { column: 'description' }, track: { column: 'track' },
};

const key = (text: string) => text.trim().toLowerCase();
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * Refuses (CUE_HAS_TAKES) to go on when any of the cues `ids` has takes: takes are never lost, so a
 * cue with takes is never deleted. `replaying` names the undo or redo that would have deleted them.
 */
async function refuseCuesWithTakes(tx: Queryable, ids: readonly number[], replaying?: string): Promise<void> {
  if (!ids.length) return;
  // A Foley event covered by a pass take (take_events, migration 0005) holds that take too.
  const rows = await tx.all<{ id: number; number: string; takes: number }>(
    `SELECT c.id, c.number, count(*) AS takes
     FROM (SELECT cue_id FROM takes WHERE cue_id IS NOT NULL UNION ALL SELECT cue_id FROM take_events) t JOIN cues c ON c.id = t.cue_id
     WHERE t.cue_id IN (SELECT value FROM json_each(?)) GROUP BY c.id ORDER BY c.number`,
    [JSON.stringify(ids)],
  );
  if (!rows.length) return;
  const details = { cues: rows.map((r) => ({ id: r.id, number: r.number, takes: r.takes })) };
  const first = rows[0]!;
  if (rows.length === 1) {
    throw new LoopstageError(
      'CUE_HAS_TAKES',
      replaying
        ? `${replaying} would delete cue ${first.number}, which has ${plural(first.takes, 'take')}; a cue with takes cannot be deleted — mark it omitted instead.`
        : `Cue ${first.number} has ${plural(first.takes, 'take')}; a cue with takes cannot be deleted — mark it omitted instead.`,
      details,
    );
  }
  const shown = rows.slice(0, 5).map((r) => `${r.number} (${plural(r.takes, 'take')})`);
  const named = rows.length > 5 ? `${shown.join(', ')} and ${rows.length - 5} more` : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
  throw new LoopstageError(
    'CUE_HAS_TAKES',
    replaying
      ? `${replaying} would delete cues ${named}, which have takes; cues with takes cannot be deleted — mark them omitted instead.`
      : `Cues ${named} have takes; cues with takes cannot be deleted — mark them omitted instead.`,
    details,
  );
}

const CHUNK = 400;

function constraintError(error: unknown): LoopstageError | null {
  const message = error instanceof Error ? error.message : String(error);
  if (/UNIQUE constraint failed: reason_codes\.code/.test(message)) {
    return new LoopstageError('CUE_REASON_TAKEN', 'That reason code is already in the list (codes ignore case); choose another code.');
  }
  if (/UNIQUE constraint failed: cues\.number/.test(message)) {
    return new LoopstageError('CUE_NUMBER_TAKEN', 'That cue number is already used in this project; choose another number.');
  }
  const unique = /UNIQUE constraint failed: (characters\.name|reels\.name|scenes\.number)/.exec(message);
  if (unique) {
    const what = unique[1] === 'characters.name' ? 'character' : unique[1] === 'reels.name' ? 'reel' : 'scene';
    return new LoopstageError('CUE_NAME_TAKEN', `There is already a ${what} of that name in this project (names ignore case); use the existing one or choose another name.`);
  }
  if (/FOREIGN KEY constraint failed/.test(message)) {
    return new LoopstageError('CUE_REFERENCE_UNKNOWN', 'The change names a reason code, scene or record the project does not have; add it first or pick one from the list.');
  }
  if (/CHECK constraint failed/.test(message)) {
    return new LoopstageError('CUE_VALUE_INVALID', `A cue value is out of range (${message.replace(/^.*CHECK constraint failed: /, '')}); an out point must not precede its in point, and status, kind and pass must be from their lists.`);
  }
  return null;
}

/** Name → id lookups for one action, creating characters and reels on first mention. */
class Relations {
  readonly created: { entity: Entity; id: number }[] = [];
  readonly #characters = new Map<string, { id: number; name: string }>();
  readonly #reels = new Map<string, { id: number; name: string }>();
  readonly #scenes = new Map<string, { id: number; name: string }>();

  static async load(tx: Queryable): Promise<Relations> {
    const relations = new Relations();
    for (const row of await tx.all<{ id: number; name: string }>('SELECT id, name FROM characters')) relations.addCharacter(row.name, row.id);
    for (const row of await tx.all<{ id: number; name: string }>('SELECT id, name FROM reels')) relations.addReel(row.name, row.id);
    for (const row of await tx.all<{ id: number; number: string }>('SELECT id, number FROM scenes')) relations.addScene(row.number, row.id);
    return relations;
  }

  /** Creates the characters and reels these fields name that the project does not have yet. */
  async ensure(tx: Queryable, fields: Partial<CueFields>): Promise<void> {
    if (fields.character?.trim() && !this.#characters.has(key(fields.character))) {
      const { lastId } = await tx.run('INSERT INTO characters (name) VALUES (?)', [fields.character.trim()]);
      this.addCharacter(fields.character, lastId);
      this.created.push({ entity: 'character', id: lastId });
    }
    if (fields.reel?.trim() && !this.#reels.has(key(fields.reel))) {
      const digits = /\d+/.exec(fields.reel)?.[0];
      const { lastId } = await tx.run('INSERT INTO reels (name, number) VALUES (?, ?)', [fields.reel.trim(), digits ? Number(digits) : null]);
      this.addReel(fields.reel, lastId);
      this.created.push({ entity: 'reel', id: lastId });
    }
  }

  /** The stored record a name refers to (after `ensure`); scenes must exist. */
  character(name: string | null | undefined): { id: number; name: string } | null {
    return name?.trim() ? (this.#characters.get(key(name)) ?? null) : null;
  }

  reel(name: string | null | undefined): { id: number; name: string } | null {
    return name?.trim() ? (this.#reels.get(key(name)) ?? null) : null;
  }

  scene(number: string | null | undefined): { id: number; name: string } | null {
    if (!number?.trim()) return null;
    const known = this.#scenes.get(key(number));
    if (!known) {
      throw new LoopstageError('CUE_SCENE_UNKNOWN', `There is no scene "${number}" in this project; add the scene first or leave the cue's scene empty.`);
    }
    return known;
  }

  addScene(number: string, id: number): void {
    this.#scenes.set(key(number), { id, name: number.trim() });
  }

  addCharacter(name: string, id: number): void {
    this.#characters.set(key(name), { id, name: name.trim() });
  }

  addReel(name: string, id: number): void {
    this.#reels.set(key(name), { id, name: name.trim() });
  }
}

export class SqliteCueStore implements CueStore {
  constructor(private readonly db: Database) {}

  async listCues(): Promise<Cue[]> {
    return (await this.db.all<CueRow>(`${CUE_SELECT} ORDER BY c.in_sample, c.number`)).map(toCue);
  }

  async listCharacters(): Promise<Character[]> {
    return this.db.all<Character>('SELECT id, name, actor, prefix, colour FROM characters ORDER BY sort, name');
  }

  async listReels(): Promise<Reel[]> {
    return this.db.all<Reel>('SELECT id, name, number, picture_version AS pictureVersion, offset_sample AS offset FROM reels ORDER BY number, name');
  }

  async listScenes(): Promise<Scene[]> {
    return this.db.all<Scene>(
      `SELECT s.id, s.number, s.description, r.name AS reel, s.in_sample AS "in", s.out_sample AS "out"
       FROM scenes s LEFT JOIN reels r ON r.id = s.reel_id ORDER BY s.in_sample, s.number`,
    );
  }

  async listReasonCodes(): Promise<ReasonCode[]> {
    return this.db.all<ReasonCode>('SELECT id, code, label FROM reason_codes ORDER BY sort, code');
  }

  async history(): Promise<History> {
    const undo = await this.db.get<{ label: string }>('SELECT label FROM journal WHERE undone = 0 ORDER BY action_id DESC LIMIT 1');
    const redo = await this.db.get<{ label: string }>('SELECT label FROM journal WHERE undone = 1 ORDER BY action_id ASC LIMIT 1');
    return { undo: undo?.label ?? null, redo: redo?.label ?? null };
  }

  async apply(label: string, changes: readonly CueChange[], now: Date): Promise<ChangeSet> {
    const at = now.toISOString();
    try {
      return await this.db.transaction(async (tx) => {
        // Before anything is touched: a cue with takes is never deleted.
        await refuseCuesWithTakes(tx, changes.flatMap((c) => (c.type === 'delete-cue' ? [c.id] : [])));
        // A new action makes the undone ones unreachable: drop them, as every editor does.
        await tx.run('DELETE FROM journal WHERE undone = 1');
        const actionId = ((await tx.get<{ next: number }>('SELECT coalesce(max(action_id), 0) + 1 AS next FROM journal'))!).next;
        const relations = await Relations.load(tx);
        const touched = new Set<number>();
        const removed: number[] = [];
        let listsChanged = false;
        let cuesStale = false;
        const journal = new Journal(tx, actionId, at, label);

        const creates = changes.filter((c): c is Extract<CueChange, { type: 'create-cue' }> => c.type === 'create-cue');
        for (const change of changes) {
          switch (change.type) {
            case 'create-character': {
              const f = change.fields;
              const { lastId } = await tx.run('INSERT INTO characters (name, actor, prefix, colour) VALUES (?, ?, ?, ?)', [f.name.trim(), f.actor ?? '', f.prefix ?? '', f.colour ?? '']);
              relations.addCharacter(f.name, lastId);
              await journal.created('character', [lastId]);
              listsChanged = true;
              break;
            }
            case 'update-character': {
              await journal.updating('character', change.id, async () => {
                const sets = Object.entries(change.patch).filter(([k]) => ['name', 'actor', 'prefix', 'colour'].includes(k));
                if (!sets.length) return;
                await tx.run(`UPDATE characters SET ${sets.map(([k]) => `${k} = ?`).join(', ')} WHERE id = ?`, [...sets.map(([, v]) => (typeof v === 'string' ? v.trim() : v) as SqlValue), change.id]);
              });
              if (change.patch.name !== undefined) {
                relations.addCharacter(change.patch.name, change.id);
                cuesStale = true;
              }
              listsChanged = true;
              break;
            }
            case 'create-reason': {
              const sort = ((await tx.get<{ next: number }>('SELECT coalesce(max(sort), 0) + 1 AS next FROM reason_codes'))!).next;
              const { lastId } = await tx.run('INSERT INTO reason_codes (code, label, sort) VALUES (?, ?, ?)', [change.fields.code.trim(), change.fields.label.trim(), sort]);
              await journal.created('reason_code', [lastId]);
              listsChanged = true;
              break;
            }
            case 'update-reason': {
              await journal.updating('reason_code', change.id, async () => {
                const sets = Object.entries(change.patch).filter(([k, v]) => ['code', 'label'].includes(k) && v !== undefined);
                if (!sets.length) return;
                await tx.run(`UPDATE reason_codes SET ${sets.map(([k]) => `${k} = ?`).join(', ')} WHERE id = ?`, [...sets.map(([, v]) => String(v).trim()), change.id]);
              });
              // A new code reaches every cue that used the old one (ON UPDATE CASCADE).
              if (change.patch.code !== undefined) cuesStale = true;
              listsChanged = true;
              break;
            }
            case 'delete-reason': {
              const code = await tx.get<{ code: string }>('SELECT code FROM reason_codes WHERE id = ?', [change.id]);
              if (!code) throw new LoopstageError('CUE_NOT_FOUND', 'That reason code no longer exists; reload the list.');
              // The cues that use it are cleared first, journaled, so undo restores them exactly.
              for (const { id } of await tx.all<{ id: number }>('SELECT id FROM cues WHERE reason_code = ?', [code.code])) {
                await journal.updating('cue', id, () => tx.run('UPDATE cues SET reason_code = NULL, updated_at = ? WHERE id = ?', [at, id]).then(() => undefined));
                touched.add(id);
              }
              await journal.deleting('reason_code', change.id);
              await tx.run('DELETE FROM reason_codes WHERE id = ?', [change.id]);
              listsChanged = true;
              break;
            }
            case 'create-reel': {
              const f = change.fields;
              const { lastId } = await tx.run('INSERT INTO reels (name, number, picture_version, offset_sample) VALUES (?, ?, ?, ?)', [f.name.trim(), f.number ?? null, f.pictureVersion ?? '', f.offset ?? 0]);
              relations.addReel(f.name, lastId);
              await journal.created('reel', [lastId]);
              listsChanged = true;
              break;
            }
            case 'update-reel': {
              const columns: Record<string, string> = { name: 'name', number: 'number', pictureVersion: 'picture_version', offset: 'offset_sample' };
              await journal.updating('reel', change.id, async () => {
                const sets = Object.entries(change.patch).filter(([k, v]) => k in columns && v !== undefined);
                if (!sets.length) return;
                await tx.run(`UPDATE reels SET ${sets.map(([k]) => `${columns[k]} = ?`).join(', ')} WHERE id = ?`, [...sets.map(([, v]) => (typeof v === 'string' ? v.trim() : v) as SqlValue), change.id]);
              });
              if (change.patch.name !== undefined) {
                relations.addReel(change.patch.name, change.id);
                cuesStale = true;
              }
              listsChanged = true;
              break;
            }
            case 'create-scene': {
              const f = change.fields;
              await relations.ensure(tx, { reel: f.reel ?? null });
              const reelId = relations.reel(f.reel)?.id ?? null;
              const { lastId } = await tx.run('INSERT INTO scenes (number, description, reel_id, in_sample, out_sample) VALUES (?, ?, ?, ?, ?)', [f.number.trim(), f.description ?? '', reelId, f.in, f.out]);
              relations.addScene(f.number, lastId);
              await journal.created('scene', [lastId]);
              listsChanged = true;
              break;
            }
            case 'update-scene': {
              const id = relations.scene(change.number)!.id;
              if (change.patch.reel !== undefined) await relations.ensure(tx, { reel: change.patch.reel });
              const reelId = change.patch.reel === undefined ? undefined : (relations.reel(change.patch.reel)?.id ?? null);
              await journal.updating('scene', id, async () => {
                const sets: [string, SqlValue][] = [];
                if (change.patch.description !== undefined) sets.push(['description', change.patch.description]);
                if (change.patch.in !== undefined) sets.push(['in_sample', change.patch.in]);
                if (change.patch.out !== undefined) sets.push(['out_sample', change.patch.out]);
                if (reelId !== undefined) sets.push(['reel_id', reelId]);
                if (sets.length) await tx.run(`UPDATE scenes SET ${sets.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`, [...sets.map(([, v]) => v), id]);
              });
              listsChanged = true;
              break;
            }
            case 'update-cue': {
              await relations.ensure(tx, change.patch);
              const values = cueColumns(relations, change.patch, at);
              if (!values.length) break;
              await journal.updating('cue', change.id, async () => {
                const { changes: n } = await tx.run(`UPDATE cues SET ${values.map(([c]) => `${c} = ?`).join(', ')}, updated_at = ? WHERE id = ?`, [...values.map(([, v]) => v), at, change.id]);
                if (n === 0) throw new LoopstageError('CUE_NOT_FOUND', 'That cue no longer exists (it may have been deleted or undone); reload the list.');
              });
              touched.add(change.id);
              break;
            }
            case 'delete-cue':
              await journal.deleting('cue', change.id);
              await tx.run('DELETE FROM cues WHERE id = ?', [change.id]);
              removed.push(change.id);
              break;
            case 'create-cue':
              break; // in bulk below
          }
        }
        // Bulk creates: every row goes to SQLite as one JSON array, unpacked there by jsonb_each (one
        // bound value instead of 300,000), then the journal is filled from the rows themselves. The
        // created cues are returned as built here, without reading 10,000 rows back.
        const createdCues: Cue[] = [];
        for (const { fields } of creates) await relations.ensure(tx, fields);
        if (creates.length) {
          const rows = creates.map(({ fields }) => {
            const values = new Map(cueColumns(relations, fields, at));
            return INSERT_COLUMNS.map((column) => (values.has(column) ? values.get(column)! : (INSERT_DEFAULTS[column] ?? null)));
          });
          const ids = await tx.all<{ id: number }>(
            `INSERT INTO cues (${INSERT_COLUMNS.join(', ')}, created_at, updated_at)
             SELECT ${INSERT_COLUMNS.map((_, i) => `value ->> ${i}`).join(', ')}, ?1, ?1 FROM jsonb_each(?2) ORDER BY key
             RETURNING id`,
            [at, JSON.stringify(rows)],
          );
          // RETURNING does not promise the order of rows, so cues are matched to their fields by number.
          await journal.created('cue', ids.map((r) => r.id));
          const byNumber = new Map(creates.map(({ fields }) => [key(fields.number), fields]));
          for (const row of await tx.all<{ id: number; number: string }>(
            'SELECT id, number FROM cues WHERE id IN (SELECT value FROM json_each(?))',
            [JSON.stringify(ids.map((r) => r.id))],
          )) {
            createdCues.push(createdCue(row.id, byNumber.get(key(row.number))!, relations, at));
          }
        }
        for (const { entity, id } of relations.created) {
          await journal.created(entity, [id]);
          listsChanged = true;
        }
        if (journal.entries === 0) return { label, cues: [], removedCueIds: [], listsChanged: false, cuesStale: false };
        return { label, cues: [...createdCues, ...(await this.#cuesById(tx, [...touched]))], removedCueIds: removed, listsChanged, cuesStale };
      });
    } catch (error) {
      throw constraintError(error) ?? error;
    }
  }

  undo(now: Date): Promise<ChangeSet | null> {
    return this.#replay('undo', now);
  }

  redo(now: Date): Promise<ChangeSet | null> {
    return this.#replay('redo', now);
  }

  async #replay(direction: 'undo' | 'redo', _now: Date): Promise<ChangeSet | null> {
    return this.db.transaction(async (tx) => {
      const action = await tx.get<{ action_id: number; label: string }>(
        direction === 'undo'
          ? 'SELECT action_id, label FROM journal WHERE undone = 0 ORDER BY action_id DESC LIMIT 1'
          : 'SELECT action_id, label FROM journal WHERE undone = 1 ORDER BY action_id ASC LIMIT 1',
      );
      if (!action) return null;
      const entries = await tx.all<{ id: number; entity: Entity; entity_id: number; before: string | null; after: string | null }>(
        `SELECT id, entity, entity_id, before, after FROM journal WHERE action_id = ? ORDER BY id ${direction === 'undo' ? 'DESC' : 'ASC'}`,
        [action.action_id],
      );
      // Rows are replayed in dependency order: characters, reels, scenes and reason codes that come
      // back (or change) first, then cues, then the ones that go away — so no cue ever points at a
      // row that is not there. Within each group the journal's order holds.
      const operation = (entry: (typeof entries)[number]) => {
        const target = direction === 'undo' ? entry.before : entry.after;
        const source = direction === 'undo' ? entry.after : entry.before;
        return target === null ? 'delete' : source === null ? 'insert' : 'update';
      };
      const group = (entry: (typeof entries)[number]) => (entry.entity === 'cue' ? 1 : operation(entry) === 'delete' ? 2 : 0);
      entries.sort((a, b) => group(a) - group(b));
      // An undo of a create, or a redo of a delete, must not delete a cue that has takes since.
      await refuseCuesWithTakes(
        tx,
        entries.filter((e) => e.entity === 'cue' && operation(e) === 'delete').map((e) => e.entity_id),
        `${direction === 'undo' ? 'Undoing' : 'Redoing'} "${action.label}"`,
      );
      const touched = new Set<number>();
      const removed: number[] = [];
      let listsChanged = false;
      for (let i = 0; i < entries.length;) {
        const entry = entries[i]!;
        const target = direction === 'undo' ? entry.before : entry.after;
        const kind = target === null ? 'delete' : (direction === 'undo' ? entry.after : entry.before) === null ? 'insert' : 'update';
        if (kind === 'delete') {
          // Consecutive deletes of one entity go in one statement.
          const ids: number[] = [];
          while (i < entries.length && entries[i]!.entity === entry.entity && (direction === 'undo' ? entries[i]!.before : entries[i]!.after) === null) {
            ids.push(entries[i]!.entity_id);
            i++;
          }
          for (let j = 0; j < ids.length; j += CHUNK) {
            const chunk = ids.slice(j, j + CHUNK);
            await tx.run(`DELETE FROM ${TABLE[entry.entity]} WHERE id IN (${chunk.map(() => '?').join(',')})`, chunk);
          }
          if (entry.entity === 'cue') removed.push(...ids);
          else listsChanged = true;
          continue;
        }
        const row = JSON.parse(target!) as Record<string, SqlValue>;
        const columns = COLUMNS[entry.entity];
        if (kind === 'insert') {
          await tx.run(`INSERT INTO ${TABLE[entry.entity]} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, columns.map((c) => row[c] ?? null));
          // A deleted cue's roll override was journaled with it (see Journal.deleting).
          const roll = entry.entity === 'cue' ? (row.roll as unknown as [number | null, number | null] | null | undefined) : undefined;
          if (roll) await tx.run('INSERT INTO cue_rolls (cue_id, pre_roll_ms, post_roll_ms) VALUES (?, ?, ?)', [entry.entity_id, roll[0], roll[1]]);
        } else {
          await tx.run(`UPDATE ${TABLE[entry.entity]} SET ${columns.slice(1).map((c) => `${c} = ?`).join(', ')} WHERE id = ?`, [...columns.slice(1).map((c) => row[c] ?? null), entry.entity_id]);
        }
        if (entry.entity === 'cue') touched.add(entry.entity_id);
        else listsChanged = true;
        i++;
      }
      await tx.run('UPDATE journal SET undone = ? WHERE action_id = ?', [direction === 'undo' ? 1 : 0, action.action_id]);
      // A relation restored, removed or renamed changes how cues read: the engine reloads them all.
      return { label: action.label, cues: listsChanged ? [] : await this.#cuesById(tx, [...touched]), removedCueIds: removed, listsChanged, cuesStale: listsChanged };
    });
  }

  async #cuesById(tx: Queryable, ids: number[]): Promise<Cue[]> {
    const cues: Cue[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      if (!chunk.length) continue;
      cues.push(...(await tx.all<CueRow>(`${CUE_SELECT} WHERE c.id IN (${chunk.map(() => '?').join(',')})`, chunk)).map(toCue));
    }
    return cues;
  }
}

/** Column values for the cue fields given, names resolved to ids (after `ensure`), done_at stamped. */
function cueColumns(relations: Relations, fields: Partial<CueFields>, at: string): [string, SqlValue][] {
  const values: [string, SqlValue][] = [];
  for (const field in fields) {
    const value = fields[field as keyof CueFields];
    if (value === undefined) continue;
    const plain = PLAIN[field as keyof CueFields];
    if (plain) values.push([plain.column, plain.toDb ? plain.toDb(value) : (value as SqlValue)]);
  }
  if (fields.character !== undefined) values.push(['character_id', relations.character(fields.character)?.id ?? null]);
  if (fields.reel !== undefined) values.push(['reel_id', relations.reel(fields.reel)?.id ?? null]);
  if (fields.scene !== undefined) values.push(['scene_id', relations.scene(fields.scene)?.id ?? null]);
  if (fields.status !== undefined) values.push(['done_at', fields.status === 'done' ? at : null]);
  return values;
}

/** The cue a create made, as listCues would return it. */
function createdCue(id: number, f: CueFields, relations: Relations, at: string): Cue {
  return {
    id, kind: f.kind, number: f.number, in: f.in, out: f.out,
    reel: relations.reel(f.reel)?.name ?? null,
    scene: relations.scene(f.scene)?.name ?? null,
    character: relations.character(f.character)?.name ?? null,
    notes: f.notes, engNotes: f.engNotes, status: f.status, doneAt: f.status === 'done' ? at : null, colour: f.colour,
    lineText: f.lineText, altText: f.altText, reason: f.reason, priority: f.priority, onScreen: f.onScreen,
    tv: f.tv, tbw: f.tbw, adlib: f.adlib, optional: f.optional, pass: f.pass, surface: f.surface, footwear: f.footwear,
    prop: f.prop, description: f.description, track: f.track, updatedAt: at,
  };
}

const INSERT_COLUMNS = ['kind', 'number', 'reel_id', 'scene_id', 'character_id', 'in_sample', 'out_sample', 'notes', 'eng_notes',
  'status', 'done_at', 'colour', 'line_text', 'alt_text', 'reason_code', 'priority', 'on_screen', 'flag_tv', 'flag_tbw',
  'flag_adlib', 'flag_optional', 'foley_pass', 'surface', 'footwear', 'prop', 'description', 'track'] as const;
const INSERT_DEFAULTS: Partial<Record<string, SqlValue>> = {
  notes: '', eng_notes: '', status: 'todo', colour: '', line_text: '', alt_text: '', flag_tv: 0, flag_tbw: 0,
  flag_adlib: 0, flag_optional: 0, surface: '', footwear: '', prop: '', description: '', track: '',
};

/** Writes one action's journal rows. */
class Journal {
  entries = 0;
  constructor(private readonly tx: Queryable, private readonly actionId: number, private readonly at: string, private readonly label: string) {}

  async created(entity: Entity, ids: readonly number[]): Promise<void> {
    if (!ids.length) return;
    await this.tx.run(
      `INSERT INTO journal (action_id, at, label, entity, entity_id, before, after)
       SELECT ?, ?, ?, ?, id, NULL, ${jsonRow(entity)} FROM ${TABLE[entity]} WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`,
      [this.actionId, this.at, this.label, entity, JSON.stringify(ids)],
    );
    this.entries += ids.length;
  }

  /** Journals a row about to be deleted; a cue carries its roll override (`roll`: [pre, post] or null), which the delete cascades away. */
  async deleting(entity: Entity, id: number): Promise<void> {
    const row = entity === 'cue'
      ? `json_insert(${jsonRow(entity)}, '$.roll', json((SELECT json_array(pre_roll_ms, post_roll_ms) FROM cue_rolls WHERE cue_id = ${TABLE[entity]}.id)))`
      : jsonRow(entity);
    const { changes } = await this.tx.run(
      `INSERT INTO journal (action_id, at, label, entity, entity_id, before, after)
       SELECT ?, ?, ?, ?, id, ${row}, NULL FROM ${TABLE[entity]} WHERE id = ?`,
      [this.actionId, this.at, this.label, entity, id],
    );
    if (changes === 0) throw new LoopstageError('CUE_NOT_FOUND', 'That cue no longer exists (it may have been deleted or undone); reload the list.');
    this.entries++;
  }

  async updating(entity: Entity, id: number, update: () => Promise<void>): Promise<void> {
    const before = await this.tx.get<{ row: string }>(`SELECT ${jsonRow(entity)} AS row FROM ${TABLE[entity]} WHERE id = ?`, [id]);
    if (!before) throw new LoopstageError('CUE_NOT_FOUND', `That ${entity} no longer exists (it may have been deleted or undone); reload the list.`);
    await update();
    const after = (await this.tx.get<{ row: string }>(`SELECT ${jsonRow(entity)} AS row FROM ${TABLE[entity]} WHERE id = ?`, [id]))!;
    if (after.row === before.row) return;
    await this.tx.run(
      'INSERT INTO journal (action_id, at, label, entity, entity_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [this.actionId, this.at, this.label, entity, id, before.row, after.row],
    );
    this.entries++;
  }
}
