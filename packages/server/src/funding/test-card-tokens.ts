import type { CardBrand } from './card-numbers.js';

/**
 * The sandbox's published test card tokens, after Stripe's (`tok_visa`, `tok_mastercard`: "Testing", test
 * tokens): a deposit may name one instead of the token POST /creditCards returned, so an account can be funded
 * with no card registered first — what lets the console's examples play from customer to order with Try it
 * alone. The first deposit of an account with one registers the sandbox test card it stands for to that account
 * (audited as any registration), under a token of the account's own, `tok_visa_{accountIdentifier}`: a card is
 * one account's, and each account has its own. Nothing is charged, as with every sandbox card.
 */
export interface TestCardToken {
  brand: CardBrand;
  lastFour: string;
  label: string;
}

const TEST_CARD_TOKENS: Readonly<Record<string, TestCardToken>> = {
  tok_visa: { brand: 'visa', lastFour: '1111', label: 'Sandbox test Visa (tok_visa)' },
  tok_mastercard: { brand: 'mastercard', lastFour: '4444', label: 'Sandbox test Mastercard (tok_mastercard)' },
};

/** The test card `token` stands for, or undefined when it is no test token. */
export function testCardToken(token: string): TestCardToken | undefined {
  return Object.hasOwn(TEST_CARD_TOKENS, token) ? TEST_CARD_TOKENS[token] : undefined;
}

/** The token under which an account's test card is registered: `tok_visa_a123456`. */
export function accountTestCardToken(token: string, accountIdentifier: string): string {
  return `${token}_${accountIdentifier}`;
}
