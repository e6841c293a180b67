import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../api/api-error';
import type { ApiKeySecret, ApiKeyView } from '../api/types';
import { isAdmin, usePortal, useSession } from '../session/portal-context';
import { ReauthCancelled, useReauth } from '../session/reauth';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useResource } from '../hooks/use-resource';
import { useSubmit } from '../hooks/use-submit';
import { activeLimit } from '../components/active-limit';
import { ActiveSummary } from '../components/active-summary';
import { Button } from '../components/button';
import { ConfirmDialog, type Confirmation } from '../components/confirm-dialog';
import { CopyButton, type CopyIntent } from '../components/copy-button';
import { ActionsCell, DataTable } from '../components/data-table';
import { Copyable } from '../components/copyable';
import { EmptyState } from '../components/empty-state';
import { FormError } from '../components/form-error';
import { DateTime } from '../components/date-time';
import { EyeIcon, EyeOffIcon, KeyIcon } from '../components/icons';
import { LimitedAction } from '../components/limited-action';
import { ListCard } from '../components/list-card';
import { Modal } from '../components/modal';
import { PageHeader } from '../components/page-header';
import { StatusBadge } from '../components/status-badge';
import { MemberNotice, TeamBreadcrumb } from './team-parts';

/** A revealed key is forgotten after this long (and when the page is left). */
export const REVEAL_MS = 60_000;

export function ApiKeysPage() {
  useDocumentTitle('RaaS API keys');
  const { api } = usePortal();
  const session = useSession();
  const admin = isAdmin(session);
  const withReauth = useReauth();
  const list = useResource(api.apiKeys);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const [generated, setGenerated] = useState<ApiKeySecret | null>(null);
  // What the last confirmed action did, said above the list (issue 19, point 13).
  const [notice, setNotice] = useState<string | null>(null);
  const {
    busy: generating,
    error: generateError,
    submit: generate,
  } = useSubmit({
    run: async () => {
      setGenerated(await withReauth(() => api.createApiKey()));
      void list.reload();
    },
  });

  const limit = activeLimit(list.data?.keys ?? [], list.data?.maxActive ?? 2, 'keys');
  const { atLimit, reason: limitReason } = limit;

  const replace = (view: ApiKeyView) =>
    list.update((data) => ({ ...data, keys: data.keys.map((k) => (k.id === view.id ? view : k)) }));

  const ask = (key: ApiKeyView, action: 'activate' | 'deactivate' | 'delete') => {
    const which = <code className="mono">{key.id}</code>;
    setNotice(null);
    const confirmations: Record<typeof action, Confirmation> = {
      deactivate: {
        title: 'Deactivate this API key?',
        body: <p>Requests that send key {which} get 401 at once. You can activate it again later.</p>,
        confirmLabel: 'Deactivate',
        danger: true,
        run: async () => {
          replace(await api.apiKeyAction(key.id, 'deactivate'));
          setNotice(`Key ${key.id} is deactivated: requests that send it get 401.`);
        },
      },
      activate: {
        title: 'Activate this API key?',
        body: <p>Requests that send key {which} are accepted again.</p>,
        confirmLabel: 'Activate',
        run: async () => {
          replace(await api.apiKeyAction(key.id, 'activate'));
          setNotice(`Key ${key.id} is active again: requests that send it are accepted.`);
        },
      },
      delete: {
        title: 'Delete this API key?',
        body: <p>Key {which} is removed for good: it can never be used or revealed again. This cannot be undone.</p>,
        confirmLabel: 'Delete',
        danger: true,
        run: async () => {
          await api.deleteApiKey(key.id);
          list.update((data) => ({ ...data, keys: data.keys.filter((k) => k.id !== key.id) }));
          setNotice(`Key ${key.id} is deleted: it can never be used or revealed again.`);
        },
      },
    };
    setConfirmation(confirmations[action]);
  };

  return (
    <>
      <PageHeader
        breadcrumb={<TeamBreadcrumb />}
        title="RaaS API keys"
        description={
          <>
            Call the RaaS API with HTTP Basic auth: your platform name as the user name and an API key as the password.
          </>
        }
        actions={
          admin && (
            <LimitedAction
              label="Generate API Key"
              onClick={() => generate()}
              loading={generating}
              disabled={list.data === null}
              limit={limit}
              reasonId="key-limit-reason"
              error={generateError}
            />
          )
        }
      />
      {!admin && <MemberNotice what="generate, reveal or change API keys" />}
      {list.data && (
        <section className="card card-padded" aria-labelledby="platform-heading">
          <h2 id="platform-heading" className="label-heading">
            Platform name (Basic auth user name)
          </h2>
          <Copyable value={list.data.platformName} label="Copy platform name" />
        </section>
      )}
      <p className="callout callout-info" role="note">
        <strong>Best practice:</strong> Keep one active key and rotate it at least every six months: generate a new key,
        move your integration to it, then deactivate the old one.
      </p>
      <ListCard
        headingId="keys-heading"
        title="Keys"
        data={list.data}
        summary={<ActiveSummary limit={limit} />}
        error={list.error}
        loading={list.loading}
        notice={notice}
        isEmpty={(data) => data.keys.length === 0}
        empty={
          <EmptyState icon={<KeyIcon size={24} />} title="No API keys yet.">
            {admin ? 'Generate one to call the RaaS API with HTTP Basic.' : 'An admin of your team can generate one to call the RaaS API with HTTP Basic.'}
          </EmptyState>
        }
      >
        {(data) => (
          <DataTable columns={['Key', 'Created', 'Last used', 'Status']} actions={admin}>
            {data.keys.map((key) => (
              <ApiKeyRow
                key={key.id}
                apiKey={key}
                admin={admin}
                atLimit={atLimit}
                limitReason={limitReason}
                onAction={(action) => ask(key, action)}
              />
            ))}
          </DataTable>
        )}
      </ListCard>
      {confirmation && <ConfirmDialog confirmation={confirmation} onClose={() => setConfirmation(null)} />}
      {generated && (
        <Modal title="Your new API key" onClose={() => setGenerated(null)} dismissible={false}>
          <p className="callout callout-warning" role="note">
            Copy the key now and store it in your integration's secret store.
          </p>
          <dl className="secret-list">
            <dt>User name (platform)</dt>
            <dd>{list.data && <Copyable value={list.data.platformName} label="Copy platform name" wrap />}</dd>
            <dt>API key</dt>
            <dd>
              <Copyable value={generated.apiKey} label="Copy API key" wrap />
            </dd>
          </dl>
          <p className="hint">An admin can reveal it again later with the eye icon, after confirming their password.</p>
          <div className="dialog-actions">
            <Button onClick={() => setGenerated(null)}>Done</Button>
          </div>
        </Modal>
      )}
    </>
  );
}

type RowProps = {
  apiKey: ApiKeyView;
  admin: boolean;
  atLimit: boolean;
  limitReason: string;
  onAction: (action: 'activate' | 'deactivate' | 'delete') => void;
};

/**
 * One key: masked (••••), revealed with the eye icon, copied with the copy icon or a click on the key.
 * The audit log says which: a copy fetches the key for the clipboard unseen (`copy`), the eye shows it
 * (`reveal`); a key already revealed is copied from the page, with nothing more to record.
 */
function ApiKeyRow({ apiKey, admin, atLimit, limitReason, onAction }: RowProps) {
  const { api } = usePortal();
  const withReauth = useReauth();
  // A revealed key, once fetched, is kept for REVEAL_MS at most; `shown` says whether it is on screen.
  const [secret, setSecret] = useState<string | null>(null);
  const [shown, setShown] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const forget = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const valueRef = useRef<HTMLElement>(null);
  const target = useCallback(() => valueRef.current, []);

  useEffect(() => () => clearTimeout(forget.current), []);

  /** Asks the server for the key (after "Confirm it's you" if needed); the error shows under the key. */
  const fetchKey = async (fetch: () => Promise<ApiKeySecret>, spinner: boolean): Promise<string | null> => {
    if (spinner) setBusy(true);
    setError(null);
    try {
      return (await withReauth(fetch)).apiKey;
    } catch (caught) {
      if (!(caught instanceof ReauthCancelled)) setError(errorMessage(caught));
      return null;
    } finally {
      if (spinner) setBusy(false);
    }
  };

  const revealSecret = async (): Promise<string | null> => {
    if (secret !== null) return secret;
    const key = await fetchKey(() => api.revealApiKey(apiKey.id), true);
    if (key === null) return null;
    setSecret(key);
    clearTimeout(forget.current);
    forget.current = setTimeout(() => {
      setSecret(null);
      setShown(false);
    }, REVEAL_MS);
    return key;
  };

  // For the clipboard, a key not revealed is fetched as a copy and not kept: the eye must still ask (and record) a reveal.
  const copyValue = async (intent: CopyIntent): Promise<string | null> =>
    intent === 'show' ? revealSecret() : (secret ?? fetchKey(() => api.copyApiKey(apiKey.id), false));

  const toggle = async () => {
    if (shown) {
      setShown(false);
      return;
    }
    if ((await revealSecret()) !== null) setShown(true);
  };

  const canReveal = admin;
  const reason = 'Only an admin can reveal or copy API keys';

  return (
    <tr>
      <td data-label="Key" className="cell-block">
        <span className="secret-cell">
          <CopyButton
            value={copyValue}
            target={target}
            label={`Copy key ${apiKey.id}`}
            title={canReveal ? 'Copy key' : reason}
            disabled={!canReveal}
            onManual={() => setShown(true)}
          >
            <code ref={valueRef} className={`mono secret-value${shown ? '' : ' is-masked'}`} aria-label={shown ? undefined : 'Hidden API key'}>
              {shown && secret !== null ? secret : '••••••••••••••••'}
            </code>
          </CopyButton>
          <button
            type="button"
            className="icon-button"
            onClick={() => void toggle()}
            disabled={!canReveal || busy}
            aria-label={shown ? `Hide key ${apiKey.id}` : `Reveal key ${apiKey.id}`}
            aria-pressed={shown}
            title={canReveal ? (shown ? 'Hide key' : 'Reveal key') : reason}
          >
            {busy ? <span className="spinner" aria-hidden="true" /> : shown ? <EyeOffIcon /> : <EyeIcon />}
          </button>
        </span>
        <code className="mono key-id">{apiKey.id}</code>
        <FormError message={error} />
      </td>
      <td data-label="Created">
        <DateTime iso={apiKey.createdAt} dateOnly />
      </td>
      <td data-label="Last used">
        <DateTime iso={apiKey.lastUsedAt} />
      </td>
      <td data-label="Status">
        <StatusBadge status={apiKey.status} />
      </td>
      {admin && (
        <ActionsCell>
          {apiKey.status === 'active' ? (
            <Button size="small" variant="secondary" onClick={() => onAction('deactivate')}>
              Deactivate
            </Button>
          ) : (
            <>
              <Button
                size="small"
                variant="secondary"
                onClick={() => onAction('activate')}
                disabled={atLimit}
                title={atLimit ? limitReason : undefined}
              >
                Activate
              </Button>
              <Button size="small" variant="danger" onClick={() => onAction('delete')}>
                Delete
              </Button>
            </>
          )}
        </ActionsCell>
      )}
    </tr>
  );
}
