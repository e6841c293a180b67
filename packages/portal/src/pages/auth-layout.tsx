import type { ReactNode } from 'react';

/** The signed-out frame: a centred card under the brand. */
export function AuthLayout({ title, subtitle, children, footer }: { title: string; subtitle?: ReactNode; children: ReactNode; footer?: ReactNode }) {
  return (
    <div className="public-page">
      <main className="auth-card">
        <div className="brand brand-center">
          <span className="brand-mark" aria-hidden="true" />
          <span>Tessera</span>
        </div>
        <h1>{title}</h1>
        {subtitle && <p className="muted auth-subtitle">{subtitle}</p>}
        {children}
      </main>
      {footer && <p className="auth-footer">{footer}</p>}
    </div>
  );
}
