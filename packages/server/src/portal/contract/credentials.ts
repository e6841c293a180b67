import { type Static, Type } from 'typebox';
import { INSTANT, OrNull, STATUS, TEXT } from './fields.js';

/** A client's token limits in force (issue 22): its own, or the server's default; null: no limit in that window. */
export const ClientLimits = Type.Object({
  perHour: OrNull(Type.Integer()),
  perDay: OrNull(Type.Integer()),
  /** enforce: refused past the limit (429); observe: issued, and recorded. */
  mode: Type.Union([Type.Literal('enforce'), Type.Literal('observe')]),
  /** client: the client's own limits, set by an admin; default: the server's (its settings). */
  source: Type.Union([Type.Literal('client'), Type.Literal('default')]),
});
export type ClientLimits = Static<typeof ClientLimits>;

/** An admin sets a client's own limits: a number of tokens per hour and per day (1 to 1000000000; null: none), and the mode. */
export const ClientLimitsBody = Type.Object(
  { perHour: OrNull(Type.Integer()), perDay: OrNull(Type.Integer()), mode: Type.Union([Type.Literal('enforce'), Type.Literal('observe')]) },
  { additionalProperties: false },
);
export type ClientLimitsBody = Static<typeof ClientLimitsBody>;

/** Where a protected API answers and who may call it (issue 23; `tessera api add`). */
export const ProtectedApiView = Type.Object({
  /** The Host it answers on, lowercased (`api.example.com`, `api.example.com:8443`); null: any host. */
  host: OrNull(Type.String()),
  /** The path prefix, matched on a segment boundary; '/' at least. */
  pathPrefix: Type.String(),
  /** The platforms that may call it, by name; null: every platform. */
  platforms: OrNull(Type.Array(Type.String())),
  /** The credential kinds that may call it; null: both. */
  credentialKinds: OrNull(Type.Array(Type.Union([Type.Literal('oauth_client'), Type.Literal('api_key')]))),
});
export type ProtectedApiView = Static<typeof ProtectedApiView>;

/** An audience tokens may be issued for, and the lifetime of its tokens (read-only to teams). */
export const AudienceView = Type.Object({
  url: Type.String(),
  ttlSeconds: Type.Integer(),
  /** The default audience: tokens asked for without `audience` or `resource` are for it. */
  default: Type.Boolean(),
  /** A protected API that /forward-auth serves under this audience; null: a plain audience. */
  api: OrNull(ProtectedApiView),
});
export type AudienceView = Static<typeof AudienceView>;

export const AudienceList = Type.Object({ audiences: Type.Array(AudienceView) });
export type AudienceList = Static<typeof AudienceList>;

/** A client credential: never the secret or its digest. */
export const ClientView = Type.Object({
  name: Type.String(),
  clientId: Type.String(),
  platform: Type.String(),
  status: STATUS,
  scope: Type.String(),
  createdAt: INSTANT,
  /** When the last token was issued, a quota reset notwithstanding (the token still lives); null: never. */
  lastTokenIssuedAt: OrNull(INSTANT),
  /** When the quota lets the client have its next token; null: now (a quota reset has nothing to do). */
  nextTokenAt: OrNull(INSTANT),
  /** Its token limits per hour and per day (issue 22). */
  limits: ClientLimits,
});
export type ClientView = Static<typeof ClientView>;

/**
 * The token policy in force on this server (issue 22; config/token-policy-in-force.ts), for the page to say in words:
 * one new token per client per interval (`quota`), or up to so many token requests per client per second
 * (`rate`, where there is no quota to reset); and how long a token of the default audience lives.
 */
export const TokenPolicy = Type.Union([
  Type.Object({ policy: Type.Literal('quota'), intervalSeconds: Type.Integer(), tokenLifetimeSeconds: Type.Integer() }),
  Type.Object({ policy: Type.Literal('rate'), requestsPerSecond: Type.Integer(), tokenLifetimeSeconds: Type.Integer() }),
]);
export type TokenPolicy = Static<typeof TokenPolicy>;

export const ClientList = Type.Object({ clients: Type.Array(ClientView), maxActive: Type.Integer(), tokenPolicy: TokenPolicy });
export type ClientList = Static<typeof ClientList>;

export const NewClientBody = Type.Object({ name: Type.Optional(TEXT(100)) }, { additionalProperties: false });
export type NewClientBody = Static<typeof NewClientBody>;

/** A new client credential: its secret is shown here and never again. */
export const NewClient = Type.Object({ name: Type.String(), clientId: Type.String(), clientSecret: Type.String() });
export type NewClient = Static<typeof NewClient>;

/** An API key as listed: never the key or its digest. */
export const ApiKeyView = Type.Object({
  id: Type.String(),
  platform: Type.String(),
  status: STATUS,
  createdAt: INSTANT,
  statusChangedAt: INSTANT,
  /** When Basic authentication with it last succeeded, to the minute; null: never. */
  lastUsedAt: OrNull(INSTANT),
});
export type ApiKeyView = Static<typeof ApiKeyView>;

export const ApiKeyList = Type.Object({ platformName: Type.String(), keys: Type.Array(ApiKeyView), maxActive: Type.Integer() });
export type ApiKeyList = Static<typeof ApiKeyList>;

/** An API key itself: when generated, revealed or copied (audited). */
export const ApiKeySecret = Type.Object({ id: Type.String(), apiKey: Type.String() });
export type ApiKeySecret = Static<typeof ApiKeySecret>;
