import { useState } from 'react';
import type { Invitation, NewInvitation, Role, User } from '../api/types';
import { isAdmin, usePortal, useSession } from '../session/portal-context';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useResource } from '../hooks/use-resource';
import { useSubmit } from '../hooks/use-submit';
import { Button } from '../components/button';
import { ConfirmDialog, type Confirmation } from '../components/confirm-dialog';
import { Copyable } from '../components/copyable';
import { ActionsCell, DataTable } from '../components/data-table';
import { EmptyState } from '../components/empty-state';
import { FormError } from '../components/form-error';
import { DateTime } from '../components/date-time';
import { formatDateTime } from '../components/format';
import { UsersIcon } from '../components/icons';
import { ListCard } from '../components/list-card';
import { Modal } from '../components/modal';
import { PageHeader } from '../components/page-header';
import { StatusBadge } from '../components/status-badge';
import { MemberNotice, TeamBreadcrumb } from './team-parts';

export function MembersPage() {
  useDocumentTitle('Team members');
  const { api } = usePortal();
  const session = useSession();
  const admin = isAdmin(session);
  const list = useResource(api.users);
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const [invited, setInvited] = useState<NewInvitation | null>(null);

  const removeUser = (user: User) =>
    setConfirmation({
      title: 'Remove this user?',
      body: <p><strong>{user.email}</strong> loses access to the portal at once and can no longer sign in. Credentials they generated keep working.</p>,
      confirmLabel: 'Remove',
      danger: true,
      run: async () => {
        await api.removeUser(user.id);
        list.update((data) => ({ ...data, users: data.users.filter((u) => u.id !== user.id) }));
      },
    });

  const cancelInvitation = (invitation: Invitation) =>
    setConfirmation({
      title: 'Cancel this invitation?',
      body: <p>The link sent to <strong>{invitation.email}</strong> stops working. You can invite them again later.</p>,
      confirmLabel: 'Cancel invitation',
      danger: true,
      run: async () => {
        await api.cancelInvitation(invitation.id);
        list.update((data) => ({ ...data, invitations: data.invitations.filter((i) => i.id !== invitation.id) }));
      },
    });

  return (
    <>
      <PageHeader
        breadcrumb={<TeamBreadcrumb />}
        title="Team members"
        description="People who can sign in to this platform's portal. Admins change credentials and users; members can look."
      />
      {!admin && <MemberNotice what="invite or remove people" />}
      {admin && <InviteForm onInvited={(result) => {
        setInvited(result);
        list.update((data) => ({ ...data, invitations: [result.invitation, ...data.invitations] }));
      }} />}
      <ListCard headingId="users-heading" title="Users" data={list.data} error={list.error} loading={list.loading}>
        {(data) => (
          <DataTable columns={['Email', 'Role', 'Joined']} actions={admin}>
            {data.users.map((user) => (
              <tr key={user.id}>
                <td data-label="Email">
                  {user.email}
                  {user.id === session.user.id && <span className="muted"> (you)</span>}
                </td>
                <td data-label="Role"><StatusBadge status={user.role} /></td>
                <td data-label="Joined"><DateTime iso={user.createdAt} dateOnly /></td>
                {admin && (
                  <ActionsCell>
                    <Button size="small" variant="danger" onClick={() => removeUser(user)}>
                      Remove
                    </Button>
                  </ActionsCell>
                )}
              </tr>
            ))}
          </DataTable>
        )}
      </ListCard>
      <ListCard
        headingId="invitations-heading"
        title="Pending invitations"
        data={list.data}
        isEmpty={(data) => data.invitations.length === 0}
        empty={
          <EmptyState icon={<UsersIcon size={24} />} title="No pending invitations.">
            {admin ? 'Invite a colleague above: you get a one-time link to send them.' : 'An admin can invite colleagues.'}
          </EmptyState>
        }
      >
        {(data) => (
          <DataTable columns={['Email', 'Role', 'Invited', 'Expires']} actions={admin}>
            {data.invitations.map((invitation) => (
              <tr key={invitation.id}>
                <td data-label="Email">{invitation.email}</td>
                <td data-label="Role"><StatusBadge status={invitation.role} /></td>
                <td data-label="Invited"><DateTime iso={invitation.createdAt} dateOnly /></td>
                <td data-label="Expires"><DateTime iso={invitation.expiresAt} /></td>
                {admin && (
                  <ActionsCell>
                    <Button size="small" variant="secondary" onClick={() => cancelInvitation(invitation)}>
                      Cancel
                    </Button>
                  </ActionsCell>
                )}
              </tr>
            ))}
          </DataTable>
        )}
      </ListCard>
      {confirmation && <ConfirmDialog confirmation={confirmation} onClose={() => setConfirmation(null)} />}
      {invited && (
        <Modal title="Invitation link" onClose={() => setInvited(null)} dismissible={false}>
          <p className="callout callout-warning" role="note">
            Copy the link now and send it to {invited.invitation.email}: you will not see it again.
          </p>
          <Copyable value={invited.link} label="Copy invitation link" wrap />
          <p className="hint">
            It works once, until {formatDateTime(invited.invitation.expiresAt)} UTC. Whoever opens it chooses a password and
            joins as {invited.invitation.role === 'admin' ? 'an admin' : 'a member'}.
          </p>
          <div className="dialog-actions">
            <Button onClick={() => setInvited(null)}>Done</Button>
          </div>
        </Modal>
      )}
    </>
  );
}

function InviteForm({ onInvited }: { onInvited: (result: NewInvitation) => void }) {
  const { api } = usePortal();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const { busy, error, submit } = useSubmit({
    validate: () => (email.trim() === '' ? 'Enter the email of the person to invite.' : null),
    run: async () => {
      onInvited(await api.invite({ email: email.trim(), role }));
      setEmail('');
      setRole('member');
    },
  });

  return (
    <section className="card card-padded" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite a colleague</h2>
      <form className="inline-form" onSubmit={submit} noValidate>
        <div className="field field-grow">
          <label htmlFor="invite-email">Email</label>
          <input id="invite-email" type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="invite-role">Role</label>
          <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value === 'admin' ? 'admin' : 'member')}>
            <option value="member">Member: can look</option>
            <option value="admin">Admin: can change</option>
          </select>
        </div>
        <Button type="submit" loading={busy}>
          Invite
        </Button>
      </form>
      <FormError message={error} />
    </section>
  );
}
