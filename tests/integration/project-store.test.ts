/**
 * SqliteProjectStore against real project folders in a temp directory. Refusals are checked to
 * leave every byte of the folder as it was (hash of every file, and the list of files).
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/adapters/sqlite/database.js';
import { latestVersion, loadMigrations } from '../../src/adapters/sqlite/migrations.js';
import {
  PROJECT_SUBFOLDERS,
  SqliteProjectStore,
  type SqliteProjectHandle,
} from '../../src/adapters/sqlite/project-store.js';
import { isLoopstageError } from '../../src/core/errors.js';
import type { ProjectSettings } from '../../src/engine/ports/project-store.js';

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');
const NEWEST = latestVersion(loadMigrations(MIGRATIONS));
const NOW = new Date('2024-05-01T10:00:00.000Z');
const SETTINGS: ProjectSettings = { title: 'The Long Night', frameRate: '24', sampleRate: 48000, start: 172_800_000 };

let tmp: string;
const handles: SqliteProjectHandle[] = [];
const store = new SqliteProjectStore();

beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'loopstage-store-'));
});

afterEach(async () => {
  for (const handle of handles.splice(0)) await handle.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function track(handle: Promise<SqliteProjectHandle>): Promise<SqliteProjectHandle> {
  const h = await handle;
  handles.push(h);
  return h;
}

/** Every file and folder under `dir` with a hash of each file's bytes, sorted. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const rel = path.relative(dir, p);
      if (statSync(p).isDirectory()) {
        out.push(`${rel}/`);
        walk(p);
      } else {
        out.push(`${rel} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
      }
    }
  };
  walk(dir);
  return out;
}

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isLoopstageError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a LoopstageError');
}

/** A closed, real project in `tmp/<name>`. */
async function realProject(name = 'film', settings: ProjectSettings = SETTINGS): Promise<string> {
  const dir = path.join(tmp, name);
  const handle = await store.create(dir, settings, NOW);
  await handle.close();
  return dir;
}

/** Changes a closed project's database through a plain connection (as another program would). */
async function tamper(dir: string, script: string): Promise<void> {
  const db = await Database.open(path.join(dir, 'project.db'), { mode: 'readwrite' });
  try {
    await db.exec(script);
  } finally {
    await db.close();
  }
}

describe('SqliteProjectStore', () => {
  it('creates a project folder and round-trips info, settings updates and key/value settings', async () => {
    const dir = path.join(tmp, 'nested', 'film');
    const handle = await track(store.create(dir, { ...SETTINGS, title: '  The Long Night ' }, NOW));
    expect(handle.dir).toBe(dir);
    const info = await handle.info();
    expect(info).toEqual({ ...SETTINGS, dir, schemaVersion: NEWEST, createdAt: '2024-05-01T10:00:00.000Z' });
    expect(readdirSync(dir).sort()).toEqual(['exports', 'logs', 'picture', 'project.db', 'project.db-shm', 'project.db-wal', 'takes']);
    for (const sub of PROJECT_SUBFOLDERS) expect(statSync(path.join(dir, sub)).isDirectory()).toBe(true);

    const updated = await handle.updateSettings({ title: 'The Longer Night', frameRate: '29.97DF', start: 0 });
    expect(updated).toMatchObject({ title: 'The Longer Night', frameRate: '29.97df', sampleRate: 48000, start: 0 });

    await handle.setSetting('audio.input', { name: 'MOTU 828', channels: [1, 2] });
    await handle.setSetting('audio.input', { name: 'RME Fireface', channels: [3] });
    await handle.setSetting('ui.zoom', 1.5);
    await handle.setSetting('flag', false);
    await handle.setSetting('nothing', null);
    expect(await handle.getSetting('audio.input')).toEqual({ name: 'RME Fireface', channels: [3] });
    expect(await handle.getSetting('missing')).toBeUndefined();
    await handle.setSetting('ui.zoom', undefined);
    expect(await handle.getSetting('ui.zoom')).toBeUndefined();
    expect((await errorOf(handle.setSetting('big', 10n))).code).toBe('SETTING_VALUE_INVALID');
    expect((await errorOf(handle.setSetting('fn', () => 1))).code).toBe('SETTING_VALUE_INVALID');
    expect((await errorOf(handle.getSetting(''))).code).toBe('SETTING_KEY_INVALID');
    await handle.close();
    handles.pop();

    // A clean close leaves no -wal / -shm behind.
    expect(readdirSync(dir).sort()).toEqual(['exports', 'logs', 'picture', 'project.db', 'takes']);
    expect((await errorOf(handle.info())).code).toBe('PROJECT_CLOSED');
    await handle.close(); // twice is harmless

    const again = await track(store.open(dir));
    expect(await again.info()).toEqual({
      dir,
      title: 'The Longer Night',
      frameRate: '29.97df',
      sampleRate: 48000,
      start: 0,
      schemaVersion: NEWEST,
      createdAt: '2024-05-01T10:00:00.000Z',
    });
    expect(await again.getSetting('audio.input')).toEqual({ name: 'RME Fireface', channels: [3] });
    expect(await again.getSetting('flag')).toBe(false);
    expect(await again.getSetting('nothing')).toBeNull();
  });

  it('opens read-write with WAL journaling and foreign keys enforced', async () => {
    const handle = await track(store.open(await realProject()));
    expect(await handle.db.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await handle.db.get('PRAGMA foreign_keys')).toEqual({ foreign_keys: 1 });
    expect((await handle.db.get<{ timeout: number }>('PRAGMA busy_timeout'))!.timeout).toBeGreaterThan(0);
  });

  it('opens a project that another connection has open (its -wal pending)', async () => {
    const dir = await realProject();
    const first = await track(store.open(dir));
    await first.setSetting('k', 1);
    expect(existsSync(path.join(dir, 'project.db-wal'))).toBe(true);
    const second = await track(store.open(dir));
    expect(await second.getSetting('k')).toBe(1);
    expect((await second.info()).title).toBe(SETTINGS.title);
  });

  it('recreates subfolders lost when the project was copied', async () => {
    const dir = await realProject();
    rmSync(path.join(dir, 'takes'), { recursive: true });
    await track(store.open(dir));
    expect(statSync(path.join(dir, 'takes')).isDirectory()).toBe(true);
  });

  it('rejects invalid settings before touching the disk, and keeps the stored ones on a bad update', async () => {
    const cases: Array<[Partial<ProjectSettings>, string]> = [
      [{ title: '' }, 'PROJECT_SETTINGS_INVALID'],
      [{ title: '   ' }, 'PROJECT_SETTINGS_INVALID'],
      [{ title: 'x'.repeat(201) }, 'PROJECT_SETTINGS_INVALID'],
      [{ title: 'two\nlines' }, 'PROJECT_SETTINGS_INVALID'],
      [{ frameRate: '29' }, 'RATE_UNKNOWN'],
      [{ frameRate: '29.97' }, 'RATE_AMBIGUOUS'],
      [{ sampleRate: 22050 }, 'PROJECT_SETTINGS_INVALID'],
      [{ sampleRate: 48000.5 }, 'PROJECT_SETTINGS_INVALID'],
      [{ start: -1 }, 'PROJECT_SETTINGS_INVALID'],
      [{ start: 0.5 }, 'PROJECT_SETTINGS_INVALID'],
      [{ start: 86_400 * 48_000 * 2 }, 'PROJECT_SETTINGS_INVALID'],
      [{ start: Number.NaN }, 'PROJECT_SETTINGS_INVALID'],
    ];
    for (const [patch, code] of cases) {
      const dir = path.join(tmp, 'never');
      const error = await errorOf(store.create(dir, { ...SETTINGS, ...patch }, NOW));
      expect(error.code, JSON.stringify(patch)).toBe(code);
      expect(existsSync(dir)).toBe(false);
    }
    // 200 characters is fine, as is the last frame of the day.
    const longTitle = 'é'.repeat(200);
    const last = 2_073_599 * 2000; // 23:59:59:23 at 24 fps, 48 kHz
    const handle = await track(store.create(path.join(tmp, 'ok'), { ...SETTINGS, title: longTitle, start: last }, NOW));
    expect(await handle.info()).toMatchObject({ title: longTitle, start: last });
    expect((await errorOf(handle.updateSettings({ start: last + 2000 }))).code).toBe('PROJECT_SETTINGS_INVALID');
    // At 23.976 the timecode day is longer than 24 h of samples, and all of it is allowed.
    const ntscLast = 2_073_599 * 2002;
    expect(ntscLast).toBeGreaterThan(86_400 * 48_000);
    await handle.updateSettings({ frameRate: '23.976', start: ntscLast });

    for (const [patch, code] of cases.slice(0, 6)) {
      expect((await errorOf(handle.updateSettings(patch))).code).toBe(code);
    }
    expect(await handle.info()).toMatchObject({ title: longTitle, frameRate: '23.976', start: ntscLast });
  });

  it('refuses to create over an existing project and leaves it byte-identical', async () => {
    const dir = await realProject();
    const before = snapshot(dir);
    const error = await errorOf(store.create(dir, { ...SETTINGS, title: 'Other' }, NOW));
    expect(error.code).toBe('PROJECT_EXISTS');
    expect(error.message).toContain(dir);
    expect(snapshot(dir)).toEqual(before);
  });

  it('refuses to create where a file stands, and reports missing projects', async () => {
    const file = path.join(tmp, 'a-file');
    writeFileSync(file, 'hello');
    expect((await errorOf(store.create(file, SETTINGS, NOW))).code).toBe('PROJECT_CREATE_FAILED');
    expect((await errorOf(store.open(file))).code).toBe('PROJECT_NOT_FOUND');
    expect((await errorOf(store.open(path.join(tmp, 'missing')))).code).toBe('PROJECT_NOT_FOUND');
    mkdirSync(path.join(tmp, 'empty'));
    const error = await errorOf(store.open(path.join(tmp, 'empty')));
    expect(error.code).toBe('PROJECT_NOT_FOUND');
    expect(readdirSync(path.join(tmp, 'empty'))).toEqual([]);
  });

  describe('refuses a damaged database untouched', () => {
    async function expectCorrupt(dir: string): Promise<void> {
      const before = snapshot(dir);
      const error = await errorOf(store.open(dir));
      expect(error.code).toBe('PROJECT_DB_CORRUPT');
      expect(error.message).toContain('left untouched');
      expect(snapshot(dir)).toEqual(before);
    }

    it('random bytes', async () => {
      const dir = path.join(tmp, 'random');
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'project.db'), randomBytes(16_384));
      await expectCorrupt(dir);
    });

    it('random bytes behind a valid SQLite magic string', async () => {
      const dir = path.join(tmp, 'magic');
      mkdirSync(dir);
      const bytes = randomBytes(16_384);
      bytes.write('SQLite format 3\u0000', 0, 'latin1');
      writeFileSync(path.join(dir, 'project.db'), bytes);
      await expectCorrupt(dir);
    });

    it('an empty file', async () => {
      const dir = path.join(tmp, 'empty');
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'project.db'), '');
      await expectCorrupt(dir);
    });

    it('a truncated real project', async () => {
      const dir = await realProject();
      const file = path.join(dir, 'project.db');
      const bytes = readFileSync(file);
      expect(bytes.length).toBeGreaterThanOrEqual(3 * 4096);
      for (const length of [bytes.length - 100, bytes.length - 4000, bytes.length - 4096, Math.floor(bytes.length / 2), 4096, 1000, 50]) {
        writeFileSync(file, bytes.subarray(0, length));
        await expectCorrupt(dir);
      }
    });

    it('a larger project truncated in the middle', async () => {
      const dir = await realProject();
      const handle = await store.open(dir);
      for (let i = 0; i < 50; i++) await handle.setSetting(`take.${i}`, { notes: 'x'.repeat(2000), i });
      await handle.close();
      const file = path.join(dir, 'project.db');
      const bytes = readFileSync(file);
      writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2 / 4096) * 4096));
      await expectCorrupt(dir);
    });

    it('an SQLite database that is not a Loopstage project', async () => {
      const dir = path.join(tmp, 'other-app');
      mkdirSync(dir);
      const db = await Database.open(path.join(dir, 'project.db'), { mode: 'create' });
      await db.exec("CREATE TABLE notes (x); INSERT INTO notes VALUES ('mine');");
      await db.close();
      await expectCorrupt(dir);
      await tamper(dir, 'PRAGMA user_version = 1');
      await expectCorrupt(dir);
    });
  });

  it('refuses a project from a newer Loopstage and leaves the folder untouched', async () => {
    const dir = await realProject();
    await tamper(dir, 'PRAGMA user_version = 99');
    const before = snapshot(dir);
    expect(before.map((line) => line.split(' ')[0])).toEqual(['exports/', 'logs/', 'picture/', 'project.db', 'takes/']);
    const error = await errorOf(store.open(dir));
    expect(error.code).toBe('PROJECT_SCHEMA_NEWER');
    expect(error.message).toContain(`schema 99, this version knows up to ${NEWEST}`);
    expect(error.message).toContain('open it with that version');
    expect(snapshot(dir)).toEqual(before);
    // Also when a subfolder is missing: nothing is recreated before the checks pass.
    rmSync(path.join(dir, 'logs'), { recursive: true });
    const without = snapshot(dir);
    expect((await errorOf(store.open(dir))).code).toBe('PROJECT_SCHEMA_NEWER');
    expect(snapshot(dir)).toEqual(without);
  });

  it('migrates an older project forward on open', async () => {
    const dir = await realProject();
    const migrationsDir = path.join(tmp, 'migrations');
    mkdirSync(migrationsDir);
    for (const name of readdirSync(MIGRATIONS)) copyFileSync(path.join(MIGRATIONS, name), path.join(migrationsDir, name));
    const next = NEWEST + 1;
    writeFileSync(
      path.join(migrationsDir, `${String(next).padStart(4, '0')}-notes.sql`),
      'CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT NOT NULL) STRICT;',
    );
    const newer = new SqliteProjectStore({ migrationsDir });
    const handle = await track(newer.open(dir));
    expect(await handle.info()).toMatchObject({ ...SETTINGS, schemaVersion: next });
    await handle.db.run('INSERT INTO note (text) VALUES (?)', ['kept']);
    await handle.close();
    handles.pop();
    // …and this version now refuses it.
    expect((await errorOf(store.open(dir))).code).toBe('PROJECT_SCHEMA_NEWER');
  });
});

describe('Database wrapper', () => {
  it('binds parameters, rolls back a failed transaction, and queues other calls behind one', async () => {
    const db = await Database.open(path.join(tmp, 'w.db'), { mode: 'create' });
    try {
      await db.exec('CREATE TABLE t (x TEXT)');
      const tricky = "Robert'); DROP TABLE t; --";
      expect(await db.run('INSERT INTO t (x) VALUES (?)', [tricky])).toMatchObject({ changes: 1, lastId: 1 });
      expect(await db.all('SELECT x FROM t WHERE x = $x', { $x: tricky })).toEqual([{ x: tricky }]);

      await expect(
        db.transaction(async (tx) => {
          await tx.run('INSERT INTO t (x) VALUES (?)', ['rolled back']);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await db.all('SELECT x FROM t')).toEqual([{ x: tricky }]);

      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const tx = db.transaction(async (t) => {
        await t.run('INSERT INTO t (x) VALUES (?)', ['in tx']);
        await gate;
        await t.run('INSERT INTO t (x) VALUES (?)', ['in tx 2']);
      });
      const outside = db.run('INSERT INTO t (x) VALUES (?)', ['outside']);
      await new Promise((resolve) => setTimeout(resolve, 20));
      release();
      await Promise.all([tx, outside]);
      expect((await db.all<{ x: string }>('SELECT x FROM t ORDER BY rowid')).map((r) => r.x)).toEqual([
        tricky,
        'in tx',
        'in tx 2',
        'outside',
      ]);
    } finally {
      await db.close();
    }
    await db.close();
  });
});
