import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** More distinct statements than the code has: only `in (…)` lists of many lengths would reach it. */
const MAX_STATEMENTS = 500;

/**
 * The database as Kysely's SQLite dialect sees it, with each statement prepared once: the dialect
 * prepares the SQL of every query it runs, which costs about as much as running a short one (a token
 * issuance runs five). better-sqlite3 re-prepares a cached statement itself when the schema changes.
 * One in use by an unfinished iteration (Kysely's `stream()`) is busy, and then a fresh one is prepared.
 */
export function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => void sqlite.close(),
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (statement?.busy) return sqlite.prepare(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        // Oldest first (Map keeps insertion order).
        if (statements.size >= MAX_STATEMENTS) statements.delete(statements.keys().next().value!);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}
