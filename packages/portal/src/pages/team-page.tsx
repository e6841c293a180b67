import type { ReactNode } from 'react';
import { usePortal } from '../session/portal-context';
import { useDocumentTitle } from '../hooks/use-document-title';
import { useResource } from '../hooks/use-resource';
import { KeyIcon, ShieldIcon, UsersIcon } from '../components/icons';
import { PageHeader } from '../components/page-header';
import { tokenPolicySummary } from '../components/token-policy';

export function TeamPage() {
  useDocumentTitle('Team settings');
  const { api, session } = usePortal();
  const clients = useResource(api.clients);
  const keys = useResource(api.apiKeys);
  const users = useResource(api.users);

  const activeOf = (items: ReadonlyArray<{ status: string }> | undefined, max: number | undefined) =>
    items && max !== undefined ? `${items.filter((i) => i.status === 'active').length} of ${max} active` : null;

  return (
    <>
      <PageHeader title="Team settings" description={`Credentials and people of the platform ${session?.platform.name ?? ''}.`} />
      <div className="settings-grid">
        <SettingsCard
          icon={<ShieldIcon size={20} />}
          title="OAuth client credentials"
          href="#/team/oauth-clients"
          summary={activeOf(clients.data?.clients, clients.data?.maxActive)}
        >
          {/* The policy in force (issue 22), from the list this card counts; in words without numbers until it answers. */}
          Client ids and secrets your integrations exchange for OAuth access tokens (
          {clients.data ? tokenPolicySummary(clients.data.tokenPolicy) : 'within the token policy of this server'}).
        </SettingsCard>
        <SettingsCard
          icon={<KeyIcon size={20} />}
          title="RaaS API keys"
          href="#/team/api-keys"
          summary={activeOf(keys.data?.keys, keys.data?.maxActive)}
        >
          Keys for HTTP Basic auth to the RaaS API, with your platform name as the user name.
        </SettingsCard>
        <SettingsCard
          icon={<UsersIcon size={20} />}
          title="Team members"
          href="#/team/members"
          summary={
            users.data
              ? `${users.data.users.length} ${users.data.users.length === 1 ? 'user' : 'users'}, ${users.data.invitations.length} pending`
              : null
          }
        >
          The people who can sign in to this portal, and the invitations not yet accepted.
        </SettingsCard>
      </div>
    </>
  );
}

function SettingsCard({ icon, title, href, summary, children }: { icon: ReactNode; title: string; href: string; summary: string | null; children: ReactNode }) {
  return (
    <section className="card settings-card">
      <div className="settings-card-icon">{icon}</div>
      <h2>{title}</h2>
      <p className="muted">{children}</p>
      <div className="settings-card-footer">
        <span className="muted small">{summary ?? ''}</span>
        <a className="button button-secondary button-small" href={href} aria-label={`Manage ${title}`}>
          Manage
        </a>
      </div>
    </section>
  );
}
