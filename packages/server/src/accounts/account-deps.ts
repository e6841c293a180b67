import type { AuditDeps } from '../audit/record-audit.js';
import type { FailureThrottle } from '../credentials/failure-throttle.js';
import type { InvitationStore } from '../store/invitations.js';
import type { PlatformStore } from '../store/platforms.js';
import type { UserStore } from '../store/users.js';
import type { PasswordHasher } from './passwords.js';
import type { SessionDeps } from './sessions.js';
import type { SignInThrottle } from './sign-in-throttle.js';

/** What the accounts domain works with (services.ts provides all of it). */
export interface AccountDeps extends SessionDeps {
  users: UserStore;
  invitations: InvitationStore;
  platforms: Pick<PlatformStore, 'findByName'>;
  passwords: PasswordHasher;
  signInThrottle: SignInThrottle;
  signUpThrottle: Pick<FailureThrottle, 'reserve' | 'release'>;
  auditLog: AuditDeps['auditLog'];
}

/** Where a request came from, for the audit log and the sign-in throttle: the surface knows it. */
export interface RequestOrigin {
  sourceAddress: string;
  userAgent: string | null;
}
