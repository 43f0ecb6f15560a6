/**
 * Forward-only schema migrations: `migrations/NNNN-what.sql`, numbered from 0001 without gaps.
 * Each pending one runs in its own transaction that also stamps `PRAGMA user_version = NNNN`, so
 * a database is always exactly at one schema version.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findPackageRoot } from '../files/package-root.js';
import { LoopstageError } from '../../core/errors.js';
import type { Database, Queryable } from './database.js';

export interface Migration {
  /** The schema version this migration produces (NNNN). */
  readonly version: number;
  /** File name, e.g. `0001-project.sql`. */
  readonly name: string;
  readonly file: string;
  readonly sql: string;
}

export interface MigrateResult {
  readonly from: number;
  readonly to: number;
  /** Versions applied by this call, in order. */
  readonly applied: readonly number[];
}

const MIGRATION_NAME = /^(\d{4})-[a-z0-9][a-z0-9-]*\.sql$/;

/** The migrations folder that ships with this Loopstage. */
export function defaultMigrationsDir(): string {
  return path.join(findPackageRoot(), 'migrations');
}

/**
 * Reads and checks the migrations in `dir`: every `.sql` file must be named NNNN-what.sql (lower
 * case) and the numbers must run 0001, 0002, … without gaps or duplicates. Other files are ignored.
 */
export function loadMigrations(dir: string = defaultMigrationsDir()): Migration[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.toLowerCase().endsWith('.sql'));
  } catch (error) {
    throw new LoopstageError(
      'MIGRATIONS_NOT_FOUND',
      `The migrations folder ${dir} could not be read; this Loopstage installation is incomplete, reinstall it.`,
      { dir, cause: String(error) },
    );
  }
  const bad = (message: string, details: Record<string, unknown>): LoopstageError =>
    new LoopstageError('MIGRATIONS_INVALID', message, { dir, ...details });

  const migrations: Migration[] = [];
  for (const name of names.sort()) {
    const match = MIGRATION_NAME.exec(name);
    if (!match) {
      throw bad(`The migration file ${name} in ${dir} is not named NNNN-what.sql; rename it or remove it.`, { name });
    }
    const file = path.join(dir, name);
    migrations.push({ version: Number(match[1]), name, file, sql: readFileSync(file, 'utf8') });
  }
  migrations.forEach((migration, index) => {
    const expected = index + 1;
    if (migration.version !== expected) {
      const found = migrations.filter((m) => m.version === migration.version).map((m) => m.name);
      throw bad(
        found.length > 1
          ? `The migrations ${found.join(' and ')} in ${dir} share the number ${migration.version}; each schema version needs exactly one file.`
          : `The migrations in ${dir} skip from ${expected - 1} to ${migration.version} (${migration.name}); number them 0001, 0002, … without gaps.`,
        { name: migration.name, expected },
      );
    }
  });
  return migrations;
}

/** The schema version a set of migrations leads to (0 for none). */
export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
}

export async function getUserVersion(db: Queryable): Promise<number> {
  const row = await db.get<{ user_version: number }>('PRAGMA user_version');
  return row?.user_version ?? 0;
}

export interface MigrateOptions {
  /** Stop at this version instead of the newest (tests use it to build a database at N-1). */
  readonly to?: number;
}

/**
 * Applies the pending migrations, each in its own BEGIN IMMEDIATE transaction together with its
 * `PRAGMA user_version`. The version is re-read inside each transaction, so two processes opening
 * the same old project cannot apply a migration twice. Foreign-key enforcement is switched off
 * while migrating (so a migration may rebuild a table, as SQLite recommends) and every migration
 * must leave `PRAGMA foreign_key_check` clean. A failing migration is rolled back and leaves the
 * database at the previous version (MIGRATION_FAILED).
 */
export async function migrate(
  db: Database,
  migrations: readonly Migration[],
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const newest = latestVersion(migrations);
  const target = options.to ?? newest;
  if (!Number.isSafeInteger(target) || target < 0 || target > newest) {
    throw new RangeError(`Cannot migrate to version ${target}; the known versions are 0 to ${newest}.`);
  }
  const from = await getUserVersion(db);
  if (from > newest) {
    throw new LoopstageError(
      'PROJECT_SCHEMA_NEWER',
      `The database ${db.file} was made by a newer Loopstage (schema ${from}, this version knows up to ${newest}); open it with that version or a later one.`,
      { file: db.file, schemaVersion: from, knownVersion: newest },
    );
  }
  const pending = migrations.filter((m) => m.version > from && m.version <= target);
  if (pending.length === 0) return { from, to: from, applied: [] };

  const foreignKeys = (await db.get<{ foreign_keys: number }>('PRAGMA foreign_keys'))?.foreign_keys === 1;
  if (foreignKeys) await db.exec('PRAGMA foreign_keys = OFF');
  const applied: number[] = [];
  let current = from;
  try {
    for (const migration of pending) {
      const outcome = await db.transaction(async (tx) => {
        const version = await getUserVersion(tx);
        if (version >= migration.version) return { version, applied: false }; // another process got here first
        try {
          if (version !== migration.version - 1) {
            throw new Error(`the database is at schema ${version}, not ${migration.version - 1}`);
          }
          await tx.exec(migration.sql);
          const violations = await tx.all<Record<string, unknown>>('PRAGMA foreign_key_check');
          if (violations.length > 0) {
            throw new Error(`it leaves ${violations.length} rows that break a foreign key`);
          }
          // PRAGMA takes no bound parameters; the value is the integer parsed from the file name.
          await tx.exec(`PRAGMA user_version = ${migration.version}`);
        } catch (error) {
          const cause = error instanceof Error ? error.message : String(error);
          throw new LoopstageError(
            'MIGRATION_FAILED',
            `Upgrading ${db.file} to schema ${migration.version} (${migration.name}) failed (${cause}), so it was left at schema ${version}; keep a copy of the project and report this to the Loopstage developers.`,
            { file: db.file, version: migration.version, migration: migration.name, schemaVersion: version, cause },
          );
        }
        return { version: migration.version, applied: true };
      });
      current = outcome.version;
      if (outcome.applied) applied.push(migration.version);
    }
  } finally {
    if (foreignKeys) await db.exec('PRAGMA foreign_keys = ON');
  }
  return { from, to: current, applied };
}
