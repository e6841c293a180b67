const LABELS: Record<string, string> = {
  active: 'Active',
  inactive: 'Inactive',
  success: 'Success',
  failure: 'Failure',
  admin: 'Admin',
  member: 'Member',
  pending: 'Pending',
  unregistered: 'Unregistered',
  complete: 'Complete',
};

const TONES: Record<string, string> = {
  active: 'green',
  success: 'green',
  inactive: 'grey',
  failure: 'red',
  admin: 'accent',
  member: 'grey',
  pending: 'amber',
  unregistered: 'grey',
  complete: 'green',
};

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${TONES[status] ?? 'grey'}`}>{LABELS[status] ?? status}</span>;
}
