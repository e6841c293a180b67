import type { FastifyRequest } from 'fastify';
import { authorizationHeaderCount, decodeBasic, isBasicBase64 } from '../credentials/http-credentials.js';
import { LruCache } from '../cache/lru.js';
import { digest, digestsEqual } from '../crypto/secrets.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ClientOwnLimits, OAuthClient, OAuthClientStore } from '../store/oauth-clients.js';
import { invalidClient, invalidRequest, excerpt } from './oauth-error.js';
import type { TokenParameters } from './token-parameters.js';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  method: 'client_secret_basic' | 'client_secret_post';
  /** The secret's digest, kept with credentials read from a remembered header (see {@link readClientCredentials}). */
  secretDigest?: string;
}

/**
 * Basic headers already read, by their exact text: a client that asks again (a fleet after its 400, the
 * same integration every day) costs a map lookup, not a parse, two form-decodes and a digest. In this
 * process's memory only, like the API guard's credentials (cache/lru.ts); wrong secrets still
 * fail and count, since the digest is compared with the client's every time.
 */
const readHeaders = new LruCache<ClientCredentials>(1_000);

/** The client with its platform's name and, when read for the token endpoint, its own token limits. */
export type AuthenticatedClient = OAuthClient & { platform_name: string } & ClientOwnLimits;

const CLIENT_ID_FORM = /^cli_[0-9A-Za-z]{22}$/;

/** Compared against when the client does not exist, so an unknown client costs what a wrong secret does. */
const ABSENT_DIGEST = digest('no such client');

/**
 * Reads the client's credentials from the Basic header (RFC 6749 §2.3.1: id and secret are each
 * form-urlencoded, then joined by a colon) or from the body. Using both methods at once is an error
 * (RFC 6749 §2.3: a client must not use more than one), and so are two Authorization headers (RFC 9110
 * §11.6.2: it is not a list; Node would keep the first, a proxy may have read the other). Returns
 * undefined when there are none.
 */
export function readClientCredentials(request: FastifyRequest, params: TokenParameters): ClientCredentials | undefined {
  if (authorizationHeaderCount(request.raw.rawHeaders) > 1) throw invalidRequest('Send credentials once: one Authorization header');
  const header = request.headers.authorization;
  const basic = header === undefined ? undefined : readBasicClientHeader(header);
  if (basic) {
    if (params.client_secret !== undefined) throw invalidRequest('Use one client authentication method: the Basic header or client_secret in the body, not both');
    if (params.client_id !== undefined && params.client_id !== basic.clientId) throw invalidRequest('client_id in the body does not match the Basic header');
    return basic;
  }
  if (params.client_id === undefined && params.client_secret === undefined) return undefined;
  if (!params.client_id) throw invalidRequest('client_id is missing');
  if (!params.client_secret) throw invalidRequest('client_secret is missing');
  return { clientId: params.client_id, clientSecret: params.client_secret, method: 'client_secret_post' };
}

function readBasicClientHeader(header: string): ClientCredentials {
  let credentials = readHeaders.get(header);
  if (!credentials) {
    credentials = { ...parseBasicClientHeader(header), method: 'client_secret_basic' };
    readHeaders.set(header, credentials);
  }
  return credentials;
}

function parseBasicClientHeader(header: string): { clientId: string; clientSecret: string } {
  const match = /^([A-Za-z]+) +(.*)$/.exec(header.trim());
  if (!match) throw invalidRequest('The Authorization header is malformed');
  if (match[1]!.toLowerCase() !== 'basic') {
    throw invalidRequest(`The ${excerpt(match[1]!)} authorization scheme is not accepted here: use Basic or the request body`);
  }
  const encoded = match[2]!;
  if (!isBasicBase64(encoded)) throw invalidRequest('The Basic credentials are not valid base64');
  const basic = decodeBasic(encoded);
  if (!basic) throw invalidRequest('The Basic credentials must be client_id:client_secret');
  let credentials: { clientId: string; clientSecret: string };
  try {
    credentials = { clientId: formDecode(basic.userId), clientSecret: formDecode(basic.password) };
  } catch {
    throw invalidRequest('The Basic credentials are not form-urlencoded');
  }
  if (credentials.clientId.includes('\0') || credentials.clientSecret.includes('\0')) {
    throw invalidRequest('The Basic credentials contain a NUL character');
  }
  return credentials;
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

/**
 * Checks the credentials against the stored digest in constant time. An unknown client, a wrong secret
 * and a deactivated client give the same error, and do the same work.
 */
export async function authenticateClient(
  clients: Pick<OAuthClientStore, 'findWithPlatform'>,
  credentials: ClientCredentials,
  realm: string,
  metrics?: Pick<Metrics, 'authFailed'>,
): Promise<AuthenticatedClient> {
  const client = await clients.findWithPlatform(credentials.clientId);
  credentials.secretDigest ??= digest(credentials.clientSecret);
  const secretMatches = digestsEqual(credentials.secretDigest, client?.secret_digest ?? ABSENT_DIGEST);
  // Only an id of the right form goes to the log: anything else may be a misplaced secret, or a flood.
  if (!client) {
    metrics?.authFailed('oauth', 'unknown_client');
    throw invalidClient(realm, CLIENT_ID_FORM.test(credentials.clientId) ? `unknown client ${credentials.clientId}` : 'unknown client (malformed id)');
  }
  if (!secretMatches) {
    metrics?.authFailed('oauth', 'wrong_secret');
    throw invalidClient(realm, `wrong secret for client ${client.client_id}`);
  }
  if (client.status !== 'active') {
    metrics?.authFailed('oauth', 'inactive_client');
    throw invalidClient(realm, `client ${client.client_id} is deactivated`);
  }
  return client;
}
