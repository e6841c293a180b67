import { sql } from 'kysely';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrations.js';
import { createPostgresDatabase, skipReason } from '../support/services.js';

/** Every table the migrations make, with every column, by name: what store/schema.ts declares. */
const TABLES = {
  accounts: [
    'account_identifier',
    'account_number',
    'balance_cents',
    'contact_email',
    'created_at',
    'currency_code',
    'customer_identifier',
    'display_name',
    'platform_id',
    'status',
  ],
  audiences: ['allowed_credential_kinds', 'allowed_platforms', 'api', 'created_at', 'match_host', 'match_path_prefix', 'ttl_seconds', 'updated_at', 'url'],
  client_token_limits: ['client_id', 'mode', 'per_day', 'per_hour', 'updated_at'],
  audit_log: ['action', 'actor', 'at', 'hash', 'id', 'outcome', 'platform_id', 'prev_hash', 'seq', 'source_address', 'target_id', 'user_agent'],
  audit_anchors: ['checkpoint', 'hash', 'platform_id', 'seq'],
  api_keys: ['created_at', 'id', 'key_digest', 'key_sealed', 'last_used_at', 'platform_id', 'status', 'status_changed_at'],
  credit_card_deposits: ['account_identifier', 'amount_cents', 'card_token', 'created_at', 'deposit_id', 'fee_basis_points', 'fee_cents', 'platform_id', 'status'],
  credit_cards: [
    'account_identifier',
    'activated_at',
    'brand',
    'contact_information',
    'created_at',
    'customer_identifier',
    'declines_charges',
    'expiration',
    'label',
    'last_four',
    'platform_id',
    'status',
    'token',
    'unregistered_at',
  ],
  customers: ['created_at', 'customer_identifier', 'display_name', 'platform_id', 'status'],
  email_templates: [
    'accent_color',
    'access_controls',
    'closing',
    'created_at',
    'customer_service_message',
    'defaults',
    'deleted_at',
    'from_name',
    'header_image',
    'header_image_alt_text',
    'message_body',
    'name',
    'platform_id',
    'seq',
    'subject',
    'updated_at',
  ],
  invitations: ['created_at', 'email', 'expires_at', 'id', 'platform_id', 'role', 'token_digest'],
  oauth_clients: [
    'client_id',
    'created_at',
    'issued_before_reset_at',
    'last_issued_at',
    'name',
    'platform_id',
    'scopes',
    'secret_digest',
    'status',
    'status_changed_at',
    'tokens_not_before',
  ],
  order_resends: ['created_at', 'email', 'id', 'platform_id', 'reference_order_id'],
  orders: [
    'account_identifier',
    'campaign',
    'charged_currency',
    'charged_minor',
    'created_at',
    'criteria_digest',
    'customer_identifier',
    'email_subject',
    'etid',
    'exchange_rate',
    'external_ref_id',
    'fee_minor',
    'message',
    'notes',
    'platform_id',
    'recipient',
    'reference_order_id',
    'reward_currency',
    'reward_minor',
    'reward_name',
    'send_email',
    'sender',
    'status',
    'utid',
  ],
  platforms: ['created_at', 'credential_lock', 'id', 'name'],
  revoked_tokens: ['client_id', 'expires_at', 'jti'],
  server_settings: ['name', 'updated_at', 'value'],
  sessions: ['authenticated_at', 'created_at', 'id_digest', 'last_seen_at', 'user_id'],
  sign_ups: ['created_at', 'email', 'expires_at', 'platform_name', 'token_digest'],
  signing_keys: ['alg', 'bootstrap', 'created_at', 'kid', 'private_jwk_sealed', 'public_jwk', 'retired_at', 'sign_from'],
  users: ['created_at', 'email', 'id', 'password_hash', 'platform_id', 'role'],
};

async function schemaOf(database: Database): Promise<Record<string, string[]>> {
  const tables = await database.db.introspection.getTables();
  return Object.fromEntries(tables.map((t) => [t.name, t.columns.map((c) => c.name).sort()]).sort(([a], [b]) => String(a).localeCompare(String(b))));
}

describe('migrations on SQLite', () => {
  it('make every table with every column, and run again on an up-to-date schema', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-migrations-'));
    const database = openDatabase({ dataDir });
    try {
      await migrateToLatest(database.db);
      expect(await schemaOf(database)).toEqual(TABLES);
      await migrateToLatest(database.db);
      expect(await schemaOf(database)).toEqual(TABLES);
    } finally {
      await database.db.destroy();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

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
      expect(await schemaOf(databases[0]!)).toEqual(TABLES);
      // and once more, on an up-to-date schema
      await migrateToLatest(databases[1]!.db);
      expect(await schemaOf(databases[1]!)).toEqual(TABLES);
      // The tables every token or key use updates keep a tenth of each page for the row's next version (0024).
      const { rows } = await sql<{ relname: string; reloptions: string[] | null }>`select relname, reloptions from pg_class where relkind = 'r' and reloptions is not null order by relname`.execute(databases[0]!.db);
      expect(rows).toEqual(['api_keys', 'oauth_clients', 'platforms'].map((relname) => ({ relname, reloptions: ['fillfactor=90'] })));
    } finally {
      for (const d of databases) await d.db.destroy();
    }
  });
});
