import type { AccountDeps } from '../accounts/account-deps.js';
import type { listAudit } from '../audit/list-audit.js';
import type { Config } from '../config.js';
import type { ApiKeyDeps } from '../credentials/api-keys.js';
import type { ClientDeps } from '../credentials/oauth-clients.js';
import type { FundingDeps } from '../funding/account-funding.js';

/** What the portal uses: the accounts, credentials and funding domains, the audit log, and the configuration. */
export type PortalDeps = AccountDeps & ClientDeps & ApiKeyDeps & FundingDeps & Parameters<typeof listAudit>[0] & { config: Pick<Config, 'publicUrl' | 'portalSignup' | 'bodyLimitBytes'> };
