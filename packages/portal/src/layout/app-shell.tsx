import { useEffect, useState, type ReactNode } from 'react';
import type { Route } from '../router/routes';
import { Sidebar } from './sidebar';
import { TopBar } from './top-bar';

/** The signed-in frame: the left-hand menu (a toggle at ≤ 768 px), the top bar, the page. */
export function AppShell({ route, children }: { route: Route; children: ReactNode }) {
  const [menuOpen, setMenuOpen] = useState(false);

  // A new page closes the narrow-screen menu.
  const [shownFor, setShownFor] = useState(route.name);
  if (shownFor !== route.name) {
    setShownFor(route.name);
    setMenuOpen(false);
  }

  // The narrow-screen menu takes focus when it opens, and Esc gives it back to the toggle.
  useEffect(() => {
    if (!menuOpen) return;
    document.querySelector<HTMLElement>('#sidebar .nav-link')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setMenuOpen(false);
      document.querySelector<HTMLElement>('.menu-toggle')?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  return (
    <div className={`shell${menuOpen ? ' menu-open' : ''}`}>
      <a className="skip-link" href="#main" onClick={(event) => {
        event.preventDefault();
        document.getElementById('main')?.focus();
      }}>
        Skip to content
      </a>
      <Sidebar route={route} />
      <button type="button" className="shell-scrim" aria-hidden="true" tabIndex={-1} onClick={() => setMenuOpen(false)} />
      <div className="shell-main">
        <TopBar menuOpen={menuOpen} onToggleMenu={() => setMenuOpen((open) => !open)} />
        <main id="main" className="content" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
