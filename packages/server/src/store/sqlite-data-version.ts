import type SQLite from 'better-sqlite3';

/**
 * How many commits by another connection — the `tessera` command, another process on the same file — this
 * process has seen on the SQLite database: SQLite's `PRAGMA data_version` changes exactly then, and not for
 * this connection's own commits (sqlite.org/pragma.html#pragma_data_version). A read of a counter, a
 * microsecond or two, and at most once a millisecond: what lets an instance without Redis trust what it
 * remembers (oauth/client-cache.ts, auth/api-guard.ts) and still see a change the command made, which is
 * announced to no one, within a millisecond. Each reader compares the count with the one it last saw.
 */
export function sqliteChangeCount(sqlite: SQLite.Database): () => number {
  let statement: SQLite.Statement | undefined;
  let seen: unknown;
  let changes = 0;
  let checkedAt = -Infinity;
  return () => {
    // At most once a millisecond (of real time: tests freeze the app's clock): under load the read showed
    // as 12 % of a refused token request in issue 13's profile.
    const now = performance.now();
    if (now - checkedAt < 1) return changes;
    checkedAt = now;
    statement ??= sqlite.prepare('pragma data_version').pluck();
    const version = statement.get();
    if (seen !== undefined && version !== seen) changes += 1;
    seen = version;
    return changes;
  };
}
