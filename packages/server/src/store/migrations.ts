import { type Kysely, type Migration, Migrator, sql, SqliteAdapter } from 'kysely';
import { respellEmails } from './respell-emails.js';

/**
 * The schema's history, oldest first. Append only: a released migration never changes.
 * Instances starting at once migrate one at a time: Kysely's Migrator takes an advisory lock on
 * PostgreSQL; on SQLite, where it takes none, {@link migrateToLatest} holds SQLite's write lock.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001_oauth': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('platforms')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('credential_lock', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('oauth_clients')
        .addColumn('client_id', 'text', (c) => c.primaryKey())
        .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_digest', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'inactive')`))
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('status_changed_at', 'bigint', (c) => c.notNull())
        .addColumn('last_issued_at', 'bigint')
        .execute();
      await db.schema.createIndex('oauth_clients_platform').on('oauth_clients').columns(['platform_id', 'status']).execute();
      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('alg', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('private_jwk_sealed', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('sign_from', 'bigint', (c) => c.notNull())
        .addColumn('retired_at', 'bigint')
        .execute();
      await db.schema
        .createTable('revoked_tokens')
        .addColumn('jti', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0002_api_keys': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
        .addColumn('key_digest', 'text', (c) => c.notNull().unique())
        .addColumn('key_sealed', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active', 'inactive')`))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('status_changed_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('api_keys_platform').on('api_keys').columns(['platform_id', 'status']).execute();
    },
  },
  '0003_customers_accounts': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('customers')
        .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
        .addColumn('customer_identifier', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('customers_pk', ['platform_id', 'customer_identifier'])
        .execute();
      await db.schema
        .createTable('accounts')
        .addColumn('platform_id', 'text', (c) => c.notNull())
        .addColumn('account_identifier', 'text', (c) => c.notNull())
        .addColumn('customer_identifier', 'text', (c) => c.notNull())
        .addColumn('account_number', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('contact_email', 'text', (c) => c.notNull())
        .addColumn('currency_code', 'text', (c) => c.notNull())
        .addColumn('balance_cents', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('accounts_pk', ['platform_id', 'account_identifier'])
        .addForeignKeyConstraint('accounts_customer_fk', ['platform_id', 'customer_identifier'], 'customers', ['platform_id', 'customer_identifier'], (c) =>
          c.onDelete('cascade'),
        )
        .execute();
      await db.schema.createIndex('accounts_customer').on('accounts').columns(['platform_id', 'customer_identifier']).execute();
    },
  },
  '0004_signing_key_bootstrap': {
    // The first signing key carries bootstrap = 1 under a unique index, so instances starting at once
    // on an empty store agree on one first key instead of each signing with its own.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('signing_keys').addColumn('bootstrap', 'integer').execute();
      await db.schema.createIndex('signing_keys_bootstrap').on('signing_keys').column('bootstrap').unique().execute();
    },
  },
  '0005_client_tokens_not_before': {
    // Deactivation is what an admin does after a leak: tokens issued before it stay invalid after a
    // re-activation. Epoch ms, a whole second (tokens carry `iat` in seconds); null: never deactivated.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('oauth_clients').addColumn('tokens_not_before', 'bigint').execute();
    },
  },
  '0006_audit_log': {
    // Append-only and hash-chained per platform (the portal issue's Audit Log). A text id made by the
    // application (`aud_…`) rather than an autoincrement, which SQLite and PostgreSQL spell differently.
    // No foreign key to platforms: the log must outlive what it speaks of, and no cascade may delete it.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('platform_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text', (c) => c.notNull())
        .addColumn('source_address', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('success', 'failure')`))
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addUniqueConstraint('audit_log_platform_seq', ['platform_id', 'seq'])
        .execute();
    },
  },
  '0007_audit_log_action': {
    // The portal filters a platform's log by action, newest first (store/audit-log.ts): this index serves
    // the filter in seq order, so a page reads no more rows than it shows. Time needs none: see there.
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('audit_log_platform_action').on('audit_log').columns(['platform_id', 'action', 'seq']).execute();
    },
  },
  '0008_api_key_last_used': {
    // When Basic authentication with the key last succeeded, to the minute (auth/api-guard.ts); null: never.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('api_keys').addColumn('last_used_at', 'bigint').execute();
    },
  },
  '0009_portal_users': {
    // The portal's people: one platform per user (the email is unique across the server), pending
    // invitations by the digest of their link's token, and sessions by the digest of their cookie.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'member')`))
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('users_platform').on('users').columns(['platform_id', 'role']).execute();
      await db.schema
        .createTable('invitations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'member')`))
        .addColumn('token_digest', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('invitations_platform_email', ['platform_id', 'email'])
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id_digest', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('authenticated_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .execute();
      // The purge of expired sessions reads by these two times.
      await db.schema.createIndex('sessions_last_seen').on('sessions').column('last_seen_at').execute();
      await db.schema.createIndex('sessions_created').on('sessions').column('created_at').execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
    },
  },
  '0010_postgres_quota_claim': {
    // OAuthClientStore.claimQuota on PostgreSQL as one call (store/postgres-quota-claim.ts): the platform's
    // lock, the conditional claim, and the token_issued entry chained to the platform's last, in the
    // statement's own transaction — one round trip where the same steps from the application took six
    // (begin, lock, claim, last entry, entry, commit; issue 13's profile). In a VOLATILE function each
    // statement reads a fresh snapshot, so the last entry is read after the lock is held, as before.
    // The entry's hash is the application's (crypto/audit-hash.ts): sha256(prev_hash || head || seq ||
    // tail), the canonical JSON around the seq coming from the caller. SQLite claims in-process instead.
    async up(db: Kysely<unknown>) {
      if (db.getExecutor().adapter instanceof SqliteAdapter) return;
      await sql`
        create function tessera_claim_quota(
          p_client_id text, p_platform_id text, p_now bigint, p_interval_ms bigint,
          p_id text, p_at bigint, p_actor text, p_action text, p_target_id text,
          p_source_address text, p_user_agent text, p_outcome text, p_hash_head text, p_hash_tail text
        ) returns table (granted boolean, last_issued_at bigint, status text)
        language plpgsql volatile as $$
        #variable_conflict use_column
        declare
          v_seq bigint;
          v_prev text;
          v_last_issued_at bigint;
          v_status text;
        begin
          update platforms set credential_lock = credential_lock + 1 where id = p_platform_id;
          -- An interval of 0 turns the quota off: every claim is granted, in whatever order they commit.
          update oauth_clients c set last_issued_at = p_now
            where c.client_id = p_client_id and c.status = 'active'
              and (p_interval_ms = 0 or c.last_issued_at is null or c.last_issued_at <= p_now - p_interval_ms);
          if not found then
            select c.last_issued_at, c.status into v_last_issued_at, v_status from oauth_clients c where c.client_id = p_client_id;
            return query select false, v_last_issued_at, v_status;
            return;
          end if;
          select a.seq, a.hash into v_seq, v_prev from audit_log a where a.platform_id = p_platform_id order by a.seq desc limit 1;
          v_seq := coalesce(v_seq, 0) + 1;
          v_prev := coalesce(v_prev, repeat('0', 64));
          insert into audit_log (id, platform_id, seq, at, actor, action, target_id, source_address, user_agent, outcome, prev_hash, hash)
            values (p_id, p_platform_id, v_seq, p_at, p_actor, p_action, p_target_id, p_source_address, p_user_agent, p_outcome, v_prev,
                    encode(sha256(convert_to(v_prev || p_hash_head || v_seq::text || p_hash_tail, 'UTF8')), 'hex'));
          return query select true, p_now, 'active'::text;
        end
        $$`.execute(db);
    },
  },
  '0011_client_issued_before_reset': {
    // A quota reset clears the quota clock (last_issued_at) but not the token it dates: the time moves
    // here, so the portal still shows when the last token was issued (issue 19, point 13). The claim
    // (both databases) is unchanged: it writes last_issued_at, which is newer than this whenever set.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('oauth_clients').addColumn('issued_before_reset_at', 'bigint').execute();
    },
  },
  '0012_email_nfkc': {
    // Emails in one Unicode spelling (store/email-spelling.ts: NFKC, lower case; issue 19, point 6): rows
    // made before were only trimmed and lower-cased, so the NFC and NFD spellings of one address could be
    // two accounts. The oldest of such look-alikes keeps the address (store/respell-emails.ts).
    async up(db: Kysely<unknown>) {
      await respellEmails(db);
    },
  },
  '0013_server_settings': {
    // What a running server tells the `tessera` command through the store they share: the public URL
    // it serves on, so an invitation link printed by the command points at it (issue 19, point 16).
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('server_settings')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0014_funding': {
    // Issue 20's funding (raas/funding.ts): registered credit cards — last four and brand, never the number —
    // and the deposits charged to them. accounts.balance_cents (0003) is the balance they raise.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('credit_cards')
        .addColumn('platform_id', 'text', (c) => c.notNull())
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('customer_identifier', 'text', (c) => c.notNull())
        .addColumn('account_identifier', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('last_four', 'text', (c) => c.notNull())
        .addColumn('brand', 'text', (c) => c.notNull())
        .addColumn('expiration', 'text', (c) => c.notNull())
        .addColumn('contact_information', 'text', (c) => c.notNull())
        .addColumn('declines_charges', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('activated_at', 'bigint', (c) => c.notNull())
        .addColumn('unregistered_at', 'bigint')
        .addPrimaryKeyConstraint('credit_cards_pk', ['platform_id', 'token'])
        .addForeignKeyConstraint('credit_cards_account_fk', ['platform_id', 'account_identifier'], 'accounts', ['platform_id', 'account_identifier'], (c) =>
          c.onDelete('cascade'),
        )
        .execute();
      await db.schema.createIndex('credit_cards_platform_created').on('credit_cards').columns(['platform_id', 'created_at']).execute();
      await db.schema
        .createTable('credit_card_deposits')
        .addColumn('platform_id', 'text', (c) => c.notNull())
        .addColumn('deposit_id', 'text', (c) => c.notNull())
        .addColumn('account_identifier', 'text', (c) => c.notNull())
        .addColumn('card_token', 'text', (c) => c.notNull())
        .addColumn('amount_cents', 'bigint', (c) => c.notNull().check(sql`amount_cents > 0`))
        .addColumn('fee_cents', 'bigint', (c) => c.notNull().check(sql`fee_cents >= 0`))
        .addColumn('fee_basis_points', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('credit_card_deposits_pk', ['platform_id', 'deposit_id'])
        .addForeignKeyConstraint('credit_card_deposits_card_fk', ['platform_id', 'card_token'], 'credit_cards', ['platform_id', 'token'], (c) =>
          c.onDelete('cascade'),
        )
        .execute();
      // The balance never goes below zero, whatever a debit (issue 20's orders) does wrong: the store refuses it.
      // SQLite cannot add a CHECK to an existing table, so the debit's condition (balance_cents >= amount) holds it there.
      if (!(db.getExecutor().adapter instanceof SqliteAdapter)) {
        await sql`alter table accounts add constraint accounts_balance_not_negative check (balance_cents >= 0)`.execute(db);
      }
    },
  },
  '0015_email_templates': {
    // Issue 20's email templates (raas/email-templates.ts). A template's etid is E + its number on the
    // platform (seq, 1, 2, 3, …): deterministic, and no platform learns how many templates others have.
    // A delete only marks the row, so an etid is never given to another template (an order that named
    // it keeps meaning that one), and the name is unique among the live templates only.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('email_templates')
        .addColumn('platform_id', 'text', (c) => c.notNull().references('platforms.id').onDelete('cascade'))
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('from_name', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('header_image', 'text', (c) => c.notNull())
        .addColumn('header_image_alt_text', 'text', (c) => c.notNull())
        .addColumn('accent_color', 'text', (c) => c.notNull())
        .addColumn('message_body', 'text', (c) => c.notNull())
        .addColumn('closing', 'text', (c) => c.notNull())
        .addColumn('customer_service_message', 'text')
        .addColumn('access_controls', 'text', (c) => c.notNull())
        .addColumn('defaults', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('deleted_at', 'bigint')
        .addPrimaryKeyConstraint('email_templates_pk', ['platform_id', 'seq'])
        .execute();
      await db.schema
        .createIndex('email_templates_live_name')
        .on('email_templates')
        .columns(['platform_id', 'name'])
        .unique()
        .where(sql.ref('deleted_at'), 'is', null)
        .execute();
    },
  },
  '0016_orders': {
    // Issue 20's orders (raas/orders.ts). An order's charge comes off accounts.balance_cents by a conditional
    // update in the order's own transaction (store/account-balances.ts). externalRefID is Tango's idempotency
    // key: unique on the platform (NULLs are distinct in a unique index on SQLite and PostgreSQL alike).
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('orders')
        .addColumn('platform_id', 'text', (c) => c.notNull())
        .addColumn('reference_order_id', 'text', (c) => c.notNull())
        .addColumn('external_ref_id', 'text')
        .addColumn('criteria_digest', 'text', (c) => c.notNull())
        .addColumn('customer_identifier', 'text', (c) => c.notNull())
        .addColumn('account_identifier', 'text', (c) => c.notNull())
        .addColumn('utid', 'text', (c) => c.notNull())
        .addColumn('reward_name', 'text', (c) => c.notNull())
        .addColumn('reward_minor', 'bigint', (c) => c.notNull().check(sql`reward_minor > 0`))
        .addColumn('reward_currency', 'text', (c) => c.notNull())
        .addColumn('charged_minor', 'bigint', (c) => c.notNull().check(sql`charged_minor > 0`))
        .addColumn('fee_minor', 'bigint', (c) => c.notNull().check(sql`fee_minor >= 0`))
        .addColumn('charged_currency', 'text', (c) => c.notNull())
        .addColumn('exchange_rate', 'text', (c) => c.notNull())
        .addColumn('send_email', 'integer', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('notes', 'text', (c) => c.notNull())
        .addColumn('email_subject', 'text', (c) => c.notNull())
        .addColumn('campaign', 'text', (c) => c.notNull())
        .addColumn('etid', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('orders_pk', ['platform_id', 'reference_order_id'])
        .addForeignKeyConstraint('orders_account_fk', ['platform_id', 'account_identifier'], 'accounts', ['platform_id', 'account_identifier'], (c) =>
          c.onDelete('cascade'),
        )
        .execute();
      await db.schema.createIndex('orders_external_ref').on('orders').columns(['platform_id', 'external_ref_id']).unique().execute();
      // GET /orders: a platform's orders, newest first (the filters narrow what this index walks).
      await db.schema.createIndex('orders_platform_created').on('orders').columns(['platform_id', 'created_at', 'reference_order_id']).execute();
      await db.schema
        .createTable('order_resends')
        .addColumn('platform_id', 'text', (c) => c.notNull())
        .addColumn('id', 'bigint', (c) => c.notNull())
        .addColumn('reference_order_id', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('order_resends_pk', ['platform_id', 'id'])
        .addForeignKeyConstraint('order_resends_order_fk', ['platform_id', 'reference_order_id'], 'orders', ['platform_id', 'reference_order_id'], (c) =>
          c.onDelete('cascade'),
        )
        .execute();
    },
  },
  '0017_funding_and_order_indexes': {
    // The query paths of 0014–0016 that walked a whole platform's rows: an account's cards and deposits (the
    // portal's account page), GET /orders filtered by account or customer (newest first, as the page reads), and
    // the foreign keys a delete cascades along (PostgreSQL and SQLite index no foreign key by themselves).
    // test/store/query-plans.test.ts checks each query uses its index (EXPLAIN / EXPLAIN QUERY PLAN).
    async up(db: Kysely<unknown>) {
      const indexes: Array<[name: string, table: string, columns: string[]]> = [
        ['credit_cards_account', 'credit_cards', ['platform_id', 'account_identifier', 'created_at', 'token']],
        ['credit_card_deposits_account', 'credit_card_deposits', ['platform_id', 'account_identifier', 'created_at', 'deposit_id']],
        ['credit_card_deposits_card', 'credit_card_deposits', ['platform_id', 'card_token']],
        ['orders_account_created', 'orders', ['platform_id', 'account_identifier', 'created_at', 'reference_order_id']],
        ['orders_customer_created', 'orders', ['platform_id', 'customer_identifier', 'created_at', 'reference_order_id']],
        ['order_resends_order', 'order_resends', ['platform_id', 'reference_order_id']],
      ];
      for (const [name, table, columns] of indexes) await db.schema.createIndex(name).on(table).columns(columns).execute();
    },
  },
  '0018_sign_ups': {
    // Verified sign-up (accounts/verified-sign-up.ts; issue 19, point 4): a sign-up waits here, under the
    // digest of the link mailed to its address, until the link is followed (used once) or its hour is over.
    // No password is kept: it is chosen when the link is followed.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sign_ups')
        .addColumn('token_digest', 'text', (c) => c.primaryKey())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('platform_name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      // The purge of expired links reads by this time.
      await db.schema.createIndex('sign_ups_expires').on('sign_ups').column('expires_at').execute();
    },
  },
  '0019_audiences': {
    // Audiences with their own token lifetimes (issue 22): every instance reads them from here; the default
    // audience (TESSERA_AUDIENCE, TESSERA_TOKEN_TTL) is configuration, never a row.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('audiences')
        .addColumn('url', 'text', (c) => c.primaryKey())
        .addColumn('ttl_seconds', 'integer', (c) => c.notNull().check(sql`ttl_seconds between 60 and 31536000`))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0020_client_token_limits': {
    // Per-client token limits (issue 22): a client's own per-hour and per-day numbers and their mode, which
    // replace the default ones of the settings. A row of its own (not columns of oauth_clients), so that the
    // client's row and its writers stay as they are; it goes with its client.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('client_token_limits')
        .addColumn('client_id', 'text', (c) => c.primaryKey().references('oauth_clients.client_id').onDelete('cascade'))
        .addColumn('per_hour', 'integer', (c) => c.check(sql`per_hour is null or per_hour between 1 and 1000000000`))
        .addColumn('per_day', 'integer', (c) => c.check(sql`per_day is null or per_day between 1 and 1000000000`))
        .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('enforce', 'observe')`))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0021_protected_apis': {
    // Protected APIs (issue 23): a registered audience that /forward-auth serves, with where it answers
    // (host, path prefix) and who may call it (platforms by name, credential kinds; JSON arrays, NULL: all).
    // Columns of the audience, not a table of their own: an API is the audience its tokens are for, and
    // `tessera audience add --update` (which sets the TTL only) leaves them as they are.
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('audiences')
        .addColumn('api', 'integer', (c) => c.notNull().defaultTo(0).check(sql`api in (0, 1)`))
        .execute();
      await db.schema.alterTable('audiences').addColumn('match_host', 'text').execute();
      await db.schema
        .alterTable('audiences')
        .addColumn('match_path_prefix', 'text', (c) => c.notNull().defaultTo('/'))
        .execute();
      await db.schema.alterTable('audiences').addColumn('allowed_platforms', 'text').execute();
      await db.schema.alterTable('audiences').addColumn('allowed_credential_kinds', 'text').execute();
      // Two APIs on the same host (or both on any host) and path prefix: a conflict, even when two commands
      // race. NULLs are distinct in a unique index on both stores, hence the coalesce.
      await sql`create unique index audiences_api_route on audiences (coalesce(match_host, ''), match_path_prefix) where api = 1`.execute(db);
    },
  },
  '0022_audit_anchors': {
    // Audit retention (issue 24): a pruned chain starts after the signed checkpoint of its last archived
    // entry, one row per platform. No foreign key, as for audit_log: the log outlives what it speaks of.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('audit_anchors')
        .addColumn('platform_id', 'text', (c) => c.primaryKey())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('checkpoint', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0023_credential_list_order': {
    // The portal's lists of a platform's clients and API keys, in creation order (store/oauth-clients.ts,
    // store/api-keys.ts): the (platform_id, status) indexes of 0001/0002 find the rows but leave a sort of
    // them for every page view; these give the rows in the order shown (issue 24's query plans). The old
    // ones stay: they count a platform's active credentials.
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('oauth_clients_platform_created').on('oauth_clients').columns(['platform_id', 'created_at', 'client_id']).execute();
      await db.schema.createIndex('api_keys_platform_created').on('api_keys').columns(['platform_id', 'created_at', 'id']).execute();
    },
  },
  '0024_postgres_room_for_updates': {
    // Every token issued updates its client's row (last_issued_at) and its platform's (credential_lock);
    // an API key's first use in a minute updates the key's (last_used_at). None of those columns is
    // indexed, so on PostgreSQL each can be a heap-only tuple (HOT) update, touching no index — when the
    // row's page has room for its new version. Filled to 100 % (the default), a page of rows loaded at once
    // has none: the update moves the row and adds an entry to each of the table's indexes (oauth_clients
    // has three) on pages a store of a million clients rarely holds in memory. 90 leaves a tenth of each page
    // for updates (PostgreSQL docs, CREATE TABLE, "fillfactor"; issue 24's scale bench). Pages written from
    // now on keep it; `VACUUM FULL` of the three tables gives it to an existing store's pages at once.
    async up(db: Kysely<unknown>) {
      if (db.getExecutor().adapter instanceof SqliteAdapter) return;
      for (const table of ['platforms', 'oauth_clients', 'api_keys']) await sql`alter table ${sql.table(table)} set (fillfactor = 90)`.execute(db);
    },
  },
};

/** Brings the schema up to date; safe to call from several instances (or processes) at once. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run before the schema type holds
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return runMigrator(db);
  // Kysely's SQLite adapter neither locks nor wraps migrations in a transaction (it assumes a single
  // connection). BEGIN IMMEDIATE takes the database's one write lock (waiting up to busy_timeout) before
  // the migrator reads what is done, so a second process sees the first one's work, and a failed
  // migration leaves nothing behind.
  await db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      await runMigrator(connection);
    } catch (error) {
      await sql`rollback`.execute(connection);
      throw error;
    }
    await sql`commit`.execute(connection);
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
async function runMigrator(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Database migration ${failed ? `${failed.migrationName} ` : ''}failed: ${(error as Error).message ?? error}`, {
      cause: error,
    });
  }
}
