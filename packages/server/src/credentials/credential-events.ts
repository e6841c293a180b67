import type { Cache } from '../cache/cache.js';

/** The channel on which a change of a credential's status is announced to every instance. */
export const CREDENTIAL_STATUS_CHANNEL = 'credential-status';

/** A credential whose status changed: an OAuth client, an API key, or one access token (by `jti`). */
export interface CredentialChange {
  type: 'oauth_client' | 'api_key' | 'token';
  id: string;
}

/**
 * Tells every instance that a credential was deactivated, activated, deleted or revoked, so their
 * guards drop what they cached about it at once. Best effort: the change is already committed, and
 * every guard re-reads statuses within {@link STATUS_RECHECK_MS} anyway, so a lost message (Redis away,
 * or the `tessera` command's own in-process cache) only delays it to that bound.
 */
export async function announceCredentialChange(cache: Pick<Cache, 'publish'>, change: CredentialChange): Promise<void> {
  try {
    await cache.publish(CREDENTIAL_STATUS_CHANNEL, JSON.stringify(change));
  } catch {
    // Bounded by the status re-check: see above.
  }
}

/** How long a guard may trust a cached credential's status before reading it from the store again. */
export const STATUS_RECHECK_MS = 5_000;

/** Reads a message of the channel; undefined when it is not one (the guard then forgets everything). */
export function parseCredentialChange(message: string): CredentialChange | undefined {
  try {
    const value = JSON.parse(message) as Partial<CredentialChange> | null;
    if (value && typeof value.id === 'string' && (value.type === 'oauth_client' || value.type === 'api_key' || value.type === 'token')) {
      return { type: value.type, id: value.id };
    }
  } catch {
    // Fall through.
  }
  return undefined;
}
