import type { FormEvent, ReactNode } from 'react';
import { Button } from './button';
import { FormError } from './form-error';

type FiltersCardProps = {
  /** Lays many fields out in a tighter grid. */
  compact?: boolean;
  onApply: (event: FormEvent) => void;
  /** True when there is something to clear: filters applied, or typed and not yet applied. */
  canClear: boolean;
  onClear: () => void;
  /** Why the typed filters cannot apply; null: nothing to say. */
  error: string | null;
  /** The filter fields. */
  children: ReactNode;
};

/** The filters above a list: its fields, Apply filters and Clear, and why a filter was refused. */
export function FiltersCard({ compact = false, onApply, canClear, onClear, error, children }: FiltersCardProps) {
  return (
    <section className="card card-padded" aria-label="Filters">
      <form className={compact ? 'filters filters-compact' : 'filters'} onSubmit={onApply} noValidate>
        {children}
        <div className="filters-actions">
          <Button type="submit" variant="secondary">
            Apply filters
          </Button>
          {canClear && (
            <Button variant="ghost" onClick={onClear}>
              Clear
            </Button>
          )}
        </div>
      </form>
      <FormError message={error} />
    </section>
  );
}
