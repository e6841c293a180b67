import type { FastifyRequest } from 'fastify';
import { credentialsRequired, invalidAuthRequest, malformedBasic } from './auth-error.js';
import { authorizationHeaderCount, isBasicBase64 } from '../credentials/http-credentials.js';

/** What the request presents: the raw Bearer token or the raw base64 of Basic, not yet checked. */
export type PresentedCredential = { scheme: 'bearer'; token: string } | { scheme: 'basic'; encoded: string };

/**
 * Reads the one credential of a request from its Authorization header, its syntax not yet checked (see
 * {@link assertWellFormed}). Refuses (400) a request that carries credentials twice — two Authorization
 * headers, or a token in the URL as well — and a token in the URL at all: URLs end up in logs and
 * histories (RFC 6750 §2.3, §5.3; RFC 9700 §4.3.2). Scheme names are case-insensitive (RFC 9110 §11.1).
 * Returns undefined when there are no credentials.
 */
export function readPresentedCredential(request: FastifyRequest, realm: string): PresentedCredential | undefined {
  const header = request.headers.authorization;
  const query = request.query as Record<string, unknown> | undefined;
  if (query && Object.prototype.hasOwnProperty.call(query, 'access_token')) {
    throw invalidAuthRequest(
      realm,
      header === undefined
        ? 'Send the access token in the Authorization header, not in the URL'
        : 'Send credentials once: in the Authorization header, not also in the URL',
    );
  }
  if (header === undefined) return undefined;
  if (authorizationHeaderCount(request.raw.rawHeaders) > 1) throw invalidAuthRequest(realm, 'Send credentials once: one Authorization header');

  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'bearer') return { scheme: 'bearer', token: value };
  if (scheme === 'basic') return { scheme: 'basic', encoded: value };
  throw credentialsRequired(realm, 'unsupported_scheme');
}

/**
 * Checks the syntax of a credential about to be verified (credentials served from memory were checked
 * when first seen). Bearer: RFC 6750 §2.1 b64token; anything else — empty, spaces, a second credential —
 * is malformed. Basic: base64 (RFC 7617 §2).
 */
export function assertWellFormed(presented: PresentedCredential, realm: string): void {
  if (presented.scheme === 'bearer') {
    if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(presented.token)) {
      throw invalidAuthRequest(realm, 'The Bearer credentials are malformed: expected Authorization: Bearer <access token>');
    }
  } else if (!isBasicBase64(presented.encoded)) {
    throw malformedBasic(realm);
  }
}
