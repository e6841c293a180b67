// The audit actions of docs/portal-api.md, with the words the log shows for them.

export const AUDIT_ACTIONS: ReadonlyArray<{ action: string; label: string }> = [
  { action: 'generate', label: 'Generated credential' },
  { action: 'activate', label: 'Activated credential' },
  { action: 'deactivate', label: 'Deactivated credential' },
  { action: 'delete', label: 'Deleted credential' },
  { action: 'reveal', label: 'Revealed API key' },
  { action: 'copy', label: 'Copied API key' },
  { action: 'reset_quota', label: 'Reset token quota' },
  { action: 'token_issued', label: 'Token issued' },
  { action: 'token_refused', label: 'Token refused (quota, rate or limit)' },
  { action: 'token_limit_observed', label: 'Token past observed limit' },
  { action: 'client_limits_changed', label: 'Changed client token limits' },
  { action: 'sign_up', label: 'Signed up' },
  { action: 'sign_in', label: 'Signed in' },
  { action: 'sign_out', label: 'Signed out' },
  { action: 'invite', label: 'Invited user' },
  { action: 'join', label: 'Joined team' },
  { action: 'remove_user', label: 'Removed user' },
  { action: 'register_card', label: 'Registered credit card' },
  { action: 'unregister_card', label: 'Unregistered credit card' },
  { action: 'deposit', label: 'Deposited to account' },
  { action: 'place_order', label: 'Placed order' },
  { action: 'resend_order', label: 'Resent order' },
  { action: 'reveal_reward', label: 'Revealed reward codes' },
];

const LABELS = new Map(AUDIT_ACTIONS.map(({ action, label }) => [action, label]));

/** A readable label; an action this portal does not know yet shows as it is. */
export const actionLabel = (action: string): string => LABELS.get(action) ?? action;
