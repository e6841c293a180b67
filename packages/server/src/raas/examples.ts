/**
 * The example values of the RaaS API in the OpenAPI document, in Tango's style (customer `s123456`,
 * account `a123456`). The console fills its forms with them, so each is valid under the rules of
 * views.ts and they make one story that Try it plays as it stands: create the customer, then its
 * account, then read them back. Without them Swagger UI would invent strings from the patterns.
 */

export const CUSTOMER_IDENTIFIER = 's123456';
export const ACCOUNT_IDENTIFIER = 'a123456';

export const CREATE_CUSTOMER = { customerIdentifier: CUSTOMER_IDENTIFIER, displayName: 'Acme Rewards' } as const;
export const CREATE_ACCOUNT = { accountIdentifier: ACCOUNT_IDENTIFIER, displayName: 'Acme Rewards Account', contactEmail: 'rewards@acme.example.com' } as const;

const CREATED_AT = '2026-11-28T12:00:00.000Z';
const STATUS = 'ACTIVE';

export const CUSTOMER_VIEW_NEW = { ...CREATE_CUSTOMER, status: STATUS, createdAt: CREATED_AT } as const;

export const ACCOUNT_VIEW_SUMMARY = {
  accountIdentifier: ACCOUNT_IDENTIFIER,
  accountNumber: 'A32-649183-270514',
  displayName: CREATE_ACCOUNT.displayName,
  createdAt: CREATED_AT,
  status: STATUS,
} as const;

export const ACCOUNT_VIEW = { ...ACCOUNT_VIEW_SUMMARY, currencyCode: 'USD', currentBalance: 0, contactEmail: CREATE_ACCOUNT.contactEmail } as const;

export const CUSTOMER_VIEW_SUMMARY = { ...CUSTOMER_VIEW_NEW, accounts: [ACCOUNT_VIEW_SUMMARY] } as const;

/** A request with a RaaS API key (HTTP Basic) of the platform acme. */
export const WHOAMI = { platformName: 'acme', credentialType: 'api_key', credentialId: 'key_2bQk7RmX9sTf4VwN8cLp3J' } as const;

export const STATUS_OK = { status: 'ok' } as const;
