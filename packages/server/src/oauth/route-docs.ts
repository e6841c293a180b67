import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { type Static, Type } from 'typebox';
import type { Config } from '../config/config.js';
import { DEFAULT_SCOPE } from '../credentials/scopes.js';
import * as example from './examples.js';

/**
 * What the OAuth endpoints say about themselves in the OpenAPI document (console/ builds it from the
 * routes' schemas): their parameters, answers and client authentication.
 */

/** RFC 6749 §5.2: the body of every error of these endpoints. Shared: each error response refers to it. */
export const OAuthErrorBody = Type.Object(
  {
    error: Type.String({ description: 'The RFC 6749 §5.2 error code, or rate_limit_exceeded for the refusal of the token policy (the quota: 400; the rate: 429)' }),
    error_description: Type.String(),
  },
  { $id: 'OAuthError' },
);

/** RFC 6749 §5.1. */
export const TokenResponse = Type.Object(
  {
    access_token: Type.String({ description: 'A JWT (RFC 9068): send it as Authorization: Bearer <access_token>' }),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ description: 'Seconds the token lives' }),
    scope: Type.String(),
  },
  { $id: 'TokenResponse' },
);

/**
 * Client authentication (RFC 6749 §2.3.1): `client_secret_basic` — HTTP Basic with the client id and
 * secret — or `client_secret_post`, the two in the body (the empty requirement).
 */
export const CLIENT_SECURITY: Array<Record<string, string[]>> = [{ clientSecretBasic: [] }, {}];

// Empty in the examples: the console sends no empty field, so the client authenticates as Authorize
// (clientSecretBasic) says; a person filling them in uses client_secret_post instead.
const CLIENT_ID = Type.String({ description: 'client_secret_post: the client id (cli_…); leave out with HTTP Basic', examples: [''] });
const CLIENT_SECRET = Type.String({ description: 'client_secret_post: the client secret (tsc_secret_…); leave out with HTTP Basic', examples: [''] });
const TOKEN = Type.String({ description: 'The access token', examples: [example.ACCESS_TOKEN] });

/**
 * These endpoints read their parameters themselves, in the order the RFCs set (client authentication
 * before the grant type; a repeated parameter refused, RFC 6749 §3.2), and answer with RFC 6749 §5.2
 * errors: their body schemas document the parameters and are not checked by Fastify.
 */
export const documentedOnly: FastifySchemaCompiler<unknown> = () => () => true;

/** The media types the endpoints read (RFC 6749 §4.4.2 form; JSON as Auth0 accepts). */
const CONSUMES = ['application/x-www-form-urlencoded', 'application/json'];

function oauthError(description: string) {
  return Type.Unsafe<Static<typeof OAuthErrorBody>>({ $ref: 'OAuthError#', description });
}

const THROTTLED = 'too_many_requests: too many failed client authentications from this address; try again after Retry-After seconds';

const COMMON_ERRORS = {
  401: oauthError('invalid_client: an unknown client, a wrong secret or a deactivated client (with WWW-Authenticate: Basic)'),
  413: oauthError('invalid_request: the body is larger than the limit'),
  429: oauthError(THROTTLED),
};

/** A duration as the console says it: "20 hours", or seconds when it is no whole number of hours. */
export function duration(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} hours` : `${seconds} seconds`;
}

/** What the token documentation reads of the configuration: the token policy in force and the token's lifetime. */
export type TokenPolicyConfig = Pick<
  Config,
  'tokenPolicy' | 'tokenRate' | 'quotaIntervalSeconds' | 'tokenTtlSeconds' | 'clientTokensPerHour' | 'clientTokensPerDay' | 'clientTokenLimitMode'
>;

/** The token policy in force in a few bold words, for the top of the console. */
export function policyHeadline(config: TokenPolicyConfig): string {
  return config.tokenPolicy === 'rate' ? `**Up to ${config.tokenRate} token requests per second.**` : `**One token per ${duration(config.quotaIntervalSeconds)}.**`;
}

/** The token policy's rule (issue 22: the quota or the rate) and what to do when refused, in the words the console shows. */
export function quotaRule(config: TokenPolicyConfig): string {
  if (config.tokenPolicy === 'rate') {
    return (
      `A client may ask for a token up to ${config.tokenRate} times per second, across every instance of this server, and a token lives ${duration(config.tokenTtlSeconds)}. ` +
      `More requests within the same second are refused with HTTP 429 \`rate_limit_exceeded\` ("Client {name} {client id} has exceeded ${config.tokenRate} token requests per second") and Retry-After: 1: ` +
      `keep your token until it nears its expiry rather than asking for one per call.`
    );
  }
  return (
    `A client gets one new token per ${duration(config.quotaIntervalSeconds)}, and a token lives ${duration(config.tokenTtlSeconds)}. ` +
    `Asking again sooner is refused with HTTP 400 \`rate_limit_exceeded\` ("Client {name} {client id} has exceeded the daily rate limit") and a Retry-After header: ` +
    `the token from your first request is still valid for ${duration(config.tokenTtlSeconds)}, so keep using it.`
  );
}

/**
 * The RateLimit fields every answer to an authenticated client carries (draft-ietf-httpapi-ratelimit-headers-11
 * §3, §4; oauth/ratelimit-headers.ts), in the policy's values.
 */
export function rateLimitFieldsNote(config: TokenPolicyConfig): string {
  const fields =
    config.tokenPolicy === 'rate'
      ? `\`RateLimit-Policy: "rate";q=${config.tokenRate};w=1\` and \`RateLimit: "rate";r=…;t=1\`: r is how many requests you have left in this second`
      : `\`RateLimit-Policy: "quota";q=1;w=${config.quotaIntervalSeconds}\` and \`RateLimit: "quota";r=…;t=…\`: r is 1 while you may have a token, else 0 with t the seconds until your next one`;
  return `Every answer to an authenticated client, granted or refused, says where it stands (IETF draft-ietf-httpapi-ratelimit-headers): ${fields}.`;
}

/**
 * The per-client limits (issue 22) that may apply on top of the policy: a client's own, set by the operator,
 * or the default for every client (said when set), and how they answer.
 */
export function clientLimitsNote(config: TokenPolicyConfig): string {
  const numbers = [
    config.clientTokensPerHour === undefined ? undefined : `${config.clientTokensPerHour} tokens per hour`,
    config.clientTokensPerDay === undefined ? undefined : `${config.clientTokensPerDay} tokens per day`,
  ].filter((part): part is string => part !== undefined);
  const fallback = numbers.length
    ? `The default for every client here: ${numbers.join(' and ')}, ${config.clientTokenLimitMode === 'enforce' ? 'enforced' : 'observed only (tokens are still issued)'}.`
    : 'No default limit is set here.';
  return (
    `Your client may also have limits per UTC hour and per UTC day, its own (set by the operator) or the server's default. ${fallback} ` +
    'Past an enforced one the request is refused with HTTP 429 `rate_limit_exceeded` ("Client {name} {client id} has exceeded its limit of N tokens per hour", or per day) and Retry-After to the end of the hour or day; ' +
    'the RateLimit fields then add `"hour";q=N;w=3600` and `"day";q=N;w=86400`.'
  );
}

export function tokenSchema(config: TokenPolicyConfig): FastifySchema {
  const rate = config.tokenPolicy === 'rate';
  return {
    tags: ['OAuth 2.0'],
    operationId: 'requestToken',
    summary: 'Get an access token with the client credentials grant (RFC 6749 §4.4).',
    description: `${quotaRule(config)}\n\n${rateLimitFieldsNote(config)}\n\n${clientLimitsNote(config)}`,
    consumes: CONSUMES,
    security: CLIENT_SECURITY,
    body: Type.Object(
      {
        grant_type: Type.Literal('client_credentials', { examples: [example.TOKEN_REQUEST.grant_type] }),
        client_id: Type.Optional(CLIENT_ID),
        client_secret: Type.Optional(CLIENT_SECRET),
        scope: Type.Optional(Type.String({ description: `Space-separated scopes; default ${DEFAULT_SCOPE}`, default: DEFAULT_SCOPE, examples: [example.TOKEN_REQUEST.scope] })),
        audience: Type.Optional(
          Type.String({
            description:
              "The API the token is for (as Tango's and Auth0's token requests name it): this server's /raas/v2 (the default, when neither audience nor resource is given) " +
              'or an audience the operator registered (`tessera audience list`), whose tokens live its own TTL (`expires_in` says it). ' +
              'Another is refused with 400 invalid_target. A token for another audience is refused by /raas/v2 (401 invalid_token).',
            examples: [''],
          }),
        ),
        resource: Type.Optional(
          Type.String({
            description: 'RFC 8707 §2: the same as audience, by its standard name; given once (several: 400 invalid_target). With audience too, both must be equal.',
            examples: [''],
          }),
        ),
      },
      { examples: [example.TOKEN_REQUEST] },
    ),
    response: {
      200: {
        ...TokenResponse,
        description: `A new access token, valid for ${duration(config.tokenTtlSeconds)}`,
        examples: [{ access_token: example.ACCESS_TOKEN, token_type: 'Bearer', expires_in: config.tokenTtlSeconds, scope: DEFAULT_SCOPE }],
      },
      400: oauthError(
        rate
          ? 'invalid_request, unsupported_grant_type, invalid_scope or invalid_target'
          : `invalid_request, unsupported_grant_type, invalid_scope or invalid_target; or the quota refusal, rate_limit_exceeded with Retry-After, ` +
              `answered before any parameter is checked: the token from your first request is still valid for ${duration(config.tokenTtlSeconds)}`,
      ),
      ...COMMON_ERRORS,
      ...(rate
        ? {
            429: oauthError(
              `rate_limit_exceeded: more than ${config.tokenRate} token requests of your client within one second, answered before any parameter is checked; ` +
                `try again after Retry-After (1 second). Or ${THROTTLED}`,
            ),
          }
        : {}),
    },
  };
}

/** The body of introspection (RFC 7662 §2.1) and revocation (RFC 7009 §2.1) alike. */
const TOKEN_REQUEST = Type.Object(
  {
    token: TOKEN,
    token_type_hint: Type.Optional(Type.String({ examples: [example.TOKEN_ACTION_REQUEST.token_type_hint] })),
    client_id: Type.Optional(CLIENT_ID),
    client_secret: Type.Optional(CLIENT_SECRET),
  },
  { examples: [example.TOKEN_ACTION_REQUEST] },
);

export const introspectionSchema: FastifySchema = {
  tags: ['OAuth 2.0'],
  operationId: 'introspectToken',
  summary: "Whether a token is active, and its claims (RFC 7662); a client sees only its own tokens.",
  consumes: CONSUMES,
  security: CLIENT_SECURITY,
  body: TOKEN_REQUEST,
  response: {
    200: Type.Object(
      {
        active: Type.Boolean(),
        token_type: Type.Optional(Type.Literal('Bearer')),
        iss: Type.Optional(Type.String()),
        sub: Type.Optional(Type.String()),
        aud: Type.Optional(Type.String()),
        client_id: Type.Optional(Type.String()),
        iat: Type.Optional(Type.Integer()),
        exp: Type.Optional(Type.Integer()),
        jti: Type.Optional(Type.String()),
        scope: Type.Optional(Type.String()),
        platform: Type.Optional(Type.String({ description: 'The platform the token acts for' })),
      },
      { description: 'The token and its claims, or only active: false (unknown, expired, revoked, or another client’s)', examples: [example.INTROSPECTION] },
    ),
    400: oauthError('invalid_request: the token is missing, or a parameter is given twice'),
    ...COMMON_ERRORS,
  },
};

export const revocationSchema: FastifySchema = {
  tags: ['OAuth 2.0'],
  operationId: 'revokeToken',
  summary: 'Revoke a token (RFC 7009); an unknown token is not an error.',
  consumes: CONSUMES,
  security: CLIENT_SECURITY,
  body: TOKEN_REQUEST,
  response: {
    200: { description: 'Revoked, or not a token of this server: no body', type: 'null' },
    400: oauthError('invalid_request: the token is missing; or unauthorized_client: the token belongs to another client'),
    ...COMMON_ERRORS,
  },
};

/** RFC 7517 §4: the members every key of this server has; the others (n and e, or crv, x and y) follow its kty. */
const Jwk = Type.Object({ kty: Type.String(), kid: Type.String(), alg: Type.String(), use: Type.String() }, { additionalProperties: true });

export const jwksSchema: FastifySchema = {
  tags: ['OAuth 2.0'],
  operationId: 'getJwks',
  summary: 'The public keys that verify access tokens (RFC 7517).',
  security: [],
  response: { 200: Type.Object({ keys: Type.Array(Jwk) }, { description: 'The JSON Web Key Set (RFC 7517 §5)', examples: [example.JWKS] }) },
};

/** RFC 8414 §3.2, with the metadata itself as the example: it depends on the configuration only. */
export function metadataSchema(metadata: Record<string, unknown>): FastifySchema {
  return {
    tags: ['OAuth 2.0'],
    operationId: 'getServerMetadata',
    summary: "The authorization server's metadata (RFC 8414).",
    security: [],
    // Open: the example lists the members, and none is ever left out of the answer.
    response: { 200: Type.Object({}, { additionalProperties: true, description: 'The metadata (RFC 8414 §2)', examples: [metadata] }) },
  };
}
