import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import { TesseraError } from '../errors/tessera-error.js';
import { debitBalance } from './account-balances.js';
import { appendAuditEntry, type PendingAuditEntry } from './audit-log.js';
import { lockPlatform } from './platforms.js';
import type { OrderResendsTable, OrdersTable, Schema } from './schema.js';
import { isUniqueViolation } from './unique-violation.js';

export type OrderRow = Selectable<OrdersTable>;
export type OrderResendRow = Selectable<OrderResendsTable>;
export type OrderWithAccount = OrderRow & { account_number: string };

/** GET /orders's filters, already checked; times in ms since the epoch, `before` exclusive. */
export interface OrderFilter {
  accountIdentifier?: string;
  customerIdentifier?: string;
  externalRefID?: string;
  from?: number;
  before?: number;
}

/** What placing an order did: the order, and whether it was placed now or found (the same externalRefID). */
export interface PlacedOrder {
  order: OrderRow;
  created: boolean;
}

/**
 * A platform's orders. Every method takes the platform id and every query filters on it: another platform's
 * order is never found. Placing an order debits the account, stores the order and records it in the audit log
 * in one transaction (after the platform's lock, as every audited change), so an order never exists without its
 * debit, nor a debit without its order.
 */
/** The conditions of list(), shared by its page query and its count query (both alias orders as `o`). */
function matching(platformId: string, filter: OrderFilter) {
  return (eb: ExpressionBuilder<{ o: OrdersTable }, 'o'>) => {
    const conditions = [eb('o.platform_id', '=', platformId)];
    if (filter.accountIdentifier !== undefined) conditions.push(eb('o.account_identifier', '=', filter.accountIdentifier));
    if (filter.customerIdentifier !== undefined) conditions.push(eb('o.customer_identifier', '=', filter.customerIdentifier));
    if (filter.externalRefID !== undefined) conditions.push(eb('o.external_ref_id', '=', filter.externalRefID));
    if (filter.from !== undefined) conditions.push(eb('o.created_at', '>=', filter.from));
    if (filter.before !== undefined) conditions.push(eb('o.created_at', '<', filter.before));
    return eb.and(conditions);
  };
}

export class OrderStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /**
   * Places `order`: debits its charge (`insufficient_funds` when the balance does not cover it) and stores it.
   * When the platform already has an order with the same externalRefID (found under the lock, or by the unique
   * index when two instances race), nothing is debited and that order is returned with `created: false`.
   */
  async place(order: OrderRow, audit: PendingAuditEntry): Promise<PlacedOrder> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        if (!(await lockPlatform(trx, order.platform_id))) throw new TesseraError('not_found', `Platform ${order.platform_id} does not exist`);
        if (order.external_ref_id !== null) {
          const existing = await trx
            .selectFrom('orders')
            .selectAll()
            .where('platform_id', '=', order.platform_id)
            .where('external_ref_id', '=', order.external_ref_id)
            .executeTakeFirst();
          if (existing) return { order: existing, created: false };
        }
        await debitBalance(trx, order.platform_id, order.account_identifier, Number(order.charged_minor) + Number(order.fee_minor));
        await trx.insertInto('orders').values(order).execute();
        await appendAuditEntry(trx, { ...audit, platform_id: order.platform_id });
        return { order, created: true };
      });
    } catch (error) {
      // The transaction rolled back (its debit with it); PostgreSQL cannot go on in an aborted one, so read after.
      if (!isUniqueViolation(error) || order.external_ref_id === null) throw error;
      const existing = await this.findByExternalRef(order.platform_id, order.external_ref_id);
      if (!existing) throw error;
      return { order: existing, created: false };
    }
  }

  async findByExternalRef(platformId: string, externalRefId: string): Promise<OrderRow | undefined> {
    return this.db.selectFrom('orders').selectAll().where('platform_id', '=', platformId).where('external_ref_id', '=', externalRefId).executeTakeFirst();
  }

  async find(platformId: string, referenceOrderId: string): Promise<OrderWithAccount | undefined> {
    return this.withAccount()
      .where('o.platform_id', '=', platformId)
      .where('o.reference_order_id', '=', referenceOrderId)
      .executeTakeFirst();
  }

  /** One page of the platform's orders that match, newest first, and how many match in all. */
  async list(platformId: string, filter: OrderFilter, page: { offset: number; limit: number }): Promise<{ orders: OrderWithAccount[]; total: number }> {
    const matches = matching(platformId, filter);
    const query = this.withAccount().where(matches);
    const count = this.db.selectFrom('orders as o').select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).where(matches);
    const [orders, total] = await Promise.all([
      query.orderBy('o.created_at', 'desc').orderBy('o.reference_order_id', 'desc').offset(page.offset).limit(page.limit).execute(),
      count.executeTakeFirstOrThrow(),
    ]);
    return { orders, total: Number(total.n) };
  }

  /** Records a resend of the order's email to `email`, numbered on the platform, with its audit entry. */
  async resend(platformId: string, referenceOrderId: string, email: string, now: number, audit: PendingAuditEntry): Promise<OrderResendRow> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await lockPlatform(trx, platformId))) throw new TesseraError('not_found', `Platform ${platformId} does not exist`);
      const last = await trx
        .selectFrom('order_resends')
        .select((eb) => eb.fn.max('id').as('id'))
        .where('platform_id', '=', platformId)
        .executeTakeFirst();
      const row: OrderResendRow = { platform_id: platformId, id: Number(last?.id ?? 0) + 1, reference_order_id: referenceOrderId, email, created_at: now };
      await trx.insertInto('order_resends').values(row).execute();
      await appendAuditEntry(trx, { ...audit, platform_id: platformId });
      return row;
    });
  }

  private withAccount() {
    return this.db
      .selectFrom('orders as o')
      .innerJoin('accounts as a', (join) => join.onRef('a.platform_id', '=', 'o.platform_id').onRef('a.account_identifier', '=', 'o.account_identifier'))
      .selectAll('o')
      .select('a.account_number');
  }
}
