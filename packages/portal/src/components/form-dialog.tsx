import type { FormEvent, ReactNode } from 'react';
import { Button } from './button';
import { FormError } from './form-error';
import { Modal } from './modal';

type FormDialogProps = {
  title: string;
  onClose: () => void;
  size?: 'small' | 'medium';
  onSubmit: (event: FormEvent) => void;
  /** What went wrong, said in place above the buttons; null: nothing. */
  error: string | null;
  busy: boolean;
  submitLabel: string;
  /** The form's fields and words. */
  children: ReactNode;
};

/** A dialog that is one form: its fields, the error in place, then Cancel and the submit button. */
export function FormDialog({ title, onClose, size, onSubmit, error, busy, submitLabel, children }: FormDialogProps) {
  return (
    <Modal title={title} onClose={onClose} size={size}>
      <form onSubmit={onSubmit} noValidate>
        {children}
        <FormError message={error} />
        <div className="dialog-actions">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={busy}>
            {submitLabel}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
