import type SQLite from 'better-sqlite3';

/**
 * Whether another connection — the `tessera` command, another process on the same file — committed to
 * the SQLite database since the last call: SQLite's `PRAGMA data_version` changes exactly then, and not
 * for this connection's own commits (sqlite.org/pragma.html#pragma_data_version). A read of a counter,
 * a microsecond or two: what lets an instance without Redis trust what it remembers and still see a change
 * the command made at once.
 */
export function sqliteChangeWatch(sqlite: SQLite.Database): () => boolean {
  let statement: SQLite.Statement | undefined;
  let seen: unknown;
  return () => {
    statement ??= sqlite.prepare('pragma data_version').pluck();
    const version = statement.get();
    const changed = seen !== undefined && version !== seen;
    seen = version;
    return changed;
  };
}
