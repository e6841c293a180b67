import type { Kysely, Selectable, Transaction } from 'kysely';
import { TesseraError } from '../errors/tessera-error.js';
import { appendAuditEntry, type PendingAuditEntry } from './audit-log.js';
import { creditBalance } from './account-balances.js';
import { lockPlatform } from './platforms.js';
import type { CreditCardDepositsTable, CreditCardsTable, Schema } from './schema.js';
import { insertOrConflict } from './unique-violation.js';

export type CreditCardRow = Selectable<CreditCardsTable>;
export type DepositRow = Selectable<CreditCardDepositsTable>;

const ACTIVE = 'ACTIVE';
const INACTIVE = 'INACTIVE';

/**
 * A platform's registered credit cards and the deposits charged to them. Every method takes the platform id
 * and every query filters on it: another platform's card or deposit is never found. Each change commits with
 * its audit entry (store/audit-log.ts), after the platform's lock, as the credential stores do.
 */
export class FundingStore {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Registers a card (status ACTIVE) and records it. */
  async insertCard(card: CreditCardRow, audit: PendingAuditEntry): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await lockOrNotFound(trx, card.platform_id);
      await insertOrConflict(
        () => trx.insertInto('credit_cards').values(card).execute(),
        () => new TesseraError('conflict', 'A credit card with this token already exists'),
      );
      await appendAuditEntry(trx, { ...audit, platform_id: card.platform_id });
    });
  }

  /** The card, with its account's number (joined, as {@link listCards}: the view shows it; null if the account is gone). */
  async findCard(platformId: string, token: string): Promise<(CreditCardRow & { account_number: string | null }) | undefined> {
    return this.db
      .selectFrom('credit_cards as c')
      .leftJoin('accounts as a', (join) => join.onRef('a.platform_id', '=', 'c.platform_id').onRef('a.account_identifier', '=', 'c.account_identifier'))
      .selectAll('c')
      .select('a.account_number')
      .where('c.platform_id', '=', platformId)
      .where('c.token', '=', token)
      .executeTakeFirst();
  }

  /**
   * The platform's cards, oldest first, each with its account's number (one query, joined: the view shows it);
   * unregistered ones only when asked for.
   */
  async listCards(platformId: string, showInactive: boolean): Promise<Array<CreditCardRow & { account_number: string }>> {
    let query = this.db
      .selectFrom('credit_cards as c')
      .innerJoin('accounts as a', (join) => join.onRef('a.platform_id', '=', 'c.platform_id').onRef('a.account_identifier', '=', 'c.account_identifier'))
      .selectAll('c')
      .select('a.account_number')
      .where('c.platform_id', '=', platformId);
    if (!showInactive) query = query.where('c.status', '=', ACTIVE);
    return query.orderBy('c.created_at').orderBy('c.token').execute();
  }

  /**
   * Unregisters an active card of the account and records it. A card that is not the account's (or the
   * customer's) is `not_found`; one already unregistered is `invalid_input` (Tango's 400 for this operation).
   * Read and changed under the lock.
   */
  async unregisterCard(
    scope: { platformId: string; customerIdentifier: string; accountIdentifier: string; token: string },
    now: number,
    audit: PendingAuditEntry,
  ): Promise<CreditCardRow> {
    return this.db.transaction().execute(async (trx) => {
      await lockOrNotFound(trx, scope.platformId);
      const card = await cardOfAccount(trx, scope);
      if (card.status !== ACTIVE) throw new TesseraError('invalid_input', `The credit card ${scope.token} is already unregistered`);
      await trx
        .updateTable('credit_cards')
        .set({ status: INACTIVE, unregistered_at: now })
        .where('platform_id', '=', scope.platformId)
        .where('token', '=', scope.token)
        .execute();
      await appendAuditEntry(trx, { ...audit, platform_id: scope.platformId });
      return { ...card, status: INACTIVE, unregistered_at: now };
    });
  }

  /**
   * Records a deposit charged to an active card of the account, raises the account's balance by its amount
   * and records it in the audit log: all in one transaction, so a deposit never exists without its credit.
   * `charge` runs under the lock with the card, before anything is written: the sandbox's decline.
   * `scope.testCard` is registered first when the platform has no card of its token (a test token's card).
   */
  async deposit(
    scope: { customerIdentifier: string; testCard?: { card: CreditCardRow; audit: PendingAuditEntry } | undefined },
    deposit: DepositRow,
    charge: (card: CreditCardRow) => void,
    audit: PendingAuditEntry,
  ): Promise<DepositRow> {
    return this.db.transaction().execute(async (trx) => {
      await lockOrNotFound(trx, deposit.platform_id);
      // A test token's card (funding/test-card-tokens.ts), registered by the account's first deposit with it, under the lock.
      const testCard = scope.testCard;
      if (testCard && !(await trx.selectFrom('credit_cards').select('token').where('platform_id', '=', deposit.platform_id).where('token', '=', testCard.card.token).executeTakeFirst())) {
        await trx.insertInto('credit_cards').values(testCard.card).execute();
        await appendAuditEntry(trx, { ...testCard.audit, platform_id: deposit.platform_id });
      }
      const card = await cardOfAccount(trx, {
        platformId: deposit.platform_id,
        customerIdentifier: scope.customerIdentifier,
        accountIdentifier: deposit.account_identifier,
        token: deposit.card_token,
      });
      if (card.status !== ACTIVE) throw new TesseraError('invalid_input', `The credit card ${deposit.card_token} is unregistered: register a card to fund with`);
      charge(card);
      await insertOrConflict(
        () => trx.insertInto('credit_card_deposits').values(deposit).execute(),
        () => new TesseraError('conflict', `A deposit ${deposit.deposit_id} already exists`),
      );
      await creditBalance(trx, deposit.platform_id, deposit.account_identifier, deposit.amount_cents);
      await appendAuditEntry(trx, { ...audit, platform_id: deposit.platform_id });
      return deposit;
    });
  }

  /** One account's cards, active and unregistered, oldest first (the portal's account page). */
  async listAccountCards(platformId: string, accountIdentifier: string): Promise<CreditCardRow[]> {
    return this.db
      .selectFrom('credit_cards')
      .selectAll()
      .where('platform_id', '=', platformId)
      .where('account_identifier', '=', accountIdentifier)
      .orderBy('created_at')
      .orderBy('token')
      .execute();
  }

  /** One account's newest `limit` deposits, newest first, each with the last four and brand of its card. */
  async listAccountDeposits(platformId: string, accountIdentifier: string, limit: number): Promise<Array<DepositRow & { last_four: string; brand: string }>> {
    return this.db
      .selectFrom('credit_card_deposits as d')
      .innerJoin('credit_cards as c', (join) => join.onRef('c.platform_id', '=', 'd.platform_id').onRef('c.token', '=', 'd.card_token'))
      .selectAll('d')
      .select(['c.last_four', 'c.brand'])
      .where('d.platform_id', '=', platformId)
      .where('d.account_identifier', '=', accountIdentifier)
      .orderBy('d.created_at', 'desc')
      .orderBy('d.deposit_id', 'desc')
      .limit(limit)
      .execute();
  }

  async findDeposit(platformId: string, depositId: string): Promise<(DepositRow & { account_number: string }) | undefined> {
    return this.db
      .selectFrom('credit_card_deposits as d')
      .innerJoin('accounts as a', (join) => join.onRef('a.platform_id', '=', 'd.platform_id').onRef('a.account_identifier', '=', 'd.account_identifier'))
      .selectAll('d')
      .select('a.account_number')
      .where('d.platform_id', '=', platformId)
      .where('d.deposit_id', '=', depositId)
      .executeTakeFirst();
  }
}

async function lockOrNotFound(trx: Transaction<Schema>, platformId: string): Promise<void> {
  if (!(await lockPlatform(trx, platformId))) throw new TesseraError('not_found', `Platform ${platformId} does not exist`);
}

/** The card, when it is the account's and the account the customer's; otherwise `not_found`, as for another platform's. */
async function cardOfAccount(
  trx: Transaction<Schema>,
  scope: { platformId: string; customerIdentifier: string; accountIdentifier: string; token: string },
): Promise<CreditCardRow> {
  const card = await trx
    .selectFrom('credit_cards')
    .selectAll()
    .where('platform_id', '=', scope.platformId)
    .where('token', '=', scope.token)
    .where('account_identifier', '=', scope.accountIdentifier)
    .where('customer_identifier', '=', scope.customerIdentifier)
    .executeTakeFirst();
  if (!card) {
    throw new TesseraError('not_found', `Credit card ${scope.token} of account ${scope.accountIdentifier} (customer ${scope.customerIdentifier}) was not found`);
  }
  return card;
}
