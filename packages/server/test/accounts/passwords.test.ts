import { describe, expect, it } from 'vitest';
import { PASSWORD_COST, PasswordHasher } from '../../src/accounts/passwords.js';
import { PortalBrowser, PASSWORD } from '../support/portal.js';
import { createTestEnvironment } from '../support/services.js';

describe('passwords', () => {
  it('are hashed with scrypt at N=2^15, r=8, p=1 and a 16-byte salt, the parameters kept with the hash', async () => {
    const hasher = new PasswordHasher(PASSWORD_COST);
    const started = performance.now();
    const hash = await hasher.hash(PASSWORD);
    expect(performance.now() - started).toBeGreaterThan(10);
    const [scheme, logN, r, p, salt, key] = hash.split('$');
    expect({ scheme, logN, r, p }).toStrictEqual({ scheme: 'scrypt', logN: '15', r: '8', p: '1' });
    expect(Buffer.from(salt!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(key!, 'base64url')).toHaveLength(32);
    expect(hash).not.toContain(PASSWORD);
    expect(await hasher.hash(PASSWORD)).not.toBe(hash);
    expect(await hasher.verify(PASSWORD, hash)).toStrictEqual({ matches: true, outdated: false });
    expect(await hasher.verify(`${PASSWORD}!`, hash)).toStrictEqual({ matches: false, outdated: false });
    expect(await hasher.verify(PASSWORD, 'not a hash')).toStrictEqual({ matches: false, outdated: false });
    expect(await hasher.verifyNobody(PASSWORD)).toBe(false);
  });

  it('are hashed again at the current cost when a user signs in with an older one', async () => {
    const env = await createTestEnvironment();
    try {
      const { app, services } = await env.app();
      await new PortalBrowser(app).signUp('old-hash@example.com', 'old-hash');
      const user = (await services.users.findByEmail('old-hash@example.com'))!;
      await services.users.setPasswordHash(user.id, await new PasswordHasher({ logN: 8, r: 8, p: 1 }).hash(PASSWORD));
      expect((await new PortalBrowser(app).signIn('old-hash@example.com')).statusCode).toBe(200);
      const rehashed = (await services.users.findByEmail('old-hash@example.com'))!.password_hash;
      expect(rehashed.split('$').slice(0, 4)).toEqual(['scrypt', String(services.passwords.cost.logN), '8', '1']);
      expect((await new PortalBrowser(app).signIn('old-hash@example.com')).statusCode).toBe(200);
    } finally {
      await env.close();
    }
  });
});
