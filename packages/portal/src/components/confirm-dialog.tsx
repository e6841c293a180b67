import type { ReactNode } from 'react';
import { useSubmit } from '../hooks/use-submit';
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
  const { busy, error, submit: confirm } = useSubmit({
    run: async () => {
      await confirmation.run();
      onClose();
    },
    leaves: true,
  });

  return (
    <Modal title={confirmation.title} onClose={onClose} size="small">
      <div className="confirm-body">{confirmation.body}</div>
      <FormError message={error} />
      <div className="dialog-actions">
        <Button variant="secondary" onClick={onClose} data-autofocus>
          Cancel
        </Button>
        <Button variant={confirmation.danger ? 'danger' : 'primary'} loading={busy} onClick={() => confirm()}>
          {confirmation.confirmLabel}
        </Button>
      </div>
    </Modal>
  );
}
