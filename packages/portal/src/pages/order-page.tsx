import { useCallback, useState, type ReactNode } from 'react';
import type { OrderDetail, OrderPerson, RevealedReward, RewardCredentialView } from '../api/types';
import { isAdmin, usePortal, useSession } from '../session/portal-context';
import { useReauth } from '../session/reauth';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useResource } from '../hooks/use-resource';
import { useSubmit } from '../hooks/use-submit';
import { ActionNotice } from '../components/action-notice';
import { Button } from '../components/button';
import { DateTime } from '../components/date-time';
import { FormDialog } from '../components/form-dialog';
import { FormError } from '../components/form-error';
import { formatMinor } from '../components/format';
import { EyeIcon, EyeOffIcon, SendIcon } from '../components/icons';
import { Loading } from '../components/loading';
import { PageHeader } from '../components/page-header';
import { StatusBadge } from '../components/status-badge';
import { MemberNotice } from './team-parts';

function OrdersBreadcrumb() {
  return (
    <>
      <a href="#/orders">Orders</a>
      <span aria-hidden="true"> / </span>
    </>
  );
}

/**
 * A catalog's redemption instructions are HTML (Tango's are): read as text, never put into the page as markup
 * (the catalog is an operator's file), its paragraphs and line breaks kept as lines. DOMParser runs no script.
 */
export function instructionsText(html: string): string {
  const withLines = html.replace(/<br\s*\/?>|<\/(p|li|div|h[1-6])>/gi, '\n');
  const text = new DOMParser().parseFromString(withLines, 'text/html').body.textContent ?? '';
  return text.replace(/\n{3,}/g, '\n\n').trim();
}

const personName = (person: OrderPerson): string => [person.firstName, person.lastName].filter(Boolean).join(' ');

/** A fact of the order: its label, and its value or a muted "None". */
function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children === '' || children === null ? <span className="muted">None</span> : children}</dd>
    </div>
  );
}

/**
 * One order: what was bought, from which account, for whom, and its reward. The reward's codes are masked;
 * an admin reveals them (recorded in the audit log) or resends the reward's email.
 */
export function OrderPage({ referenceOrderID }: { referenceOrderID: string }) {
  const { api } = usePortal();
  const admin = isAdmin(useSession());
  const withReauth = useReauth();
  const load = useCallback(() => api.order(referenceOrderID), [api, referenceOrderID]);
  const detail = useResource(load);
  const [resending, setResending] = useState(false);
  const [revealed, setRevealed] = useState<RevealedReward | null>(null);
  // What the last action did (a resend, codes shown or hidden), said in the polite live region.
  const [notice, setNotice] = useState<string | null>(null);
  const reveal = useSubmit({
    run: async () => {
      setNotice(null);
      setRevealed(await withReauth(() => api.revealReward(referenceOrderID)));
      setNotice('The reward codes are shown. Revealing them is recorded in the Audit Log.');
    },
  });
  const data = detail.data;
  useDocumentTitle(`${referenceOrderID} · Orders`);

  if (data === null) {
    return (
      <>
        <PageHeader breadcrumb={<OrdersBreadcrumb />} title={referenceOrderID} />
        {detail.error ? <FormError message={detail.error} /> : <Loading />}
      </>
    );
  }

  const { order, reward } = data;
  const hide = () => {
    setRevealed(null);
    setNotice('The reward codes are hidden again.');
  };
  const anyMasked = reward.credentials.some((credential) => credential.masked);

  return (
    <>
      <PageHeader
        breadcrumb={<OrdersBreadcrumb />}
        title={order.referenceOrderID}
        description={
          <>
            {order.rewardName} of {formatMinor(order.faceValueMinor, order.faceValueCurrencyCode)}
            {order.recipient.email ? <> for {order.recipient.email}</> : null}, from account{' '}
            <a href={`#/accounts/${encodeURIComponent(order.accountIdentifier)}`}>
              <code className="mono">{order.accountIdentifier}</code>
            </a>
          </>
        }
        actions={
          admin && (
            <Button
              icon={<SendIcon />}
              onClick={() => {
                setNotice(null);
                setResending(true);
              }}
            >
              Resend
            </Button>
          )
        }
      />
      {!admin && <MemberNotice what="reveal a reward's codes or resend it" />}
      <ActionNotice message={notice} />
      <section className="card card-padded" aria-labelledby="order-heading">
        <h2 id="order-heading" className="label-heading">
          Order
        </h2>
        <dl className="balance-facts order-facts">
          <Fact label="Placed (UTC)">
            <DateTime iso={order.createdAt} />
          </Fact>
          <Fact label="Status">
            <StatusBadge status={order.status} />
          </Fact>
          <Fact label="Face value">{formatMinor(order.faceValueMinor, order.faceValueCurrencyCode)}</Fact>
          <Fact label="Charged to the account">
            {formatMinor(order.totalMinor, order.currencyCode)}
            {order.feeMinor > 0 && <span className="muted"> (fee {formatMinor(order.feeMinor, order.currencyCode)})</span>}
            {order.faceValueCurrencyCode !== order.currencyCode && <span className="muted"> at {order.exchangeRate}</span>}
          </Fact>
          <Fact label="Account">
            <code className="mono">{order.accountIdentifier}</code> <span className="muted">({order.accountNumber})</span>
          </Fact>
          <Fact label="Customer">
            <code className="mono">{order.customerIdentifier}</code>
          </Fact>
          <Fact label="Reward">
            {order.brandName ?? order.rewardName} <span className="muted">({order.utid})</span>
          </Fact>
          <Fact label="External reference">{order.externalRefID ?? ''}</Fact>
          <Fact label="Campaign">{order.campaign}</Fact>
          <Fact label="Notes">{order.notes}</Fact>
        </dl>
      </section>
      <section className="card card-padded" aria-labelledby="reward-heading">
        <div className="section-heading-row">
          <h2 id="reward-heading" className="label-heading">
            Reward
          </h2>
          {admin && anyMasked && (
            <Button
              variant="secondary"
              size="small"
              icon={revealed ? <EyeOffIcon /> : <EyeIcon />}
              loading={reveal.busy}
              onClick={() => (revealed ? hide() : reveal.submit())}
            >
              {revealed ? 'Hide codes' : 'Reveal codes'}
            </Button>
          )}
        </div>
        <FormError message={reveal.error} />
        {reward.credentials.length === 0 ? (
          <p className="muted">This reward is no longer in the catalog: its codes cannot be shown.</p>
        ) : (
          <dl className="reward-credentials">
            {reward.credentials.map((credential) => (
              <div key={credential.credentialType}>
                <dt>{credential.label}</dt>
                <dd>
                  <CredentialValue credential={credential} revealed={revealed?.credentials.find((c) => c.credentialType === credential.credentialType)?.value} />
                </dd>
              </div>
            ))}
          </dl>
        )}
        {anyMasked && !revealed && (
          <p className="hint">
            {admin
              ? 'Codes are money: they are masked, and revealing them is recorded in the Audit Log.'
              : 'Codes are money: they are masked, and only an admin can reveal them.'}
          </p>
        )}
        {reward.redemptionInstructions !== '' && (
          <>
            <h3 className="label-heading">Redemption instructions</h3>
            <p className="instructions">{instructionsText(reward.redemptionInstructions)}</p>
          </>
        )}
      </section>
      <section className="card card-padded" aria-labelledby="delivery-heading">
        <h2 id="delivery-heading" className="label-heading">
          Delivery
        </h2>
        <dl className="balance-facts order-facts">
          <Fact label="Recipient">
            {order.recipient.email ? (
              <>
                {personName(order.recipient)} <span className="muted">{order.recipient.email}</span>
              </>
            ) : (
              ''
            )}
          </Fact>
          <Fact label="Sender">{[personName(order.sender), order.sender.email].filter(Boolean).join(' ')}</Fact>
          <Fact label="Email">{order.sendEmail ? 'Sent by email (the sandbox sends no mail)' : 'Not emailed: the integration delivers it'}</Fact>
          <Fact label="Subject">{order.emailSubject}</Fact>
          <Fact label="Message">{order.message}</Fact>
          <Fact label="Email template">{order.etid}</Fact>
        </dl>
      </section>
      {resending && (
        <ResendDialog
          detail={data}
          onClose={() => setResending(false)}
          onResent={(email) => {
            setResending(false);
            setNotice(`The reward of ${order.referenceOrderID} was resent to ${email}.`);
          }}
        />
      )}
    </>
  );
}

/** A code masked (•••• and the last four of a long one), shown once revealed; a redemption link as a link. */
function CredentialValue({ credential, revealed }: { credential: RewardCredentialView; revealed: string | undefined }) {
  const value = credential.value ?? revealed;
  if (value === undefined) {
    return (
      <code className="mono reward-code is-masked" aria-label={`Hidden ${credential.label}`}>
        {credential.lastFour ? `•••• ${credential.lastFour}` : '••••••'}
      </code>
    );
  }
  if (credential.type === 'url' && value.startsWith('https://')) {
    return (
      <a className="mono break-all" href={value} target="_blank" rel="noopener noreferrer">
        {value}
      </a>
    );
  }
  return <code className="mono reward-code">{value}</code>;
}

/** Sends the reward's email again: to the recipient, or to another address typed here. */
function ResendDialog({ detail, onClose, onResent }: { detail: OrderDetail; onClose: () => void; onResent: (email: string) => void }) {
  const { api } = usePortal();
  const withReauth = useReauth();
  const recipient = detail.order.recipient.email ?? '';
  const [email, setEmail] = useState(recipient);
  const { busy, error, submit } = useSubmit({
    validate: () => (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()) ? null : 'Enter the email address to send the reward to, like name@example.com.'),
    run: async () => {
      const typed = email.trim();
      const resend = await withReauth(() => api.resendOrder(detail.order.referenceOrderID, typed === recipient ? undefined : typed));
      onResent(resend.email);
    },
    leaves: true,
  });

  return (
    <FormDialog title="Resend this reward?" onClose={onClose} size="small" onSubmit={submit} error={error} busy={busy} submitLabel="Resend">
      <p className="muted">
        The reward&apos;s email ({detail.order.rewardName}) is sent again. The account is not charged again. The sandbox records the
        resend and sends no mail.
      </p>
      <div className="field">
        <label htmlFor="resend-email">Send to</label>
        <input id="resend-email" type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} data-autofocus aria-describedby="resend-hint" />
        <p className="hint" id="resend-hint">
          {recipient ? `The recipient is ${recipient}: change it to send the reward elsewhere.` : 'The order has no recipient email: enter one.'}
        </p>
      </div>
    </FormDialog>
  );
}
