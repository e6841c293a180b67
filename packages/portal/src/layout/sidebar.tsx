import type { ReactNode } from 'react';
import type { Route } from '../router/routes';
import { CardIcon, ExternalIcon, GiftIcon, KeyIcon, ListIcon, SettingsIcon, ShieldIcon, UsersIcon } from '../components/icons';
import { StatusBadge } from '../components/status-badge';
import { useSession } from '../session/portal-context';

type Item = { href: string; label: string; icon: ReactNode; active: boolean };

export function Sidebar({ route }: { route: Route }) {
  const session = useSession();
  const teamItems: Item[] = [
    { href: '#/team/oauth-clients', label: 'OAuth client credentials', icon: <ShieldIcon />, active: route.name === 'oauth-clients' },
    { href: '#/team/api-keys', label: 'RaaS API keys', icon: <KeyIcon />, active: route.name === 'api-keys' },
    { href: '#/team/members', label: 'Team members', icon: <UsersIcon />, active: route.name === 'members' },
  ];
  return (
    <nav id="sidebar" className="sidebar" aria-label="Main">
      <a className="brand" href="#/team">
        <span className="brand-mark" aria-hidden="true" />
        <span>Tessera</span>
      </a>
      <ul className="nav-list">
        <li>
          <NavLink href="#/team" label="Team settings" icon={<SettingsIcon />} active={route.name === 'team'} />
          <ul className="nav-sublist">
            {teamItems.map((item) => (
              <li key={item.href}>
                <NavLink {...item} />
              </li>
            ))}
          </ul>
        </li>
        <li>
          <NavLink href="#/accounts" label="Accounts" icon={<CardIcon />} active={route.name === 'accounts' || route.name === 'account'} />
        </li>
        <li>
          <NavLink href="#/orders" label="Orders" icon={<GiftIcon />} active={route.name === 'orders' || route.name === 'order'} />
        </li>
        <li>
          <NavLink href="#/audit" label="Audit Log" icon={<ListIcon />} active={route.name === 'audit'} />
        </li>
      </ul>
      <div className="nav-footer">
        {/* The top bar has no room for the email on a narrow screen: it is shown here instead. */}
        <div className="nav-user">
          <span className="nav-user-email">{session.user.email}</span>
          <StatusBadge status={session.user.role} />
        </div>
        <a className="nav-link" href="/console" target="_blank" rel="noopener">
          <ExternalIcon />
          <span>API console</span>
          <span className="visually-hidden"> (opens in a new tab)</span>
        </a>
      </div>
    </nav>
  );
}

function NavLink({ href, label, icon, active }: Item) {
  return (
    <a className={`nav-link${active ? ' is-active' : ''}`} href={href} aria-current={active ? 'page' : undefined}>
      {icon}
      <span>{label}</span>
    </a>
  );
}
