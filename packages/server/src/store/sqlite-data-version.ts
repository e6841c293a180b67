import type SQLite from 'better-sqlite3';

/**
 * Watches of commits by another connection to the SQLite database, one per reader (the token endpoint's
 * client cache, the API guard): each call of a watch says whether there was one since its last call. They
 * share one {@link sqliteChangeCount}, so one reader seeing a change never hides it from another.
 */
export function sqliteChangeWatches(sqlite: SQLite.Database): () => () => boolean {
  const count = sqliteChangeCount(sqlite);
  return () => {
    let seen = count();
    return () => {
      const changes = count();
      if (changes === seen) return false;
      seen = changes;
      return true;
    };
  };
}

/**
 * How many commits by another connection — the `tessera` command, another process on the same file — this
 * process has seen on the SQLite database: SQLite's `PRAGMA data_version` changes exactly then, and not for
 * this connection's own commits (sqlite.org/pragma.html#pragma_data_version). A read of a counter, a
 * microsecond or two, and at most once a millisecond: what lets an instance without Redis trust what it
 * remembers (oauth/client-cache.ts, auth/api-guard.ts) and still see a change the command made, which is
 * announced to no one, within a millisecond.
 */
function sqliteChangeCount(sqlite: SQLite.Database): () => number {
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
