import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import type { OrderDetail, OrderList, OrderSummary } from '../../src/api/types';
import { formatMinor } from '../../src/components/format';
import { instructionsText } from '../../src/pages/order-page';
import { draftToOrderFilters } from '../../src/pages/orders-page';
import { json } from '../support/fake-fetch';
import { adminSession, memberSession } from '../support/fixtures';
import { renderApp } from '../support/render-app';

const ID = 'RA261128-482913-705118';
const order: OrderSummary = {
  referenceOrderID: ID,
  externalRefID: 'ext-1',
  customerIdentifier: 'cust-1',
  accountIdentifier: 'acct-1',
  accountNumber: 'A12-345678-901234',
  utid: 'U561593',
  rewardName: 'Amazon.com Gift Card',
  brandName: 'Amazon.com',
  faceValueMinor: 2_500,
  faceValueCurrencyCode: 'USD',
  amountMinor: 2_500,
  feeMinor: 0,
  totalMinor: 2_500,
  currencyCode: 'USD',
  exchangeRate: '1',
  status: 'complete',
  sendEmail: true,
  recipientEmail: 'jamie@example.com',
  createdAt: '2026-11-28T12:00:00.000Z',
};
const uk: OrderSummary = {
  ...order,
  referenceOrderID: 'RA261127-000001-000002',
  externalRefID: null,
  utid: 'U139281',
  rewardName: 'Amazon.co.uk Gift Card',
  brandName: 'Amazon.co.uk',
  faceValueMinor: 1_000,
  faceValueCurrencyCode: 'GBP',
  amountMinor: 1_268,
  totalMinor: 1_268,
  exchangeRate: '1.268',
  createdAt: '2026-11-27T10:00:00.000Z',
};
const list = (orders: OrderSummary[], number = 0, totalCount = orders.length): OrderList => ({
  orders,
  page: { elementsPerBlock: 25, number, resultCount: orders.length, totalCount },
});
const ORDERS = '/portal/api/orders?page=0&elementsPerBlock=25';
const detail: OrderDetail = {
  order: {
    ...order,
    recipient: { email: 'jamie@example.com', firstName: 'Jamie', lastName: 'Lee' },
    sender: { email: null, firstName: null, lastName: null },
    message: 'Thank you!',
    notes: '',
    campaign: 'q4',
    emailSubject: 'You have received a reward: Amazon.com Gift Card',
    etid: '',
  },
  reward: {
    redemptionInstructions: 'Redeem at amazon.com/redeem.',
    credentials: [
      { label: 'Claim Code', type: 'text', credentialType: 'claimCode', masked: true, value: null, lastFour: 'WXYZ' },
      { label: 'PIN', type: 'text', credentialType: 'pin', masked: true, value: null, lastFour: null },
      { label: 'Redemption URL', type: 'url', credentialType: 'redemptionUrl', masked: false, value: 'https://rewards.sandbox.example/redeem/ABC', lastFour: null },
    ],
  },
};

describe('Orders', () => {
  test('tells a newcomer how orders appear when there is none: fund an account, then the RaaS API or the console', async () => {
    await renderApp('#/orders', { [`GET ${ORDERS}`]: json(200, list([])) }, memberSession);
    expect(await screen.findByText('No orders yet.')).toBeTruthy();
    expect(screen.getByText('POST /raas/v2/orders')).toBeTruthy();
    const main = within(screen.getByRole('main'));
    expect(main.getByRole('link', { name: 'Accounts' }).getAttribute('href')).toBe('#/accounts');
    expect(main.getByRole('link', { name: /API console/ }).getAttribute('href')).toBe('/console');
    expect(screen.getByRole('link', { name: 'Orders' }).getAttribute('aria-current')).toBe('page');
    await waitFor(() => expect(document.title).toBe('Orders · Tessera'));
  });

  test('lists orders: date, reference id (a link), account, customer, brand and item, amount with currency, status', async () => {
    await renderApp('#/orders', { [`GET ${ORDERS}`]: json(200, list([order, uk])) }, memberSession);
    const link = await screen.findByRole('link', { name: ID });
    expect(link.getAttribute('href')).toBe(`#/orders/${ID}`);
    const row = link.closest('tr') as HTMLElement;
    for (const text of ['ext-1', 'acct-1', 'cust-1', 'Amazon.com', '$25.00', 'Complete', '28 Nov 2026, 12:00']) expect(within(row).getByText(text)).toBeTruthy();
    const ukRow = screen.getByRole('link', { name: uk.referenceOrderID }).closest('tr') as HTMLElement;
    // The face value in pounds, and what the dollar account paid for it.
    expect(within(ukRow).getByText('£10.00')).toBeTruthy();
    expect(within(ukRow).getByText('$12.68 charged')).toBeTruthy();
    expect(screen.getByText('Orders 1–2 of 2')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Next' })).toBeNull();
  });

  test('filters with the RaaS names, from the first page, and says when nothing matches', async () => {
    const app = await renderApp(
      '#/orders',
      {
        [`GET ${ORDERS}`]: json(200, list([order])),
        'GET /portal/api/orders?accountIdentifier=acct-2&startDate=2026-11-01&endDate=2026-11-30&page=0&elementsPerBlock=25': json(200, list([])),
      },
      adminSession,
    );
    await screen.findByRole('link', { name: ID });
    await app.user.type(screen.getByLabelText('Account'), ' acct-2 ');
    await app.user.type(screen.getByLabelText('From (UTC)'), '2026-11-30');
    await app.user.type(screen.getByLabelText('To (UTC)'), '2026-11-01');
    await app.user.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(screen.getByRole('alert').textContent).toBe('"From" must not be after "To".');
    await app.user.clear(screen.getByLabelText('From (UTC)'));
    await app.user.type(screen.getByLabelText('From (UTC)'), '2026-11-01');
    await app.user.clear(screen.getByLabelText('To (UTC)'));
    await app.user.type(screen.getByLabelText('To (UTC)'), '2026-11-30');
    await app.user.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(await screen.findByText('No orders match these filters.')).toBeTruthy();
    expect(app.requests().at(-1)).toBe('GET /portal/api/orders?accountIdentifier=acct-2&startDate=2026-11-01&endDate=2026-11-30&page=0&elementsPerBlock=25');
  });

  test('pages with Previous and Next', async () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ ...order, referenceOrderID: `RA261128-000000-${String(i).padStart(6, '0')}` }));
    const app = await renderApp(
      '#/orders',
      {
        [`GET ${ORDERS}`]: json(200, list(many, 0, 26)),
        'GET /portal/api/orders?page=1&elementsPerBlock=25': json(200, list([uk], 1, 26)),
      },
      memberSession,
    );
    expect(await screen.findByText('Orders 1–25 of 26')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Previous' }) as HTMLButtonElement).disabled).toBe(true);
    await app.user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('Orders 26–26 of 26')).toBeTruthy();
    expect(screen.getByRole('link', { name: uk.referenceOrderID })).toBeTruthy();
  });

  test('reads the filters a person typed', () => {
    expect(draftToOrderFilters({ accountIdentifier: ' acct-1 ', customerIdentifier: '', externalRefID: 'ext-1', startDate: '', endDate: '2026-11-30' })).toStrictEqual({
      filters: { accountIdentifier: 'acct-1', externalRefID: 'ext-1', endDate: '2026-11-30' },
    });
    expect(formatMinor(1_500, 'JPY')).toBe('¥1,500');
    expect(formatMinor(1_268, 'USD')).toBe('$12.68');
  });

  test('reads a catalog’s HTML instructions as text, its paragraphs as lines, never as markup', () => {
    expect(instructionsText('<p>Show the barcode.</p><p>Or enter the <b>PIN</b> &amp; number<br>online.</p><img src=x onerror="alert(1)">')).toBe(
      'Show the barcode.\nOr enter the PIN & number\nonline.',
    );
  });

  test('shows a member an order with its reward masked, the redemption URL and instructions, and no Resend or Reveal', async () => {
    await renderApp(`#/orders/${ID}`, { [`GET /portal/api/orders/${ID}`]: json(200, detail) }, memberSession);
    // The heading shows while the order loads; the reward's codes only once it has.
    expect(screen.getByRole('heading', { level: 1, name: ID })).toBeTruthy();
    expect((await screen.findByLabelText('Hidden Claim Code')).textContent).toBe('•••• WXYZ');
    expect(screen.getByLabelText('Hidden PIN').textContent).toBe('••••••');
    expect(screen.getByRole('link', { name: 'https://rewards.sandbox.example/redeem/ABC' }).getAttribute('rel')).toBe('noopener noreferrer');
    expect(screen.getByText('Redeem at amazon.com/redeem.')).toBeTruthy();
    expect(screen.getByRole('note').textContent).toBe("You are a member of this team: only an admin can reveal a reward's codes or resend it.");
    for (const name of ['Resend', 'Reveal codes']) expect(screen.queryByRole('button', { name })).toBeNull();
  });

  test('an admin reveals the codes (after confirming the password when asked) and hides them again', async () => {
    let reveals = 0;
    const app = await renderApp(
      `#/orders/${ID}`,
      {
        [`GET /portal/api/orders/${ID}`]: json(200, detail),
        [`POST /portal/api/orders/${ID}/reward/reveal`]: () =>
          reveals++ === 0
            ? json(403, { error: 'reauthentication_required', message: 'Enter your password again to continue' })
            : json(200, {
                referenceOrderID: ID,
                credentials: [
                  { label: 'Claim Code', type: 'text', credentialType: 'claimCode', value: 'ABCD-EFGHJK-WXYZ' },
                  { label: 'PIN', type: 'text', credentialType: 'pin', value: '4821' },
                ],
              }),
        'POST /portal/api/session/reauth': json(200, adminSession),
      },
      adminSession,
    );
    await app.user.click(await screen.findByRole('button', { name: 'Reveal codes' }));
    const reauth = await screen.findByRole('dialog', { name: "Confirm it's you" });
    await app.user.type(within(reauth).getByLabelText('Password'), 'correct horse battery staple');
    await app.user.click(within(reauth).getByRole('button', { name: 'Continue' }));
    expect(await screen.findByText('ABCD-EFGHJK-WXYZ')).toBeTruthy();
    expect(screen.getByText('4821')).toBeTruthy();
    expect(screen.getByText('The reward codes are shown. Revealing them is recorded in the Audit Log.').closest('[role="status"]')?.getAttribute('aria-live')).toBe('polite');
    await app.user.click(screen.getByRole('button', { name: 'Hide codes' }));
    expect(screen.queryByText('ABCD-EFGHJK-WXYZ')).toBeNull();
    expect(screen.getByLabelText('Hidden Claim Code')).toBeTruthy();
  });

  test('an admin resends to the recipient, or elsewhere; the page announces it politely', async () => {
    const app = await renderApp(
      `#/orders/${ID}`,
      {
        [`GET /portal/api/orders/${ID}`]: json(200, detail),
        [`POST /portal/api/orders/${ID}/resends`]: (call) => json(201, { id: 1, email: (call.body as { newEmail?: string }).newEmail ?? 'jamie@example.com', createdAt: '2026-11-28T12:00:00.000Z' }),
      },
      adminSession,
    );
    await app.user.click(await screen.findByRole('button', { name: 'Resend' }));
    let dialog = screen.getByRole('dialog', { name: 'Resend this reward?' });
    expect((within(dialog).getByLabelText('Send to') as HTMLInputElement).value).toBe('jamie@example.com');
    await app.user.click(within(dialog).getByRole('button', { name: 'Resend' }));
    const notice = await screen.findByText(`The reward of ${ID} was resent to jamie@example.com.`);
    expect(notice.closest('[role="status"]')?.getAttribute('aria-live')).toBe('polite');
    expect(app.calls.filter((c) => c.method === 'POST').map((c) => c.body)).toStrictEqual([{}]);

    await app.user.click(screen.getByRole('button', { name: 'Resend' }));
    dialog = screen.getByRole('dialog', { name: 'Resend this reward?' });
    await app.user.clear(within(dialog).getByLabelText('Send to'));
    await app.user.type(within(dialog).getByLabelText('Send to'), 'lee');
    await app.user.click(within(dialog).getByRole('button', { name: 'Resend' }));
    expect(within(dialog).getByRole('alert').textContent).toBe('Enter the email address to send the reward to, like name@example.com.');
    await app.user.type(within(dialog).getByLabelText('Send to'), '@example.com');
    await app.user.click(within(dialog).getByRole('button', { name: 'Resend' }));
    expect(await screen.findByText(`The reward of ${ID} was resent to lee@example.com.`)).toBeTruthy();
    expect(app.calls.filter((c) => c.method === 'POST').at(-1)?.body).toStrictEqual({ newEmail: 'lee@example.com' });
    expect(app.calls.filter((c) => c.method === 'POST').at(-1)?.headers['x-csrf-token']).toBe('csrf-token-1');
  });

  test('says an order that is not there in plain words', async () => {
    await renderApp(`#/orders/${ID}`, { [`GET /portal/api/orders/${ID}`]: json(404, { error: 'not_found', message: `Order ${ID} was not found` }) }, memberSession);
    expect((await screen.findByRole('alert')).textContent).toBe(`Order ${ID} was not found`);
  });
});
