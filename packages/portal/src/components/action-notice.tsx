import { CheckIcon } from './icons';

/**
 * Says that an action on a list succeeded (a quota reset, a deactivation, a deletion), in the list it
 * changed. The live region is always there, so a screen reader announces each new message as it
 * appears (WAI-ARIA 1.2, role "status": polite, never interrupting).
 */
export function ActionNotice({ message }: { message: string | null }) {
  return (
    <div className="action-notice-region" role="status" aria-live="polite" aria-atomic="true">
      {message && (
        <p className="action-notice">
          <CheckIcon size={16} />
          <span>{message}</span>
        </p>
      )}
    </div>
  );
}
