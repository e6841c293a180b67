import { describe, expect, it } from 'vitest';
import { expectTangoView, expectTangoViews, tangoViewProblems } from './tango-reference.js';

// The validator the RaaS suites lean on must itself catch what it is there to catch.
describe('the Tango reference validator', () => {
  const account = {
    accountIdentifier: 'acct-1',
    accountNumber: 'A11-111111-111111',
    displayName: 'Account One',
    currencyCode: 'USD',
    currentBalance: 0,
    createdAt: '2026-11-28T12:00:00.000Z',
    status: 'ACTIVE',
  };

  it('passes a view that conforms, alone and in a list', () => {
    expectTangoView(account, 'AccountView');
    expectTangoViews([account, { ...account, contactEmail: 'ops@acme.example' }], 'AccountView');
  });

  it('names each missing, extra or mistyped field, nested ones by their path', () => {
    const { currentBalance: _dropped, ...missing } = account;
    expect(tangoViewProblems({ ...missing, balance: 1, status: 7 }, 'AccountView')).toStrictEqual([
      'currentBalance is required but missing',
      "balance is not a field of the reference's view",
      'status must be string (got 7)',
    ]);
    expect(
      tangoViewProblems({ catalogName: 'c', brands: [{ brandKey: 'B1', items: [{ utid: 5 }] }] }, 'CatalogViewVerbose').filter((line) =>
        line.startsWith('brands[0].items[0].utid'),
      ),
    ).toStrictEqual(['brands[0].items[0].utid must be string (got 5)']);
    expect(tangoViewProblems({ brands: [], catalogName: 'c' }, 'CatalogViewVerbose')).toStrictEqual([]);
    expect(tangoViewProblems({}, 'AccountView', { list: true })).toStrictEqual(['(the body) must be array (got {})']);
  });

  it('refuses a definition the reference does not have', () => {
    expect(() => expectTangoView({}, 'AccountVeiw')).toThrow(/AccountVeiw is not a definition of the Tango reference; it has: AccountView, /);
  });
});
