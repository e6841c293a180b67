import { Type, type Static } from 'typebox';
import type { AccountRow, CustomerRow } from '../store/customers.js';
import * as example from './examples.js';

/**
 * Request criteria and response views of Tango's RaaS v2 (the console's swagger.json): the same names
 * and fields, so code written against Tango runs here unchanged. Response schemas also make sure
 * nothing but these fields ever leaves.
 */

/** Tango: "This identifier needs to be lowercase if alphabetic characters are used." */
const IDENTIFIER_PATTERN = '^[a-z0-9][a-z0-9._-]*$';
/**
 * Free text: any character but NUL, which PostgreSQL cannot store in text, and unpaired surrogates,
 * which are not Unicode. Written to mean the same with or without the regular expression's `u` flag.
 */
export const TEXT_PATTERN = '^(?:[^\\u0000\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*$';

/** A card's expiration, Tango's YYYY-MM (raas/funding-views.ts). */
export const YEAR_MONTH_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])$';
/** A card's security code: CVV2, CVC2 or CID, 3 or 4 digits (raas/funding-views.ts). */
export const SECURITY_CODE_PATTERN = '^[0-9]{3,4}$';

/** What each pattern means, for the field errors of a request that breaks it. */
export const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  [IDENTIFIER_PATTERN]: 'must use only lowercase letters, digits, ".", "_" and "-", and start with a letter or a digit',
  [TEXT_PATTERN]: 'must not contain NUL characters or unpaired surrogates',
  [YEAR_MONTH_PATTERN]: 'must be a year and month as YYYY-MM',
  [SECURITY_CODE_PATTERN]: 'must be 3 or 4 digits',
};

export const IDENTIFIER_RULE = { minLength: 1, maxLength: 100, pattern: IDENTIFIER_PATTERN };
const DISPLAY_NAME_RULE = { minLength: 1, maxLength: 100, pattern: TEXT_PATTERN };

export const CreateCustomerCriteria = Type.Object(
  {
    customerIdentifier: Type.String({
      ...IDENTIFIER_RULE,
      description: 'An identifier for this customer: lowercase letters, digits, ".", "_" and "-"',
      examples: [example.CREATE_CUSTOMER.customerIdentifier],
    }),
    displayName: Type.String({ ...DISPLAY_NAME_RULE, description: 'A friendly name for this customer', examples: [example.CREATE_CUSTOMER.displayName] }),
  },
  { $id: 'CreateCustomerCriteria', examples: [example.CREATE_CUSTOMER] },
);
export type CreateCustomerCriteria = Static<typeof CreateCustomerCriteria>;

export const CreateAccountCriteria = Type.Object(
  {
    accountIdentifier: Type.String({
      ...IDENTIFIER_RULE,
      description: 'An identifier for this account: lowercase letters, digits, ".", "_" and "-"',
      examples: [example.CREATE_ACCOUNT.accountIdentifier],
    }),
    displayName: Type.String({ ...DISPLAY_NAME_RULE, description: 'A friendly name for this account', examples: [example.CREATE_ACCOUNT.displayName] }),
    contactEmail: Type.String({
      maxLength: 254,
      format: 'email',
      pattern: TEXT_PATTERN,
      description: "The email address of the account's representative",
      examples: [example.CREATE_ACCOUNT.contactEmail],
    }),
  },
  { $id: 'CreateAccountCriteria', examples: [example.CREATE_ACCOUNT] },
);
export type CreateAccountCriteria = Static<typeof CreateAccountCriteria>;

export const AccountViewSummary = Type.Object(
  {
    accountIdentifier: Type.String(),
    accountNumber: Type.String(),
    displayName: Type.String(),
    createdAt: Type.String(),
    status: Type.String(),
  },
  { $id: 'AccountViewSummary', examples: [example.ACCOUNT_VIEW_SUMMARY] },
);

export const AccountView = Type.Object(
  {
    accountIdentifier: Type.String(),
    accountNumber: Type.String(),
    displayName: Type.String(),
    currencyCode: Type.String(),
    currentBalance: Type.Number(),
    createdAt: Type.String(),
    status: Type.String(),
    contactEmail: Type.String(),
  },
  { $id: 'AccountView', examples: [example.ACCOUNT_VIEW] },
);
export type AccountView = Static<typeof AccountView>;

export const CustomerViewNew = Type.Object(
  {
    customerIdentifier: Type.String(),
    displayName: Type.String(),
    status: Type.String(),
    createdAt: Type.String(),
  },
  { $id: 'CustomerViewNew', examples: [example.CUSTOMER_VIEW_NEW] },
);

export const CustomerViewSummary = Type.Object(
  {
    customerIdentifier: Type.String(),
    displayName: Type.String(),
    status: Type.String(),
    createdAt: Type.String(),
    accounts: Type.Array(AccountViewSummary),
  },
  { $id: 'CustomerViewSummary', examples: [example.CUSTOMER_VIEW_SUMMARY] },
);
export type CustomerViewSummary = Static<typeof CustomerViewSummary>;

/** Path identifiers follow the rule of the bodies that create them: anything else can never exist (400). */
export const CustomerParams = Type.Object({
  customerIdentifier: Type.String({ ...IDENTIFIER_RULE, description: "The customer's identifier", examples: [example.CUSTOMER_IDENTIFIER] }),
});
export const AccountParams = Type.Object({
  accountIdentifier: Type.String({ ...IDENTIFIER_RULE, description: "The account's identifier", examples: [example.ACCOUNT_IDENTIFIER] }),
});

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

export function customerViewNew(row: CustomerRow): Static<typeof CustomerViewNew> {
  return { customerIdentifier: row.customer_identifier, displayName: row.display_name, status: row.status, createdAt: iso(row.created_at) };
}

export function customerViewSummary(row: CustomerRow, accounts: AccountRow[]): CustomerViewSummary {
  return { ...customerViewNew(row), accounts: accounts.map(accountViewSummary) };
}

export function accountViewSummary(row: AccountRow): Static<typeof AccountViewSummary> {
  return {
    accountIdentifier: row.account_identifier,
    accountNumber: row.account_number,
    displayName: row.display_name,
    createdAt: iso(row.created_at),
    status: row.status,
  };
}

export function accountView(row: AccountRow): AccountView {
  return {
    accountIdentifier: row.account_identifier,
    accountNumber: row.account_number,
    displayName: row.display_name,
    currencyCode: row.currency_code,
    currentBalance: row.balance_cents / 100,
    createdAt: iso(row.created_at),
    status: row.status,
    contactEmail: row.contact_email,
  };
}
