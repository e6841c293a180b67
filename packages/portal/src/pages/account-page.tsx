import { useCallback, useState } from 'react';
import { errorMessage, isApiError } from '../api/api-error';
import type { AccountDetail, CardView } from '../api/types';
import { isAdmin, usePortal, useSession } from '../session/portal-context';
import { useReauth } from '../session/reauth';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useResource } from '../hooks/use-resource';
import { useSubmit } from '../hooks/use-submit';
import { ActionNotice } from '../components/action-notice';
import { Button } from '../components/button';
import { ConfirmDialog, type Confirmation } from '../components/confirm-dialog';
import { ActionsCell, DataTable } from '../components/data-table';
import { DateTime } from '../components/date-time';
import { EmptyState } from '../components/empty-state';
import { FormDialog } from '../components/form-dialog';
import { FormError } from '../components/form-error';
import { cardName, formatMoney, parseMoney } from '../components/format';
import { CardIcon, ListIcon, PlusIcon } from '../components/icons';
import { ListCard } from '../components/list-card';
import { Loading } from '../components/loading';
import { PageHeader } from '../components/page-header';
import { StatusBadge } from '../components/status-badge';

/** The sandbox's test cards (README, "Test cards"), hinted where a card is entered. */
const TEST_CARDS_HINT =
  'Sandbox test cards: 4111 1111 1111 1111 (Visa) and 5555 5555 5555 4444 (Mastercard) succeed; 4000 0000 0000 0002 is declined. Any future expiry and any 3 digits will do.';

/** A declined card, in plain words, with what to do next. */
const describeFunding = (caught: unknown): string =>
  isApiError(caught, 'declined') ? `${errorMessage(caught)}. Try another card.` : errorMessage(caught);

function AccountsBreadcrumb() {
  return (
    <>
      <a href="#/accounts">Accounts</a>
      <span aria-hidden="true"> / </span>
    </>
  );
}

/** One account: its balance, deposits and cards; an admin registers and unregisters cards and deposits. */
export function AccountPage({ accountIdentifier }: { accountIdentifier: string }) {
  const { api } = usePortal();
  const admin = isAdmin(useSession());
  const load = useCallback(() => api.account(accountIdentifier), [api, accountIdentifier]);
  const detail = useResource(load);
  const [dialog, setDialog] = useState<'card' | 'deposit' | null>(null);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  // What the last action did (a card registered, a deposit), said in the polite live region.
  const [notice, setNotice] = useState<string | null>(null);
  const data = detail.data;
  useDocumentTitle(data ? `${data.account.displayName} · Accounts` : 'Account');

  const activeCards = data?.cards.filter((card) => card.status === 'active') ?? [];
  const openDialog = (which: 'card' | 'deposit') => {
    setNotice(null);
    setDialog(which);
  };

  const askUnregister = (card: CardView) => {
    setNotice(null);
    setConfirmation({
      title: 'Unregister this card?',
      body: (
        <p>
          {cardName(card.brand, card.lastFour)} ({card.label}) can no longer fund this account. Deposits already made stay. To fund from
          it again, register it again.
        </p>
      ),
      confirmLabel: 'Unregister',
      danger: true,
      run: async () => {
        await api.unregisterCard(accountIdentifier, card.token);
        await detail.reload();
        setNotice(`${cardName(card.brand, card.lastFour)} is unregistered: it funds this account no more.`);
      },
    });
  };

  if (data === null) {
    return (
      <>
        <PageHeader breadcrumb={<AccountsBreadcrumb />} title={accountIdentifier} />
        {detail.error ? <FormError message={detail.error} /> : <Loading />}
      </>
    );
  }

  const { account } = data;
  const money = (cents: number) => formatMoney(cents, account.currencyCode);

  return (
    <>
      <PageHeader
        breadcrumb={<AccountsBreadcrumb />}
        title={account.displayName}
        description={
          <>
            Account <code className="mono">{account.accountIdentifier}</code> of {account.customerDisplayName} (
            <code className="mono">{account.customerIdentifier}</code>)
          </>
        }
        actions={
          admin && (
            <div className="button-row">
              <Button variant="secondary" icon={<CardIcon />} onClick={() => openDialog('card')}>
                Register card
              </Button>
              <Button
                icon={<PlusIcon />}
                onClick={() => openDialog('deposit')}
                disabled={activeCards.length === 0}
                title={activeCards.length === 0 ? 'Register a card first: deposits are charged to one' : undefined}
              >
                Deposit
              </Button>
            </div>
          )
        }
      />
      {!admin && (
        <p className="callout" role="note">
          You are a member of this team: only an admin can register cards or make deposits.
        </p>
      )}
      <section className="card card-padded balance-card" aria-labelledby="balance-heading">
        <h2 id="balance-heading" className="label-heading">
          Balance
        </h2>
        <p className="balance">{money(account.balanceCents)}</p>
        <dl className="balance-facts">
          <div>
            <dt>Account number</dt>
            <dd><code className="mono">{account.accountNumber}</code></dd>
          </div>
          <div>
            <dt>Currency</dt>
            <dd>{account.currencyCode}</dd>
          </div>
          <div>
            <dt>Contact</dt>
            <dd>{account.contactEmail}</dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd><StatusBadge status={account.status} /></dd>
          </div>
        </dl>
        <ActionNotice message={notice} />
        <FormError message={detail.error} />
      </section>
      <ListCard
        headingId="deposits-heading"
        title="Deposits"
        data={data}
        isEmpty={(d) => d.deposits.length === 0}
        empty={
          <EmptyState icon={<ListIcon size={24} />} title="No deposits yet.">
            {admin
              ? 'Register a card, then press Deposit: the amount is added to the balance, and a 3.5 % card fee is charged on top.'
              : 'An admin can fund this account from a registered card.'}
          </EmptyState>
        }
      >
        {(d) => (
          <DataTable columns={['Date', 'Card', 'Amount', 'Fee', 'Charged', 'Status']}>
            {d.deposits.map((deposit) => (
              <tr key={deposit.id}>
                <td data-label="Date" className="cell-block">
                  <DateTime iso={deposit.createdAt} />
                  <code className="mono key-id">{deposit.id}</code>
                </td>
                <td data-label="Card">{cardName(deposit.cardBrand, deposit.cardLastFour)}</td>
                <td data-label="Amount" className="money">{money(deposit.amountCents)}</td>
                <td data-label="Fee" className="money">
                  {money(deposit.feeCents)} <span className="muted">({deposit.feePercent} %)</span>
                </td>
                <td data-label="Charged" className="money">{money(deposit.amountChargedCents)}</td>
                <td data-label="Status"><StatusBadge status={deposit.status} /></td>
              </tr>
            ))}
          </DataTable>
        )}
      </ListCard>
      <ListCard
        headingId="cards-heading"
        title="Credit cards"
        data={data}
        summary={<span className="muted">{activeCards.length} active</span>}
        isEmpty={(d) => d.cards.length === 0}
        empty={
          <EmptyState icon={<CardIcon size={24} />} title="No cards registered.">
            {admin ? 'Register a card to fund this account: only its last four digits are kept.' : 'An admin can register a card to fund this account.'}
          </EmptyState>
        }
      >
        {(d) => (
          <DataTable columns={['Card', 'Expires', 'Registered', 'Status']} actions={admin}>
            {d.cards.map((card) => (
              <tr key={card.token}>
                <td data-label="Card">
                  <span className="stacked">
                    <span className="stacked-title">{cardName(card.brand, card.lastFour)}</span>
                    <span className="muted">{card.label}</span>
                  </span>
                </td>
                <td data-label="Expires">{card.expiration}</td>
                <td data-label="Registered"><DateTime iso={card.createdAt} dateOnly /></td>
                <td data-label="Status">
                  <StatusBadge status={card.status === 'active' ? 'active' : 'unregistered'} />
                </td>
                {admin && (
                  <ActionsCell>
                    {card.status === 'active' && (
                      <Button size="small" variant="secondary" onClick={() => askUnregister(card)}>
                        Unregister
                      </Button>
                    )}
                  </ActionsCell>
                )}
              </tr>
            ))}
          </DataTable>
        )}
      </ListCard>
      {confirmation && <ConfirmDialog confirmation={confirmation} onClose={() => setConfirmation(null)} />}
      {dialog === 'card' && (
        <RegisterCardDialog
          accountIdentifier={accountIdentifier}
          onClose={() => setDialog(null)}
          onRegistered={async (card) => {
            setDialog(null);
            await detail.reload();
            setNotice(`${cardName(card.brand, card.lastFour)} is registered: it can fund deposits now.`);
          }}
        />
      )}
      {dialog === 'deposit' && (
        <DepositDialog
          detail={data}
          cards={activeCards}
          onClose={() => setDialog(null)}
          onDeposited={async (message) => {
            setDialog(null);
            await detail.reload();
            setNotice(message);
          }}
        />
      )}
    </>
  );
}

/** Label, number, expiry and security code; the number is sent once and forgotten with the dialog. */
function RegisterCardDialog({
  accountIdentifier,
  onClose,
  onRegistered,
}: {
  accountIdentifier: string;
  onClose: () => void;
  onRegistered: (card: CardView) => Promise<void>;
}) {
  const { api } = usePortal();
  const withReauth = useReauth();
  const [label, setLabel] = useState('');
  const [cardNumber, setCardNumber] = useState('');
  const [expiration, setExpiration] = useState('');
  const [securityCode, setSecurityCode] = useState('');
  const { busy, error, submit } = useSubmit({
    validate: () => {
      if (label.trim() === '') return 'Enter a label, so your team can tell this card apart.';
      if (cardNumber.trim() === '') return 'Enter the card number.';
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(expiration.trim())) return 'Enter the expiry as year and month, like 2030-12.';
      if (!/^\d{3,4}$/.test(securityCode.trim())) return 'Enter the 3 or 4 digit security code.';
      return null;
    },
    run: async () => {
      const card = await withReauth(() =>
        api.registerCard(accountIdentifier, { label: label.trim(), cardNumber: cardNumber.trim(), expiration: expiration.trim(), securityCode: securityCode.trim() }),
      );
      await onRegistered(card);
    },
    describe: describeFunding,
    leaves: true,
  });

  return (
    <FormDialog title="Register a credit card" onClose={onClose} size="small" onSubmit={submit} error={error} busy={busy} submitLabel="Register card">
      <p className="hint test-cards" id="test-cards">
        {TEST_CARDS_HINT}
      </p>
      <div className="field">
        <label htmlFor="card-label">Label</label>
        <input id="card-label" value={label} onChange={(e) => setLabel(e.target.value)} maxLength={100} placeholder="e.g. Finance team Visa" data-autofocus />
      </div>
      <div className="field">
        <label htmlFor="card-number">Card number</label>
        <input
          id="card-number"
          inputMode="numeric"
          autoComplete="off"
          value={cardNumber}
          onChange={(e) => setCardNumber(e.target.value)}
          maxLength={40}
          placeholder="4111 1111 1111 1111"
          aria-describedby="test-cards card-number-hint"
        />
        <p className="hint" id="card-number-hint">
          Only the last four digits are kept.
        </p>
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor="card-expiration">Expires (YYYY-MM)</label>
          <input id="card-expiration" value={expiration} onChange={(e) => setExpiration(e.target.value)} maxLength={7} placeholder="2030-12" autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor="card-security-code">Security code</label>
          <input
            id="card-security-code"
            inputMode="numeric"
            autoComplete="off"
            value={securityCode}
            onChange={(e) => setSecurityCode(e.target.value)}
            maxLength={4}
            placeholder="123"
          />
        </div>
      </div>
    </FormDialog>
  );
}

/** An amount in the account's currency, charged with its fee to one of the active cards. */
function DepositDialog({
  detail,
  cards,
  onClose,
  onDeposited,
}: {
  detail: AccountDetail;
  cards: CardView[];
  onClose: () => void;
  onDeposited: (message: string) => Promise<void>;
}) {
  const { api } = usePortal();
  const withReauth = useReauth();
  const [token, setToken] = useState(cards[0]?.token ?? '');
  const [amount, setAmount] = useState('');
  const { account } = detail;
  const { busy, error, submit } = useSubmit({
    validate: () => {
      if (token === '') return 'Choose the card to charge.';
      const cents = parseMoney(amount);
      if (cents === null || cents === 0) return 'Enter an amount in dollars, like 100 or 25.50.';
      return null;
    },
    run: async () => {
      const result = await withReauth(() => api.deposit(account.accountIdentifier, { creditCardToken: token, amountCents: parseMoney(amount) ?? 0 }));
      const { deposit } = result;
      const money = (cents: number) => formatMoney(cents, result.account.currencyCode);
      await onDeposited(
        `Deposited ${money(deposit.amountCents)} to ${account.displayName}: the balance is now ${money(result.account.balanceCents)} (${money(deposit.amountChargedCents)} charged to ${cardName(deposit.cardBrand, deposit.cardLastFour)}).`,
      );
    },
    describe: describeFunding,
    leaves: true,
  });

  return (
    <FormDialog title="Deposit to this account" onClose={onClose} size="small" onSubmit={submit} error={error} busy={busy} submitLabel="Deposit">
      <div className="field">
        <label htmlFor="deposit-card">Card to charge</label>
        <select id="deposit-card" value={token} onChange={(e) => setToken(e.target.value)} data-autofocus>
          {cards.map((card) => (
            <option key={card.token} value={card.token}>
              {cardName(card.brand, card.lastFour)} · {card.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="deposit-amount">Amount ({account.currencyCode})</label>
        <input id="deposit-amount" inputMode="decimal" autoComplete="off" value={amount} onChange={(e) => setAmount(e.target.value)} placeholder="100.00" aria-describedby="deposit-hint" />
        <p className="hint" id="deposit-hint">
          The amount is added to the balance ({formatMoney(account.balanceCents, account.currencyCode)} now); a 3.5 % card fee is charged on top.
        </p>
      </div>
    </FormDialog>
  );
}
