/**
 * Schema migrations against real SQLite files. One describe per migration (as Signal Desktop does):
 * build a database at version N-1 with data, migrate to N, check data, schema and user_version.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findPackageRoot } from '../../src/adapters/files/package-root.js';
import { Database } from '../../src/adapters/sqlite/database.js';
import {
  defaultMigrationsDir,
  getUserVersion,
  latestVersion,
  loadMigrations,
  migrate,
} from '../../src/adapters/sqlite/migrations.js';
import { DEFAULT_REASON_CODES } from '../../src/core/cues/cue.js';
import { isLoopstageError } from '../../src/core/errors.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MIGRATIONS = path.join(ROOT, 'migrations');

let tmp: string;
const open: Database[] = [];

beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'loopstage-migrations-'));
});

afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function freshDb(name = 'test.db'): Promise<Database> {
  const db = await Database.open(path.join(tmp, name), { mode: 'create' });
  open.push(db);
  return db;
}

/**
 * A migrations folder holding a copy of the real first migration plus `extra` files: the runner's
 * own behaviour is tested on numbers 0002 and up, whatever real migrations exist after 0001.
 */
function migrationsWith(extra: Record<string, string>, without: string[] = []): string {
  const dir = path.join(tmp, `migrations-${readdirSync(tmp).length}`);
  mkdirSync(dir);
  for (const name of readdirSync(MIGRATIONS).filter((n) => n.startsWith('0001-'))) {
    if (!without.includes(name)) copyFileSync(path.join(MIGRATIONS, name), path.join(dir, name));
  }
  for (const [name, sql] of Object.entries(extra)) writeFileSync(path.join(dir, name), sql);
  return dir;
}

async function errorOf(promise: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function codeOf(error: unknown): string | undefined {
  return isLoopstageError(error) ? error.code : undefined;
}

async function columns(db: Database, table: string): Promise<Array<{ name: string; type: string; notnull: number; pk: number }>> {
  return db.all(`SELECT name, type, "notnull", pk FROM pragma_table_xinfo(?) ORDER BY cid`, [table]);
}

async function tables(db: Database): Promise<string[]> {
  const rows = await db.all<{ name: string }>(
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  return rows.map((r) => r.name);
}

describe('the migrations folder', () => {
  it('is found from src/ and from the compiled dist/src/adapters/sqlite/', () => {
    expect(findPackageRoot()).toBe(ROOT);
    expect(findPackageRoot(pathToFileURL(path.join(ROOT, 'src/adapters/sqlite/migrations.ts')))).toBe(ROOT);
    expect(findPackageRoot(pathToFileURL(path.join(ROOT, 'dist/src/adapters/sqlite/migrations.js')))).toBe(ROOT);
    expect(findPackageRoot(path.join(ROOT, 'dist/src/adapters/sqlite/migrations.js'))).toBe(ROOT);
    expect(defaultMigrationsDir()).toBe(MIGRATIONS);
  });

  it('holds files named NNNN-what.sql numbered from 0001 without gaps', () => {
    const migrations = loadMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    migrations.forEach((m, i) => {
      expect(m.version).toBe(i + 1);
      expect(m.name).toMatch(/^\d{4}-[a-z0-9-]+\.sql$/);
      expect(m.sql).not.toMatch(/^\s*(BEGIN|COMMIT)\b/im); // the runner owns the transaction
    });
    expect(migrations[0]!.name).toBe('0001-project.sql');
    expect(latestVersion(migrations)).toBe(migrations.length);
  });

  it('refuses a gap, a duplicate number and a badly named file', async () => {
    const gap = migrationsWith({ '0003-later.sql': 'SELECT 1;' });
    expect(codeOf(await errorOf(() => loadMigrations(gap)))).toBe('MIGRATIONS_INVALID');

    const duplicate = migrationsWith({ '0001-again.sql': 'SELECT 1;' });
    const dupError = await errorOf(() => loadMigrations(duplicate));
    expect(codeOf(dupError)).toBe('MIGRATIONS_INVALID');
    expect((dupError as Error).message).toContain('share the number 1');

    const badName = migrationsWith({ '2-thing.sql': 'SELECT 1;' });
    expect(codeOf(await errorOf(() => loadMigrations(badName)))).toBe('MIGRATIONS_INVALID');

    const notFirst = migrationsWith({ '0002-second.sql': 'SELECT 1;' }, ['0001-project.sql']);
    expect(codeOf(await errorOf(() => loadMigrations(notFirst)))).toBe('MIGRATIONS_INVALID');
  });

  it('ignores files that are not .sql and reports a missing folder', async () => {
    const withReadme = migrationsWith({ 'README.md': '# notes' });
    expect(loadMigrations(withReadme).map((m) => m.name)).toEqual(['0001-project.sql']);
    expect(codeOf(await errorOf(() => loadMigrations(path.join(tmp, 'nope'))))).toBe('MIGRATIONS_NOT_FOUND');
  });
});

describe('migrate()', () => {
  it('stamps user_version, then has nothing left to do', async () => {
    const db = await freshDb();
    const migrations = loadMigrations();
    const first = await migrate(db, migrations);
    expect(first).toEqual({ from: 0, to: latestVersion(migrations), applied: migrations.map((m) => m.version) });
    expect(await getUserVersion(db)).toBe(latestVersion(migrations));
    expect(await migrate(db, migrations)).toEqual({ from: first.to, to: first.to, applied: [] });
  });

  it('rolls a failing migration back completely and leaves user_version unchanged', async () => {
    const dir = migrationsWith({
      '0002-broken.sql': `
        CREATE TABLE half_done (x INTEGER);
        UPDATE project SET title = 'changed by a broken migration';
        INSERT INTO settings (key, value) VALUES ('broken', '1');
        SELECT * FROM no_such_table;
      `,
    });
    const migrations = loadMigrations(dir);
    const db = await freshDb();
    await migrate(db, migrations, { to: 1 });
    await db.run(
      `INSERT INTO project (id, title, frame_rate, sample_rate, start_sample, created_at)
       VALUES (1, 'Reel 1', '24', 48000, 172800000, '2024-05-01T10:00:00.000Z')`,
    );

    const error = await errorOf(migrate(db, migrations));
    expect(codeOf(error)).toBe('MIGRATION_FAILED');
    expect((error as Error).message).toContain('0002-broken.sql');
    expect((error as Error).message).toContain('left at schema 1');
    expect(await getUserVersion(db)).toBe(1);
    expect(await tables(db)).toEqual(['project', 'settings']);
    expect(await db.get('SELECT title FROM project')).toEqual({ title: 'Reel 1' });
    expect(await db.all('SELECT * FROM settings')).toEqual([]);
    // The connection is usable afterwards and foreign keys are enforced again.
    expect(await db.get('PRAGMA foreign_keys')).toEqual({ foreign_keys: 1 });
  });

  it('refuses a migration that leaves broken foreign keys', async () => {
    const dir = migrationsWith({
      '0002-orphans.sql': `
        CREATE TABLE reel (id INTEGER PRIMARY KEY);
        CREATE TABLE cue (id INTEGER PRIMARY KEY, reel_id INTEGER NOT NULL REFERENCES reel (id));
        INSERT INTO cue (id, reel_id) VALUES (1, 42);
      `,
    });
    const db = await freshDb();
    const error = await errorOf(migrate(db, loadMigrations(dir)));
    expect(codeOf(error)).toBe('MIGRATION_FAILED');
    expect((error as Error).message).toContain('foreign key');
    expect(await getUserVersion(db)).toBe(1);
    expect(await tables(db)).toEqual(['project', 'settings']);
  });

  it('may rebuild a table that others reference (foreign keys are checked, not enforced, while migrating)', async () => {
    const dir = migrationsWith({
      '0002-reels.sql': `
        CREATE TABLE reel (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE cue (id INTEGER PRIMARY KEY, reel_id INTEGER NOT NULL REFERENCES reel (id));
      `,
      '0003-rebuild-reel.sql': `
        CREATE TABLE reel_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL, offset_sample INTEGER NOT NULL DEFAULT 0);
        INSERT INTO reel_new (id, name) SELECT id, name FROM reel;
        DROP TABLE reel;
        ALTER TABLE reel_new RENAME TO reel;
      `,
    });
    const migrations = loadMigrations(dir);
    const db = await freshDb();
    await migrate(db, migrations, { to: 2 });
    await db.run("INSERT INTO reel (id, name) VALUES (1, 'R1')");
    await db.run('INSERT INTO cue (id, reel_id) VALUES (7, 1)');
    expect(await migrate(db, migrations)).toEqual({ from: 2, to: 3, applied: [3] });
    expect(await db.all('SELECT id, reel_id FROM cue')).toEqual([{ id: 7, reel_id: 1 }]);
    expect(await db.all('SELECT * FROM reel')).toEqual([{ id: 1, name: 'R1', offset_sample: 0 }]);
    expect(await db.get('PRAGMA foreign_keys')).toEqual({ foreign_keys: 1 });
  });

  it('migrates only up to `to` when asked', async () => {
    const dir = migrationsWith({ '0002-a.sql': 'CREATE TABLE a (x);', '0003-b.sql': 'CREATE TABLE b (x);' });
    const migrations = loadMigrations(dir);
    const db = await freshDb();
    expect(await migrate(db, migrations, { to: 2 })).toEqual({ from: 0, to: 2, applied: [1, 2] });
    expect(await tables(db)).toEqual(['a', 'project', 'settings']);
    expect(await migrate(db, migrations)).toEqual({ from: 2, to: 3, applied: [3] });
  });

  it('refuses a database from a newer Loopstage without changing it', async () => {
    const db = await freshDb();
    await db.exec('CREATE TABLE future (x); PRAGMA user_version = 99;');
    const error = await errorOf(migrate(db, loadMigrations()));
    expect(codeOf(error)).toBe('PROJECT_SCHEMA_NEWER');
    expect((error as Error).message).toContain('schema 99');
    expect(await getUserVersion(db)).toBe(99);
    expect(await tables(db)).toEqual(['future']);
  });
});

describe('0001-project', () => {
  const valid = {
    id: 1,
    title: 'The Long Night',
    frame_rate: '23.976',
    sample_rate: 48000,
    start_sample: 172_972_800,
    created_at: '2024-05-01T10:00:00.000Z',
  };
  const insert = (db: Database, row: Record<string, unknown>): Promise<unknown> =>
    db.run(
      `INSERT INTO project (id, title, frame_rate, sample_rate, start_sample, created_at)
       VALUES ($id, $title, $frame_rate, $sample_rate, $start_sample, $created_at)`,
      Object.fromEntries(Object.entries(row).map(([k, v]) => [`$${k}`, v as string | number | null])),
    );

  async function atVersion1(): Promise<Database> {
    const db = await freshDb();
    // Version 0: a new, empty file. Nothing to carry over, but check it really is empty.
    expect(await getUserVersion(db)).toBe(0);
    expect(await tables(db)).toEqual([]);
    await migrate(db, loadMigrations(), { to: 1 });
    return db;
  }

  it('creates the project and settings tables (STRICT) and stamps version 1', async () => {
    const db = await atVersion1();
    expect(await getUserVersion(db)).toBe(1);
    expect(await tables(db)).toEqual(['project', 'settings']);
    expect(await columns(db, 'project')).toEqual([
      { name: 'id', type: 'INTEGER', notnull: 0, pk: 1 },
      { name: 'title', type: 'TEXT', notnull: 1, pk: 0 },
      { name: 'frame_rate', type: 'TEXT', notnull: 1, pk: 0 },
      { name: 'sample_rate', type: 'INTEGER', notnull: 1, pk: 0 },
      { name: 'start_sample', type: 'INTEGER', notnull: 1, pk: 0 },
      { name: 'created_at', type: 'TEXT', notnull: 1, pk: 0 },
    ]);
    expect(await columns(db, 'settings')).toEqual([
      { name: 'key', type: 'TEXT', notnull: 1, pk: 1 },
      { name: 'value', type: 'TEXT', notnull: 1, pk: 0 },
    ]);
    const strict = await db.all<{ name: string; strict: number }>(
      "SELECT name, strict FROM pragma_table_list WHERE name IN ('project', 'settings') ORDER BY name",
    );
    expect(strict).toEqual([
      { name: 'project', strict: 1 },
      { name: 'settings', strict: 1 },
    ]);
  });

  it('keeps one project row and refuses impossible values', async () => {
    const db = await atVersion1();
    await insert(db, valid);
    expect(await db.get('SELECT * FROM project')).toEqual(valid);

    const refused = async (row: Record<string, unknown>): Promise<void> => {
      const error = await errorOf(insert(db, row));
      expect((error as { code?: string }).code).toBe('SQLITE_CONSTRAINT');
    };
    await refused({ ...valid, id: 2 });
    await refused({ ...valid, id: 1 }); // already there
    await db.run('DELETE FROM project');
    await refused({ ...valid, title: '   ' });
    await refused({ ...valid, title: 'x'.repeat(201) });
    await refused({ ...valid, frame_rate: '29.97' });
    await refused({ ...valid, sample_rate: 22050 });
    await refused({ ...valid, sample_rate: '48000x' });
    await refused({ ...valid, start_sample: -1 });
    await refused({ ...valid, start_sample: 1.5 });
    await refused({ ...valid, start_sample: 48000 * 86487 });
    await refused({ ...valid, created_at: 'yesterday' });
    await refused({ ...valid, title: null });
    expect(await db.all('SELECT * FROM project')).toEqual([]);
  });

  it('stores settings as valid JSON text under a non-empty key', async () => {
    const db = await atVersion1();
    await db.run('INSERT INTO settings (key, value) VALUES (?, ?)', ['audio.input', '{"name":"MOTU 828"}']);
    expect(await db.all('SELECT * FROM settings')).toEqual([{ key: 'audio.input', value: '{"name":"MOTU 828"}' }]);
    for (const [key, value] of [
      ['bad', '{not json'],
      ['', '1'],
      ['audio.input', '2'], // duplicate key
    ]) {
      const error = await errorOf(db.run('INSERT INTO settings (key, value) VALUES (?, ?)', [key!, value!]));
      expect((error as { code?: string }).code).toBe('SQLITE_CONSTRAINT');
    }
  });
});

describe('0002-cues', () => {
  async function atVersion1WithProject(): Promise<Database> {
    const db = await freshDb();
    await migrate(db, loadMigrations(), { to: 1 });
    await db.run(
      `INSERT INTO project (id, title, frame_rate, sample_rate, start_sample, created_at)
       VALUES (1, 'Reel Two', '24', 48000, 172800000, '2026-01-02T03:04:05.000Z')`,
    );
    await db.run('INSERT INTO settings (key, value) VALUES (?, ?)', ['audio.selection', '{"input":"default"}']);
    return db;
  }

  it('adds the cue tables, seeds reason codes, keeps project and settings', async () => {
    const db = await atVersion1WithProject();
    await migrate(db, loadMigrations(), { to: 2 });
    expect(await getUserVersion(db)).toBe(2);
    expect(await tables(db)).toEqual(['characters', 'cues', 'journal', 'project', 'reason_codes', 'reels', 'scenes', 'settings']);
    expect(await db.get('SELECT title, start_sample FROM project')).toEqual({ title: 'Reel Two', start_sample: 172800000 });
    expect(await db.get('SELECT value FROM settings WHERE key = ?', ['audio.selection'])).toEqual({ value: '{"input":"default"}' });
    expect((await db.all<{ code: string }>('SELECT code FROM reason_codes ORDER BY sort')).map((r) => r.code)).toEqual(DEFAULT_REASON_CODES.map((r) => r.code));
  });

  it('holds ADR and Foley cues in one table and refuses impossible ones', async () => {
    const db = await atVersion1WithProject();
    await migrate(db, loadMigrations(), { to: 2 });
    await db.run("INSERT INTO characters (id, name, actor, prefix) VALUES (1, 'Robin', 'Errol Flynn', 'R')");
    const now = '2026-01-02T03:04:05.000Z';
    const insert = (row: Record<string, string | number | null>) =>
      db.run(
        `INSERT INTO cues (kind, number, character_id, in_sample, out_sample, line_text, reason_code, foley_pass, status, created_at, updated_at)
         VALUES ($kind, $number, $character_id, $in, $out, $line, $reason, $pass, $status, '${now}', '${now}')`,
        Object.fromEntries(Object.entries(row).map(([k, v]) => [`$${k}`, v])),
      );
    const adr = { kind: 'adr', number: 'R101', character_id: 1, in: 172_800_000, out: 172_900_000, line: 'What now?', reason: 'noise', pass: null, status: 'todo' };
    await insert(adr);
    await insert({ ...adr, kind: 'foley', number: 'F1', character_id: null, line: '', reason: null, pass: 'feet' });
    expect(await db.all('SELECT kind, number FROM cues ORDER BY number')).toEqual([{ kind: 'foley', number: 'F1' }, { kind: 'adr', number: 'R101' }]);
    const refused = async (row: Record<string, string | number | null>) => {
      expect(((await errorOf(insert(row))) as { code?: string }).code).toBe('SQLITE_CONSTRAINT');
    };
    await refused({ ...adr, number: 'r101' }); // numbers are unique regardless of case
    await refused({ ...adr, number: 'R102', kind: 'music' });
    await refused({ ...adr, number: 'R103', out: adr.in - 1 });
    await refused({ ...adr, number: 'R104', status: 'maybe' });
    await refused({ ...adr, number: 'R105', pass: 'walking' });
    await refused({ ...adr, number: 'R106', reason: 'not-a-code' });
    await refused({ ...adr, number: 'R107', character_id: 99 });
    // Renaming a reason code follows into the cues; deleting a character leaves the cue.
    await db.run("UPDATE reason_codes SET code = 'bg-noise' WHERE code = 'noise'");
    expect(await db.get("SELECT reason_code FROM cues WHERE number = 'R101'")).toEqual({ reason_code: 'bg-noise' });
    await db.run('DELETE FROM characters WHERE id = 1');
    expect(await db.get("SELECT character_id FROM cues WHERE number = 'R101'")).toEqual({ character_id: null });
  });
});

describe('0003-takes', () => {
  const now = '2026-01-02T03:04:05.000Z';

  /** A version-2 database with a project, a character, two cues and an undoable journal entry. */
  async function atVersion2WithCues(): Promise<Database> {
    const db = await freshDb();
    await migrate(db, loadMigrations(), { to: 2 });
    await db.run(
      `INSERT INTO project (id, title, frame_rate, sample_rate, start_sample, created_at)
       VALUES (1, 'Reel Three', '25', 48000, 172800000, ?)`,
      [now],
    );
    await db.run("INSERT INTO characters (id, name, prefix) VALUES (1, 'Robin', 'R')");
    for (const [id, number] of [[1, 'R101'], [2, 'R102']] as const) {
      await db.run(
        `INSERT INTO cues (id, kind, number, character_id, in_sample, out_sample, line_text, created_at, updated_at)
         VALUES (?, 'adr', ?, 1, 172800000, 172900000, 'Who goes there?', ?, ?)`,
        [id, number, now, now],
      );
    }
    await db.run(
      `INSERT INTO journal (action_id, at, label, entity, entity_id, before, after)
       VALUES (1, ?, 'Add R101', 'cue', 1, NULL, '{"id":1}')`,
      [now],
    );
    return db;
  }

  const take = {
    cue_id: 1, number: 1, path: 'takes/R101_ROBIN_T01.wav', channels: 2, channel_names: '["boom","lav"]', input_channels: '[0,1]',
    sample_rate: 48000, bits_per_sample: 24, float: 0, start_sample: 172_800_000, latency: 312, latency_source: 'measured',
    input_device: 'MOTU 828', output_device: 'MOTU 828', created_at: now,
  };
  const insertTake = (db: Database, row: Record<string, string | number | null>) =>
    db.run(
      `INSERT INTO takes (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map((k) => `$${k}`).join(', ')})`,
      Object.fromEntries(Object.entries(row).map(([k, v]) => [`$${k}`, v])),
    );

  it('adds takes, guides and cue_rolls (STRICT), keeps cues and the journal, and stamps version 3', async () => {
    const db = await atVersion2WithCues();
    const cuesBefore = await db.all('SELECT * FROM cues ORDER BY id');
    const journalBefore = await db.all('SELECT * FROM journal');
    expect(await migrate(db, loadMigrations(), { to: 3 })).toEqual({ from: 2, to: 3, applied: [3] });
    expect(await getUserVersion(db)).toBe(3);
    expect(await tables(db)).toEqual([
      'characters', 'cue_rolls', 'cues', 'guides', 'journal', 'project', 'reason_codes', 'reels', 'scenes', 'settings', 'takes',
    ]);
    expect(await db.all('SELECT * FROM cues ORDER BY id')).toEqual(cuesBefore);
    expect(await db.all('SELECT * FROM journal')).toEqual(journalBefore);
    expect(await db.get('SELECT title FROM project')).toEqual({ title: 'Reel Three' });
    const strict = await db.all<{ name: string; strict: number }>(
      "SELECT name, strict FROM pragma_table_list WHERE name IN ('takes', 'guides', 'cue_rolls') ORDER BY name",
    );
    expect(strict).toEqual([{ name: 'cue_rolls', strict: 1 }, { name: 'guides', strict: 1 }, { name: 'takes', strict: 1 }]);
    expect((await columns(db, 'takes')).map((c) => c.name)).toEqual([
      'id', 'cue_id', 'number', 'path', 'channels', 'channel_names', 'input_channels', 'sample_rate', 'bits_per_sample', 'float',
      'start_sample', 'length', 'latency', 'latency_source', 'dropouts', 'input_device', 'output_device', 'status', 'problem', 'circled',
      'no_good', 'rating', 'note', 'created_at', 'completed_at',
    ]);
    expect((await columns(db, 'guides')).map((c) => c.name)).toEqual([
      'id', 'path', 'name', 'start_sample', 'length', 'channels', 'sample_rate', 'enabled', 'added_at',
    ]);
    expect(await columns(db, 'cue_rolls')).toEqual([
      { name: 'cue_id', type: 'INTEGER', notnull: 0, pk: 1 },
      { name: 'pre_roll_ms', type: 'INTEGER', notnull: 0, pk: 0 },
      { name: 'post_roll_ms', type: 'INTEGER', notnull: 0, pk: 0 },
    ]);
    // A unique index on (cue_id, number), and the partial index recovery uses.
    const indexes = await db.all<{ name: string; unique: number; partial: number }>(
      'SELECT name, "unique", partial FROM pragma_index_list(?) ORDER BY name', ['takes'],
    );
    expect(indexes.find((i) => i.partial === 1)?.name).toBe('takes_recording');
    const byCue = [];
    for (const index of indexes.filter((i) => i.unique === 1)) {
      byCue.push((await db.all<{ name: string }>('SELECT name FROM pragma_index_info(?) ORDER BY seqno', [index.name])).map((c) => c.name));
    }
    expect(byCue).toContainEqual(['cue_id', 'number']);
    const plan = await db.all<{ detail: string }>("EXPLAIN QUERY PLAN SELECT id FROM takes WHERE status = 'recording'");
    expect(plan.map((p) => p.detail).join('\n')).toContain('takes_recording');
  });

  it('defaults a new take to recording, unmarked, and refuses impossible takes', async () => {
    const db = await atVersion2WithCues();
    await migrate(db, loadMigrations());
    await insertTake(db, take);
    expect(await db.get('SELECT status, length, problem, circled, no_good, rating, note, completed_at FROM takes')).toEqual({
      status: 'recording', length: 0, problem: null, circled: 0, no_good: 0, rating: null, note: '', completed_at: null,
    });
    const refused = async (row: Record<string, string | number | null>, why: string) => {
      expect(((await errorOf(insertTake(db, { ...take, number: 50, path: 'takes/other.wav', ...row }))) as { code?: string }).code, why).toBe('SQLITE_CONSTRAINT');
    };
    await refused({ number: 1 }, 'same cue and number');
    await refused({ path: 'TAKES/r101_robin_t01.WAV' }, 'same path but for case');
    await refused({ cue_id: 99 }, 'no such cue');
    await refused({ number: 0 }, 'number from 1');
    await refused({ path: '/abs/take.wav' }, 'absolute path');
    await refused({ path: 'takes/../take.wav' }, '.. in path');
    await refused({ path: 'takes\\take.wav' }, 'backslash');
    await refused({ path: 'C:/takes/take.wav' }, 'drive letter');
    await refused({ channels: 0, channel_names: '[]', input_channels: '[]' }, 'no channels');
    await refused({ channels: 257 }, 'too many channels');
    await refused({ channel_names: '["boom"]' }, 'a name per channel');
    await refused({ channel_names: '{"a":1}' }, 'names are an array');
    await refused({ channel_names: 'boom,lav' }, 'names are JSON');
    await refused({ input_channels: '[0]' }, 'an input per channel');
    await refused({ bits_per_sample: 8 }, '8 bits');
    await refused({ float: 1 }, 'float only at 32 bits');
    await refused({ float: 2, bits_per_sample: 32 }, 'float is 0/1');
    await refused({ start_sample: -1 }, 'negative start');
    await refused({ latency: 1.5 }, 'fractional latency');
    await refused({ latency_source: 'guessed' }, 'latency source');
    await refused({ status: 'lost' }, 'status');
    await refused({ status: 'complete' }, 'complete without completed_at');
    await refused({ completed_at: now }, 'recording with completed_at');
    await refused({ problem: 'x' }, 'a recording take has no problem');
    await refused({ rating: 6 }, 'rating');
    await refused({ circled: 2 }, 'circled');
    await refused({ created_at: 'today' }, 'created_at');
    await refused({ length: -1 }, 'length');
    // Float at 32 bits, a negative latency (manual offset past the round trip) and a rating of 0 are fine.
    await insertTake(db, { ...take, number: 2, path: 'takes/T02.wav', bits_per_sample: 32, float: 1, latency: -40, latency_source: 'none', rating: 0 });
    expect(await db.get('SELECT count(*) AS n FROM takes')).toEqual({ n: 2 });
  });

  it('never lets a cue with takes be deleted; a roll override goes with its cue', async () => {
    const db = await atVersion2WithCues();
    await migrate(db, loadMigrations());
    await insertTake(db, take);
    await db.run('INSERT INTO cue_rolls (cue_id, pre_roll_ms, post_roll_ms) VALUES (1, 3000, NULL), (2, NULL, 500)');
    expect((await errorOf(db.run('DELETE FROM cues WHERE id = 1')) as { code?: string }).code).toBe('SQLITE_CONSTRAINT');
    await db.run('DELETE FROM cues WHERE id = 2');
    expect(await db.all('SELECT cue_id FROM cue_rolls')).toEqual([{ cue_id: 1 }]);
    for (const [pre, post] of [[null, null], [-1, null], [null, 60001], [1.5, null]]) {
      expect((await errorOf(db.run('INSERT INTO cue_rolls (cue_id, pre_roll_ms, post_roll_ms) VALUES (1, ?, ?)', [pre ?? null, post ?? null])) as { code?: string }).code).toBe('SQLITE_CONSTRAINT');
    }
    await db.run('INSERT INTO guides (path, name, start_sample, length, channels, sample_rate, added_at) VALUES (?, ?, 0, 10, 1, 48000, ?)', ['guide/dx.wav', 'dx.wav', now]);
    expect(await db.get('SELECT enabled FROM guides')).toEqual({ enabled: 1 });
    expect((await errorOf(db.run('INSERT INTO guides (path, name, start_sample, length, channels, sample_rate, added_at) VALUES (?, ?, 0, 10, 1, 48000, ?)', ['GUIDE/DX.WAV', 'again', now])) as { code?: string }).code).toBe('SQLITE_CONSTRAINT');
  });
});

describe('0004-pictures', () => {
  const now = '2026-11-22T03:04:05.000Z';
  const picture = {
    name: 'Reel 1 v3', path: 'picture/R1.proxy.mp4', source_path: '/media/R1.mov', start_sample: 172_800_000, end_sample: 172_900_000,
    start_source: 'timecode-track', frame_rate: '25', frames: 52, width: 1920, height: 1080, codec: 'h264', source_codec: 'prores',
    proxy_reasons: '["codec"]', added_at: now,
  };
  const insert = (db: Database, table: string, row: Record<string, string | number | null>) =>
    db.run(
      `INSERT INTO ${table} (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map((k) => `$${k}`).join(', ')})`,
      Object.fromEntries(Object.entries(row).map(([k, v]) => [`$${k}`, v])),
    );

  /** A version-3 database with a project, two cues and a take. */
  async function atVersion3(): Promise<Database> {
    const db = await freshDb();
    await migrate(db, loadMigrations(), { to: 3 });
    await db.run(`INSERT INTO project (id, title, frame_rate, sample_rate, start_sample, created_at) VALUES (1, 'Reel One', '25', 48000, 172800000, ?)`, [now]);
    for (const [id, number] of [[1, 'R101'], [2, 'R102']] as const) {
      await db.run(`INSERT INTO cues (id, kind, number, in_sample, out_sample, created_at, updated_at) VALUES (?, 'adr', ?, 172850000, 172860000, ?, ?)`, [id, number, now, now]);
    }
    return db;
  }

  it('adds pictures, cue_pictures and sync_logs (STRICT), keeps what was there, and stamps version 4', async () => {
    const db = await atVersion3();
    const cuesBefore = await db.all('SELECT * FROM cues ORDER BY id');
    expect(await migrate(db, loadMigrations(), { to: 4 })).toEqual({ from: 3, to: 4, applied: [4] });
    expect(await getUserVersion(db)).toBe(4);
    expect(await tables(db)).toEqual([
      'characters', 'cue_pictures', 'cue_rolls', 'cues', 'guides', 'journal', 'pictures', 'project', 'reason_codes', 'reels', 'scenes', 'settings', 'sync_logs', 'takes',
    ]);
    expect(await db.all('SELECT * FROM cues ORDER BY id')).toEqual(cuesBefore);
    const strict = await db.all<{ name: string; strict: number }>("SELECT name, strict FROM pragma_table_list WHERE name IN ('pictures', 'cue_pictures', 'sync_logs') ORDER BY name");
    expect(strict.map((s) => s.strict)).toEqual([1, 1, 1]);
    expect((await columns(db, 'pictures')).map((c) => c.name)).toEqual([
      'id', 'name', 'path', 'source_path', 'start_sample', 'end_sample', 'start_source', 'frame_rate', 'frames', 'width', 'height', 'codec', 'source_codec', 'proxy_reasons', 'added_at',
    ]);
  });

  it('refuses impossible pictures; a cue\'s picture goes with the cue or the picture; a sync log outlives both', async () => {
    const db = await atVersion3();
    await migrate(db, loadMigrations());
    await insert(db, 'pictures', picture);
    const refused = async (row: Record<string, string | number | null>, why: string) => {
      expect(((await errorOf(insert(db, 'pictures', { ...picture, path: 'picture/other.mp4', ...row }))) as { code?: string }).code, why).toBe('SQLITE_CONSTRAINT');
    };
    await refused({ path: 'PICTURE/r1.PROXY.mp4' }, 'same path but for case');
    await refused({ path: '/abs/R1.mp4' }, 'absolute path');
    await refused({ path: 'picture/../R1.mp4' }, '.. in path');
    await refused({ end_sample: 172_800_000 }, 'end not after start');
    await refused({ start_source: 'guessed' }, 'start source');
    await refused({ frames: 0 }, 'no frames');
    await refused({ width: 0 }, 'no width');
    await refused({ proxy_reasons: '{"codec":1}' }, 'reasons are an array');
    await refused({ added_at: 'today' }, 'added_at');
    await db.run('INSERT INTO cue_pictures (cue_id, picture_id) VALUES (1, 1), (2, 1)');
    expect((await errorOf(db.run('INSERT INTO cue_pictures (cue_id, picture_id) VALUES (1, 99)')) as { code?: string }).code).toBe('SQLITE_CONSTRAINT');
    await insert(db, 'sync_logs', { picture_id: 1, cue_id: 1, started_at: now, screen: 'talent', frame_rate: '25', display_offset_ms: 12.5, frames: '[[0,1,1]]' });
    expect((await errorOf(insert(db, 'sync_logs', { picture_id: 1, cue_id: 1, started_at: now, screen: 'talent', frame_rate: '25', display_offset_ms: 0, frames: 'oops' })) as { code?: string }).code).toBe('SQLITE_CONSTRAINT');
    await db.run('DELETE FROM cues WHERE id = 1');
    expect(await db.all('SELECT cue_id FROM cue_pictures')).toEqual([{ cue_id: 2 }]);
    await db.run('DELETE FROM pictures WHERE id = 1');
    expect(await db.all('SELECT cue_id FROM cue_pictures')).toEqual([]);
    expect(await db.get('SELECT picture_id, cue_id, frames FROM sync_logs')).toEqual({ picture_id: null, cue_id: null, frames: '[[0,1,1]]' });
  });
});

describe('0005-session', () => {
  const now = '2026-12-04T03:04:05.000Z';
  const insert = (db: Database, table: string, row: Record<string, string | number | null>) =>
    db.run(
      `INSERT INTO ${table} (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map((k) => `$${k}`).join(', ')})`,
      Object.fromEntries(Object.entries(row).map(([k, v]) => [`$${k}`, v])),
    );
  const take = {
    cue_id: 1, number: 1, path: 'takes/R101_ROBIN_T01.wav', channels: 2, channel_names: '["boom","lav"]', input_channels: '[0,1]',
    sample_rate: 48000, bits_per_sample: 24, float: 0, start_sample: 172_850_000, length: 48_000, latency: 312, latency_source: 'measured',
    input_device: 'MOTU 828', output_device: 'MOTU 828', status: 'complete', problem: null, circled: 1, no_good: 0, rating: 4,
    note: 'keeper', created_at: now, completed_at: now,
  };

  /** A version-4 database with a project, a character, a scene, two ADR cues, two Foley events and three takes. */
  async function atVersion4(): Promise<Database> {
    const db = await freshDb();
    await migrate(db, loadMigrations(), { to: 4 });
    await db.run(`INSERT INTO project (id, title, frame_rate, sample_rate, start_sample, created_at) VALUES (1, 'Reel One', '25', 48000, 172800000, ?)`, [now]);
    await db.run("INSERT INTO characters (id, name) VALUES (1, 'Robin')");
    await db.run('INSERT INTO scenes (id, number, in_sample, out_sample) VALUES (1, \'12\', 172800000, 173800000)');
    for (const [id, kind, number, pass] of [[1, 'adr', 'R101', null], [2, 'adr', 'R102', null], [3, 'foley', 'F1', 'feet'], [4, 'foley', 'F2', 'feet']] as const) {
      await db.run(
        `INSERT INTO cues (id, kind, number, character_id, scene_id, in_sample, out_sample, foley_pass, created_at, updated_at) VALUES (?, ?, ?, 1, 1, 172850000, 172860000, ?, ?, ?)`,
        [id, kind, number, pass, now, now],
      );
    }
    await insert(db, 'takes', take);
    await insert(db, 'takes', { ...take, number: 2, path: 'takes/R101_ROBIN_T02.wav', circled: 0, no_good: 1, rating: null, note: '' });
    await insert(db, 'takes', { ...take, number: 1, cue_id: 2, path: 'takes/R102_ROBIN_T01.wav', status: 'recording', length: 0, problem: null, completed_at: null, circled: 0, rating: null, note: '' });
    return db;
  }

  it('rebuilds takes with pass, alternate and false start, keeping every row; adds passes, take events and the session log', async () => {
    const db = await atVersion4();
    const before = await db.all<Record<string, unknown>>('SELECT * FROM takes ORDER BY id');
    expect(await migrate(db, loadMigrations(), { to: 5 })).toEqual({ from: 4, to: 5, applied: [5] });
    expect(await getUserVersion(db)).toBe(5);
    expect(await tables(db)).toEqual([
      'characters', 'cue_pictures', 'cue_rolls', 'cues', 'foley_pass_events', 'foley_passes', 'guides', 'journal', 'pictures', 'project',
      'reason_codes', 'reels', 'scenes', 'session_log', 'settings', 'sync_logs', 'take_events', 'takes',
    ]);
    const after = await db.all<Record<string, unknown>>('SELECT * FROM takes ORDER BY id');
    expect(after).toEqual(before.map((row) => ({ ...row, pass_id: null, alternate: 0, false_start: 0 })));
    expect((await columns(db, 'takes')).map((c) => c.name)).toEqual([
      'id', 'cue_id', 'pass_id', 'number', 'path', 'channels', 'channel_names', 'input_channels', 'sample_rate', 'bits_per_sample', 'float',
      'start_sample', 'length', 'latency', 'latency_source', 'dropouts', 'input_device', 'output_device', 'status', 'problem', 'circled',
      'alternate', 'no_good', 'false_start', 'rating', 'note', 'created_at', 'completed_at',
    ]);
    const strict = await db.all<{ name: string; strict: number }>(
      "SELECT name, strict FROM pragma_table_list WHERE name IN ('takes', 'foley_passes', 'foley_pass_events', 'take_events', 'session_log') ORDER BY name",
    );
    expect(strict.map((s) => [s.name, s.strict])).toEqual([['foley_pass_events', 1], ['foley_passes', 1], ['session_log', 1], ['take_events', 1], ['takes', 1]]);
    // The recovery index survived the rebuild, and the unique (owner, number) pairs hold.
    const plan = await db.all<{ detail: string }>("EXPLAIN QUERY PLAN SELECT id FROM takes WHERE status = 'recording'");
    expect(plan.map((p) => p.detail).join('\n')).toContain('takes_recording');
    expect(await db.all('PRAGMA foreign_key_check')).toEqual([]);
    expect(await db.get('PRAGMA integrity_check')).toEqual({ integrity_check: 'ok' });
  });

  it('files a take against a cue or a pass (never both), links pass takes to the events they cover, and keeps the log', async () => {
    const db = await atVersion4();
    await migrate(db, loadMigrations());
    const constraint = async (promise: Promise<unknown>, why: string) => expect(((await errorOf(promise)) as { code?: string }).code, why).toBe('SQLITE_CONSTRAINT');
    const pass = { name: 'Feet ROBIN sc 12', pass: 'feet', character_id: 1, scope: 'scene', scene_id: 1, in_sample: 172_800_000, out_sample: 173_800_000, created_at: now };
    await insert(db, 'foley_passes', pass);
    await constraint(insert(db, 'foley_passes', { ...pass, name: 'feet robin SC 12' }), 'name unique but for case');
    await constraint(insert(db, 'foley_passes', { ...pass, name: 'x', pass: 'dialogue' }), 'pass kind');
    await constraint(insert(db, 'foley_passes', { ...pass, name: 'y', out_sample: 172_800_000 }), 'empty range');
    await constraint(insert(db, 'foley_passes', { ...pass, name: 'z', scope: 'day' }), 'scope');
    await db.run('INSERT INTO foley_pass_events (pass_id, cue_id) VALUES (1, 3), (1, 4)');

    const passTake = { ...take, cue_id: null, pass_id: 1, number: 1, path: 'takes/Feet_ROBIN_sc12_T01.wav', circled: 0, rating: null, note: '' };
    await insert(db, 'takes', passTake);
    await constraint(insert(db, 'takes', { ...passTake, path: 'takes/x.wav' }), 'pass and number taken');
    await constraint(insert(db, 'takes', { ...passTake, cue_id: 1, number: 9, path: 'takes/both.wav' }), 'a cue and a pass');
    await constraint(insert(db, 'takes', { ...passTake, pass_id: null, number: 9, path: 'takes/neither.wav' }), 'neither a cue nor a pass');
    await constraint(insert(db, 'takes', { ...passTake, pass_id: 99, number: 9, path: 'takes/nopass.wav' }), 'no such pass');
    await constraint(insert(db, 'takes', { ...take, number: 9, path: 'takes/both-marks.wav', circled: 1, alternate: 1 }), 'circled and alternate');
    await constraint(insert(db, 'takes', { ...take, number: 9, path: 'takes/fs.wav', false_start: 2 }), 'false start is 0/1');
    await insert(db, 'takes', { ...take, number: 9, path: 'takes/alt.wav', circled: 0, alternate: 1, false_start: 1 });

    const passTakeId = (await db.get<{ id: number }>('SELECT id FROM takes WHERE pass_id = 1'))!.id;
    await db.run('INSERT INTO take_events (take_id, cue_id) VALUES (?, 3), (?, 4)', [passTakeId, passTakeId]);
    await constraint(db.run('INSERT INTO take_events (take_id, cue_id) VALUES (?, 99)', [passTakeId]), 'no such event');
    // Neither the pass nor a covered event can go while a take refers to them.
    await constraint(db.run('DELETE FROM foley_passes WHERE id = 1'), 'a pass with takes');
    await constraint(db.run('DELETE FROM cues WHERE id = 3'), 'an event a take covers');

    const entry = { at: now, stage: 'Stage B', who: 'Sam', action: 'take.marked', cue_id: 1, pass_id: null, take_id: 1, text: 'R101 T01: circled', data: '{"circled":true}' };
    await insert(db, 'session_log', entry);
    await constraint(insert(db, 'session_log', { ...entry, text: '' }), 'empty text');
    await constraint(insert(db, 'session_log', { ...entry, action: '' }), 'no action');
    await constraint(insert(db, 'session_log', { ...entry, data: '[1]' }), 'data is an object');
    await constraint(insert(db, 'session_log', { ...entry, at: 'now' }), 'time');
    // The log keeps ids without foreign keys: it outlives what it names.
    await insert(db, 'session_log', { ...entry, cue_id: 12345, take_id: 67890 });
    expect(await db.get('SELECT count(*) AS n FROM session_log')).toEqual({ n: 2 });
  });
});
