import seedCatalog from '../catalog/seed-catalog.json' with { type: 'json' };
import seedExchangeRates from '../catalog/seed-exchange-rates.json' with { type: 'json' };
import { futureExpiration } from '../funding/card-numbers.js';
import { accountTestCardToken } from '../funding/test-card-tokens.js';
import { rewardCredentials } from '../orders/reward-credentials.js';

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

/**
 * Funding (raas/funding.ts): register the sandbox's Visa test card to account a123456, fund the account with
 * $100.00 (3.5 % fee: $103.50 charged), read the deposit back, and unregister the card. The deposit names the
 * sandbox's test token tok_visa (funding/test-card-tokens.ts), not the registered card's token, which no example
 * can know before Try it: so customer → account → deposit → order play as they stand. That deposit registers the
 * account's test card under a token known in advance ({@link ACCOUNT_TEST_CARD_TOKEN}), which the examples that
 * read and unregister a card name, so they play too.
 */
export const CREDIT_CARD_TOKEN = '6c3f1e2a-9b4d-4f8e-a1c7-52d90e8b3f64';
export const DEPOSIT_ID = 'RA261128-482913-705118';
export const CONTACT_INFORMATION = [{ fullName: 'Alex Doe', emailAddress: 'billing@acme.example.com' }];
export const BILLING_ADDRESS = {
  firstName: 'Alex',
  lastName: 'Doe',
  addressLine1: '1 Main Street',
  addressLine2: 'Suite 100',
  city: 'Seattle',
  state: 'WA',
  postalCode: '98101',
  country: 'US',
  emailAddress: 'billing@acme.example.com',
} as const;
/** Years ahead of whenever the document is built (funding/card-numbers.ts): the sandbox takes any month not yet over. */
export const CARD_EXPIRATION = futureExpiration(Date.now());
export const CREDIT_CARD = { number: '4111111111111111', expiration: CARD_EXPIRATION, verificationNumber: '123' } as const;
export const CREATE_CREDIT_CARD = {
  customerIdentifier: CUSTOMER_IDENTIFIER,
  accountIdentifier: ACCOUNT_IDENTIFIER,
  label: 'Acme corporate Visa',
  ipAddress: '203.0.113.10',
  creditCard: CREDIT_CARD,
  billingAddress: BILLING_ADDRESS,
  contactInformation: CONTACT_INFORMATION,
} as const;
export const CREDIT_CARD_VIEW = {
  token: CREDIT_CARD_TOKEN,
  label: CREATE_CREDIT_CARD.label,
  lastFourDigits: '1111',
  expirationDate: CARD_EXPIRATION,
  status: STATUS,
  createdDate: CREATED_AT,
  activationDate: CREATED_AT,
  customerIdentifier: CUSTOMER_IDENTIFIER,
  accountIdentifier: ACCOUNT_IDENTIFIER,
  accountNumber: ACCOUNT_VIEW_SUMMARY.accountNumber,
  contactInformation: CONTACT_INFORMATION,
} as const;
export const CREATE_CREDIT_CARD_DEPOSIT = {
  customerIdentifier: CUSTOMER_IDENTIFIER,
  accountIdentifier: ACCOUNT_IDENTIFIER,
  creditCardToken: 'tok_visa',
  amount: 100,
} as const;
export const CREDIT_CARD_DEPOSIT_VIEW = {
  referenceDepositID: DEPOSIT_ID,
  accountNumber: ACCOUNT_VIEW_SUMMARY.accountNumber,
  amount: 100,
  feePercent: 3.5,
  amountCharged: 103.5,
  status: 'SUCCESS',
  createdDate: CREATED_AT,
} as const;
/** The token account a123456's test card is registered under by the deposit example: `tok_visa_a123456`. */
export const ACCOUNT_TEST_CARD_TOKEN = accountTestCardToken(CREATE_CREDIT_CARD_DEPOSIT.creditCardToken, ACCOUNT_IDENTIFIER);
export const CREATE_CREDIT_CARD_UNREGISTER = {
  customerIdentifier: CUSTOMER_IDENTIFIER,
  accountIdentifier: ACCOUNT_IDENTIFIER,
  creditCardToken: ACCOUNT_TEST_CARD_TOKEN,
} as const;
export const CREDIT_CARD_UNREGISTER_VIEW = {
  token: ACCOUNT_TEST_CARD_TOKEN,
  message: 'The credit card was unregistered',
  createdDate: CREATED_AT,
} as const;

/**
 * Email templates (raas/email-templates.ts): the first template of a platform is E000001, so creating this
 * one (for customer s123456, the default of account a123456) and then reading, changing and deleting
 * E000001 plays as it stands. The header image is a 1×1 PNG.
 */
export const ETID = 'E000001';
const HEADER_IMAGE_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
export const CREATE_EMAIL_TEMPLATE = {
  name: 'Acme thank-you',
  fromName: 'Acme Rewards',
  subject: 'A thank-you gift from Acme',
  headerImage: HEADER_IMAGE_PNG,
  headerImageAltText: 'Acme',
  accentColor: '#1A73E8',
  messageBody: 'Thank you for a great year. Please enjoy this gift with our compliments.',
  closing: 'Warm regards,\nThe Acme team',
  customerServiceMessage: 'Questions about your reward? Write to rewards@acme.example.com.',
  accessControl: [{ type: 'CUSTOMER', identifier: CUSTOMER_IDENTIFIER }],
  defaults: [{ type: 'ACCOUNT', identifier: ACCOUNT_IDENTIFIER }],
} as const;
export const EMAIL_TEMPLATE_VIEW = {
  etid: ETID,
  name: CREATE_EMAIL_TEMPLATE.name,
  fromName: CREATE_EMAIL_TEMPLATE.fromName,
  subject: CREATE_EMAIL_TEMPLATE.subject,
  headerImage: `data:image/png;base64,${HEADER_IMAGE_PNG}`,
  headerImageAltText: CREATE_EMAIL_TEMPLATE.headerImageAltText,
  accentColor: CREATE_EMAIL_TEMPLATE.accentColor,
  messageBody: CREATE_EMAIL_TEMPLATE.messageBody,
  closing: CREATE_EMAIL_TEMPLATE.closing,
  customerServiceMessage: CREATE_EMAIL_TEMPLATE.customerServiceMessage,
  accessControls: CREATE_EMAIL_TEMPLATE.accessControl,
  defaults: CREATE_EMAIL_TEMPLATE.defaults,
} as const;
export const UPDATE_EMAIL_TEMPLATE = { subject: 'Happy holidays from Acme', accentColor: '#C62828' } as const;
export const UPDATED_EMAIL_TEMPLATE_VIEW = { ...EMAIL_TEMPLATE_VIEW, ...UPDATE_EMAIL_TEMPLATE } as const;
export const EMAIL_TEMPLATE_LIST_VIEW = {
  emailTemplates: [EMAIL_TEMPLATE_VIEW],
  page: { elementsPerBlock: 10, number: 0, resultCount: 1, totalCount: 1 },
} as const;

/**
 * Catalogs and exchange rates (raas/catalogs.ts): the first brand of the seed catalog (Amazon.com, utid
 * U561593, any amount from $0.01 to $2,000) and the seed's rates, as GET /catalogs and GET /exchangerates
 * serve them with no TESSERA_CATALOG_FILE or TESSERA_EXCHANGE_RATES_FILE set.
 */
export const CATALOG_VIEW_VERBOSE = { catalogName: seedCatalog.catalogName, brands: [seedCatalog.brands[0]!] };
export const EXCHANGE_RATES = seedExchangeRates;

/**
 * Orders (raas/orders.ts): a $25.00 Amazon.com reward (U561593) from account a123456, which the deposit example
 * funded with $100.00, emailed to Jamie Lee with the account's default template (E000001 above). Its claim code
 * is the one the sandbox derives for this reference order id (orders/reward-credentials.ts).
 */
export const REFERENCE_ORDER_ID = 'RA261128-104729-553018';
export const CREATE_ORDER = {
  customerIdentifier: CUSTOMER_IDENTIFIER,
  accountIdentifier: ACCOUNT_IDENTIFIER,
  utid: 'U561593',
  amount: 25,
  sendEmail: true,
  recipient: { email: 'jamie.lee@example.com', firstName: 'Jamie', lastName: 'Lee' },
  sender: { email: 'rewards@acme.example.com', firstName: 'Acme', lastName: 'Rewards' },
  externalRefID: 'acme-2026-0001',
  message: 'Thank you for a great year!',
  notes: 'Year-end thank-you',
  emailSubject: 'A thank-you gift from Acme',
  campaign: 'year-end-2026',
} as const;
const ORDER_CREDENTIALS = rewardCredentials(REFERENCE_ORDER_ID, seedCatalog.brands[0]!.items[0]!.credentialTypes, Date.parse(CREATED_AT));
const ORDER_REWARD = {
  credentials: Object.fromEntries(ORDER_CREDENTIALS.map((c) => [c.label, c.value])),
  credentialList: ORDER_CREDENTIALS,
  redemptionInstructions: seedCatalog.brands[0]!.items[0]!.redemptionInstructions,
};
const ORDER_COMMON = {
  referenceOrderID: REFERENCE_ORDER_ID,
  customerIdentifier: CUSTOMER_IDENTIFIER,
  accountIdentifier: ACCOUNT_IDENTIFIER,
  amountCharged: { value: 25, currencyCode: 'USD', exchangeRate: 1, fee: 0, total: 25 },
  denomination: { value: 25, currencyCode: 'USD', exchangeRate: 1 },
  utid: CREATE_ORDER.utid,
  rewardName: seedCatalog.brands[0]!.items[0]!.rewardName,
  sendEmail: true,
  status: 'COMPLETE',
  campaign: CREATE_ORDER.campaign,
  emailSubject: CREATE_ORDER.emailSubject,
  message: CREATE_ORDER.message,
  recipient: CREATE_ORDER.recipient,
  sender: CREATE_ORDER.sender,
  createdAt: CREATED_AT,
};
export const ORDER_VIEW_SUMMARY = { ...ORDER_COMMON, externalRefID: CREATE_ORDER.externalRefID, reward: ORDER_REWARD, redemptionInstructions: ORDER_REWARD.redemptionInstructions };
const ORDER_LIST_ITEM = { ...ORDER_COMMON, accountNumber: ACCOUNT_VIEW_SUMMARY.accountNumber, etid: ETID, notes: CREATE_ORDER.notes, externalRefID: CREATE_ORDER.externalRefID };
export const ORDER_VIEW_VERBOSE = { ...ORDER_LIST_ITEM, reward: ORDER_REWARD };
export const ORDER_LIST_VIEW = { orders: [ORDER_LIST_ITEM], page: { elementsPerBlock: 10, number: 0, resultCount: 1, totalCount: 1 } };
export const ORDER_RESEND = { newEmail: 'jamie.lee@example.org' } as const;
export const RESEND_VIEW = { id: 1, email: ORDER_RESEND.newEmail, createdAt: CREATED_AT } as const;
