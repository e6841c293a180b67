/**
 * The sandbox's credit-card funding fee: 3.5 %, the rate Tango publishes for funding by credit card. It is
 * charged on top of the amount, which is what the account receives (CreditCardDepositView: amount,
 * feePercent, amountCharged).
 */
export const DEPOSIT_FEE_BASIS_POINTS = 350;

/**
 * The fee on `amountCents`, exact in integers: basis points of the amount, rounded half up to a whole cent
 * (e.g. 3.5 % of $10.10 is 35.35 ¢, charged 35 ¢; of $0.10, 0.35 ¢, charged 0 ¢; of $1.00, 3.5 ¢, charged 4 ¢).
 */
export function depositFeeCents(amountCents: number, basisPoints = DEPOSIT_FEE_BASIS_POINTS): number {
  return Math.floor((amountCents * basisPoints + 5_000) / 10_000);
}

/** The largest deposit the sandbox takes, in cents ($100,000.00): far inside exact integer arithmetic. */
export const MAX_DEPOSIT_CENTS = 10_000_000;

/**
 * An amount in dollars, as JSON gives it, in cents — exactly, or not at all: more than two decimals, zero,
 * a negative or too large an amount is refused (undefined). The shortest decimal spelling of the number
 * (what JSON carries) is read, never a binary product such as 0.07 * 100 = 7.000000000000001.
 */
export function centsOf(amount: number): number | undefined {
  if (!Number.isFinite(amount) || amount <= 0) return undefined;
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(amount));
  if (!match) return undefined;
  const cents = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return cents <= MAX_DEPOSIT_CENTS ? cents : undefined;
}

/** Cents as the views show dollars: a number with at most two decimals (1050 → 10.5). */
export function dollars(cents: number): number {
  return cents / 100;
}
