import { CompiledQuery, type Kysely, type KyselyPlugin, type RootOperationNode, type QueryId, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform } from '../../src/credentials/platforms.js';
import type { Services } from '../../src/services.js';
import type { Schema } from '../../src/store/schema.js';
import { ApiKeyStore } from '../../src/store/api-keys.js';
import { AuditLogStore } from '../../src/store/audit-log.js';
import { ClientTokenLimitStore } from '../../src/store/client-token-limits.js';
import { FundingStore } from '../../src/store/funding.js';
import { OAuthClientStore } from '../../src/store/oauth-clients.js';
import { OrderStore } from '../../src/store/orders.js';
import { PlatformStore } from '../../src/store/platforms.js';
import { RevokedTokenStore } from '../../src/store/revoked-tokens.js';
import { startDeployment } from '../support/bootstrap.js';
import { STORE_KINDS, type StoreKind, type TestEnvironment } from '../support/services.js';
import { insertTestAccount } from '../support/tenants.js';

const CUSTOMERS = 20;
const ACCOUNTS_PER_CUSTOMER = 5;
const ORDERS = 4000;
const DAY = 86_400_000;

/** Keeps the queries a store sends (their operation trees), so the test can ask the database how it would run them. */
function capturing(db: Kysely<Schema>): { db: Kysely<Schema>; queries: Array<{ node: RootOperationNode; queryId: QueryId }> } {
  const queries: Array<{ node: RootOperationNode; queryId: QueryId }> = [];
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      queries.push({ node: args.node, queryId: args.queryId });
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: db.withPlugin(plugin), queries };
}

/** How a database would run one query: its plan as text, and what the assertions look for in it. */
interface Plan {
  text: string;
  /** The indexes it reads (SQLite's autoindexes included). */
  indexes: string[];
  /** Tables read whole: a table scan, or a walk of a whole index with no bound on it. */
  fullScans: string[];
  /** Whether it sorts rows (SQLite's temporary B-tree, PostgreSQL's Sort). */
  sorts: boolean;
}

/**
 * The plan of every query `run` sends through the store `make` builds (on a capturing copy of the
 * database), compiled by Kysely and asked of the database: EXPLAIN QUERY PLAN on SQLite
 * (https://sqlite.org/eqp.html), EXPLAIN (FORMAT JSON) on PostgreSQL with sequential scans priced out, so
 * that the question is which index the planner picks (https://www.postgresql.org/docs/current/runtime-config-query.html).
 */
async function explained<T>(services: Services, store: StoreKind, make: (db: Kysely<Schema>) => T, run: (store: T) => Promise<unknown>): Promise<Plan[]> {
  const { db, queries } = capturing(services.database.db);
  await run(make(db));
  const plans: Plan[] = [];
  for (const { node, queryId } of queries) {
    const compiled = services.database.db.getExecutor().compileQuery(node, queryId);
    plans.push(await explainSql(services, store, compiled.sql, compiled.parameters));
  }
  return plans;
}

async function explainSql(services: Services, store: StoreKind, text: string, parameters: readonly unknown[]): Promise<Plan> {
  return services.database.db.transaction().execute(async (trx) => {
    if (store === 'sqlite') {
      const { rows } = await trx.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${text}`, [...parameters]));
      const details = rows.map((row) => row.detail);
      return {
        text: details.join('\n'),
        indexes: details.flatMap((d) => /USING (?:COVERING )?INDEX (\S+)/.exec(d)?.[1] ?? []),
        // "SCAN t" (the table) or "SCAN t USING [COVERING] INDEX i" (the whole index): every row of it.
        fullScans: details.flatMap((d) => /^SCAN (\S+)/.exec(d)?.[1] ?? []),
        sorts: details.some((d) => d.includes('USE TEMP B-TREE')),
      };
    }
    await sql`set local enable_seqscan = off`.execute(trx);
    const { rows } = await trx.executeQuery<{ 'QUERY PLAN': unknown }>(CompiledQuery.raw(`explain (format json) ${text}`, [...parameters]));
    const raw = rows[0]!['QUERY PLAN'];
    const root = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ Plan: PgPlanNode }>;
    const plan: Plan = { text: JSON.stringify(root[0]!.Plan), indexes: [], fullScans: [], sorts: false };
    const walk = (n: PgPlanNode): void => {
      const type = n['Node Type'];
      if (n['Index Name']) plan.indexes.push(n['Index Name']);
      if (type === 'Seq Scan') plan.fullScans.push(n['Alias'] ?? n['Relation Name'] ?? '?');
      // An index walked from end to end, with no condition on it, reads every row as a scan does.
      if ((type === 'Index Scan' || type === 'Index Only Scan' || type === 'Bitmap Index Scan') && !n['Index Cond']) plan.fullScans.push(n['Alias'] ?? n['Index Name'] ?? '?');
      if (type === 'Sort' || type === 'Incremental Sort') plan.sorts = true;
      for (const child of n.Plans ?? []) walk(child);
    };
    walk(root[0]!.Plan);
    return plan;
  });
}

interface PgPlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Alias?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PgPlanNode[];
}

/** The name of the index on exactly `columns` (in order) of `table`: its primary key, a unique constraint's or a plain one. */
async function indexOn(services: Services, store: StoreKind, table: string, columns: readonly string[]): Promise<string> {
  const db = services.database.db;
  const found: Array<{ name: string; columns: string[] }> = [];
  if (store === 'sqlite') {
    const { rows } = await sql<{ name: string }>`select name from pragma_index_list(${table})`.execute(db);
    for (const { name } of rows) {
      const info = await sql<{ name: string }>`select name from pragma_index_info(${name}) order by seqno`.execute(db);
      found.push({ name, columns: info.rows.map((r) => r.name) });
    }
  } else {
    const { rows } = await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes where schemaname = current_schema() and tablename = ${table}`.execute(db);
    for (const { indexname, indexdef } of rows) found.push({ name: indexname, columns: (/\(([^()]*)\)$/.exec(indexdef)?.[1] ?? '').split(', ') });
  }
  const match = found.find((index) => index.columns.join(',') === columns.join(','));
  if (!match) throw new Error(`No index on ${table} (${columns.join(', ')}): ${JSON.stringify(found)}`);
  return match.name;
}

/**
 * The queries of the funding and order lists (migration 0017) use their indexes: EXPLAIN QUERY PLAN on SQLite
 * (https://sqlite.org/eqp.html) and EXPLAIN on PostgreSQL, on a platform of 100 accounts with cards, deposits
 * and 4000 orders, its statistics gathered (ANALYZE), as a planner sees a store in use. Sequential scans are
 * priced out on PostgreSQL, which may rightly read so small a table whole
 * (https://www.postgresql.org/docs/current/runtime-config-query.html): the question is which index it picks.
 */
describe.each(STORE_KINDS)('the store’s list queries use their indexes (%s)', (store) => {
  let env: TestEnvironment;
  let services: Services;
  let platformId: string;

  beforeAll(async () => {
    ({ env, services } = await startDeployment({ store }));
    platformId = (await createPlatform(services, 'busy')).id;
    const db = services.database.db;
    const accounts: Array<{ customer: string; account: string }> = [];
    for (let c = 0; c < CUSTOMERS; c++) {
      await services.customers.insertCustomer({ platform_id: platformId, customer_identifier: `cust-${c}`, display_name: 'C', status: 'ACTIVE', created_at: 1 });
      for (let a = 0; a < ACCOUNTS_PER_CUSTOMER; a++) {
        const account = `acct-${c}-${a}`;
        await insertTestAccount(services, platformId, `cust-${c}`, account, 1);
        accounts.push({ customer: `cust-${c}`, account });
      }
    }
    const cards = accounts.flatMap(({ customer, account }, i) =>
      [0, 1].map((n) => ({
        platform_id: platformId,
        token: `card-${i}-${n}`,
        customer_identifier: customer,
        account_identifier: account,
        label: 'Card',
        last_four: '1111',
        brand: 'visa',
        expiration: '2031-12',
        contact_information: '[]',
        declines_charges: 0,
        status: 'ACTIVE',
        created_at: i * 10 + n,
        activated_at: i * 10 + n,
        unregistered_at: null,
      })),
    );
    await db.insertInto('credit_cards').values(cards).execute();
    const deposits = cards.flatMap((card, i) =>
      Array.from({ length: 5 }, (_, n) => ({
        platform_id: platformId,
        deposit_id: `dep-${i}-${n}`,
        account_identifier: card.account_identifier,
        card_token: card.token,
        amount_cents: 10_000,
        fee_cents: 350,
        fee_basis_points: 350,
        status: 'SUCCESS',
        created_at: i * 10 + n,
      })),
    );
    await db.insertInto('credit_card_deposits').values(deposits).execute();
    const orders = Array.from({ length: ORDERS }, (_, i) => {
      const { customer, account } = accounts[i % accounts.length]!;
      return {
        platform_id: platformId,
        reference_order_id: `RA${String(i).padStart(6, '0')}`,
        external_ref_id: null,
        criteria_digest: 'd',
        customer_identifier: customer,
        account_identifier: account,
        utid: 'U561593',
        reward_name: 'R',
        reward_minor: 100,
        reward_currency: 'USD',
        charged_minor: 100,
        fee_minor: 0,
        charged_currency: 'USD',
        exchange_rate: '1',
        send_email: 0,
        recipient: '{}',
        sender: '{}',
        message: '',
        notes: '',
        email_subject: '',
        campaign: '',
        etid: '',
        status: 'COMPLETE',
        created_at: i * (DAY / 10),
      };
    });
    // In batches: SQLite binds at most 32766 parameters to a statement.
    for (let i = 0; i < orders.length; i += 500) await db.insertInto('orders').values(orders.slice(i, i + 500)).execute();
    await sql`analyze`.execute(db);
  });
  afterAll(async () => env?.close());

  /** The plan of every query `run` sends through the store `make` builds, one text per query. */
  async function plansOf<T>(make: (db: Kysely<Schema>) => T, run: (store: T) => Promise<unknown>): Promise<string[]> {
    return (await explained(services, store, make, run)).map((plan) => plan.text);
  }

  it('an account’s cards and deposits: credit_cards_account and credit_card_deposits_account', async () => {
    const [cards] = await plansOf((db) => new FundingStore(db), (s) => s.listAccountCards(platformId, 'acct-3-1'));
    expect(cards).toContain('credit_cards_account');
    const [deposits] = await plansOf((db) => new FundingStore(db), (s) => s.listAccountDeposits(platformId, 'acct-3-1', 10));
    expect(deposits).toContain('credit_card_deposits_account');
  });

  it('GET /orders by account or by customer: orders_account_created and orders_customer_created, for the page and its count', async () => {
    const page = { offset: 0, limit: 10 };
    const byAccount = await plansOf((db) => new OrderStore(db), (s) => s.list(platformId, { accountIdentifier: 'acct-3-1' }, page));
    expect(byAccount).toHaveLength(2);
    for (const plan of byAccount) expect(plan).toContain('orders_account_created');
    const byCustomer = await plansOf((db) => new OrderStore(db), (s) => s.list(platformId, { customerIdentifier: 'cust-3', from: 0, before: ORDERS * DAY }, page));
    expect(byCustomer).toHaveLength(2);
    for (const plan of byCustomer) expect(plan).toContain('orders_customer_created');
  });
});

const PLATFORMS = 200;
const CLIENTS_PER_PLATFORM = 10;
const ENTRIES_PER_PLATFORM = 100;

/**
 * Issue 24: the hot queries — each token request, each guarded request, each portal page, each checkpoint
 * round — use their indexes, with no scan of a table that grows with traffic and no sort, so that they cost
 * the same on a store of a million clients and ten million audit entries as on a small one (bench/scale.js
 * measures it). The store holds 200 platforms of 10 clients, 10 API keys and 100 audit entries each, with
 * its statistics gathered (ANALYZE).
 */
describe.each(STORE_KINDS)('the hot queries use their indexes, with no full scan and no sort (%s)', (store) => {
  let env: TestEnvironment;
  let services: Services;
  const platformId = (p: number) => `plt_${String(p).padStart(22, '0')}`;
  const clientId = (p: number, c: number) => `cli_${String(p * CLIENTS_PER_PLATFORM + c).padStart(22, '0')}`;
  const BUSY = platformId(7);

  beforeAll(async () => {
    ({ env, services } = await startDeployment({ store }));
    const db = services.database.db;
    const insert = async <T extends keyof Schema>(table: T, rows: Array<Record<string, unknown>>) => {
      // In batches: SQLite binds at most 32766 parameters to a statement.
      for (let i = 0; i < rows.length; i += 500) await db.insertInto(table).values(rows.slice(i, i + 500) as never).execute();
    };
    const ps = Array.from({ length: PLATFORMS }, (_, p) => p);
    await insert('platforms', ps.map((p) => ({ id: platformId(p), name: `platform-${p}`, credential_lock: 0, created_at: p })));
    const perPlatform = (n: number) => ps.flatMap((p) => Array.from({ length: n }, (_, i) => ({ p, i })));
    await insert('oauth_clients', perPlatform(CLIENTS_PER_PLATFORM).map(({ p, i }) => ({
      client_id: clientId(p, i),
      platform_id: platformId(p),
      name: 'c',
      secret_digest: `${p}-${i}`,
      status: i < 2 ? 'active' : 'inactive',
      scopes: 'raas.all',
      created_at: i,
      status_changed_at: i,
    })));
    await insert('client_token_limits', perPlatform(CLIENTS_PER_PLATFORM).filter(({ i }) => i % 2 === 0).map(({ p, i }) => ({ client_id: clientId(p, i), per_hour: 10, per_day: null, mode: 'enforce', updated_at: 1 })));
    await insert('api_keys', perPlatform(CLIENTS_PER_PLATFORM).map(({ p, i }) => ({
      id: `key_${p}_${i}`,
      platform_id: platformId(p),
      key_digest: `digest-${p}-${i}`,
      key_sealed: 'sealed',
      status: i < 2 ? 'active' : 'inactive',
      created_at: i,
      status_changed_at: i,
    })));
    await insert('audit_log', perPlatform(ENTRIES_PER_PLATFORM).map(({ p, i }) => ({
      id: `aud_${p}_${i}`,
      platform_id: platformId(p),
      seq: i + 1,
      at: i * 1000,
      actor: 'client:x',
      action: i % 10 === 0 ? 'client_created' : 'token_issued',
      target_id: clientId(p, i % CLIENTS_PER_PLATFORM),
      source_address: null,
      user_agent: null,
      outcome: 'success',
      prev_hash: '0',
      hash: '0',
    })));
    await insert('revoked_tokens', Array.from({ length: 2000 }, (_, i) => ({ jti: `jti-${i}`, client_id: clientId(i % PLATFORMS, 0), expires_at: i })));
    await sql`analyze`.execute(db);
  });
  afterAll(async () => env?.close());

  /** Every plan of `run`: reads `table` through the index on `columns`, and no table whole (but those in `scanned`), and sorts nothing. */
  async function expectIndexed<T>(
    make: (db: Kysely<Schema>) => T,
    run: (s: T) => Promise<unknown>,
    uses: ReadonlyArray<readonly [table: string, columns: readonly string[]]>,
    { queries = 1, scanned = [] as string[] } = {},
  ): Promise<void> {
    const plans = await explained(services, store, make, run);
    expect(plans).toHaveLength(queries);
    const indexes = await Promise.all(uses.map(([table, columns]) => indexOn(services, store, table, columns)));
    for (const plan of plans) {
      expect({ fullScans: plan.fullScans.filter((t) => !scanned.includes(t)), sorts: plan.sorts }, plan.text).toEqual({ fullScans: [], sorts: false });
    }
    const used = plans.flatMap((plan) => plan.indexes);
    for (const index of indexes) expect(used, plans.map((p) => p.text).join('\n---\n')).toContain(index);
  }

  it('a client by id, alone and with its platform and own limits (client authentication): the primary keys', async () => {
    await expectIndexed((db) => new OAuthClientStore({ ...services.database, db }), (s) => s.find(clientId(7, 3)), [['oauth_clients', ['client_id']]]);
    await expectIndexed((db) => new OAuthClientStore({ ...services.database, db }), (s) => s.findWithPlatform(clientId(7, 3)), [
      ['oauth_clients', ['client_id']],
      ['platforms', ['id']],
      ['client_token_limits', ['client_id']],
    ]);
  });

  it('an API key by its digest (the Basic guard’s miss) and a platform by name: their unique indexes', async () => {
    await expectIndexed((db) => new ApiKeyStore(db), (s) => s.findByDigest('digest-7-3'), [
      ['api_keys', ['key_digest']],
      ['platforms', ['id']],
    ]);
    await expectIndexed((db) => new PlatformStore(db), (s) => s.findByName('platform-7'), [['platforms', ['name']]]);
  });

  it('the API keys’ last uses, a batch at once: each key by its primary key', async () => {
    await expectIndexed((db) => new ApiKeyStore(db), (s) => s.markUsed([{ id: 'key_7_1', at: 1 }]), [['api_keys', ['id']]]);
  });

  it('a revoked token by jti (the Bearer guard): the primary key', async () => {
    await expectIndexed((db) => new RevokedTokenStore(db), (s) => s.isRevoked('jti-42'), [['revoked_tokens', ['jti']]]);
  });

  it('the portal’s client and API key lists: in creation order from the index of migration 0023, the own limits by client', async () => {
    await expectIndexed((db) => new OAuthClientStore({ ...services.database, db }), (s) => s.listByPlatform(BUSY), [['oauth_clients', ['platform_id', 'created_at', 'client_id']]]);
    await expectIndexed((db) => new ApiKeyStore(db), (s) => s.listByPlatform(BUSY), [['api_keys', ['platform_id', 'created_at', 'id']]]);
    const limits = await explained(services, store, (db) => new ClientTokenLimitStore(db), (s) => s.listByPlatform(BUSY));
    expect(limits).toHaveLength(1);
    expect({ fullScans: limits[0]!.fullScans, sorts: limits[0]!.sorts }, limits[0]!.text).toEqual({ fullScans: [], sorts: false });
    expect(limits[0]!.indexes).toContain(await indexOn(services, store, 'client_token_limits', ['client_id']));
  });

  it('the portal’s audit page, by keyset: (platform_id, seq) newest first, or (platform_id, action, seq) with an action; where it starts from', async () => {
    const bySeq = [['audit_log', ['platform_id', 'seq']]] as const;
    await expectIndexed((db) => new AuditLogStore(db), (s) => s.list(BUSY, {}, 51), bySeq);
    await expectIndexed((db) => new AuditLogStore(db), (s) => s.list(BUSY, { before: 60 }, 51), bySeq);
    await expectIndexed((db) => new AuditLogStore(db), (s) => s.list(BUSY, { from: 10_000, to: 50_000, before: 60 }, 51), bySeq);
    await expectIndexed((db) => new AuditLogStore(db), (s) => s.list(BUSY, { action: 'client_created' }, 51), [['audit_log', ['platform_id', 'action', 'seq']]]);
    await expectIndexed((db) => new AuditLogStore(db), (s) => s.heldSince(BUSY), [...bySeq, ['audit_anchors', ['platform_id']]], { queries: 2 });
  });

  it('the audit chain read by (platform, seq): a verification’s batches, an entry, the head an append links to', async () => {
    const bySeq = [['audit_log', ['platform_id', 'seq']]] as const;
    await expectIndexed((db) => new AuditLogStore(db), (s) => s.chainAfter(BUSY, 40, 1000), bySeq);
    await expectIndexed((db) => new AuditLogStore(db), (s) => s.entryAt(BUSY, 40), bySeq);
    await expectIndexed((db) => new AuditLogStore(db), (s) => s.head(BUSY), bySeq);
    // SQLite's quota claim appends with a statement of its own (store/sqlite-quota-claim.ts): the same walk.
    if (store === 'sqlite') {
      const plan = await explainSql(services, store, 'select seq, hash from audit_log where platform_id = ? order by seq desc limit 1', [BUSY]);
      expect({ fullScans: plan.fullScans, sorts: plan.sorts, indexes: plan.indexes }).toEqual({ fullScans: [], sorts: false, indexes: [await indexOn(services, store, 'audit_log', ['platform_id', 'seq'])] });
    }
  });

  it('the checkpoints’ heads: one step down (platform_id, seq) per platform — every platform read, never every entry', async () => {
    await expectIndexed((db) => new AuditLogStore(db), (s) => s.heads(BUSY), [['audit_log', ['platform_id', 'seq']]]);
    // Every chain's head: the platforms are read whole (one row each), the log is not.
    await expectIndexed((db) => new AuditLogStore(db), (s) => s.heads(), [['audit_log', ['platform_id', 'seq']]], { scanned: ['platforms'] });
    // The same walk, whole rows: a verification from checkpoints reads every head at once.
    await expectIndexed((db) => new AuditLogStore(db), (s) => s.headEntries([BUSY]), [['audit_log', ['platform_id', 'seq']]]);
    const heads = await new AuditLogStore(services.database.db).heads();
    expect(heads).toHaveLength(PLATFORMS);
    expect(heads[7]).toEqual({ platform_id: BUSY, seq: ENTRIES_PER_PLATFORM, id: `aud_7_${ENTRIES_PER_PLATFORM - 1}`, hash: '0', at: (ENTRIES_PER_PLATFORM - 1) * 1000 });
  });
});
