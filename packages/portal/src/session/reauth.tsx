import { createContext, useCallback, useContext, useRef, useState, type ReactNode } from 'react';
import { errorMessage, isApiError } from '../api/api-error';
import { Modal } from '../components/modal';
import { Button } from '../components/button';
import { FormError } from '../components/form-error';
import { useSubmit } from '../hooks/use-submit';
import { usePortal } from './portal-context';

/** Thrown when the person closes "Confirm it's you": the action did not run, and needs no message. */
export class ReauthCancelled extends Error {
  override readonly name = 'ReauthCancelled';
  constructor() {
    super('Re-authentication cancelled');
  }
}

type WithReauth = <T>(action: () => Promise<T>) => Promise<T>;

const ReauthContext = createContext<WithReauth | null>(null);

/**
 * `withReauth(action)` runs `action`; when it answers 403 `reauthentication_required` (sensitive
 * actions need a sign-in less than 5 minutes old, docs/portal-api.md), it asks for the password,
 * calls `POST /session/reauth`, then runs the action once more.
 */
export function useReauth(): WithReauth {
  const withReauth = useContext(ReauthContext);
  if (withReauth === null) throw new Error('useReauth needs a ReauthProvider');
  return withReauth;
}

type Pending = { resolve: () => void; reject: (error: unknown) => void };

export function ReauthProvider({ children }: { children: ReactNode }) {
  const [pending, setPending] = useState<Pending | null>(null);
  const pendingRef = useRef<Pending | null>(null);

  const confirm = useCallback(
    () =>
      new Promise<void>((resolve, reject) => {
        const entry: Pending = { resolve, reject };
        pendingRef.current = entry;
        setPending(entry);
      }),
    [],
  );

  const withReauth = useCallback<WithReauth>(
    async (action) => {
      try {
        return await action();
      } catch (error) {
        if (!isApiError(error, 'reauthentication_required')) throw error;
        await confirm();
        return action();
      }
    },
    [confirm],
  );

  const settle = (outcome: 'confirmed' | 'cancelled') => {
    const entry = pendingRef.current;
    pendingRef.current = null;
    setPending(null);
    if (outcome === 'confirmed') entry?.resolve();
    else entry?.reject(new ReauthCancelled());
  };

  return (
    <ReauthContext.Provider value={withReauth}>
      {children}
      {pending && <ReauthDialog onConfirmed={() => settle('confirmed')} onCancel={() => settle('cancelled')} />}
    </ReauthContext.Provider>
  );
}

function ReauthDialog({ onConfirmed, onCancel }: { onConfirmed: () => void; onCancel: () => void }) {
  const { api, session, setSession } = usePortal();
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmit({
    validate: () => (password === '' ? 'Enter your password.' : null),
    run: async () => {
      setSession(await api.reauthenticate(password));
      onConfirmed();
    },
    describe: (caught) => (isApiError(caught, 'invalid_credentials') ? 'That password is not correct.' : errorMessage(caught)),
    leaves: true,
  });

  return (
    <Modal title="Confirm it's you" onClose={onCancel} size="small">
      <form onSubmit={submit} noValidate>
        <p className="muted">
          This action needs a recent sign-in. Enter the password of {session?.user.email ?? 'your account'} to
          continue.
        </p>
        <div className="field">
          <label htmlFor="reauth-password">Password</label>
          <input
            id="reauth-password"
            type="password"
            autoComplete="current-password"
            data-autofocus
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            aria-invalid={error !== null}
            aria-describedby={error ? 'reauth-error' : undefined}
          />
        </div>
        <FormError id="reauth-error" message={error} />
        <div className="dialog-actions">
          <Button type="button" variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={busy}>
            Continue
          </Button>
        </div>
      </form>
    </Modal>
  );
}
