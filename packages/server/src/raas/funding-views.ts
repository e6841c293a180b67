import { type Static, Type } from 'typebox';
import { dollars } from '../funding/deposit-fee.js';
import type { AccountRow } from '../store/customers.js';
import type { CreditCardRow, DepositRow } from '../store/funding.js';
import * as example from './examples.js';
import { IDENTIFIER_RULE, SECURITY_CODE_PATTERN, TEXT_PATTERN, YEAR_MONTH_PATTERN } from './views.js';

/**
 * The criteria and views of Tango's "Fund" operations (the console's swagger.json: CreateCreditCardCriteria,
 * CreditCardView, CreateCreditCardDepositCriteria, CreditCardDepositView, CreateCreditCardUnregisterCriteria,
 * CreditCardUnregisterView), with Tango's field names.
 */

const TEXT = { minLength: 1, maxLength: 100, pattern: TEXT_PATTERN };
const EMAIL = { maxLength: 254, format: 'email', pattern: TEXT_PATTERN };

const customerIdentifier = Type.String({ ...IDENTIFIER_RULE, description: 'The customer the account belongs to', examples: [example.CUSTOMER_IDENTIFIER] });
const accountIdentifier = Type.String({ ...IDENTIFIER_RULE, description: 'The account the card funds', examples: [example.ACCOUNT_IDENTIFIER] });
// 120: an account's test card is registered as tok_mastercard_ and its identifier of up to 100 (funding/test-card-tokens.ts).
const TOKEN_LENGTH = { minLength: 1, maxLength: 120 };
const creditCardToken = Type.String({ ...TOKEN_LENGTH, description: 'The token POST /creditCards returned', examples: [example.ACCOUNT_TEST_CARD_TOKEN] });

export const ContactInformation = Type.Object(
  {
    fullName: Type.Optional(Type.String({ ...TEXT, description: 'Contact full name' })),
    emailAddress: Type.Optional(Type.String({ ...EMAIL, description: 'Contact email address' })),
  },
  { $id: 'ContactInformationView' },
);

export const CreateCreditCardCriteria = Type.Object(
  {
    customerIdentifier,
    accountIdentifier,
    label: Type.String({ ...TEXT, description: 'A label for the card', examples: [example.CREATE_CREDIT_CARD.label] }),
    ipAddress: Type.String({ minLength: 1, maxLength: 45, description: 'The IP address of the person adding the card', examples: [example.CREATE_CREDIT_CARD.ipAddress] }),
    creditCard: Type.Object(
      {
        // Checked by the handler (funding/card-numbers.ts), whose messages never quote it.
        number: Type.String({ minLength: 1, maxLength: 40, description: 'The card number: see the README for the sandbox test cards' }),
        expiration: Type.String({ pattern: YEAR_MONTH_PATTERN, description: 'YYYY-MM' }),
        verificationNumber: Type.String({ pattern: SECURITY_CODE_PATTERN, description: 'CVV2, CVC2 or CID: checked, never stored' }),
      },
      { description: 'Credit card information', examples: [example.CREDIT_CARD] },
    ),
    billingAddress: Type.Object(
      {
        firstName: Type.String(TEXT),
        lastName: Type.String(TEXT),
        addressLine1: Type.String(TEXT),
        addressLine2: Type.Optional(Type.String({ ...TEXT, minLength: 0 })),
        city: Type.String(TEXT),
        state: Type.String(TEXT),
        postalCode: Type.String({ ...TEXT, maxLength: 20 }),
        country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' }),
        emailAddress: Type.String(EMAIL),
      },
      { description: 'The billing address: checked, not stored', examples: [example.BILLING_ADDRESS] },
    ),
    contactInformation: Type.Optional(
      Type.Array(ContactInformation, { maxItems: 10, description: 'Who gets the funding confirmation emails', examples: [example.CONTACT_INFORMATION] }),
    ),
  },
  { $id: 'CreateCreditCardCriteria', examples: [example.CREATE_CREDIT_CARD] },
);
export type CreateCreditCardCriteria = Static<typeof CreateCreditCardCriteria>;

export const CreditCardView = Type.Object(
  {
    token: Type.String(),
    label: Type.String(),
    lastFourDigits: Type.String(),
    expirationDate: Type.String({ description: 'YYYY-MM' }),
    status: Type.String({ description: 'ACTIVE, or INACTIVE once unregistered' }),
    createdDate: Type.String(),
    activationDate: Type.String({ description: 'When the card can fund: at once in the sandbox' }),
    customerIdentifier: Type.String(),
    accountIdentifier: Type.String(),
    accountNumber: Type.String(),
    contactInformation: Type.Array(ContactInformation),
  },
  { $id: 'CreditCardView', examples: [example.CREDIT_CARD_VIEW] },
);
export type CreditCardView = Static<typeof CreditCardView>;

export const CreateCreditCardDepositCriteria = Type.Object(
  {
    customerIdentifier,
    accountIdentifier,
    creditCardToken: Type.String({
      ...TOKEN_LENGTH,
      description: 'The token POST /creditCards returned, or a sandbox test token, tok_visa or tok_mastercard, which needs no card registered first (README: test cards)',
      examples: [example.CREATE_CREDIT_CARD_DEPOSIT.creditCardToken],
    }),
    // Checked exactly by the handler (funding/deposit-fee.ts): more than 0, two decimals at most, $100,000 at most.
    amount: Type.Number({ description: 'The amount in USD to fund: up to two decimals, at most 100000', examples: [example.CREATE_CREDIT_CARD_DEPOSIT.amount] }),
  },
  { $id: 'CreateCreditCardDepositCriteria', examples: [example.CREATE_CREDIT_CARD_DEPOSIT] },
);

export const CreditCardDepositView = Type.Object(
  {
    referenceDepositID: Type.String(),
    accountNumber: Type.String(),
    amount: Type.Number({ description: 'Amount funded in USD: what the balance rose by' }),
    feePercent: Type.Number({ description: 'The processing fee, in percent of the amount' }),
    amountCharged: Type.Number({ description: 'Amount charged to the card in USD: the amount and the fee' }),
    status: Type.String(),
    createdDate: Type.String(),
  },
  { $id: 'CreditCardDepositView', examples: [example.CREDIT_CARD_DEPOSIT_VIEW] },
);

export const CreateCreditCardUnregisterCriteria = Type.Object(
  { customerIdentifier, accountIdentifier, creditCardToken },
  { $id: 'CreateCreditCardUnregisterCriteria', examples: [example.CREATE_CREDIT_CARD_UNREGISTER] },
);

export const CreditCardUnregisterView = Type.Object(
  {
    token: Type.String(),
    message: Type.String(),
    createdDate: Type.String({ description: 'When the card was unregistered' }),
  },
  { $id: 'CreditCardUnregisterView', examples: [example.CREDIT_CARD_UNREGISTER_VIEW] },
);

export const CreditCardParams = Type.Object({
  token: Type.String({ ...TOKEN_LENGTH, description: 'The credit card token', examples: [example.ACCOUNT_TEST_CARD_TOKEN] }),
});
export const DepositParams = Type.Object({
  depositId: Type.String({ minLength: 1, maxLength: 100, description: 'The referenceDepositID of the deposit', examples: [example.DEPOSIT_ID] }),
});
export const CreditCardQuery = Type.Object({
  showInactive: Type.Optional(Type.Boolean({ default: false, description: 'Show unregistered cards too', examples: [false] })),
});

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

export function creditCardView(row: CreditCardRow, accountNumber: string): CreditCardView {
  return {
    token: row.token,
    label: row.label,
    lastFourDigits: row.last_four,
    expirationDate: row.expiration,
    status: row.status,
    createdDate: iso(row.created_at),
    activationDate: iso(row.activated_at),
    customerIdentifier: row.customer_identifier,
    accountIdentifier: row.account_identifier,
    accountNumber,
    contactInformation: JSON.parse(row.contact_information) as CreditCardView['contactInformation'],
  };
}

export function creditCardDepositView(row: DepositRow, account: Pick<AccountRow, 'account_number'>): Static<typeof CreditCardDepositView> {
  return {
    referenceDepositID: row.deposit_id,
    accountNumber: account.account_number,
    amount: dollars(row.amount_cents),
    // Basis points to percent: 350 → 3.5, exact for any whole number of basis points up to two decimals.
    feePercent: row.fee_basis_points / 100,
    amountCharged: dollars(row.amount_cents + row.fee_cents),
    status: row.status,
    createdDate: iso(row.created_at),
  };
}
