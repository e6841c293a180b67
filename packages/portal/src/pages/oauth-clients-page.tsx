import { useState } from 'react';
import type { ClientLimits, ClientView, NewClient } from '../api/types';
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
import { FormDialog } from '../components/form-dialog';
import { FormError } from '../components/form-error';
import { DateTime } from '../components/date-time';
import { ShieldIcon } from '../components/icons';
import { LimitedAction } from '../components/limited-action';
import { ListCard } from '../components/list-card';
import { Modal } from '../components/modal';
import { PageHeader } from '../components/page-header';
import { ProtectedApiFacts } from '../components/protected-api';
import { StatusBadge } from '../components/status-badge';
import { describeTokenPolicy, formatDuration } from '../components/token-policy';
import { MemberNotice, TeamBreadcrumb } from './team-parts';

export function OAuthClientsPage() {
  useDocumentTitle('OAuth client credentials');
  const { api } = usePortal();
  const session = useSession();
  const admin = isAdmin(session);
  const list = useResource(api.clients);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const [generating, setGenerating] = useState(false);
  // The client whose token limits an admin is editing, if any.
  const [limitsOf, setLimitsOf] = useState<ClientView | null>(null);
  const audiences = useResource(api.audiences);
  // What the last confirmed action did, said above the list (issue 19, point 13).
  const [notice, setNotice] = useState<string | null>(null);

  const limit = activeLimit(list.data?.clients ?? [], list.data?.maxActive ?? 2, 'clients');
  const { maxActive, atLimit, reason: limitReason } = limit;

  const replace = (view: ClientView) =>
    list.update((data) => ({ ...data, clients: data.clients.map((c) => (c.clientId === view.clientId ? view : c)) }));

  const ask = (client: ClientView, action: 'activate' | 'deactivate' | 'reset-quota' | 'delete') => {
    const name = client.name || client.clientId;
    const who = <strong>{name}</strong>;
    setNotice(null);
    const confirmations: Record<typeof action, Confirmation> = {
      deactivate: {
        title: 'Deactivate this client?',
        body: <p>Integrations using {who} get 401 at once; tokens it issued stop working. You can activate it again later.</p>,
        confirmLabel: 'Deactivate',
        danger: true,
        run: async () => {
          replace(await api.clientAction(client.clientId, 'deactivate'));
          setNotice(`${name} is deactivated: it can no longer authenticate, and the tokens it was issued stop working.`);
        },
      },
      activate: {
        title: 'Activate this client?',
        body: <p>{who} can authenticate and request tokens again, within the limit of {maxActive} active clients.</p>,
        confirmLabel: 'Activate',
        run: async () => {
          replace(await api.clientAction(client.clientId, 'activate'));
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
          replace(await api.clientAction(client.clientId, 'reset-quota'));
          setNotice(`Quota reset: ${name} may request one new token now.`);
        },
      },
      delete: {
        title: 'Delete this client?',
        body: <p>{who} is removed for good: its client id and secret never work again. This cannot be undone.</p>,
        confirmLabel: 'Delete',
        danger: true,
        run: async () => {
          await api.deleteClient(client.clientId);
          list.update((data) => ({ ...data, clients: data.clients.filter((c) => c.clientId !== client.clientId) }));
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
            Your integrations exchange a client id and secret for an access token at <code>POST /oauth/token</code>.
            {/* The policy in force on this server (issue 22), once the list has said it. */}
            {list.data && <> {describeTokenPolicy(list.data.tokenPolicy)}</>}
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
        {(data) => {
          // Under the rate policy there is no quota: no next token time, nothing to reset (the server refuses it).
          const quota = data.tokenPolicy.policy === 'quota';
          return (
            <DataTable columns={['Client', 'Created', 'Last token issued', 'Token limits', 'Status']} actions={admin}>
              {data.clients.map((client) => (
                <tr key={client.clientId}>
                  <td data-label="Client">
                    <div className="stacked">
                      <span className="stacked-title">{client.name || <span className="muted">Unnamed client</span>}</span>
                      <Copyable value={client.clientId} label={`Copy client id ${client.clientId}`} />
                    </div>
                  </td>
                  <td data-label="Created">
                    <DateTime iso={client.createdAt} dateOnly />
                  </td>
                  <td data-label="Last token issued">
                    <div className="stacked">
                      <DateTime iso={client.lastTokenIssuedAt} />
                      {quota && client.nextTokenAt && (
                        <span className="hint-inline">
                          Next token from <DateTime iso={client.nextTokenAt} />
                        </span>
                      )}
                      {/* Beside what it changes, and only while the quota refuses a token: elsewhere a reset would change nothing. */}
                      {admin && client.status === 'active' && quota && client.nextTokenAt && (
                        <span className="cell-action">
                          <Button size="small" variant="secondary" onClick={() => ask(client, 'reset-quota')}>
                            Reset quota
                          </Button>
                        </span>
                      )}
                    </div>
                  </td>
                  <td data-label="Token limits">
                    <div className="stacked">
                      <LimitsSummary limits={client.limits} />
                      {admin && (
                        <span className="cell-action">
                          <Button size="small" variant="secondary" onClick={() => setLimitsOf(client)} aria-label={`Token limits of ${client.name || client.clientId}`}>
                            Limits
                          </Button>
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
                        <Button size="small" variant="secondary" onClick={() => ask(client, 'deactivate')}>
                          Deactivate
                        </Button>
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
          );
        }}
      </ListCard>
      <ListCard
        headingId="audiences-heading"
        title="Audiences"
        data={audiences.data}
        summary={<span className="muted">Set by the server's operator</span>}
        error={audiences.error}
        loading={audiences.loading}
        isEmpty={(data) => data.audiences.length === 0}
      >
        {(data) => (
          <>
            <div className="card-padded">
              <p className="hint">
                A token request names the API it is for with <code>audience</code> (or <code>resource</code>); without one,
                the token is for the default audience. Each audience sets how long its tokens live. A protected API is
                guarded by Tessera's forward authentication: only the platforms and credentials it allows may call it.
              </p>
            </div>
            <DataTable columns={['Audience', 'Protected API', 'Token lifetime']} className="table-audiences">
              {data.audiences.map((audience) => (
                <tr key={audience.url}>
                  <td data-label="Audience">
                    <div className="stacked">
                      <code>{audience.url}</code>
                      {audience.default && <span className="hint-inline">Default</span>}
                    </div>
                  </td>
                  <td data-label="Protected API">{audience.api ? <ProtectedApiFacts api={audience.api} /> : <span className="muted">No</span>}</td>
                  <td data-label="Token lifetime">{formatDuration(audience.ttlSeconds)}</td>
                </tr>
              ))}
            </DataTable>
          </>
        )}
      </ListCard>
      {confirmation && <ConfirmDialog confirmation={confirmation} onClose={() => setConfirmation(null)} />}
      {limitsOf && (
        <LimitsDialog
          client={limitsOf}
          onClose={(limits) => {
            if (limits) {
              replace({ ...limitsOf, limits });
              setNotice(`Token limits of ${limitsOf.name || limitsOf.clientId}: ${describeLimits(limits)}.`);
            }
            setLimitsOf(null);
          }}
        />
      )}
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
            <Copyable value={created.clientId} label="Copy client id" wrap />
          </dd>
          <dt>Client secret</dt>
          <dd>
            <Copyable value={created.clientSecret} label="Copy client secret" wrap />
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
            Helps your team tell clients apart; it appears in the token endpoint's error messages.
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

/** The limits in one phrase: `100 per hour, 1000 per day, enforced`, or `No limit`. */
function describeLimits(limits: ClientLimits): string {
  const numbers = [
    limits.perHour === null ? null : `${limits.perHour.toLocaleString('en-US')} per hour`,
    limits.perDay === null ? null : `${limits.perDay.toLocaleString('en-US')} per day`,
  ].filter((part): part is string => part !== null);
  if (numbers.length === 0) return limits.source === 'default' ? 'no limit' : 'no limit (its own)';
  return `${numbers.join(', ')}, ${limits.mode === 'enforce' ? 'enforced' : 'observed only'}${limits.source === 'default' ? ' (default)' : ''}`;
}

/** A client's limits in its row: the numbers, the mode, and whose they are. */
function LimitsSummary({ limits }: { limits: ClientLimits }) {
  const numbers = [limits.perHour === null ? null : `${limits.perHour.toLocaleString('en-US')} / hour`, limits.perDay === null ? null : `${limits.perDay.toLocaleString('en-US')} / day`].filter(
    (part): part is string => part !== null,
  );
  return (
    <div className="stacked">
      <span>{numbers.length === 0 ? <span className="muted">No limit</span> : numbers.join(' · ')}</span>
      <span className="hint-inline">
        {numbers.length > 0 && (limits.mode === 'enforce' ? 'Enforced' : 'Observed only')}
        {numbers.length > 0 && ' · '}
        {limits.source === 'default' ? 'Server default' : 'Set for this client'}
      </span>
    </div>
  );
}

/** A limit field as typed: empty is no limit; otherwise a whole number from 1 to 1,000,000,000, or what is wrong. */
function readLimit(text: string, what: string): number | null | string {
  const value = text.trim();
  if (value === '') return null;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1_000_000_000) return `${what}: enter a whole number from 1 to 1000000000, or leave it empty for no limit.`;
  return Number(value);
}

/** Sets a client's own token limits per hour and per day and their mode, or returns it to the server's default. */
function LimitsDialog({ client, onClose }: { client: ClientView; onClose: (limits?: ClientLimits) => void }) {
  const { api } = usePortal();
  const current = client.limits;
  const [perHour, setPerHour] = useState(current.perHour === null ? '' : String(current.perHour));
  const [perDay, setPerDay] = useState(current.perDay === null ? '' : String(current.perDay));
  const [mode, setMode] = useState<ClientLimits['mode']>(current.mode);
  const hour = readLimit(perHour, 'Tokens per hour');
  const day = readLimit(perDay, 'Tokens per day');
  const { busy, error, submit } = useSubmit({
    validate: () => (typeof hour === 'string' ? hour : typeof day === 'string' ? day : null),
    run: async () => onClose(await api.setClientLimits(client.clientId, { perHour: hour as number | null, perDay: day as number | null, mode })),
    leaves: true,
  });
  const clearing = useSubmit({ run: async () => onClose(await api.clearClientLimits(client.clientId)), leaves: true });
  const name = client.name || client.clientId;
  return (
    <FormDialog title={`Token limits of ${name}`} onClose={() => onClose()} size="small" onSubmit={submit} error={error ?? clearing.error} busy={busy} submitLabel="Save limits">
      <p className="hint">
        Tokens this client may be issued per UTC hour and per UTC day, on top of the server's token policy. Leave a
        field empty for no limit in that window.
      </p>
      <div className="field">
        <label htmlFor="limit-per-hour">Tokens per hour</label>
        <input id="limit-per-hour" inputMode="numeric" value={perHour} onChange={(e) => setPerHour(e.target.value)} placeholder="No limit" data-autofocus />
      </div>
      <div className="field">
        <label htmlFor="limit-per-day">Tokens per day</label>
        <input id="limit-per-day" inputMode="numeric" value={perDay} onChange={(e) => setPerDay(e.target.value)} placeholder="No limit" />
      </div>
      <div className="field">
        <label htmlFor="limit-mode">Past a limit</label>
        <select id="limit-mode" value={mode} onChange={(e) => setMode(e.target.value as ClientLimits['mode'])}>
          <option value="enforce">Enforce: refuse the token (429)</option>
          <option value="observe">Observe: issue it, and record it in the audit log</option>
        </select>
      </div>
      {current.source === 'client' && (
        <p className="hint">
          These limits are set for this client.{' '}
          <Button size="small" variant="secondary" loading={clearing.busy} onClick={() => clearing.submit()}>
            Use the server default
          </Button>
        </p>
      )}
    </FormDialog>
  );
}
