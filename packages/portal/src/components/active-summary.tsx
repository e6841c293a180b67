import type { ActiveLimit } from './active-limit';

/** Beside a credential list's heading: how many are active, and that times are UTC. */
export function ActiveSummary({ limit }: { limit: ActiveLimit }) {
  return (
    <span className="muted small">
      {limit.active} of {limit.maxActive} active · times in UTC
    </span>
  );
}
