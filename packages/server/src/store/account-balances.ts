import { sql, type Transaction } from 'kysely';
import { TesseraError } from '../errors/tessera-error.js';
import type { Schema } from './schema.js';

/**
 * An account's balance, in cents (accounts.balance_cents), changed only here and only by one atomic
 * statement inside the caller's transaction — `set balance_cents = balance_cents + ?` — never by reading
 * it and writing back a sum, so concurrent changes on any number of instances add up exactly (a row lock on
 * PostgreSQL, the database write lock on SQLite).
 */

/** Raises the balance by `cents` (> 0) and returns the new balance; a missing account is `not_found`. */
export async function creditBalance(trx: Transaction<Schema>, platformId: string, accountIdentifier: string, cents: number): Promise<number> {
  if (!Number.isSafeInteger(cents) || cents <= 0) throw new TesseraError('invalid_input', 'A credit must be a positive whole number of cents');
  const row = await trx
    .updateTable('accounts')
    .set({ balance_cents: sql<number>`balance_cents + ${cents}` })
    .where('platform_id', '=', platformId)
    .where('account_identifier', '=', accountIdentifier)
    .returning('balance_cents')
    .executeTakeFirst();
  if (!row) throw new TesseraError('not_found', `Account ${accountIdentifier} was not found`);
  return Number(row.balance_cents);
}

/**
 * Lowers the balance by `cents` (> 0) when it covers them, in one conditional statement — `set balance_cents =
 * balance_cents - ? where … and balance_cents >= ?` — and returns the new balance. No row back is
 * `insufficient_funds` (Tango's 402): concurrent debits on any number of instances never take the balance below
 * zero, as the row lock (PostgreSQL) or the write lock (SQLite) makes each see the others' result. PostgreSQL
 * also refuses a negative balance by the accounts_balance_not_negative check (migration 0014). The caller has
 * checked that the account exists.
 */
export async function debitBalance(trx: Transaction<Schema>, platformId: string, accountIdentifier: string, cents: number): Promise<number> {
  if (!Number.isSafeInteger(cents) || cents <= 0) throw new TesseraError('invalid_input', 'A debit must be a positive whole number of cents');
  const row = await trx
    .updateTable('accounts')
    .set({ balance_cents: sql<number>`balance_cents - ${cents}` })
    .where('platform_id', '=', platformId)
    .where('account_identifier', '=', accountIdentifier)
    .where('balance_cents', '>=', cents)
    .returning('balance_cents')
    .executeTakeFirst();
  if (!row) throw new TesseraError('insufficient_funds', `The balance of account ${accountIdentifier} does not cover this order`);
  return Number(row.balance_cents);
}
