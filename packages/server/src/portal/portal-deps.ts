import type { VerifiedSignUpDeps } from '../accounts/verified-sign-up.js';
import type { listAudit } from '../audit/list-audit.js';
import type { Config } from '../config/config.js';
import type { ApiKeyDeps } from '../credentials/api-keys.js';
import type { AudienceDeps } from '../credentials/audiences.js';
import type { ClientLimitDeps } from '../credentials/client-token-limits.js';
import type { ClientDeps } from '../credentials/oauth-clients.js';
import type { AudienceStore } from '../store/audiences.js';
import type { ClientTokenLimitStore } from '../store/client-token-limits.js';
import type { AuditLogStore } from '../store/audit-log.js';
import type { FundingDeps } from '../funding/account-funding.js';
import type { Catalog } from '../catalog/catalog.js';
import type { OrderStore } from '../store/orders.js';
import type { SessionCookie } from './session-cookie.js';

/**
 * What the portal uses: the accounts, credentials, funding and orders domains, the catalog, the audit log,
 * the client token limits, the audiences and protected APIs (read), the configuration (the token policy in force among it), and the session cookie (made once by the composition root, services.ts).
 */
export type PortalDeps = VerifiedSignUpDeps & ClientDeps & ClientLimitDeps & { clientTokenLimits: Pick<ClientTokenLimitStore, 'listByPlatform'> } & Pick<AudienceDeps, 'audiences'> & { audiences: Pick<AudienceStore, 'listApis'> } & { config: AudienceDeps['config'] } & ApiKeyDeps & FundingDeps & Parameters<typeof listAudit>[0] & { auditLog: Pick<AuditLogStore, 'heldSince'> } & { orders: OrderStore; catalog: Pick<Catalog, 'findItem'> } & { config: Pick<Config, 'publicUrl' | 'portalSignup' | 'bodyLimitBytes' | 'tokenRate'>; sessionCookie: SessionCookie };
