import { type TSchema, Type } from 'typebox';

/*
 * The fields the portal's API shares between its bodies: the request fields with their rules, and the
 * shapes its answers repeat. Pure TypeBox, as the whole contract (./index.ts says why).
 */

/** Any text but control characters (NUL, which PostgreSQL cannot store, among them) and unpaired surrogates. */
export const TEXT_PATTERN = '^(?:[^\\u0000-\\u001F\\u007F\\uD800-\\uDFFF]|[\\uD800-\\uDBFF][\\uDC00-\\uDFFF])*$';
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

/** Tango's identifiers: lowercase letters, digits, ".", "_" and "-" (raas/views.ts). */
export const ACCOUNT_IDENTIFIER = Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z0-9][a-z0-9._-]*$' });
/** A card's token: the UUID it was registered under. */
export const CARD_TOKEN = Type.String({ minLength: 1, maxLength: 100, pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' });
/** YYYY-MM, as Tango takes a card's expiration. */
export const YEAR_MONTH = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' });
/** CVV2, CVC2 or CID: checked, never stored. */
export const SECURITY_CODE = Type.String({ pattern: '^[0-9]{3,4}$' });
/** Tango's reference order ids (orders/order-ids.ts), e.g. RA261128-482913-705118. */
export const REFERENCE_ORDER_ID = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9-]+$' });

/** An instant in an answer: ISO 8601 in UTC, e.g. 2026-11-28T12:00:00.000Z. */
export const INSTANT = Type.String();
/** A value or null. */
export const OrNull = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
/** A credential's status, as every view says it. */
export const STATUS = Type.Union([Type.Literal('active'), Type.Literal('inactive')]);
/** A 204's (absent) body. */
export const NO_CONTENT = Type.Null();
