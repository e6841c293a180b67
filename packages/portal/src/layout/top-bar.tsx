import { navigate } from '../router/hash-location';
import { usePortal, useSession } from '../session/portal-context';
import { useSubmit } from '../hooks/use-submit';
import { StatusBadge } from '../components/status-badge';
import { CloseIcon, LogOutIcon, MenuIcon } from '../components/icons';
import { FormError } from '../components/form-error';

export function TopBar({ menuOpen, onToggleMenu }: { menuOpen: boolean; onToggleMenu: () => void }) {
  const { api, setSession } = usePortal();
  const session = useSession();
  const { busy, error, submit: signOut } = useSubmit({
    run: async () => {
      await api.signOut();
      setSession(null);
      navigate('/signin', { replace: true });
    },
    leaves: true,
  });

  return (
    <header className="top-bar">
      <button
        type="button"
        className="icon-button menu-toggle"
        aria-label={menuOpen ? 'Close menu' : 'Open menu'}
        aria-expanded={menuOpen}
        aria-controls="sidebar"
        onClick={onToggleMenu}
      >
        {menuOpen ? <CloseIcon size={20} /> : <MenuIcon size={20} />}
      </button>
      <div className="top-bar-platform">
        <span className="top-bar-label">Platform</span>
        <span className="top-bar-platform-name">{session.platform.name}</span>
      </div>
      <div className="top-bar-user">
        <FormError message={error} />
        <span className="top-bar-email" title={session.user.email}>
          {session.user.email}
        </span>
        <StatusBadge status={session.user.role} />
        <button
          type="button"
          className="button button-ghost button-small"
          onClick={() => signOut()}
          disabled={busy}
          aria-label="Sign out"
        >
          <LogOutIcon />
          <span className="sign-out-label">Sign out</span>
        </button>
      </div>
    </header>
  );
}
