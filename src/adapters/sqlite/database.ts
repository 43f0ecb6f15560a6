/**
 * A small promise wrapper over node-sqlite3: one connection, statements with bound parameters
 * only, scripts for migrations, and transactions that nothing else can interleave with.
 */
import { pathToFileURL } from 'node:url';
import sqlite3, { type Database as RawDatabase, type RunResult as RawRunResult } from 'sqlite3';
import { SerialQueue } from '../../core/serial-queue.js';

/** Values that may be bound to a statement parameter. */
export type SqlValue = string | number | boolean | null | Buffer;
/** Positional (`?`) or named (`$name`, `:name`, `@name`) parameters. */
export type SqlParams = readonly SqlValue[] | Readonly<Record<string, SqlValue>>;

export interface RunResult {
  /** Rows changed by an INSERT, UPDATE or DELETE. */
  readonly changes: number;
  /** Rowid of the last row inserted by this statement. */
  readonly lastId: number;
}

/** What may run inside a transaction (and on the database itself). */
export interface Queryable {
  run(sql: string, params?: SqlParams): Promise<RunResult>;
  get<T>(sql: string, params?: SqlParams): Promise<T | undefined>;
  all<T>(sql: string, params?: SqlParams): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations, pragmas). */
  exec(script: string): Promise<void>;
}

export type OpenMode =
  /** Reads only, through the normal SQLite locking and WAL machinery. */
  | 'readonly'
  /**
   * Reads only and promises SQLite the file cannot change: no locks, no -wal or -shm files are
   * created or read. Safe only when no -wal file exists (nothing is pending in a write-ahead log)
   * and no other connection is writing.
   */
  | 'immutable'
  /** Reads and writes an existing file; applies the project pragmas. */
  | 'readwrite'
  /** Like readwrite, creating the file if it does not exist. */
  | 'create';

export interface OpenOptions {
  readonly mode: OpenMode;
  /** How long a writer waits for another connection's lock, in ms (readwrite and create). */
  readonly busyTimeoutMs?: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** The SQLite result code (`SQLITE_CORRUPT`, `SQLITE_NOTADB`…) carried by a node-sqlite3 error. */
export function sqliteErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
  }
  return undefined;
}

function bindable(params: SqlParams | undefined): unknown[] | Record<string, unknown> {
  if (params === undefined) return [];
  return Array.isArray(params) ? [...(params as readonly SqlValue[])] : { ...params };
}

class Connection implements Queryable {
  constructor(protected readonly raw: RawDatabase) {}

  run(sql: string, params?: SqlParams): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.raw.run(sql, bindable(params), function (this: RawRunResult, error: Error | null) {
        if (error) reject(error);
        else resolve({ changes: this.changes, lastId: this.lastID });
      });
    });
  }

  get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      this.raw.get<T>(sql, bindable(params), (error: Error | null, row: T | undefined) => {
        if (error) reject(error);
        else resolve(row);
      });
    });
  }

  all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.raw.all<T>(sql, bindable(params), (error: Error | null, rows: T[]) => {
        if (error) reject(error);
        else resolve(rows);
      });
    });
  }

  exec(script: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.raw.exec(script, (error: Error | null) => {
        if (error) reject(error);
        else resolve();
      });
    });
  }
}

function openRaw(file: string, mode: OpenMode): Promise<RawDatabase> {
  let target = file;
  let flags: number;
  switch (mode) {
    case 'readonly':
      flags = sqlite3.OPEN_READONLY;
      break;
    case 'immutable':
      // A file: URI; pathToFileURL percent-encodes '?', '#' and '%' in the path.
      target = `${pathToFileURL(file).href}?immutable=1`;
      flags = sqlite3.OPEN_READONLY | sqlite3.OPEN_URI;
      break;
    case 'readwrite':
      flags = sqlite3.OPEN_READWRITE;
      break;
    case 'create':
      flags = sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE;
      break;
  }
  flags |= sqlite3.OPEN_FULLMUTEX;
  return new Promise((resolve, reject) => {
    const raw: RawDatabase = new sqlite3.Database(target, flags, (error: Error | null) => {
      if (error) reject(error);
      else resolve(raw);
    });
  });
}

/**
 * One SQLite connection. Every call is queued, so a `transaction` runs alone: statements issued
 * through the Database while a transaction is open wait until it ends instead of joining it.
 */
export class Database implements Queryable {
  private readonly queue = new SerialQueue();
  private closed = false;

  private constructor(
    private readonly raw: RawDatabase,
    private readonly connection: Connection,
    /** The path the connection was opened on. */
    readonly file: string,
    readonly mode: OpenMode,
  ) {}

  /**
   * Opens `file`. Writable connections get the project pragmas: `journal_mode=WAL`,
   * `foreign_keys=ON` and a `busy_timeout`.
   */
  static async open(file: string, options: OpenOptions): Promise<Database> {
    const raw = await openRaw(file, options.mode);
    const db = new Database(raw, new Connection(raw), file, options.mode);
    if (options.mode === 'readwrite' || options.mode === 'create') {
      const timeout = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
      if (!Number.isSafeInteger(timeout) || timeout < 0) {
        await db.close();
        throw new RangeError(`busyTimeoutMs must be a non-negative integer, got ${timeout}`);
      }
      try {
        // busy_timeout first, so the switch to WAL waits for other connections instead of failing.
        // Pragmas take no bound parameters; the only value is the integer checked above.
        // A 32 MB page cache keeps a 10,000-cue import and its indexes in memory while it commits.
        await db.exec(`PRAGMA busy_timeout = ${timeout}; PRAGMA foreign_keys = ON; PRAGMA cache_size = -32000;`);
        await db.get('PRAGMA journal_mode = WAL');
      } catch (error) {
        await db.close().catch(() => undefined);
        throw error;
      }
    }
    return db;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private enqueue<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      if (this.closed) throw new Error(`The database ${this.file} is closed.`);
      return work(this.connection);
    });
  }

  run(sql: string, params?: SqlParams): Promise<RunResult> {
    return this.enqueue((c) => c.run(sql, params));
  }

  get<T>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return this.enqueue((c) => c.get<T>(sql, params));
  }

  all<T>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.enqueue((c) => c.all<T>(sql, params));
  }

  exec(script: string): Promise<void> {
    return this.enqueue((c) => c.exec(script));
  }

  /**
   * Runs `fn` inside BEGIN IMMEDIATE … COMMIT; if `fn` throws (or COMMIT fails) the transaction is
   * rolled back and the error rethrown. Use only the `tx` handed to `fn` inside it: calls made on
   * the Database itself wait for the transaction to end. Transactions do not nest.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.enqueue(async (c) => {
      await c.exec('BEGIN IMMEDIATE');
      let result: T;
      try {
        result = await fn(c);
        await c.exec('COMMIT');
      } catch (error) {
        // SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR…); a failing
        // ROLLBACK then only says that no transaction is active.
        await c.exec('ROLLBACK').catch(() => undefined);
        throw error;
      }
      return result;
    });
  }

  /** Closes the connection after queued work has finished. Closing twice is harmless. */
  close(): Promise<void> {
    return this.queue.run(
      () =>
        new Promise<void>((resolve, reject) => {
          if (this.closed) {
            resolve();
            return;
          }
          this.closed = true;
          this.raw.close((error: Error | null) => {
            if (error) reject(error);
            else resolve();
          });
        }),
    );
  }
}
