import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, test } from 'vitest';
import { Modal } from '../../src/components/modal';

function Harness({ dismissible = true }: { dismissible?: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Open
      </button>
      {open && (
        <Modal title="A dialog" onClose={() => setOpen(false)} dismissible={dismissible}>
          <input aria-label="First field" />
          <button type="button">Last button</button>
        </Modal>
      )}
    </>
  );
}

describe('Modal', () => {
  test('opens as a modal dialog, focused on its first field, named by its title', async () => {
    const user = userEvent.setup();
    render(<Harness />);
    await user.click(screen.getByRole('button', { name: 'Open' }));
    const dialog = screen.getByRole('dialog', { name: 'A dialog' }) as HTMLDialogElement;
    expect(dialog.open).toBe(true);
    expect(document.activeElement).toBe(screen.getByLabelText('First field'));
  });

  test('Tab and Shift+Tab stay inside the dialog', async () => {
    const user = userEvent.setup();
    render(<Harness />);
    await user.click(screen.getByRole('button', { name: 'Open' }));
    const close = screen.getByRole('button', { name: 'Close' });
    const last = screen.getByRole('button', { name: 'Last button' });

    await user.tab(); // First field → Last button
    expect(document.activeElement).toBe(last);
    await user.tab(); // Last button → back to the first control (Close, in the header)
    expect(document.activeElement).toBe(close);
    await user.tab({ shift: true }); // Close → Last button
    expect(document.activeElement).toBe(last);
  });

  test('Esc closes it and gives focus back to what opened it', async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const opener = screen.getByRole('button', { name: 'Open' });
    await user.click(opener);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  test('a dialog that must not be lost by accident ignores Esc and has no ×', async () => {
    const user = userEvent.setup();
    render(<Harness dismissible={false} />);
    await user.click(screen.getByRole('button', { name: 'Open' }));
    await user.keyboard('{Escape}');
    expect(screen.getByRole('dialog', { name: 'A dialog' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Close' })).toBeNull();
  });
});
