import type { ReactNode } from 'react';
import { ActionNotice } from './action-notice';
import { FormError } from './form-error';
import { Loading } from './loading';

type ListCardProps<T> = {
  /** The id of the card's heading, which names the section. */
  headingId: string;
  title: string;
  /** What has loaded: null until the first answer. */
  data: T | null;
  /** Shown beside the heading once loaded. */
  summary?: ReactNode;
  /** The load failed: said above the list (the last data stays). */
  error?: string | null;
  /** Shows "Loading…" until the first answer; leave it out where another card on the page says it. */
  loading?: boolean;
  /** Sets aria-busy on the section (true while a new list replaces the shown one). */
  busy?: boolean;
  /** What the last action on the list did, said above it (and announced); null: nothing to say. */
  notice?: string | null;
  /** Shown instead of the list when `isEmpty(data)`. */
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  children: (data: T) => ReactNode;
};

/** A card listing what a page manages: heading and summary, the load's error, loading, empty, the list. */
export function ListCard<T>({ headingId, title, data, summary, error = null, loading = false, busy, notice, empty, isEmpty, children }: ListCardProps<T>) {
  return (
    <section className="card" aria-labelledby={headingId} aria-busy={busy}>
      <div className="card-header">
        <h2 id={headingId}>{title}</h2>
        {data !== null && summary}
      </div>
      <FormError message={error} />
      {notice !== undefined && <ActionNotice message={notice} />}
      {data === null ? loading && <Loading /> : isEmpty?.(data) ? empty : children(data)}
    </section>
  );
}
