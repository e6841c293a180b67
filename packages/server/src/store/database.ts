import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { chmodSync, closeSync, existsSync, linkSync, mkdirSync, openSync, readSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type LogEvent, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type PgModule from 'pg';
import { TesseraError } from '../errors/tessera-error.js';
import type { Schema } from './schema.js';
import { sqliteChangeWatches } from './sqlite-data-version.js';
import { withStatementCache } from './statement-cache.js';
import { mapped, withUnavailableErrors } from './store-unavailable.js';
import { isUniqueViolation } from './unique-violation.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<Schema>;
  dialect: Dialect;
  /** Where the data is, for logs: a file path or the PostgreSQL host/database (never a password). */
  location: string;
  /** SQLite's own handle, for the few hot paths written for it (store/sqlite-quota-claim.ts). */
  sqlite?: SQLite.Database;
  /** PostgreSQL's, for the same paths (store/postgres-quota-claim.ts). */
  postgres?: PreparedQuery;
  /**
   * A new watch of commits by other connections: each call says whether there was one since the last. On
   * SQLite, the `tessera` command or another process on the file (store/sqlite-data-version.ts); never on
   * PostgreSQL, whose other writers announce their changes through Redis (credentials/credential-events.ts)
   * or are seen at the 5 s status re-read.
   */
  watchChangesElsewhere: () => () => boolean;
}

/**
 * Runs a named prepared statement on PostgreSQL's pool: parsed and planned once per connection rather than
 * on every call, as Kysely's unnamed statements are. Its errors are mapped (store-unavailable.ts) and
 * reported as every other query's are. `name` names one `text` for the life of the process.
 */
export type PreparedQuery = <Row>(name: string, text: string, values: unknown[]) => Promise<Row[]>;

export const SQLITE_FILE = 'tessera.db';

/** How long a request waits for a PostgreSQL connection before it is answered 503. */
const POOL_WAIT_MS = 5_000;

/** The most trivial query: whether the store answers at all (readiness, start-up). */
export async function pingDatabase(db: Kysely<Schema>): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Opens the store: PostgreSQL when `databaseUrl` is set, otherwise SQLite in `dataDir`. */
export function openDatabase(options: {
  databaseUrl?: string | undefined;
  dataDir: string;
  onError?: (error: Error) => void;
  /** Hears every failed query but a unique violation (a conflict the domain expects): for metrics. */
  onQueryError?: (error: unknown) => void;
}): Database {
  const log = queryErrors(options.onQueryError);
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.onError ?? (() => {}), log, options.onQueryError);
  return openSqlite(path.join(options.dataDir, SQLITE_FILE), log);
}

type QueryLog = ((event: LogEvent) => void) | undefined;

function queryErrors(onQueryError: ((error: unknown) => void) | undefined): QueryLog {
  if (!onQueryError) return undefined;
  return (event) => {
    if (event.level === 'error' && !isUniqueViolation(event.error)) onQueryError(event.error);
  };
}

function openPostgres(databaseUrl: string, onError: (error: Error) => void, log: QueryLog, onQueryError: ((error: unknown) => void) | undefined): Database {
  // Loaded only for PostgreSQL: pg's first load takes ~80 ms (it pulls in Node's fetch stack), which
  // every `tessera` command on SQLite would otherwise pay. pg is CommonJS, so require() keeps this synchronous.
  const pg = createRequire(import.meta.url)('pg') as typeof PgModule;
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    // A request waits at most this long for a connection (a busy pool, a server that accepts connections
    // but never answers, a half-open network) and then fails with `unavailable` (503), rather than
    // holding it and everything queued behind it for ever.
    connectionTimeoutMillis: POOL_WAIT_MS,
    // bigint (int8) columns hold epoch milliseconds and counts: safe as JS numbers.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that breaks (a restart, a failover) is dropped and replaced by the pool; without
  // a listener its 'error' event would end the process.
  pool.on('error', onError);
  const url = new URL(databaseUrl);
  const prepared: PreparedQuery = async <Row>(name: string, text: string, values: unknown[]) => {
    try {
      return (await pool.query<Row & PgModule.QueryResultRow>({ name, text, values })).rows;
    } catch (error) {
      if (!isUniqueViolation(error)) onQueryError?.(error);
      throw mapped(error);
    }
  };
  return {
    db: new Kysely<Schema>({ dialect: withUnavailableErrors(new PostgresDialect({ pool })), ...(log ? { log } : {}) }),
    dialect: 'postgres',
    location: `postgres://${url.host}${url.pathname}`,
    postgres: prepared,
    watchChangesElsewhere: () => () => false,
  };
}

function openSqlite(file: string, log: QueryLog): Database {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (existsSync(file)) assertSqliteFile(file);
  else createSqliteFile(file);
  restrictToOwner(file);
  // The file exists by now: should it vanish in between, fail rather than start an empty store.
  const sqlite = new SQLite(file, { fileMustExist: true });
  // WAL lets the `tessera` command write while the server reads; busy_timeout makes writers queue
  // for the lock instead of failing at once.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely<Schema>({ dialect: withUnavailableErrors(new SqliteDialect({ database: withStatementCache(sqlite) })), ...(log ? { log } : {}) });
  return { db, dialect: 'sqlite', location: file, sqlite, watchChangesElsewhere: sqliteChangeWatches(sqlite) };
}

/** The first 16 bytes of every SQLite 3 database file (sqlite.org/fileformat.html §1.3.1). */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * An existing file must be an SQLite database: an empty or foreign one is a damaged or misplaced store,
 * never a fresh install (which would start empty and, without a master key, make a new one).
 */
function assertSqliteFile(file: string): void {
  const restore = 'Restore it from a backup, or move it away to start with an empty store.';
  if (statSync(file).size === 0) throw new TesseraError('cannot_start', `The database file ${file} is empty (0 bytes), not a Tessera store. ${restore}`);
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!header.equals(SQLITE_HEADER)) throw new TesseraError('cannot_start', `The database file ${file} is not an SQLite database. ${restore}`);
}

/**
 * Creates the database file readable by its owner only (0600), whatever the umask and the data folder's
 * mode; SQLite gives its -wal and -shm files the database file's mode. It is made whole under a
 * temporary name (WAL set, so the header is written) and linked into place, so an instance starting at
 * the same moment sees either no file or an SQLite one, never an empty one.
 */
function createSqliteFile(file: string): void {
  const temporary = `${file}.${randomUUID()}.new`;
  writeFileSync(temporary, '', { mode: 0o600, flag: 'wx' });
  try {
    const sqlite = new SQLite(temporary, { fileMustExist: true });
    sqlite.pragma('journal_mode = WAL');
    sqlite.close();
    linkSync(temporary, file);
  } catch (error) {
    // Another instance linked its own first: use that one.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
}

/** Takes group and other permissions off the database and its WAL files, made looser by an older version. */
function restrictToOwner(file: string): void {
  for (const each of [file, `${file}-wal`, `${file}-shm`]) {
    let mode: number;
    try {
      mode = statSync(each).mode;
    } catch {
      continue;
    }
    if ((mode & 0o077) !== 0) chmodSync(each, mode & 0o700);
  }
}
