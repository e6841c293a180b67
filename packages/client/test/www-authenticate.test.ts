import { describe, expect, it } from 'vitest';
import { isInvalidBearerToken, parseChallenges } from '../src/www-authenticate.js';

const challenge = (scheme: string, params: Record<string, string> = {}) => ({ scheme, params: new Map(Object.entries(params)) });

describe('parseChallenges (RFC 9110 §11.6.1)', () => {
  it('reads several challenges in one field, with quoted commas and escapes', () => {
    expect(parseChallenges('Bearer realm="a, b", error="invalid_token", error_description="say \\"hi\\"", Basic realm="x", charset="UTF-8"')).toEqual([
      challenge('bearer', { realm: 'a, b', error: 'invalid_token', error_description: 'say "hi"' }),
      challenge('basic', { realm: 'x', charset: 'UTF-8' }),
    ]);
  });

  it('reads a token68, unquoted values, and lower-cases scheme and parameter names', () => {
    expect(parseChallenges('Negotiate abc123==, BEARER Error=invalid_token')).toEqual([
      challenge('negotiate'),
      challenge('bearer', { error: 'invalid_token' }),
    ]);
  });

  it('never throws on malformed input', () => {
    for (const header of ['', ',,,', '=', '"', 'Bearer realm="unterminated', 'Bearer ,=,"x"', '@@@ Bearer']) {
      expect(() => parseChallenges(header)).not.toThrow();
    }
    expect(parseChallenges(null)).toEqual([]);
  });
});

describe('isInvalidBearerToken', () => {
  it.each([
    ['Bearer error="invalid_token"', true],
    ['Bearer realm="api"', true],
    [null, true],
    ['Basic realm="x", Bearer error="invalid_token"', true],
    ['Bearer error="insufficient_scope"', false],
    ['Basic realm="Bearer error=invalid_token"', false],
    ['Negotiate abc==', false],
  ])('%s → %s', (header, expected) => {
    expect(isInvalidBearerToken(header)).toBe(expected);
  });
});
