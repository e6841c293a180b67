import type { ActiveLimit } from './active-limit';
import { Button } from './button';
import { FormError } from './form-error';
import { PlusIcon } from './icons';

type LimitedActionProps = {
  label: string;
  onClick: () => void;
  limit: ActiveLimit;
  /** The id of the hint that says why the button is disabled at the limit. */
  reasonId: string;
  /** True until the list has loaded. */
  disabled: boolean;
  loading?: boolean;
  error?: string | null;
};

/** A "Generate …" button that is disabled at the active limit, with the reason beside it. */
export function LimitedAction({ label, onClick, limit, reasonId, disabled, loading, error = null }: LimitedActionProps) {
  return (
    <div className="action-with-reason">
      <Button
        icon={<PlusIcon />}
        onClick={onClick}
        loading={loading}
        disabled={disabled || limit.atLimit}
        aria-describedby={limit.atLimit ? reasonId : undefined}
      >
        {label}
      </Button>
      {limit.atLimit && (
        <p className="hint" id={reasonId}>
          {limit.reason}
        </p>
      )}
      <FormError message={error} />
    </div>
  );
}
