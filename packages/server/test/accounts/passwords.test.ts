import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { MAX_PASSWORD_LENGTH, PASSWORD_COST, PasswordHasher } from '../../src/accounts/passwords.js';
import { PortalBrowser, PASSWORD } from '../support/portal.js';
import { startDeployment } from '../support/bootstrap.js';

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
    const { env, app, services } = await startDeployment();
    try {
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

  it('are counted in characters (code points) alike by every route, with one message for each bound', async () => {
    const { env, app } = await startDeployment();
    try {
      const answer = (response: LightMyRequestResponse) => ({ status: response.statusCode, body: response.json<unknown>() });
      const TOO_LONG = { status: 400, body: { error: 'invalid_input', message: `The password must have at most ${MAX_PASSWORD_LENGTH} characters` } };
      const TOO_SHORT = { status: 400, body: { error: 'invalid_input', message: 'The password must have at least 12 characters' } };
      // An emoji is one character to a person, and two UTF-16 units to JavaScript's `length`.
      const emoji = (n: number) => '\u{1F600}'.repeat(n);
      expect(emoji(600)).toHaveLength(1200);

      // Sign-up: 600 and 1024 emoji are accepted, 1025 characters of any kind refused, 11 emoji too short.
      const ann = new PortalBrowser(app);
      expect((await ann.signUp('emoji@example.com', 'emoji', emoji(600))).statusCode).toBe(201);
      expect((await new PortalBrowser(app).signUp('emoji-max@example.com', 'emoji-max', emoji(MAX_PASSWORD_LENGTH))).statusCode).toBe(201);
      expect(answer(await new PortalBrowser(app).signUp('emoji-long@example.com', 'emoji-long', emoji(MAX_PASSWORD_LENGTH + 1)))).toStrictEqual(TOO_LONG);
      expect(answer(await new PortalBrowser(app).signUp('ascii-long@example.com', 'ascii-long', 'a'.repeat(MAX_PASSWORD_LENGTH + 1)))).toStrictEqual(TOO_LONG);
      expect(answer(await new PortalBrowser(app).signUp('emoji-short@example.com', 'emoji-short', emoji(11)))).toStrictEqual(TOO_SHORT);

      // Sign-in and re-authentication with the 600 emoji, and the same message past 1024.
      expect((await new PortalBrowser(app).signIn('emoji@example.com', emoji(600))).statusCode).toBe(200);
      expect(answer(await new PortalBrowser(app).signIn('emoji@example.com', emoji(MAX_PASSWORD_LENGTH + 1)))).toStrictEqual(TOO_LONG);
      expect((await ann.post('/session/reauth', { password: emoji(600) })).statusCode).toBe(200);
      expect(answer(await ann.post('/session/reauth', { password: emoji(MAX_PASSWORD_LENGTH + 1) }))).toStrictEqual(TOO_LONG);

      // Joining by an invitation: the same count and messages.
      const token = () => ann.post('/invitations', { email: 'joiner@example.com', role: 'member' }).then((r) => r.json<{ link: string }>().link.split('/').at(-1)!);
      const invitation = await token();
      expect(answer(await new PortalBrowser(app).post('/invitations/accept', { token: invitation, password: emoji(MAX_PASSWORD_LENGTH + 1) }))).toStrictEqual(TOO_LONG);
      expect(answer(await new PortalBrowser(app).post('/invitations/accept', { token: invitation, password: emoji(11) }))).toStrictEqual(TOO_SHORT);
      expect((await new PortalBrowser(app).post('/invitations/accept', { token: invitation, password: emoji(600) })).statusCode).toBe(201);
      expect((await new PortalBrowser(app).signIn('joiner@example.com', emoji(600))).statusCode).toBe(200);
    } finally {
      await env.close();
    }
  });
});
