import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import type { AccountDetail, AccountList, CardView, DepositView } from '../../src/api/types';
import { parseMoney } from '../../src/components/format';
import { json } from '../support/fake-fetch';
import { adminSession, memberSession } from '../support/fixtures';
import { renderApp } from '../support/render-app';

const account = {
  accountIdentifier: 'acct-1',
  accountNumber: 'A12345678',
  displayName: 'Rewards budget',
  currencyCode: 'USD',
  balanceCents: 10_017,
  status: 'active',
  createdAt: '2026-11-28T12:00:00.000Z',
};
const list: AccountList = {
  customers: [
    { customerIdentifier: 'cust-1', displayName: 'Acme Rewards', status: 'active', createdAt: '2026-11-28T12:00:00.000Z', accounts: [account] },
    { customerIdentifier: 'cust-2', displayName: 'No Accounts Inc', status: 'active', createdAt: '2026-11-28T12:00:00.000Z', accounts: [] },
  ],
};
const visa: CardView = {
  token: '6f1c2d3e-4a5b-4c6d-8e7f-001122334455',
  label: 'Finance card',
  brand: 'visa',
  lastFour: '1111',
  expiration: '2030-12',
  status: 'active',
  createdAt: '2026-11-28T12:00:00.000Z',
  unregisteredAt: null,
};
const deposit: DepositView = {
  id: 'RA261128-123456-654321',
  cardToken: visa.token,
  cardLastFour: '1111',
  cardBrand: 'visa',
  amountCents: 10_010,
  feeCents: 350,
  feePercent: 3.5,
  amountChargedCents: 10_360,
  status: 'success',
  createdAt: '2026-11-28T12:00:00.000Z',
};
const detail = (overrides: Partial<AccountDetail> = {}): AccountDetail => ({
  account: { ...account, contactEmail: 'ops@acme.example', customerIdentifier: 'cust-1', customerDisplayName: 'Acme Rewards' },
  cards: [visa],
  deposits: [deposit],
  ...overrides,
});

describe('Accounts', () => {
  test('says how to create a customer and an account when there is none (the RaaS API or the console)', async () => {
    await renderApp('#/accounts', { 'GET /portal/api/accounts': json(200, { customers: [] }) }, memberSession);
    expect(await screen.findByText('No customers or accounts yet.')).toBeTruthy();
    expect(screen.getByText('POST /raas/v2/customers')).toBeTruthy();
    expect(within(screen.getByRole('main')).getByRole('link', { name: /API console/ }).getAttribute('href')).toBe('/console');
    expect(screen.getByRole('link', { name: 'Accounts' }).getAttribute('aria-current')).toBe('page');
    await waitFor(() => expect(document.title).toBe('Accounts · Tessera'));
  });

  test('lists customers and their accounts with balances, each account a link to its page', async () => {
    await renderApp('#/accounts', { 'GET /portal/api/accounts': json(200, list) }, memberSession);
    const link = await screen.findByRole('link', { name: 'Rewards budget' });
    expect(link.getAttribute('href')).toBe('#/accounts/acct-1');
    const row = link.closest('tr') as HTMLElement;
    expect(within(row).getByText('$100.17')).toBeTruthy();
    expect(within(row).getByText('Acme Rewards')).toBeTruthy();
    expect(within(screen.getByText('No Accounts Inc').closest('tr') as HTMLElement).getByText('No accounts yet')).toBeTruthy();
    expect(screen.getByText('2 customers, 1 account')).toBeTruthy();
  });

  test('shows a member the balance, deposits and cards, and no button that changes money', async () => {
    await renderApp('#/accounts/acct-1', { 'GET /portal/api/accounts/acct-1': json(200, detail()) }, memberSession);
    expect(await screen.findByRole('heading', { level: 1, name: 'Rewards budget' })).toBeTruthy();
    expect(screen.getByText('$100.17')).toBeTruthy();
    const depositRow = screen.getByText(deposit.id).closest('tr') as HTMLElement;
    for (const text of ['$100.10', '$3.50', '$103.60', 'Visa •••• 1111']) expect(within(depositRow).getByText(text)).toBeTruthy();
    expect(screen.getByText('Finance card')).toBeTruthy();
    expect(screen.getByRole('note').textContent).toBe('You are a member of this team: only an admin can register cards or make deposits.');
    for (const name of ['Register card', 'Deposit', 'Unregister']) expect(screen.queryByRole('button', { name })).toBeNull();
  });

  test('an admin registers a card: the number goes once to the server, the page says so politely and never shows it', async () => {
    const app = await renderApp(
      '#/accounts/acct-1',
      {
        'GET /portal/api/accounts/acct-1': json(200, detail({ cards: [], deposits: [] })),
        'POST /portal/api/accounts/acct-1/cards': json(201, visa),
      },
      adminSession,
    );
    await screen.findByText('No cards registered.');
    expect((screen.getByRole('button', { name: 'Deposit' }) as HTMLButtonElement).disabled).toBe(true);
    await app.user.click(screen.getByRole('button', { name: 'Register card' }));
    const dialog = screen.getByRole('dialog', { name: 'Register a credit card' });
    expect(within(dialog).getByText(/4111 1111 1111 1111 \(Visa\) and 5555 5555 5555 4444 \(Mastercard\) succeed; 4000 0000 0000 0002 is declined/)).toBeTruthy();
    await app.user.type(within(dialog).getByLabelText('Label'), 'Finance card');
    await app.user.type(within(dialog).getByLabelText('Card number'), '4111 1111 1111 1111');
    await app.user.type(within(dialog).getByLabelText('Expires (YYYY-MM)'), '2030-12');
    await app.user.type(within(dialog).getByLabelText('Security code'), '123');
    await app.user.click(within(dialog).getByRole('button', { name: 'Register card' }));

    const notice = await screen.findByText('Visa •••• 1111 is registered: it can fund deposits now.');
    expect(notice.closest('[role="status"]')?.getAttribute('aria-live')).toBe('polite');
    const sent = app.calls.find((c) => c.method === 'POST');
    expect(sent).toMatchObject({
      url: '/portal/api/accounts/acct-1/cards',
      headers: { 'x-csrf-token': 'csrf-token-1' },
      body: { label: 'Finance card', cardNumber: '4111 1111 1111 1111', expiration: '2030-12', securityCode: '123' },
    });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.body.textContent).not.toContain('4111 1111 1111 1111');
  });

  test('a declined card is said in plain words in the form, which stays open', async () => {
    const app = await renderApp(
      '#/accounts/acct-1',
      {
        'GET /portal/api/accounts/acct-1': json(200, detail()),
        'POST /portal/api/accounts/acct-1/cards': json(402, { error: 'declined', message: 'The credit card was declined by its issuer' }),
      },
      adminSession,
    );
    await screen.findByText('Finance card');
    await app.user.click(screen.getByRole('button', { name: 'Register card' }));
    const dialog = screen.getByRole('dialog', { name: 'Register a credit card' });
    await app.user.click(within(dialog).getByRole('button', { name: 'Register card' }));
    expect(within(dialog).getByRole('alert').textContent).toBe('Enter a label, so your team can tell this card apart.');
    await app.user.type(within(dialog).getByLabelText('Label'), 'Backup');
    await app.user.type(within(dialog).getByLabelText('Card number'), '4000000000000002');
    await app.user.type(within(dialog).getByLabelText('Expires (YYYY-MM)'), '2030-12');
    await app.user.type(within(dialog).getByLabelText('Security code'), '123');
    await app.user.click(within(dialog).getByRole('button', { name: 'Register card' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('The credit card was declined by its issuer. Try another card.');
  });

  test('an admin deposits: dollars typed are sent as exact cents, and the new balance is announced', async () => {
    let reads = 0;
    const app = await renderApp(
      '#/accounts/acct-1',
      {
        'GET /portal/api/accounts/acct-1': () => json(200, reads++ === 0 ? detail() : detail({ account: { ...detail().account, balanceCents: 20_027 } })),
        'POST /portal/api/accounts/acct-1/deposits': json(201, { deposit, account: { ...account, balanceCents: 20_027 } }),
      },
      adminSession,
    );
    await screen.findByText('Finance card');
    await app.user.click(screen.getByRole('button', { name: 'Deposit' }));
    const dialog = screen.getByRole('dialog', { name: 'Deposit to this account' });
    await app.user.type(within(dialog).getByLabelText('Amount (USD)'), 'ten');
    await app.user.click(within(dialog).getByRole('button', { name: 'Deposit' }));
    expect(within(dialog).getByRole('alert').textContent).toBe('Enter an amount in dollars, like 100 or 25.50.');
    await app.user.clear(within(dialog).getByLabelText('Amount (USD)'));
    await app.user.type(within(dialog).getByLabelText('Amount (USD)'), '100.10');
    await app.user.click(within(dialog).getByRole('button', { name: 'Deposit' }));
    expect(await screen.findByText('Deposited $100.10 to Rewards budget: the balance is now $200.27 ($103.60 charged to Visa •••• 1111).')).toBeTruthy();
    expect(app.calls.find((c) => c.method === 'POST')?.body).toStrictEqual({ creditCardToken: visa.token, amountCents: 10_010 });
    expect(screen.getByText('$200.27')).toBeTruthy();
  });

  test('reads dollars as exact cents, or not at all', () => {
    expect([parseMoney('100'), parseMoney('0.07'), parseMoney('25.5'), parseMoney('$1,000.01'), parseMoney('1.005'), parseMoney('-1'), parseMoney('')]).toStrictEqual([
      10_000, 7, 2_550, 100_001, null, null, null,
    ]);
  });
});
