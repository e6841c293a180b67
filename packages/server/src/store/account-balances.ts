import { sql, type Transaction } from 'kysely';
import { TesseraError } from '../errors.js';
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

/*
 * The debit, for orders (issue 20's next part), belongs here beside the credit and takes the same form, made
 * conditional so the balance never goes below zero under concurrent orders:
 *   update accounts set balance_cents = balance_cents - ? where platform_id = ? and account_identifier = ?
 *     and balance_cents >= ?  returning balance_cents
 * no row back meaning insufficient funds (Tango's 402). PostgreSQL also refuses a negative balance by the
 * accounts_balance_not_negative check (migration 0014).
 */
