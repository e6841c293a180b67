import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Schema } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<Schema>;
  dialect: Dialect;
  /** Where the data is, for logs: a file path or the PostgreSQL host/database (never a password). */
  location: string;
}

export const SQLITE_FILE = 'tessera.db';

/** Opens the store: PostgreSQL when `databaseUrl` is set, otherwise SQLite in `dataDir`. */
export function openDatabase(options: {
  databaseUrl?: string | undefined;
  dataDir: string;
  onError?: (error: Error) => void;
}): Database {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.onError ?? (() => {}));
  return openSqlite(path.join(options.dataDir, SQLITE_FILE));
}

function openPostgres(databaseUrl: string, onError: (error: Error) => void): Database {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
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
  return {
    db: new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) }),
    dialect: 'postgres',
    location: `postgres://${url.host}${url.pathname}`,
  };
}

function openSqlite(file: string): Database {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const sqlite = new SQLite(file);
  // WAL lets the `tessera` command write while the server reads; busy_timeout makes writers queue
  // for the lock instead of failing at once.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  return { db: new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) }), dialect: 'sqlite', location: file };
}
