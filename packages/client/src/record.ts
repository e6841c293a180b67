import type { TokenRecord } from './token-store.js';

/** Parses a stored token record, or `null` if `value` is not one (a store shared with other software may hold anything). */
export function parseTokenRecord(value: unknown): TokenRecord | null {
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  if (typeof r.accessToken !== 'string' || r.accessToken.length === 0) return null;
  if (typeof r.expiresAt !== 'number' || !Number.isFinite(r.expiresAt)) return null;
  if (typeof r.obtainedAt !== 'number' || !Number.isFinite(r.obtainedAt)) return null;
  return {
    accessToken: r.accessToken,
    tokenType: typeof r.tokenType === 'string' ? r.tokenType : 'Bearer',
    scope: typeof r.scope === 'string' ? r.scope : null,
    obtainedAt: r.obtainedAt,
    expiresAt: r.expiresAt,
  };
}

/** Serialises a record with a fixed field order (stores compare nothing but `expiresAt` and `accessToken`). */
export function serializeTokenRecord(token: TokenRecord): string {
  return JSON.stringify({
    accessToken: token.accessToken,
    tokenType: token.tokenType,
    scope: token.scope,
    obtainedAt: token.obtainedAt,
    expiresAt: token.expiresAt,
  });
}
