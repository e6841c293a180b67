import { describe, expect, test } from 'vitest';
import { parseHash } from '../../src/router/hash-location';
import { matchRoute, safeNext, signInRoute } from '../../src/router/routes';

const route = (hash: string) => {
  const { path, query } = parseHash(hash);
  return matchRoute(path, query);
};

describe('hash routes', () => {
  test('each page has its route; anything else is not found', () => {
    expect(route('')).toEqual({ name: 'home' });
    expect(route('#/')).toEqual({ name: 'home' });
    expect(route('#/signin')).toEqual({ name: 'signin', next: null });
    expect(route('#/signup')).toEqual({ name: 'signup' });
    expect(route('#/signup/tsu_abc')).toEqual({ name: 'signup-finish', token: 'tsu_abc' });
    expect(route('#/invitation/tok_a%2Bb')).toEqual({ name: 'invitation', token: 'tok_a+b' });
    expect(route('#/team')).toEqual({ name: 'team' });
    expect(route('#/team/')).toEqual({ name: 'team' });
    expect(route('#/team/oauth-clients')).toEqual({ name: 'oauth-clients' });
    expect(route('#/team/api-keys')).toEqual({ name: 'api-keys' });
    expect(route('#/team/members')).toEqual({ name: 'members' });
    expect(route('#/audit')).toEqual({ name: 'audit' });
    expect(route('#/accounts')).toEqual({ name: 'accounts' });
    expect(route('#/accounts/q4-incentives')).toEqual({ name: 'account', accountIdentifier: 'q4-incentives' });
    expect(route('#/accounts/a/b')).toEqual({ name: 'not-found', path: '/accounts/a/b' });
    expect(route('#/orders')).toEqual({ name: 'orders' });
    expect(route('#/orders/RA261128-482913-705118')).toEqual({ name: 'order', referenceOrderID: 'RA261128-482913-705118' });
    expect(route('#/orders/a/b')).toEqual({ name: 'not-found', path: '/orders/a/b' });
    expect(route('#/team/nope')).toEqual({ name: 'not-found', path: '/team/nope' });
    expect(route('#/invitation/')).toEqual({ name: 'not-found', path: '/invitation/' });
  });

  test('sign-in comes back only to a page of the portal', () => {
    expect(route('#/signin?next=%2Faudit')).toEqual({ name: 'signin', next: '/audit' });
    expect(safeNext('/team/api-keys')).toBe('/team/api-keys');
    expect(safeNext('/accounts/acct-1')).toBe('/accounts/acct-1');
    expect(safeNext('//evil.example/x')).toBeNull();
    expect(safeNext('https://evil.example')).toBeNull();
    expect(safeNext('/signin?next=/audit')).toBeNull();
    expect(safeNext('/nowhere')).toBeNull();
    expect(signInRoute('/team/members')).toBe('/signin?next=%2Fteam%2Fmembers');
    expect(signInRoute('/')).toBe('/signin');
  });
});
