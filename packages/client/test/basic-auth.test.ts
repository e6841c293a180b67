import { describe, expect, it } from 'vitest';
import { basicAuthorization, InvalidArgumentError } from '../src/index.js';

describe('basicAuthorization', () => {
  it('returns Basic base64(platformName:apiKey)', () => {
    expect(basicAuthorization('acme', 'key_123')).toBe('Basic YWNtZTprZXlfMTIz');
    expect(Buffer.from('YWNtZTprZXlfMTIz', 'base64').toString()).toBe('acme:key_123');
  });

  it('encodes UTF-8 (RFC 7617 §2.1) and lets the key contain colons', () => {
    expect(basicAuthorization('café', 'a:b')).toBe(`Basic ${Buffer.from('café:a:b', 'utf8').toString('base64')}`);
  });

  it.each([
    ['a platform name with a colon', 'ac:me', 'key', "platformName may not contain ':' (RFC 7617 §2: the user-id ends at the first colon)"],
    ['an empty platform name', '', 'key', 'platformName must be a non-empty string'],
    ['an empty key', 'acme', '', 'apiKey must be a non-empty string'],
  ])('refuses %s', (_what, platform, key, message) => {
    expect(() => basicAuthorization(platform, key)).toThrow(InvalidArgumentError);
    expect(() => basicAuthorization(platform, key)).toThrow(message);
  });
});
