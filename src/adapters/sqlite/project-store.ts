/**
 * Projects as folders (DESIGN §4): `project.db` (SQLite, WAL, foreign keys on), `takes/`,
 * `picture/`, `exports/`, `logs/`.
 *
 * Opening is two-phase. First the database is inspected through an immutable, read-only
 * connection that cannot write a byte or leave -wal/-shm files behind: a damaged file, a file that
 * is not a Loopstage database and a schema from a newer Loopstage are refused there, untouched.
 * Only then is it reopened read-write and migrated forward.
 */
import {
  closeSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import { LoopstageError, isLoopstageError } from '../../core/errors.js';
import type { ProjectHandle, ProjectInfo, ProjectSettings, ProjectStore } from '../../engine/ports/project-store.js';
import { validateProjectSettings } from '../../engine/project/validate-settings.js';
import { SqliteCueStore } from './cue-store.js';
import { Database, sqliteErrorCode } from './database.js';
import { getUserVersion, latestVersion, loadMigrations, migrate, type Migration } from './migrations.js';
import { SqliteTakeStore } from './take-store.js';
import { SqlitePictureStore } from './picture-store.js';
import { SqliteSessionLogStore } from './session-log-store.js';
import { SqlitePassStore } from './pass-store.js';

export const PROJECT_DB_NAME = 'project.db';
export const PROJECT_SUBFOLDERS: readonly string[] = ['takes', 'picture', 'exports', 'logs'];
/** Where `create` builds the database before moving it into place, so a half-made project never shows. */
const CREATING_NAME = '.project.db.creating';
const SIDE_FILES = ['-wal', '-shm', '-journal'];
const SETTING_KEY_MAX = 200;

export interface SqliteProjectStoreOptions {
  /** Folder of NNNN-what.sql files; defaults to the migrations/ shipped with Loopstage. */
  readonly migrationsDir?: string;
  /** How long a write waits for another connection's lock, in ms. */
  readonly busyTimeoutMs?: number;
}

interface ProjectRow {
  title: string;
  frame_rate: string;
  sample_rate: number;
  start_sample: number;
  created_at: string;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function corrupt(file: string, reason: string, cause?: unknown): LoopstageError {
  return new LoopstageError(
    'PROJECT_DB_CORRUPT',
    `The project database ${file} is damaged or is not a Loopstage project (${reason}); it was left untouched, so restore it from a backup or open another project.`,
    { file, reason, ...(cause === undefined ? {} : { cause: describe(cause) }) },
  );
}

/** Maps an error from SQLite while opening or reading `file` to a LoopstageError. */
function openFailure(file: string, error: unknown, writing: boolean): LoopstageError {
  if (isLoopstageError(error)) return error;
  const code = sqliteErrorCode(error);
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') return corrupt(file, describe(error), error);
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new LoopstageError(
      'PROJECT_BUSY',
      `The project database ${file} is in use by another program; close the project there and try again.`,
      { file, cause: describe(error) },
    );
  }
  return new LoopstageError(
    'PROJECT_OPEN_FAILED',
    writing
      ? `The project database ${file} could not be opened for writing (${describe(error)}); check that you may write to the project folder.`
      : `The project database ${file} could not be read (${describe(error)}); check that the file exists and that you may read it.`,
    { file, cause: describe(error), ...(code === undefined ? {} : { sqliteCode: code }) },
  );
}

/**
 * Cheap checks on the 100-byte SQLite header before SQLite sees the file: the magic string, a
 * sane page size and, when the header's page count is current, a file at least that long (SQLite
 * itself reads a truncated small file as zero-filled pages without complaint).
 */
function checkHeader(file: string, size: number): void {
  if (size === 0) throw corrupt(file, 'the file is empty');
  if (size < 100) throw corrupt(file, `the file is only ${size} bytes long`);
  const header = Buffer.alloc(100);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1', 0, 16) !== 'SQLite format 3\u0000') throw corrupt(file, 'it is not an SQLite database');
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw corrupt(file, `its header gives an impossible page size of ${rawPageSize}`);
  }
  const changeCounter = header.readUInt32BE(24);
  const pageCount = header.readUInt32BE(28);
  const validFor = header.readUInt32BE(92);
  if (pageCount > 0 && changeCounter === validFor && size < pageCount * pageSize) {
    throw corrupt(file, `it is truncated: ${size} of ${pageCount * pageSize} bytes are there`);
  }
}

export class SqliteProjectStore implements ProjectStore {
  private readonly migrationsDir: string | undefined;
  private readonly busyTimeoutMs: number | undefined;

  constructor(options: SqliteProjectStoreOptions = {}) {
    this.migrationsDir = options.migrationsDir;
    this.busyTimeoutMs = options.busyTimeoutMs;
  }

  private migrations(): Migration[] {
    return loadMigrations(this.migrationsDir);
  }

  private async openDatabase(file: string, mode: 'readwrite' | 'create'): Promise<Database> {
    try {
      return await Database.open(file, { mode, ...(this.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: this.busyTimeoutMs }) });
    } catch (error) {
      throw openFailure(file, error, true);
    }
  }

  async create(dir: string, settings: ProjectSettings, now: Date): Promise<SqliteProjectHandle> {
    const root = path.resolve(dir);
    const file = path.join(root, PROJECT_DB_NAME);
    const valid = validateProjectSettings(settings);
    if (Number.isNaN(now.getTime())) throw new RangeError('create() needs a valid Date for the creation time');
    const createdAt = now.toISOString();
    const migrations = this.migrations();

    const failed = (error: unknown): LoopstageError =>
      new LoopstageError(
        'PROJECT_CREATE_FAILED',
        `The project could not be created in ${root} (${describe(error)}); choose a folder you may write to.`,
        { dir: root, cause: describe(error) },
      );

    let existing: Stats | undefined;
    try {
      existing = statOrUndefined(root);
    } catch (error) {
      throw failed(error);
    }
    if (existing && !existing.isDirectory()) {
      throw new LoopstageError(
        'PROJECT_CREATE_FAILED',
        `${root} is a file, not a folder; choose a new or empty folder for the project.`,
        { dir: root },
      );
    }
    const exists = (): boolean => [file, `${file}-wal`].some((p) => existsSync(p));
    const refuse = (): LoopstageError =>
      new LoopstageError(
        'PROJECT_EXISTS',
        `${root} already holds a Loopstage project; open it, or choose another folder for the new project.`,
        { dir: root },
      );
    if (exists()) throw refuse();

    const temp = path.join(root, CREATING_NAME);
    const removeTemp = (): void => {
      for (const p of [temp, ...SIDE_FILES.map((suffix) => temp + suffix)]) rmSync(p, { force: true });
    };
    try {
      mkdirSync(root, { recursive: true });
      for (const sub of PROJECT_SUBFOLDERS) mkdirSync(path.join(root, sub), { recursive: true });
      removeTemp(); // left by a create that crashed
    } catch (error) {
      throw failed(error);
    }

    try {
      const db = await this.openDatabase(temp, 'create');
      try {
        await migrate(db, migrations);
        await db.run(
          `INSERT INTO project (id, title, frame_rate, sample_rate, start_sample, created_at)
           VALUES (1, ?, ?, ?, ?, ?)`,
          [valid.title, valid.frameRate, valid.sampleRate, valid.start, createdAt],
        );
      } finally {
        await db.close();
      }
      // Publish without ever replacing a project that appeared meanwhile: link() fails if the
      // name is taken. File systems without hard links (FAT, exFAT) fall back to rename().
      try {
        linkSync(temp, file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw refuse();
        if (exists()) throw refuse();
        renameSync(temp, file);
      }
    } catch (error) {
      try {
        removeTemp();
      } catch {
        // the original error matters more
      }
      if (isLoopstageError(error)) throw error;
      throw failed(error);
    }
    removeTemp();
    return this.open(root);
  }

  async open(dir: string): Promise<SqliteProjectHandle> {
    const root = path.resolve(dir);
    const file = path.join(root, PROJECT_DB_NAME);
    const notFound = (why: string): LoopstageError =>
      new LoopstageError(
        'PROJECT_NOT_FOUND',
        `There is no Loopstage project at ${root} (${why}); check the path, or create a project there with \`loopstage project create\`.`,
        { dir: root },
      );

    let folder: Stats | undefined;
    let db: Stats | undefined;
    try {
      folder = statOrUndefined(root);
      db = folder?.isDirectory() ? statOrUndefined(file) : undefined;
    } catch (error) {
      throw openFailure(file, error, false);
    }
    if (!folder) throw notFound('the folder does not exist');
    if (!folder.isDirectory()) throw notFound('it is a file, not a folder');
    if (!db) throw notFound(`the folder has no ${PROJECT_DB_NAME}`);
    if (!db.isFile()) throw corrupt(file, `${PROJECT_DB_NAME} is not a file`);

    const migrations = this.migrations();
    await this.inspect(file, db.size, latestVersion(migrations));

    // The checks passed: from here on the database may be written.
    const database = await this.openDatabase(file, 'readwrite');
    try {
      await migrate(database, migrations);
      const row = await database.get<{ n: number }>('SELECT count(*) AS n FROM project');
      if (row?.n !== 1) throw corrupt(file, 'it has no project record');
    } catch (error) {
      await database.close().catch(() => undefined);
      throw openFailure(file, error, true);
    }
    for (const sub of PROJECT_SUBFOLDERS) {
      try {
        mkdirSync(path.join(root, sub), { recursive: true }); // e.g. empty folders lost in a copy
      } catch {
        // not fatal: the feature that writes there reports its own error
      }
    }
    return new SqliteProjectHandle(root, database);
  }

  /** The read-only phase of `open`: refuses anything it cannot safely migrate, without writing. */
  private async inspect(file: string, size: number, newest: number): Promise<void> {
    // With no write-ahead log pending, the database file alone is the whole truth and can be read
    // as immutable: SQLite then takes no locks and creates no -wal/-shm files. A pending -wal
    // (another program has the project open, or it crashed) must be read through normal locking.
    const walPending = existsSync(`${file}-wal`);
    if (!walPending) checkHeader(file, size);

    let database: Database;
    try {
      database = await Database.open(file, { mode: walPending ? 'readonly' : 'immutable' });
    } catch (error) {
      throw openFailure(file, error, false);
    }
    try {
      const version = await getUserVersion(database);
      const check = await database.all<{ quick_check: string }>('PRAGMA quick_check');
      const problems = check.map((r) => r.quick_check).filter((r) => r !== 'ok');
      if (problems.length > 0) throw corrupt(file, `SQLite's integrity check reports: ${problems[0]}`);
      if (version > newest) {
        throw new LoopstageError(
          'PROJECT_SCHEMA_NEWER',
          `The project ${path.dirname(file)} was made by a newer Loopstage (schema ${version}, this version knows up to ${newest}); open it with that version or a later one, it was left untouched.`,
          { file, schemaVersion: version, knownVersion: newest },
        );
      }
      const project = await database.get<{ name: string }>(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name = 'project'",
      );
      if (version === 0 || !project) throw corrupt(file, 'it has no Loopstage schema');
    } catch (error) {
      throw openFailure(file, error, false);
    } finally {
      await database.close().catch(() => undefined);
    }
  }
}

/** An open project. `db` is the connection other SQLite adapters of this project share. */
export class SqliteProjectHandle implements ProjectHandle {
  readonly cues: SqliteCueStore;
  readonly takes: SqliteTakeStore;
  readonly pictures: SqlitePictureStore;
  readonly log: SqliteSessionLogStore;
  readonly passes: SqlitePassStore;

  constructor(
    readonly dir: string,
    readonly db: Database,
  ) {
    this.cues = new SqliteCueStore(db);
    this.takes = new SqliteTakeStore(db);
    this.pictures = new SqlitePictureStore(db);
    this.log = new SqliteSessionLogStore(db);
    this.passes = new SqlitePassStore(db);
  }

  private live(): Database {
    if (this.db.isClosed) {
      throw new LoopstageError(
        'PROJECT_CLOSED',
        `The project ${this.dir} has been closed; open it again to continue.`,
        { dir: this.dir },
      );
    }
    return this.db;
  }

  async info(): Promise<ProjectInfo> {
    const db = this.live();
    const row = await db.get<ProjectRow>(
      'SELECT title, frame_rate, sample_rate, start_sample, created_at FROM project WHERE id = 1',
    );
    if (!row) throw corrupt(path.join(this.dir, PROJECT_DB_NAME), 'it has no project record');
    return {
      dir: this.dir,
      title: row.title,
      frameRate: row.frame_rate,
      sampleRate: row.sample_rate,
      start: row.start_sample,
      schemaVersion: await getUserVersion(db),
      createdAt: row.created_at,
    };
  }

  async updateSettings(patch: Partial<ProjectSettings>): Promise<ProjectInfo> {
    const db = this.live();
    await db.transaction(async (tx) => {
      const row = await tx.get<ProjectRow>(
        'SELECT title, frame_rate, sample_rate, start_sample FROM project WHERE id = 1',
      );
      if (!row) throw corrupt(path.join(this.dir, PROJECT_DB_NAME), 'it has no project record');
      const merged: ProjectSettings = {
        title: patch.title ?? row.title,
        frameRate: patch.frameRate ?? row.frame_rate,
        sampleRate: patch.sampleRate ?? row.sample_rate,
        start: patch.start ?? row.start_sample,
      };
      const valid = validateProjectSettings(merged);
      try {
        await tx.run(
          'UPDATE project SET title = ?, frame_rate = ?, sample_rate = ?, start_sample = ? WHERE id = 1',
          [valid.title, valid.frameRate, valid.sampleRate, valid.start],
        );
      } catch (error) {
        if (sqliteErrorCode(error) !== 'SQLITE_CONSTRAINT') throw error;
        throw new LoopstageError(
          'PROJECT_SETTINGS_INVALID',
          `The project settings were refused by the database (${describe(error)}); check the title, rates and start.`,
          { cause: describe(error) },
        );
      }
    });
    return this.info();
  }

  private checkKey(key: string): void {
    if (typeof key !== 'string' || key.length === 0 || key.length > SETTING_KEY_MAX) {
      throw new LoopstageError(
        'SETTING_KEY_INVALID',
        `The setting name ${JSON.stringify(key)} is not usable; give a name of 1 to ${SETTING_KEY_MAX} characters.`,
        { key },
      );
    }
  }

  async getSetting<T>(key: string): Promise<T | undefined> {
    this.checkKey(key);
    const row = await this.live().get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]);
    return row === undefined ? undefined : (JSON.parse(row.value) as T);
  }

  async setSetting(key: string, value: unknown): Promise<void> {
    this.checkKey(key);
    const db = this.live();
    if (value === undefined) {
      await db.run('DELETE FROM settings WHERE key = ?', [key]);
      return;
    }
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      json = undefined; // a BigInt or a cycle
    }
    if (json === undefined) {
      throw new LoopstageError(
        'SETTING_VALUE_INVALID',
        `The value for setting ${JSON.stringify(key)} cannot be stored as JSON; pass plain data (objects, arrays, strings, numbers, booleans, null).`,
        { key },
      );
    }
    await db.run(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, json],
    );
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
