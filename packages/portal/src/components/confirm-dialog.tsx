import { useState, type ReactNode } from 'react';
import { errorMessage } from '../api/api-error';
import { Button } from './button';
import { FormError } from './form-error';
import { Modal } from './modal';

export type Confirmation = {
  title: string;
  /** What the action does to running integrations, in plain words. */
  body: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  run: () => Promise<unknown>;
};

/** Asks before an action; runs it, shows its error in place, and closes when it succeeds. */
export function ConfirmDialog({ confirmation, onClose }: { confirmation: Confirmation; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await confirmation.run();
      onClose();
    } catch (caught) {
      setBusy(false);
      // The person closed "Confirm it's you": nothing to say. (components/ does not import session/.)
      if (caught instanceof Error && caught.name === 'ReauthCancelled') return;
      setError(errorMessage(caught));
    }
  };

  return (
    <Modal title={confirmation.title} onClose={onClose} size="small">
      <div className="confirm-body">{confirmation.body}</div>
      <FormError message={error} />
      <div className="dialog-actions">
        <Button variant="secondary" onClick={onClose} data-autofocus>
          Cancel
        </Button>
        <Button variant={confirmation.danger ? 'danger' : 'primary'} loading={busy} onClick={() => void confirm()}>
          {confirmation.confirmLabel}
        </Button>
      </div>
    </Modal>
  );
}
