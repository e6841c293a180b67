import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrations.js';
import { createPostgresDatabase, skipReason } from '../support/services.js';

describe.skipIf(skipReason('postgres'))('migrations on PostgreSQL', () => {
  const drops: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  it('are safe when several instances start at once on an empty database', async () => {
    const { url, drop } = await createPostgresDatabase();
    drops.push(drop);
    const databases = Array.from({ length: 4 }, () => openDatabase({ databaseUrl: url, dataDir: '/nonexistent' }));
    try {
      await Promise.all(databases.map((d) => migrateToLatest(d.db)));
      const tables = await databases[0]!.db.introspection.getTables();
      expect(tables.map((t) => t.name).sort()).toEqual(expect.arrayContaining(['oauth_clients', 'platforms', 'revoked_tokens', 'signing_keys']));
      // and once more, on an up-to-date schema
      await migrateToLatest(databases[1]!.db);
    } finally {
      for (const d of databases) await d.db.destroy();
    }
  });
});
