import { Type } from 'typebox';
import type { ActiveSession } from '../accounts/sessions.js';

/** Any text but control characters (NUL, which PostgreSQL cannot store, among them) and unpaired surrogates. */
const TEXT_PATTERN = '^(?:[^\\u0000-\\u001F\\u007F\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*$';
/** Ids are a prefix and base62 (crypto/secrets.ts); anything else names nothing. */
export const ID = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_]+$' });
export const EMAIL = Type.String({ minLength: 1, maxLength: 254, pattern: TEXT_PATTERN });
/**
 * A password's length is checked by the domain alone (accounts/passwords.ts), with one count (code
 * points) and one message: sign-up and invitations check both bounds, sign-in only the upper one (older
 * rules may differ). The body limit bounds what reaches it.
 */
export const NEW_PASSWORD = Type.String();
export const PASSWORD = Type.String({ minLength: 1 });
export const ROLE = Type.Union([Type.Literal('admin'), Type.Literal('member')]);
export const TEXT = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: TEXT_PATTERN });

/** The contract's `Session` (docs/portal-api.md). */
export function sessionView(session: ActiveSession) {
  return {
    user: { id: session.user.id, email: session.user.email, role: session.user.role },
    platform: { name: session.platform.name },
    csrfToken: session.csrfToken,
    authenticatedAt: new Date(session.authenticatedAt).toISOString(),
    expiresAt: new Date(session.expiresAt).toISOString(),
  };
}
