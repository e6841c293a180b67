import { useState } from 'react';
import type { ClientView, NewClient } from '../api/types';
import { isAdmin, usePortal, useSession } from '../session/portal-context';
import { useReauth } from '../session/reauth';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useResource } from '../hooks/use-resource';
import { useSubmit } from '../hooks/use-submit';
import { activeLimit } from '../components/active-limit';
import { ActiveSummary } from '../components/active-summary';
import { Button } from '../components/button';
import { ConfirmDialog, type Confirmation } from '../components/confirm-dialog';
import { Copyable } from '../components/copyable';
import { ActionsCell, DataTable } from '../components/data-table';
import { EmptyState } from '../components/empty-state';
import { FormError } from '../components/form-error';
import { DateTime } from '../components/date-time';
import { ShieldIcon } from '../components/icons';
import { LimitedAction } from '../components/limited-action';
import { ListCard } from '../components/list-card';
import { Modal } from '../components/modal';
import { PageHeader } from '../components/page-header';
import { StatusBadge } from '../components/status-badge';
import { MemberNotice, TeamBreadcrumb } from './team-parts';

export function OAuthClientsPage() {
  useDocumentTitle('OAuth client credentials');
  const { api } = usePortal();
  const session = useSession();
  const admin = isAdmin(session);
  const list = useResource(api.clients);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const [generating, setGenerating] = useState(false);
  // What the last confirmed action did, said above the list (issue 19, point 13).
  const [notice, setNotice] = useState<string | null>(null);

  const limit = activeLimit(list.data?.clients ?? [], list.data?.maxActive ?? 2, 'clients');
  const { maxActive, atLimit, reason: limitReason } = limit;

  const replace = (view: ClientView) =>
    list.update((data) => ({ ...data, clients: data.clients.map((c) => (c.client_id === view.client_id ? view : c)) }));

  const ask = (client: ClientView, action: 'activate' | 'deactivate' | 'reset-quota' | 'delete') => {
    const name = client.name || client.client_id;
    const who = <strong>{name}</strong>;
    setNotice(null);
    const confirmations: Record<typeof action, Confirmation> = {
      deactivate: {
        title: 'Deactivate this client?',
        body: <p>Integrations using {who} get 401 at once; tokens it issued stop working. You can activate it again later.</p>,
        confirmLabel: 'Deactivate',
        danger: true,
        run: async () => {
          replace(await api.clientAction(client.client_id, 'deactivate'));
          setNotice(`${name} is deactivated: it can no longer authenticate, and the tokens it was issued stop working.`);
        },
      },
      activate: {
        title: 'Activate this client?',
        body: <p>{who} can authenticate and request tokens again, within the limit of {maxActive} active clients.</p>,
        confirmLabel: 'Activate',
        run: async () => {
          replace(await api.clientAction(client.client_id, 'activate'));
          setNotice(`${name} is active again: it can authenticate and request tokens.`);
        },
      },
      'reset-quota': {
        title: 'Reset the token quota?',
        body: (
          <p>
            {who} may request one new token now; use this when the token was lost. Tokens it already holds keep
            working.
          </p>
        ),
        confirmLabel: 'Reset quota',
        run: async () => {
          replace(await api.clientAction(client.client_id, 'reset-quota'));
          setNotice(`Quota reset: ${name} may request one new token now.`);
        },
      },
      delete: {
        title: 'Delete this client?',
        body: <p>{who} is removed for good: its client id and secret never work again. This cannot be undone.</p>,
        confirmLabel: 'Delete',
        danger: true,
        run: async () => {
          await api.deleteClient(client.client_id);
          list.update((data) => ({ ...data, clients: data.clients.filter((c) => c.client_id !== client.client_id) }));
          setNotice(`${name} is deleted: its client id and secret never work again.`);
        },
      },
    };
    setConfirmation(confirmations[action]);
  };

  return (
    <>
      <PageHeader
        breadcrumb={<TeamBreadcrumb />}
        title="OAuth client credentials"
        description={
          <>
            Your integrations exchange a client id and secret for an access token at <code>POST /oauth/token</code>. A
            client may request one new token every 20 hours and a token lives 24 hours: keep it and reuse it.
          </>
        }
        actions={
          admin && (
            <LimitedAction
              label="Generate Client Credentials"
              onClick={() => setGenerating(true)}
              disabled={list.data === null}
              limit={limit}
              reasonId="client-limit-reason"
            />
          )
        }
      />
      {!admin && <MemberNotice what="generate or change client credentials" />}
      <ListCard
        headingId="clients-heading"
        title="Clients"
        data={list.data}
        summary={<ActiveSummary limit={limit} />}
        error={list.error}
        loading={list.loading}
        notice={notice}
        isEmpty={(data) => data.clients.length === 0}
        empty={
          <EmptyState icon={<ShieldIcon size={24} />} title="No client credentials yet.">
            {admin
              ? 'Generate one to let an integration request OAuth access tokens.'
              : 'An admin of your team can generate one.'}
          </EmptyState>
        }
      >
        {(data) => (
          <DataTable columns={['Client', 'Created', 'Last token issued', 'Status']} actions={admin}>
            {data.clients.map((client) => (
              <tr key={client.client_id}>
                <td data-label="Client">
                  <div className="stacked">
                    <span className="stacked-title">{client.name || <span className="muted">Unnamed client</span>}</span>
                    <Copyable value={client.client_id} label={`Copy client id ${client.client_id}`} />
                  </div>
                </td>
                <td data-label="Created">
                  <DateTime iso={client.created_at} dateOnly />
                </td>
                <td data-label="Last token issued">
                  <div className="stacked">
                    <DateTime iso={client.last_token_issued_at} />
                    {client.next_token_at && (
                      <span className="hint-inline">
                        Next token from <DateTime iso={client.next_token_at} />
                      </span>
                    )}
                  </div>
                </td>
                <td data-label="Status">
                  <StatusBadge status={client.status} />
                </td>
                {admin && (
                  <ActionsCell>
                    {client.status === 'active' ? (
                      <>
                        {/* Only while the quota refuses a token: elsewhere a reset would change nothing. */}
                        {client.next_token_at && (
                          <Button size="small" variant="secondary" onClick={() => ask(client, 'reset-quota')}>
                            Reset quota
                          </Button>
                        )}
                        <Button size="small" variant="secondary" onClick={() => ask(client, 'deactivate')}>
                          Deactivate
                        </Button>
                      </>
                    ) : (
                      <>
                        <Button
                          size="small"
                          variant="secondary"
                          onClick={() => ask(client, 'activate')}
                          disabled={atLimit}
                          title={atLimit ? limitReason : undefined}
                        >
                          Activate
                        </Button>
                        <Button size="small" variant="danger" onClick={() => ask(client, 'delete')}>
                          Delete
                        </Button>
                      </>
                    )}
                  </ActionsCell>
                )}
              </tr>
            ))}
          </DataTable>
        )}
      </ListCard>
      {confirmation && <ConfirmDialog confirmation={confirmation} onClose={() => setConfirmation(null)} />}
      {generating && (
        <GenerateClientDialog
          onClose={(created) => {
            setGenerating(false);
            if (created) void list.reload();
          }}
        />
      )}
    </>
  );
}

/** Asks for an optional internal name, then shows the id and secret exactly once. */
function GenerateClientDialog({ onClose }: { onClose: (created: boolean) => void }) {
  const { api } = usePortal();
  const withReauth = useReauth();
  const [name, setName] = useState('');
  const [created, setCreated] = useState<NewClient | null>(null);
  const { busy, error, submit } = useSubmit({
    run: async () => setCreated(await withReauth(() => api.createClient(name.trim()))),
  });

  if (created) {
    return (
      // A new dialog (key), not the form's one changed: it opens with focus inside it.
      <Modal key="created" title="Your new client credentials" onClose={() => onClose(true)} dismissible={false}>
        <p className="callout callout-warning" role="note">
          Copy the secret now: you will not see it again.
        </p>
        <dl className="secret-list">
          {created.name && (
            <>
              <dt>Internal name</dt>
              <dd>{created.name}</dd>
            </>
          )}
          <dt>Client id</dt>
          <dd>
            <Copyable value={created.client_id} label="Copy client id" wrap />
          </dd>
          <dt>Client secret</dt>
          <dd>
            <Copyable value={created.client_secret} label="Copy client secret" wrap />
          </dd>
        </dl>
        <p className="hint">Tessera keeps only a digest of the secret. If it is lost, generate new credentials.</p>
        <div className="dialog-actions">
          <Button onClick={() => onClose(true)}>Done</Button>
        </div>
      </Modal>
    );
  }

  return (
    <Modal title="Generate Client Credentials" onClose={() => onClose(false)} size="small">
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="client-name">
            Internal name <span className="optional">(optional)</span>
          </label>
          <input
            id="client-name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            placeholder="e.g. Production rewards service"
            maxLength={100}
            data-autofocus
            aria-describedby="client-name-hint"
          />
          <p className="hint" id="client-name-hint">
            Helps your team tell clients apart; it appears in the quota error message.
          </p>
        </div>
        <FormError message={error} />
        <div className="dialog-actions">
          <Button variant="secondary" onClick={() => onClose(false)}>
            Cancel
          </Button>
          <Button type="submit" loading={busy}>
            Generate
          </Button>
        </div>
      </form>
    </Modal>
  );
}
