import type { AccountDeps } from '../accounts/account-deps.js';
import type { listAudit } from '../audit/list-audit.js';
import type { Config } from '../config.js';
import type { ApiKeyDeps } from '../credentials/api-keys.js';
import type { ClientDeps } from '../credentials/oauth-clients.js';

/** What the portal uses: the accounts and credentials domains, the audit log, and the configuration. */
export type PortalDeps = AccountDeps & ClientDeps & ApiKeyDeps & Parameters<typeof listAudit>[0] & { config: Pick<Config, 'publicUrl' | 'portalSignup' | 'bodyLimitBytes'> };
