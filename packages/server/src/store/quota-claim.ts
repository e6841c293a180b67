import type { Selectable } from 'kysely';
import type { CredentialStatus, OAuthClientsTable } from './schema.js';

// Apart from oauth-clients.ts, which picks the SQLite or the PostgreSQL claim: both claims use these
// types, and they would otherwise import the file that imports them.

export type OAuthClient = Selectable<OAuthClientsTable>;

/** What claiming the quota found: granted, or refused with when the last token was issued. */
export type QuotaClaim = { granted: true } | { granted: false; lastIssuedAt: number | null; status: CredentialStatus | undefined };
