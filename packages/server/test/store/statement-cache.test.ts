import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withStatementCache } from '../../src/store/statement-cache.js';

describe("SQLite's statement cache", () => {
  let sqlite: SQLite.Database;
  afterEach(() => sqlite?.close());

  it('prepares each statement once, and a fresh one while the cached one is busy', () => {
    sqlite = new SQLite(':memory:');
    const prepare = vi.spyOn(sqlite, 'prepare');
    const cached = withStatementCache(sqlite);
    const first = cached.prepare('select 1 as x union all select 2');
    expect(cached.prepare('select 1 as x union all select 2')).toBe(first);
    expect(prepare).toHaveBeenCalledTimes(1);
    const rows = (first as unknown as SQLite.Statement).iterate();
    rows.next();
    const other = cached.prepare('select 1 as x union all select 2');
    expect(other).not.toBe(first);
    expect((other as unknown as SQLite.Statement).all()).toEqual([{ x: 1 }, { x: 2 }]);
    rows.return?.();
    expect(cached.prepare('select 1 as x union all select 2')).toBe(first);
  });

  it('keeps at most 500 statements, forgetting the oldest first', () => {
    sqlite = new SQLite(':memory:');
    const cached = withStatementCache(sqlite);
    const oldest = cached.prepare('select 0');
    const second = cached.prepare('select 1');
    for (let i = 2; i <= 500; i++) cached.prepare(`select ${i}`);
    expect(cached.prepare('select 1')).toBe(second);
    expect(cached.prepare('select 0')).not.toBe(oldest);
  });

  it('serves Kysely through a change of the schema', async () => {
    sqlite = new SQLite(':memory:');
    const db = new Kysely<{ t: { a: number; b?: number } }>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    await sql`create table t (a integer)`.execute(db);
    await db.insertInto('t').values({ a: 1 }).execute();
    expect(await db.selectFrom('t').selectAll().execute()).toEqual([{ a: 1 }]);
    await sql`alter table t add column b integer`.execute(db);
    await db.insertInto('t').values({ a: 2, b: 3 }).execute();
    expect(await db.selectFrom('t').selectAll().orderBy('a').execute()).toEqual([
      { a: 1, b: null },
      { a: 2, b: 3 },
    ]);
  });
});
